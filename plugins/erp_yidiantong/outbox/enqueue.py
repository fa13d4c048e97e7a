"""Writing order imports into the outbox, inside the order's own transaction.

A standard order is imported when it is submitted. A non-standard order
waits for customer service to set its prices (``pending_review``), and is
imported when it moves on to ``awaiting_payment``: the ERP takes the prices
of non-standard lines as given, so it must get the confirmed ones.

The outbox row and the ``ErpOrder`` (``queued``) commit or roll back with
the order. Once the transaction commits, a dispatch task is queued
(``db.after_commit``); if queueing fails, the periodic sweep sends the row.
"""

from __future__ import annotations

import logging

from core.db import current_database, is_postgres, utcnow
from core.jobs import enqueue
from plugins.erp_yidiantong.connection import is_configured
from plugins.erp_yidiantong.models import ErpOrder, OutboxMessage
from plugins.erp_yidiantong.outbox.payload import (
    KIND_CANCEL_ORDER,
    KIND_IMPORT_ORDER,
    cancel_key,
    idempotency_key,
    order_cancel_body,
    order_import_body,
)
from plugins.erp_yidiantong.outbox.reasons import REASON_ERP_REJECTED, WITHDRAWN_NOTE
from plugins.orders.models import Order
from plugins.orders.states import OrderStatus

log = logging.getLogger("ydt.erp.outbox")

DISPATCH_TASK = "erp_yidiantong.dispatch_outbox"
OUTBOX_ORDER_LOCK = 0x45525030  # "ERP0": the advisory lock key that orders outbox ids


def enqueue_order_import(ctx, order: Order) -> OutboxMessage | None:
    """Queue the import of a just-submitted order (call inside its transaction).

    Does nothing when the connector has no gateway, or for a non-standard
    order still waiting for its prices.
    """
    if not is_configured(ctx):
        return None
    if order.status == OrderStatus.PENDING_REVIEW.value:
        return None
    if is_postgres():
        # Outbox ids must follow commit order, or the dispatcher could send a
        # later order before an earlier one commits. The lock is held from
        # here to the commit (the last steps of the order's transaction);
        # SQLite's single writer gives the same order by itself. Only the
        # submission takes it: its transaction has no stock locks yet, so
        # the lock order (this lock, then stock rows) is the same everywhere.
        current_database().execute_sql("SELECT pg_advisory_xact_lock(%s)", (OUTBOX_ORDER_LOCK,))
    return _write_import(ctx, order, revision=1)


def on_order_status_changed(
    ctx, order: Order, old_status: str, new_status: str, reason: str | None = None
) -> OutboxMessage | None:
    """Queue the import of a non-standard order once customer service priced it, and the
    cancel of an order the ERP may hold."""
    if not is_configured(ctx):
        return None
    if old_status == OrderStatus.PENDING_REVIEW.value and new_status == OrderStatus.AWAITING_PAYMENT.value:
        return _write_import(ctx, order, revision=1)
    if new_status in (OrderStatus.CANCELLED.value, OrderStatus.REJECTED.value):
        return _write_cancel(ctx, order, reason or "")
    return None


def _write_cancel(ctx, order: Order, reason: str) -> OutboxMessage | None:
    """Withdraw the order's import if it was never sent, else queue the ERP-side cancel.

    The import is withdrawn with one conditional UPDATE (still ``pending``,
    never sent); a worker taking it at this moment makes that UPDATE miss
    (on PostgreSQL it waits for the worker's claim to commit), and the cancel
    is queued instead. The dispatcher sends a cancel only after the import's
    outcome is known (an order's rows go in order), and skips it when the
    import never reached the ERP.
    """
    if reason == REASON_ERP_REJECTED:
        return None  # the ERP refused the order itself: it holds nothing to cancel
    mine = (OutboxMessage.aggregate == order.no) & (OutboxMessage.kind == KIND_IMPORT_ORDER)
    if not OutboxMessage.select().where(mine).exists():
        return None  # never queued for the ERP (a custom order still being priced, say)
    now = utcnow()
    withdrawn = (
        OutboxMessage.update(
            status="done",
            outcome="withdrawn",
            done_at=now,
            locked_until=None,
            last_error=WITHDRAWN_NOTE,
        )
        .where(mine & (OutboxMessage.status == "pending") & OutboxMessage.sent_at.is_null())
        .execute()
    )
    if withdrawn:
        ErpOrder.update(status="withdrawn", updated_at=now).where(ErpOrder.order == order.id).execute()
        return None
    if OutboxMessage.select().where(
        (OutboxMessage.aggregate == order.no) & (OutboxMessage.kind == KIND_CANCEL_ORDER)
    ).exists():
        return None
    ErpOrder.update(status="cancelling", updated_at=now).where(
        (ErpOrder.order == order.id) & (ErpOrder.status == "imported")
    ).execute()
    message = OutboxMessage.create(
        kind=KIND_CANCEL_ORDER,
        aggregate=order.no,
        payload=order_cancel_body(ctx, order, reason),
        idempotency_key=cancel_key(order.no),
        next_attempt_at=now,
        created_at=now,
    )
    current_database().after_commit(lambda: kick_dispatcher(ctx))
    return message


def _write_import(ctx, order: Order, revision: int) -> OutboxMessage:
    now = utcnow()
    message = OutboxMessage.create(
        kind=KIND_IMPORT_ORDER,
        aggregate=order.no,
        payload=order_import_body(ctx, order, revision),
        idempotency_key=idempotency_key(order.no, revision),
        next_attempt_at=now,
        created_at=now,
    )
    ErpOrder.insert(order=order.id, status="queued", revision=revision, updated_at=now).on_conflict(
        conflict_target=[ErpOrder.order],
        update={ErpOrder.status: "queued", ErpOrder.revision: revision, ErpOrder.updated_at: now},
    ).execute()
    current_database().after_commit(lambda: kick_dispatcher(ctx))
    return message


def kick_dispatcher(ctx) -> None:
    """Queue a dispatch run now; never raises (the sweep is the safety net)."""
    try:
        enqueue(ctx, DISPATCH_TASK)
    except Exception:
        log.exception("could not queue the outbox dispatch; the periodic sweep will send it")
