"""The outbox dispatcher: send due messages to the ERP, once each, in order.

One dispatcher sends at a time (the runner lease in ``gateway_state``), and
it takes rows one by one in id order, each under its own lease
(``locked_until`` + ``lease_token``; ``FOR UPDATE SKIP LOCKED`` on
PostgreSQL). A row waits while an earlier row of the same order is open, so
an order's messages keep their order; rows reach the ERP in the order the
orders were placed. What happens to a row depends on the answer:

* accepted (201/200, or a replay of either) — ``done``, ErpOrder ``imported``;
* 422 business rejection — ``done`` (``rejected``): the ErpOrder keeps the
  code and details and the platform order is cancelled with reason
  ``erp_rejected`` (stock released once, by ``orders.transition``);
* ERP offline (503, connection refused) — nothing was done: the row goes
  back unchanged, no attempt is counted, and the whole dispatcher pauses
  until a health probe (at most every ``offline_probe_seconds``) succeeds;
* 5xx, 429, timeouts, dropped connections — the outcome is unknown: an
  attempt is counted and the row is retried after
  ``min(3600, 10·2^attempts)·U(0.5, 1)`` seconds with the same idempotency
  key (the ERP answers a replay with its first answer);
* 409, or a request the ERP can never accept (400, 404...) — ``dead`` at
  once; after ``outbox_max_attempts`` failed attempts — ``dead`` too.

A worker killed mid-send loses nothing: its lease runs out and the row is
sent again with the same key.

Cancel rows (``cancel_order``, queued behind an order's import when the
platform cancels an order the ERP may hold) go the same way: 200 ends them
``cancelled``, 404 ``not_in_erp``, a 409 ``ORDER_LOCKED`` (production has
started) is a dead letter; one whose import never reached the ERP is
finished ``needless`` without sending.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import uuid
from dataclasses import dataclass, field

import peewee

from core.db import is_postgres, utcnow, write_transaction
from core.errors import Conflict
from plugins.erp_yidiantong.connection import client_for, settings_of
from plugins.erp_yidiantong.egp.client import (
    EgpClient,
    EgpError,
    ErpAuthError,
    ErpConflict,
    ErpNotFound,
    ErpOffline,
    ErpProtocolError,
    ErpRejected,
    ImportResult,
)
from plugins.erp_yidiantong.egp.shapes import STAGE_BY_CODE
from plugins.erp_yidiantong.models import ErpOrder, OutboxMessage
from plugins.erp_yidiantong.outbox import gateway_state
from plugins.erp_yidiantong.outbox.payload import KIND_CANCEL_ORDER, KIND_IMPORT_ORDER
from plugins.erp_yidiantong.outbox.reasons import REASON_ERP_REJECTED, WITHDRAWN_NOTE, rejection_text
from plugins.inventory.services import notify_stock_changed
from plugins.orders.lifecycle import transition
from plugins.orders.models import Order
from plugins.orders.states import OrderStatus, can_move

log = logging.getLogger("ydt.erp.outbox")

PENDING, IN_FLIGHT, DONE, DEAD = "pending", "in_flight", "done", "dead"
OPEN = (PENDING, IN_FLIGHT)
# Statuses of a protocol error that resending the same request cannot cure.
FINAL_PROTOCOL_STATUSES = frozenset({400, 404, 405, 410, 413, 415})
# Runs of one dispatch call: rows keep arriving while it sends; the sweep takes the rest.
MAX_ROUNDS = 5
WITHDRAWN_ORDER_STATUSES = frozenset({OrderStatus.CANCELLED.value, OrderStatus.REJECTED.value})


@dataclass
class DispatchReport:
    """What one dispatch run did."""

    sent: int = 0
    imported: int = 0
    rejected: int = 0
    retried: int = 0
    dead: int = 0
    withdrawn: int = 0
    cancelled: int = 0
    offline: bool = False
    busy: bool = False
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        parts = [
            f"sent {self.sent}",
            f"imported {self.imported}",
            f"rejected {self.rejected}",
            f"retrying {self.retried}",
            f"dead {self.dead}",
            f"withdrawn {self.withdrawn}",
            f"cancelled {self.cancelled}",
        ]
        if self.offline:
            parts.append("ERP offline")
        if self.busy:
            parts.append("another dispatcher is running")
        return ", ".join(parts)


class _LeaseLost(Exception):
    """The row's lease passed to another worker: roll back this outcome."""


def backoff_seconds(attempts: int, retry_after: int | None = None, rng: random.Random | None = None) -> float:
    """``min(3600, 10·2^attempts)·U(0.5, 1.0)``, never shorter than the ERP's ``retry_after``."""
    factor = (rng or random).uniform(0.5, 1.0)
    delay = min(3600, 10 * 2**attempts) * factor
    return max(delay, float(retry_after or 0))


def dispatch_due(ctx, *, limit: int | None = None, force_probe: bool = False) -> DispatchReport:
    """Send every due outbox row now (at most ``limit``), in order; see the module doc.

    ``force_probe`` asks the ERP's health at once even if the last probe
    was recent (an operator's "dispatch now"). Returns what was done; when
    another dispatcher holds the lease it returns at once with ``busy``.
    """
    report = DispatchReport()
    client = client_for(ctx)
    if client is None:
        return report
    config = settings_of(ctx)
    lease = int(config["outbox_lease_seconds"])
    for _round in range(MAX_ROUNDS):
        token = gateway_state.acquire_runner(lease)
        if token is None:
            report.busy = True
            return report
        try:
            stopped = _run(ctx, client, token, report, limit, force_probe)
        finally:
            gateway_state.release_runner(token)
        # A row committed while this run held the lease found it busy; its
        # own dispatch gave up, so look again before leaving.
        if stopped or not has_due_rows():
            break
    return report


def _run(
    ctx, client: EgpClient, token: str, report: DispatchReport, limit: int | None, force_probe: bool
) -> bool:
    """Send rows until none is due; True when stopped early (offline, limit, lease lost)."""
    config = settings_of(ctx)
    lease = int(config["outbox_lease_seconds"])
    if not _gateway_open(client, int(config["offline_probe_seconds"]), force_probe):
        report.offline = True
        return True
    while limit is None or report.sent < limit:
        if not gateway_state.renew_runner(token, lease):
            return True
        message = claim_next(lease)
        if message is None:
            return False
        if not _deliver(ctx, client, message, report):
            report.offline = True
            return True
    return True


def _gateway_open(client: EgpClient, probe_seconds: int, force_probe: bool) -> bool:
    """May we send? Online, or offline but a health probe (when due) says it is back."""
    if not gateway_state.is_offline():
        return True
    if not force_probe and not gateway_state.probe_due():
        return False
    try:
        health = client.health()
    except EgpError as ex:
        gateway_state.mark_offline(str(ex), probe_seconds)
        return False
    if health.get("erp_online") is False:
        gateway_state.mark_offline("health: erp_online is false", probe_seconds)
        return False
    gateway_state.mark_online()
    log.info("the ERP is back online; sending the outbox")
    return True


def has_due_rows(now: dt.datetime | None = None) -> bool:
    return _due_query(now or utcnow()).exists()


def _due_query(now: dt.datetime):
    earlier = OutboxMessage.alias()
    blocked = earlier.select(earlier.id).where(
        (earlier.aggregate == OutboxMessage.aggregate)
        & (earlier.id < OutboxMessage.id)
        & earlier.status.in_(OPEN)
    )
    due = ((OutboxMessage.status == PENDING) & (OutboxMessage.next_attempt_at <= now)) | (
        (OutboxMessage.status == IN_FLIGHT) & (OutboxMessage.locked_until < now)
    )
    return OutboxMessage.select().where(due & ~peewee.fn.EXISTS(blocked)).order_by(OutboxMessage.id)


def claim_next(lease_seconds: int) -> OutboxMessage | None:
    """Lease the oldest due row; the returned row still shows its state before the claim."""
    now = utcnow()
    token = uuid.uuid4().hex
    with write_transaction():
        query = _due_query(now).limit(1)
        if is_postgres():
            query = query.for_update(of=OutboxMessage, skip_locked=True)
        message = query.first()
        if message is None:
            return None
        OutboxMessage.update(
            status=IN_FLIGHT,
            locked_until=now + dt.timedelta(seconds=lease_seconds),
            lease_token=token,
            sent_at=message.sent_at or now,
        ).where(OutboxMessage.id == message.id).execute()
    message.lease_token = token
    return message


def _deliver(ctx, client: EgpClient, message: OutboxMessage, report: DispatchReport) -> bool:
    """Send one claimed row and record the outcome; False when the ERP is offline."""
    order = Order.get_or_none(Order.no == message.aggregate)
    cancel = message.kind == KIND_CANCEL_ORDER
    if not cancel and message.kind != KIND_IMPORT_ORDER:
        _fail(ctx, message, f"unknown outbox kind {message.kind!r}", report, final=True)
        return True
    if cancel and _cancel_needless(order):
        _finish_cancel(message, order, "needless", report)
        return True
    if not cancel and _withdrawn(order, message):
        _finish_withdrawn(message, order, report)
        return True
    report.sent += 1
    try:
        if cancel:
            client.cancel_order(message.aggregate, message.payload)
        else:
            result = client.import_order(message.payload, idempotency_key=message.idempotency_key)
    except ErpNotFound as ex:
        if cancel:  # the ERP never had it: nothing to cancel
            _finish_cancel(message, order, "not_in_erp", report)
        else:
            _fail(ctx, message, str(ex), report, final=True, code=ex.code)
    except ErpRejected as ex:
        if cancel:
            _fail(ctx, message, str(ex), report, final=True, code=ex.code)
        else:
            _finish_rejected(ctx, message, order, ex, report)
    except ErpConflict as ex:
        _fail(ctx, message, str(ex), report, final=True, code=ex.code)
    except ErpOffline as ex:
        if ex.outcome_unknown:
            _fail(ctx, message, str(ex), report, code=ex.code, retry_after=ex.retry_after)
        else:
            report.sent -= 1
            _release_offline(ctx, message, str(ex))
            return False
    except ErpAuthError as ex:
        _fail(ctx, message, str(ex), report, code=ex.code)
    except ErpProtocolError as ex:
        final = ex.status in FINAL_PROTOCOL_STATUSES
        _fail(ctx, message, str(ex), report, final=final, code=ex.code)
    except EgpError as ex:
        _fail(ctx, message, str(ex), report, code=ex.code, retry_after=ex.retry_after)
    except Exception as ex:  # a bug on our side must not stop the other rows
        log.exception("outbox row %s failed to send", message.id)
        _fail(ctx, message, f"{type(ex).__name__}: {ex}", report, code="PLATFORM_ERROR")
    else:
        if cancel:
            _finish_cancel(message, order, "cancelled", report)
        else:
            _finish_imported(ctx, message, order, result, report)
    return True


def _cancel_needless(order: Order | None) -> bool:
    """The order's import never reached the ERP (withdrawn, or refused by it): nothing to cancel."""
    if order is None:
        return True
    status = ErpOrder.select(ErpOrder.status).where(ErpOrder.order == order.id).scalar()
    return status in (None, "withdrawn", "rejected")


def _finish_cancel(message: OutboxMessage, order: Order | None, outcome: str, report: DispatchReport) -> None:
    """A cancel row is done: ``cancelled`` by the ERP, ``not_in_erp`` (it never had the
    order) or ``needless`` (not sent: the import never reached it)."""
    notes = {
        "cancelled": "",
        "not_in_erp": "the ERP has no such order: nothing to cancel",
        "needless": "the order never reached the ERP: not sent",
    }
    try:
        with write_transaction():
            _finish(
                message,
                status=DONE,
                outcome=outcome,
                done_at=utcnow(),
                locked_until=None,
                last_error=notes[outcome],
            )
            if outcome == "cancelled":
                _set_erp_order(order, status="cancelled", reason_code="", reason="")
    except _LeaseLost:
        log.warning("outbox row %s: lease lost; the worker that took it records the outcome", message.id)
        return
    if outcome == "cancelled":
        report.cancelled += 1
        log.info("order %s cancelled in the ERP", message.aggregate)


def _withdrawn(order: Order | None, message: OutboxMessage) -> bool:
    """Cancelled on the platform before it was ever sent: the ERP must not get it."""
    if message.sent_at is not None:
        return False  # it may have reached the ERP: resend to learn the outcome
    return order is None or order.status in WITHDRAWN_ORDER_STATUSES


def _finish(message: OutboxMessage, **values) -> None:
    """Update the row only while this worker's lease holds (inside a transaction)."""
    updated = (
        OutboxMessage.update(**values)
        .where(
            (OutboxMessage.id == message.id)
            & (OutboxMessage.lease_token == message.lease_token)
            & (OutboxMessage.status == IN_FLIGHT)
        )
        .execute()
    )
    if not updated:
        raise _LeaseLost()


def _set_erp_order(order: Order | None, **values) -> None:
    if order is not None:
        ErpOrder.update(updated_at=utcnow(), **values).where(ErpOrder.order == order.id).execute()


def _finish_imported(
    ctx, message: OutboxMessage, order: Order | None, result: ImportResult, report: DispatchReport
) -> None:
    from plugins.erp_yidiantong.sync import acknowledge_import  # the sync half hands the stock over

    now = utcnow()
    stage = STAGE_BY_CODE.get(str(result.body.get("stage") or "review"))
    stock_changes: dict[int, int | None] = {}
    try:
        with write_transaction():
            _finish(message, status=DONE, outcome="imported", done_at=now, locked_until=None, last_error="")
            _set_erp_order(
                order,
                status="imported",
                erp_order_no=result.erp_order_no,
                revision=int(result.body.get("revision") or message.payload.get("revision") or 1),
                reason_code="",
                reason="",
                details={},
                imported_at=now,
            )
            if order is not None and stage is not None:
                # Progress events may have arrived first: stages only move forward.
                ErpOrder.update(stage=stage.code, stage_seq=stage.seq).where(
                    (ErpOrder.order == order.id) & (ErpOrder.stage_seq < stage.seq)
                ).execute()
            if order is not None:
                # Once the ERP holds the order, its erp-mode stock is the ERP's to count.
                stock_changes = acknowledge_import(ctx, order, result.body)
    except _LeaseLost:
        log.warning("outbox row %s: lease lost; the worker that took it records the outcome", message.id)
        return
    if stock_changes:
        notify_stock_changed(ctx, stock_changes)
    report.imported += 1
    log.info(
        "order %s imported as %s%s", message.aggregate, result.erp_order_no, " (replay)" * result.replayed
    )


def _finish_rejected(
    ctx, message: OutboxMessage, order: Order | None, ex: ErpRejected, report: DispatchReport
):
    now = utcnow()
    details = {"code": ex.code, "message": ex.message, **(ex.details or {})}
    language = ctx.settings.language
    note = rejection_text(ex.code, ex.details or {}, ctx.translator.bound(language))
    stock_changes: dict[int, int] = {}
    try:
        with write_transaction():
            _finish(
                message,
                status=DONE,
                outcome="rejected",
                done_at=now,
                locked_until=None,
                last_error=str(ex)[:2000],
            )
            _set_erp_order(order, status="rejected", reason_code=ex.code, reason=ex.message, details=details)
            if order is not None:
                stock_changes = _cancel_rejected(ctx, order, note)
    except _LeaseLost:
        log.warning("outbox row %s: lease lost; the worker that took it records the outcome", message.id)
        return
    if stock_changes:
        notify_stock_changed(ctx, stock_changes)
    report.rejected += 1
    log.warning("order %s rejected by the ERP: %s", message.aggregate, ex)


def _cancel_rejected(ctx, order: Order, note: str) -> dict[int, int]:
    """Cancel the platform order (reason ``erp_rejected``); returns stock released."""
    for _attempt in range(2):
        current = Order.get_by_id(order.id)
        if not can_move(current.status, OrderStatus.CANCELLED):
            log.warning(
                "order %s is %s: the ERP's rejection is recorded, not applied", order.no, current.status
            )
            return {}
        try:
            transition(ctx, current, OrderStatus.CANCELLED, reason=REASON_ERP_REJECTED, note=note)
        except Conflict:
            continue  # it moved on between the read and the update: read again
        return getattr(current, "stock_changes", {}) or {}
    return {}


def _finish_withdrawn(message: OutboxMessage, order: Order | None, report: DispatchReport) -> None:
    try:
        with write_transaction():
            _finish(
                message,
                status=DONE,
                outcome="withdrawn",
                done_at=utcnow(),
                locked_until=None,
                sent_at=None,
                last_error=WITHDRAWN_NOTE,
            )
            _set_erp_order(order, status="withdrawn")
    except _LeaseLost:
        return
    report.withdrawn += 1


def _release_offline(ctx, message: OutboxMessage, error: str) -> None:
    """The ERP did nothing: put the row back as it was, without counting an attempt."""
    try:
        with write_transaction():
            _finish(
                message,
                status=PENDING,
                locked_until=None,
                lease_token="",
                sent_at=message.sent_at,
                last_error=f"ERP offline: {error}"[:2000],
            )
    except _LeaseLost:
        pass
    gateway_state.mark_offline(error, int(settings_of(ctx)["offline_probe_seconds"]))
    log.warning("the ERP is offline (%s); the outbox waits", error)


def _fail(
    ctx,
    message: OutboxMessage,
    error: str,
    report: DispatchReport,
    *,
    final: bool = False,
    code: str = "",
    retry_after: int | None = None,
) -> None:
    """Count a failed attempt: retry later with backoff, or dead-letter."""
    now = utcnow()
    attempts = message.attempts + 1
    dead = final or attempts >= int(settings_of(ctx)["outbox_max_attempts"])
    order = Order.get_or_none(Order.no == message.aggregate)
    try:
        with write_transaction():
            if dead:
                _finish(message, status=DEAD, attempts=attempts, locked_until=None, last_error=error[:2000])
                status = "dead"
                if message.kind == KIND_CANCEL_ORDER:  # the order is cancelled here, not in the ERP
                    status = "cancel_refused" if code == "ORDER_LOCKED" else "cancel_failed"
                _set_erp_order(order, status=status, reason_code=code or "FAILED", reason=error[:2000])
            else:
                delay = backoff_seconds(attempts, retry_after)
                _finish(
                    message,
                    status=PENDING,
                    attempts=attempts,
                    next_attempt_at=now + dt.timedelta(seconds=delay),
                    locked_until=None,
                    lease_token="",
                    last_error=error[:2000],
                )
    except _LeaseLost:
        return
    if dead:
        report.dead += 1
        report.errors.append(f"{message.aggregate}: {error}")
        log.error(
            "outbox row %s (%s) dead-lettered after %s attempt(s): %s",
            message.id,
            message.aggregate,
            attempts,
            error,
        )
    else:
        report.retried += 1
        log.warning(
            "outbox row %s (%s) attempt %s failed: %s", message.id, message.aggregate, attempts, error
        )
