"""Hooks the catalog plugin declares for the plugins that build on it.

The core adds this module to every app's plugin manager before any plugin is
registered (see :mod:`core.plugins`), so a plugin that depends on ``catalog``
implements these with ``@core.plugins.hookimpl`` like any core hook.
"""

from __future__ import annotations

from core.hookspecs import hookspec


@hookspec
def catalog_list_price_imported(ctx, product, grade, list_price):
    """A catalog import brought the list price of a product: store it.

    Every implementation is called (the pricing plugin keeps list prices;
    the catalog owns none). Called by ``ydt catalog import`` once per
    imported product whose row has a price, inside the import transaction,
    which ``--dry-run`` rolls back; do no network I/O here.

    ``product`` is the catalog :class:`~plugins.catalog.models.Product`;
    ``grade`` the code of its default grade (the first active value of its
    ``grade`` option group), or ``""`` when it has no grade group;
    ``list_price`` the price in integer fen (after ``--currency-rate``).

    Return ``True`` when the stored price changed (``None``/``False`` when it
    was already that): the import then reports the product as ``updated``
    rather than ``unchanged``.
    """
