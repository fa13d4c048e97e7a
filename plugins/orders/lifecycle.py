"""Status changes of an order: the one :func:`transition`, cancel, payment timeout.

Every status change of every plugin goes through :func:`transition`. It
checks the state machine (``states.TRANSITIONS``), moves the order with a
conditional UPDATE on the status it was read in (so two concurrent changes
cannot both win: the loser gets 409), records the change in the history,
returns reserved stock when the order is cancelled or rejected, and fires
``on_order_status_changed`` inside the same transaction.

Stock is returned exactly once: the ``stock_reserved`` flag is cleared by
a conditional UPDATE and only the request that cleared it releases stock.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict

from core.db import current_database, utcnow, write_transaction
from core.errors import Conflict
from core.models import User
from plugins.inventory.services import deduct_stock, notify_stock_changed, release_stock
from plugins.orders.models import Order, OrderEvent, OrderLine
from plugins.orders.states import (
    CANCELLABLE,
    REASON_CUSTOMER_CANCELLED,
    REASON_PAYMENT_TIMEOUT,
    STANDARD,
    OrderStatus,
    can_move,
)

log = logging.getLogger("ydt.orders")

RELEASING = frozenset({OrderStatus.CANCELLED, OrderStatus.REJECTED})


def transition(
    ctx,
    order: Order,
    new_status: str,
    *,
    actor: User | None = None,
    reason: str = "",
    note: str = "",
    **changes,
) -> Order:
    """Move ``order`` to ``new_status``; the only way an order's status changes.

    Args:
        order: the order as the caller read it; its ``status`` is the one
            the change is conditional on. Updated in place.
        new_status: an :class:`OrderStatus` value.
        actor: the user making the change, ``None`` for the system.
        reason: a short reason code (``payment_timeout``...), kept in the history.
        note: free text for the history (a support comment, say).
        changes: other ``Order`` fields to set in the same UPDATE.

    Raises:
        Conflict: 409 ``invalid_transition`` when the state machine does not
            allow the move, 409 ``order_changed`` when the order moved on
            since it was read.

    Called outside a transaction it commits and then fires
    ``on_stock_changed`` for stock it returned; called inside the caller's
    transaction, the caller does that after its commit with
    ``notify_stock_changed(ctx, order.stock_changes)``.
    """
    old = OrderStatus(order.status)
    new = OrderStatus(new_status)
    if not can_move(old, new):
        raise Conflict(
            "The order's current status does not allow this.",
            code="invalid_transition",
            details={"status": old.value, "target": new.value},
        )
    outermost = not current_database().in_transaction()
    now = utcnow()
    values = {Order.status: new.value, Order.updated_at: now}
    if new == OrderStatus.CANCELLED:
        values[Order.cancel_reason] = reason
    for name, value in changes.items():
        values[getattr(Order, name)] = value
    with write_transaction():
        moved = Order.update(values).where((Order.id == order.id) & (Order.status == old.value)).execute()
        if not moved:
            current = Order.select(Order.status).where(Order.id == order.id).scalar()
            raise Conflict(
                "This order was just changed; reload it and try again.",
                code="order_changed",
                details={"status": current, "target": new.value},
            )
        for model_field, value in values.items():
            setattr(order, model_field.name, value)
        OrderEvent.create(
            order=order.id,
            from_status=old.value,
            to_status=new.value,
            actor=actor.id if actor is not None else None,
            reason=reason,
            note=note,
            at=now,
        )
        order.stock_changes = release_order_stock(order) if new in RELEASING else {}
        ctx.pm.hook.on_order_status_changed(
            ctx=ctx,
            order=order,
            old_status=old.value,
            new_status=new.value,
            actor=actor,
            reason=reason or None,
        )
    if outermost and order.stock_changes:
        notify_stock_changed(ctx, order.stock_changes)
    return order


def order_quantities(order: Order) -> dict[int, int]:
    """Quantity per product over the order's lines (same product summed)."""
    quantities: dict[int, int] = defaultdict(int)
    for line in OrderLine.select(OrderLine.product, OrderLine.qty).where(OrderLine.order == order.id):
        quantities[line.product_id] += line.qty
    return dict(quantities)


def release_order_stock(order: Order) -> dict[int, int]:
    """Return the order's reserved stock, once.

    Returns ``{product_id: available after}`` of what this call returned
    (empty when the stock was already returned, or never taken), for
    ``notify_stock_changed`` after the commit. Call inside the write
    transaction that closes the order.
    """
    with write_transaction():
        cleared = (
            Order.update(stock_reserved=False)
            .where((Order.id == order.id) & (Order.stock_reserved == True))  # noqa: E712
            .execute()
        )
        order.stock_reserved = False
        if not cleared:
            return {}
        return release_stock(order_quantities(order), order.no)


def reserve_order_stock(order: Order) -> dict[int, int]:
    """Take stock for an order that has none reserved (a non-standard order
    about to be paid).

    All-or-nothing; raises 409 ``out_of_stock`` from inventory. Returns
    ``{product_id: available after}`` of what this call took (empty when
    the order already had its stock), for ``notify_stock_changed`` after the
    commit. Call inside the write transaction that moves the order on.
    """
    with write_transaction():
        marked = (
            Order.update(stock_reserved=True)
            .where((Order.id == order.id) & (Order.stock_reserved == False))  # noqa: E712
            .execute()
        )
        if not marked:
            return {}
        changes = deduct_stock(order_quantities(order), order.no)
        order.stock_reserved = True
    return changes


def cancel_order(ctx, order: Order, actor: User, note: str = "") -> Order:
    """The customer cancels: allowed before production starts (``CANCELLABLE``, and no
    plugin's ``check_order_cancel`` refuses)."""
    if OrderStatus(order.status) not in CANCELLABLE:
        raise Conflict(
            "This order can no longer be cancelled: production has started or it is closed.",
            code="invalid_transition",
            details={"status": order.status, "target": OrderStatus.CANCELLED.value},
        )
    ctx.pm.hook.check_order_cancel(ctx=ctx, order=order)
    return transition(
        ctx, order, OrderStatus.CANCELLED, actor=actor, reason=REASON_CUSTOMER_CANCELLED, note=note
    )


def payment_due(ctx, submitted_at: dt.datetime) -> dt.datetime:
    """When an unpaid standard order submitted at ``submitted_at`` is cancelled."""
    return submitted_at + dt.timedelta(minutes=ctx.config("orders")["payment_timeout_minutes"])


def cancel_overdue_orders(ctx, now: dt.datetime | None = None, batch: int = 500) -> int:
    """Cancel unpaid standard orders past their payment time; returns how many.

    Each order is cancelled in its own transaction, so one failure does not
    hold back the others; an order paid at the same moment wins the race
    (the conditional UPDATE makes the cancel a no-op for it).
    """
    now = now or utcnow()
    overdue = list(
        Order.select()
        .where(
            (Order.status == OrderStatus.AWAITING_PAYMENT.value)
            & (Order.kind == STANDARD)
            & (Order.payment_due_at < now)
        )
        .order_by(Order.payment_due_at)
        .limit(batch)
    )
    cancelled = 0
    for order in overdue:
        try:
            ctx.pm.hook.check_order_cancel(ctx=ctx, order=order)
        except Conflict as refused:
            log.info("order %s is past its payment time but is kept: %s", order.no, refused)
            continue
        try:
            transition(ctx, order, OrderStatus.CANCELLED, reason=REASON_PAYMENT_TIMEOUT)
            cancelled += 1
        except Conflict:
            log.info("order %s changed before its payment timeout; left as is", order.no)
    return cancelled
