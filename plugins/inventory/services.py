"""Stock levels, atomic deduction and release, and setting stock.

Modes per product (a product without a stock row is ``unlimited``):

* ``unlimited`` — never runs out; nothing is counted.
* ``quota`` — sales stock set by the factory or uploaded; orders take from
  ``quantity``.
* ``erp`` — ``quantity`` is the last live ERP stock, ``reserved`` what
  platform orders took that the ERP has not yet acknowledged; available =
  quantity − reserved. Listing asks the ``resolve_stock`` hook for live ERP
  stock first; deduction checks the stored figure, which the connector keeps
  in sync, because a conditional UPDATE needs a number in the database.

Deduction is one conditional UPDATE per product (``... WHERE quantity >= n``),
in ascending product id order so that two orders locking the same products
on PostgreSQL always queue instead of deadlocking. Stock therefore never goes
negative under any concurrency. A deduction is all or nothing: it runs in a
savepoint that is rolled back when any product is short.

Notifications: ``deduct_stock`` and ``release_stock`` run inside the caller's
transaction, so they cannot know when it commits; they return the changed
availability and the caller hands it to :func:`notify_stock_changed` after
the commit. :func:`set_stock` and :func:`upload_stock` commit themselves and
notify on their own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from peewee import Case

from core.db import is_postgres, utcnow, write_transaction
from core.errors import Conflict
from plugins.catalog.models import Product
from plugins.inventory.models import STOCK_MODES, StockItem, StockMovement

UNLIMITED, QUOTA, ERP = STOCK_MODES
MAX_STOCK = 10_000_000  # an upper bound on any stock figure, to catch typos


class OutOfStock(Conflict):
    """409 ``out_of_stock``: some product of the order has too little stock."""

    code = "out_of_stock"
    message = "Not enough stock: {product} has only {available} left."


@dataclass(frozen=True)
class Shortage:
    product_id: int
    code: str
    requested: int
    available: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "product_id": self.product_id,
            "code": self.code,
            "requested": self.requested,
            "available": self.available,
        }


def available_of(item: StockItem | None) -> int | None:
    """What can still be ordered from a stored stock row (``None`` = unlimited)."""
    if item is None or item.mode == UNLIMITED:
        return None
    if item.mode == ERP:
        return max(item.quantity - item.reserved, 0)
    return max(item.quantity, 0)


def stock_levels(ctx, products: Iterable[Product]) -> dict[int, dict[str, Any]]:
    """``{product_id: {"mode", "available"}}`` for a batch of products.

    One query for the batch; ``available`` is ``None`` when unlimited. For
    ``erp`` products the ``resolve_stock`` hook is asked for live ERP stock
    (minus what platform orders reserved); without an answer the stored
    quantity is used.
    """
    products = list(products)
    items = {
        item.product_id: item
        for item in StockItem.select().where(StockItem.product.in_([p.id for p in products]))
    }
    levels = {}
    for product in products:
        item = items.get(product.id)
        available = available_of(item)
        if item is not None and item.mode == ERP:
            live = ctx.pm.hook.resolve_stock(ctx=ctx, product=product)
            if live is not None:
                available = max(int(live) - item.reserved, 0)
        levels[product.id] = {"mode": item.mode if item is not None else UNLIMITED, "available": available}
    return levels


def _check_quantities(quantities: Mapping[int, int]) -> list[tuple[int, int]]:
    pairs = sorted((int(pid), n) for pid, n in quantities.items())
    for pid, n in pairs:
        if isinstance(n, bool) or not isinstance(n, int) or n <= 0:
            raise ValueError(f"quantity of product {pid} must be a positive int, got {n!r}")
    return pairs


def deduct_stock(quantities: Mapping[int, int], ref: str) -> dict[int, int]:
    """Take stock for an order, all or nothing; raise 409 ``out_of_stock``.

    ``quantities`` maps product id to the quantity to take, **already summed
    by the caller** over the order's lines (the same product on two lines
    is one entry). Call it inside the order's write transaction, so the order
    and its stock commit or roll back together; the deduction itself runs in
    a savepoint, so on a shortage no product of the order has been touched
    even if the caller catches the error. Products in ``unlimited`` mode (or
    without a stock row) are skipped. Every taken quantity is recorded as a
    ``StockMovement`` (reason ``order``, ``ref`` the order number).

    Returns ``{product_id: available after}`` of the counted products, for
    :func:`notify_stock_changed` once the caller has committed. The
    :class:`OutOfStock` error names the first short product in its message
    and lists every short line in ``details["lines"]``.
    """
    pairs = _check_quantities(quantities)
    if not pairs:
        return {}
    modes = {
        item.product_id: item.mode
        for item in StockItem.select(StockItem.product, StockItem.mode).where(
            StockItem.product.in_([pid for pid, _n in pairs])
        )
    }
    changed: dict[int, int] = {}
    shortages: list[Shortage] = []
    with write_transaction():
        for product_id, n in pairs:  # ascending id: the lock order
            taken = _take(product_id, n, modes.get(product_id, UNLIMITED))
            if taken is None:
                continue
            if taken is False:
                shortages.append(_shortage(product_id, n))
                continue
            changed[product_id] = taken
        if shortages:
            first = shortages[0]
            raise OutOfStock(
                details={"lines": [s.as_dict() for s in shortages]},
                product=first.code,
                available=first.available,
                unit=Product.get_by_id(first.product_id).unit,
            )
        if changed:
            now = utcnow()
            taken = [(pid, n) for pid, n in pairs if pid in changed]
            StockMovement.insert_many(
                [
                    {"product": pid, "delta": -n, "reason": "order", "ref": ref[:64], "at": now}
                    for pid, n in taken
                ]
            ).execute()
    return changed


def _take(product_id: int, n: int, mode: str) -> int | bool | None:
    """Conditionally take ``n`` in ``mode``: new availability, False if short, None if uncounted.

    ``mode`` is what a read before the transaction saw; the UPDATE checks it
    again, so a mode changed meanwhile is noticed and the current one used.
    """
    for _attempt in range(3):
        if mode == UNLIMITED:
            return None
        if mode == QUOTA:
            query = StockItem.update(quantity=StockItem.quantity - n, updated_at=utcnow()).where(
                (StockItem.product == product_id) & (StockItem.mode == QUOTA) & (StockItem.quantity >= n)
            )
        else:
            query = StockItem.update(reserved=StockItem.reserved + n, updated_at=utcnow()).where(
                (StockItem.product == product_id)
                & (StockItem.mode == ERP)
                & (StockItem.quantity - StockItem.reserved >= n)
            )
        if is_postgres():  # the new figures in the same round trip
            rows = list(
                query.returning(StockItem.mode, StockItem.quantity, StockItem.reserved).objects().execute()
            )
            if rows:
                return available_of(rows[0])
        elif query.execute():  # SQLite before 3.35 has no RETURNING
            return available_of(StockItem.get_by_id(product_id))
        item = StockItem.get_or_none(StockItem.product == product_id)
        current = item.mode if item is not None else UNLIMITED
        if current == mode:
            return False
        mode = current
    return False


def _shortage(product_id: int, requested: int) -> Shortage:
    item = StockItem.get_or_none(StockItem.product == product_id)
    product = Product.get_by_id(product_id)
    return Shortage(product_id, product.code, requested, available_of(item) or 0)


def release_stock(quantities: Mapping[int, int], ref: str) -> dict[int, int]:
    """Give back what :func:`deduct_stock` took for ``ref`` (quota +n, erp reserved −n).

    Not idempotent by itself: calling it twice returns the stock twice. The
    caller guarantees "exactly once" (orders clears its ``stock_reserved``
    flag with a conditional UPDATE and releases only when that succeeded).
    Call inside the caller's write transaction; movements are recorded with
    reason ``release``. Returns ``{product_id: available after}`` for
    :func:`notify_stock_changed`.
    """
    pairs = _check_quantities(quantities)
    changed: dict[int, int] = {}
    now = utcnow()
    with write_transaction():
        for product_id, n in pairs:
            back = (
                StockItem.update(quantity=StockItem.quantity + n, updated_at=now)
                .where((StockItem.product == product_id) & (StockItem.mode == QUOTA))
                .execute()
            )
            if not back:
                # erp: never below zero, in case the ERP acknowledged (and
                # un-reserved) part of the order in the meantime
                unreserve = Case(None, [(StockItem.reserved >= n, StockItem.reserved - n)], 0)
                back = (
                    StockItem.update(reserved=unreserve, updated_at=now)
                    .where((StockItem.product == product_id) & (StockItem.mode == ERP))
                    .execute()
                )
            if back:
                StockMovement.create(product=product_id, delta=n, reason="release", ref=ref[:64])
                changed[product_id] = available_of(StockItem.get_by_id(product_id))
    return changed


def set_stock(
    product: Product, mode: str, quantity: int | None, reason: str = "set", ref: str = ""
) -> StockItem:
    """Set a product's stock mode and quantity (absolute), recording the change.

    ``quantity`` is the sales stock (quota) or the live ERP stock (erp) and is
    ignored for ``unlimited``. In ``erp`` mode the outstanding ``reserved`` is
    kept; switching to another mode clears it. Opens its own write
    transaction (a savepoint when nested); call :func:`notify_stock_changed`
    after the commit, or use it through the admin API which does.
    """
    if mode not in STOCK_MODES:
        raise ValueError(f"unknown stock mode {mode!r}")
    quantity = 0 if mode == UNLIMITED else int(quantity or 0)
    if not 0 <= quantity <= MAX_STOCK:
        raise ValueError(f"quantity out of range: {quantity}")
    with write_transaction():
        # Make sure the row exists (a product without one is unlimited), so
        # that the row lock below also covers a first-time set.
        StockItem.insert(product=product.id, mode=UNLIMITED).on_conflict_ignore().execute()
        query = StockItem.select().where(StockItem.product == product.id)
        if is_postgres():
            query = query.for_update()  # a deducting order waits for us, and we see its result
        item = query.get()
        old_mode = item.mode
        old_quantity = item.quantity if old_mode != UNLIMITED else 0
        reserved = item.reserved if old_mode == ERP and mode == ERP else 0
        StockItem.update(mode=mode, quantity=quantity, reserved=reserved, updated_at=utcnow()).where(
            StockItem.product == product.id
        ).execute()
        if quantity != old_quantity or mode != old_mode:
            StockMovement.create(
                product=product.id, delta=quantity - old_quantity, reason=reason, ref=ref[:64]
            )
        item = StockItem.get_by_id(product.id)
    return item


def notify_stock_changed(ctx, changes: Mapping[int, int | None]) -> None:
    """Fire ``on_stock_changed`` for each product; call after the commit."""
    for product_id, available in sorted(changes.items()):
        ctx.pm.hook.on_stock_changed(ctx=ctx, product_id=product_id, available=available)
