"""Hooks the orders plugin declares for the plugins that build on it.

The core adds this module to every app's plugin manager before any plugin is
registered, so a plugin that depends on ``orders`` (payments, tracking,
review) implements these with ``@core.plugins.hookimpl`` like a core hook.
"""

from __future__ import annotations

from core.hookspecs import hookspec


@hookspec
def extend_order_data(ctx, orders, detail, translate):
    """Return ``{order_id: {field: value}}`` to add to order answers.

    All results collected and merged into each order's JSON (API and pages).
    ``orders`` are the :class:`plugins.orders.models.Order` records being
    answered: a page of ``GET /orders`` or one order of ``GET /orders/{no}``
    when ``detail`` is true. ``translate`` is ``_(msgid, **params)`` in the
    request's language. Work on the whole batch at once. The payments plugin
    answers ``payments`` here (the orders plugin itself answers an empty
    list); tracking may add ``progress``. Keep list answers small.
    """


@hookspec
def check_order_cancel(ctx, order):
    """Raise :class:`core.errors.Conflict` to refuse cancelling ``order``; return nothing.

    Asked before a customer's cancel and before the payment timeout cancels
    an unpaid order, after the state machine allowed it. The ERP connector
    refuses once the factory reports production past scheduling; the answer
    to the customer is the Conflict (409) raised here. Do no network I/O.
    """
