"""What the back office and ``ydt erp outbox`` show, and the retry of a dead letter.

:func:`connector_status` gathers, in a handful of queries, the state of
every sync stream (cursor, last run and its counts, lag, last error), the
outbox (counts by status, the oldest waiting row), the ERP's online state
and the dead letters. :func:`retry_message` puts a dead (or backing-off) row
back in line.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import peewee

from core.db import current_database, utcnow, write_transaction
from core.errors import Conflict, NotFound
from plugins.erp_yidiantong.connection import is_configured, settings_of
from plugins.erp_yidiantong.models import ErpOrder, OutboxMessage, SyncRejection, SyncRun, SyncStream
from plugins.erp_yidiantong.outbox.dispatcher import DEAD, DONE, IN_FLIGHT, PENDING
from plugins.erp_yidiantong.outbox.enqueue import kick_dispatcher
from plugins.erp_yidiantong.outbox.payload import KIND_CANCEL_ORDER
from plugins.erp_yidiantong.outbox.gateway_state import gateway_state
from plugins.orders.models import Order

DEAD_LETTER_LIMIT = 200


def _iso(value: dt.datetime | None, tz: dt.tzinfo = dt.UTC) -> str | None:
    return value.astimezone(tz).isoformat(timespec="seconds") if value else None


def _age_seconds(value: dt.datetime | None, now: dt.datetime) -> int | None:
    return max(0, int((now - value).total_seconds())) if value else None


def message_json(ctx, message: OutboxMessage, now: dt.datetime | None = None) -> dict[str, Any]:
    """One outbox row for the API (no payload: it can be large; the order number names it)."""
    now = now or utcnow()
    tz = ZoneInfo(ctx.settings.timezone)
    return {
        "id": message.id,
        "kind": message.kind,
        "aggregate": message.aggregate,
        "idempotency_key": message.idempotency_key,
        "status": message.status,
        "outcome": message.outcome or None,
        "attempts": message.attempts,
        "next_attempt_at": _iso(message.next_attempt_at, tz) if message.status == PENDING else None,
        "locked_until": _iso(message.locked_until, tz) if message.status == IN_FLIGHT else None,
        "last_error": message.last_error,
        "created_at": _iso(message.created_at, tz),
        "sent_at": _iso(message.sent_at, tz),
        "done_at": _iso(message.done_at, tz),
        "age_seconds": _age_seconds(message.created_at, now),
    }


def stream_status(now: dt.datetime, tz: dt.tzinfo) -> list[dict[str, Any]]:
    """Every sync stream with its last run."""
    streams = list(SyncStream.select().order_by(SyncStream.name))
    latest = SyncRun.select(SyncRun.stream, peewee.fn.MAX(SyncRun.id).alias("last_id")).group_by(
        SyncRun.stream
    )
    run_ids = [row.last_id for row in latest]
    runs = {run.stream: run for run in SyncRun.select().where(SyncRun.id.in_(run_ids or [0]))}
    from plugins.erp_yidiantong.sync import SELECTABLE_STREAMS

    order = {name: index for index, name in enumerate(SELECTABLE_STREAMS)}
    names = sorted(
        {s.name for s in streams} | set(runs), key=lambda name: (order.get(name, len(order)), name)
    )
    by_name = {s.name: s for s in streams}
    items = []
    for name in names:
        stream = by_name.get(name)
        run = runs.get(name)
        items.append(
            {
                "name": name,
                "cursor": stream.cursor if stream else None,
                "last_run_at": _iso(stream.last_run_at, tz) if stream else None,
                "last_success_at": _iso(stream.last_success_at, tz) if stream else None,
                "last_full_at": _iso(stream.last_full_at, tz) if stream else None,
                "last_error": (stream.last_error if stream else "") or (run.error if run else ""),
                "lag_seconds": _age_seconds(stream.last_item_at, now) if stream else None,
                "last_run": _run_json(run, tz) if run else None,
            }
        )
    return items


def _run_json(run: SyncRun, tz: dt.tzinfo) -> dict[str, Any]:
    return {
        "id": run.id,
        "full": run.full,
        "status": run.status,
        "started_at": _iso(run.started_at, tz),
        "finished_at": _iso(run.finished_at, tz),
        "fetched": run.fetched,
        "applied": run.applied,
        "unchanged": run.unchanged,
        "rejected": run.rejected,
        "tombstoned": run.tombstoned,
        "error": run.error,
    }


def recent_rejections(tz: dt.tzinfo, limit: int = 20) -> list[dict[str, Any]]:
    rows = (
        SyncRejection.select(SyncRejection, SyncRun.stream)
        .join(SyncRun)
        .order_by(SyncRejection.id.desc())
        .limit(limit)
    )
    return [
        {
            "stream": row.run.stream,
            "external_id": row.external_id,
            "reason": row.reason,
            "at": _iso(row.at, tz),
        }
        for row in rows
    ]


def outbox_counts() -> dict[str, int]:
    counts = {PENDING: 0, IN_FLIGHT: 0, DONE: 0, DEAD: 0}
    rows = OutboxMessage.select(OutboxMessage.status, peewee.fn.COUNT(OutboxMessage.id).alias("n")).group_by(
        OutboxMessage.status
    )
    for row in rows:
        counts[row.status] = row.n
    return counts


def connector_status(ctx) -> dict[str, Any]:
    """The ``GET /admin/erp/status`` answer."""
    now = utcnow()
    tz = ZoneInfo(ctx.settings.timezone)
    state = gateway_state()
    oldest = (
        OutboxMessage.select()
        .where(OutboxMessage.status.in_([PENDING, IN_FLIGHT]))
        .order_by(OutboxMessage.id)
        .first()
    )
    dead = list(
        OutboxMessage.select()
        .where(OutboxMessage.status == DEAD)
        .order_by(OutboxMessage.id)
        .limit(DEAD_LETTER_LIMIT)
    )
    config = settings_of(ctx)
    return {
        "configured": is_configured(ctx),
        "base_url": config["base_url"] or None,
        "erp": {
            "online": state.offline_since is None,
            "offline_since": _iso(state.offline_since, tz),
            "next_probe_at": _iso(state.next_probe_at, tz),
            "last_probe_at": _iso(state.last_probe_at, tz),
            "last_error": state.last_error,
            "dispatching": state.runner_until is not None and state.runner_until > now,
            "last_dispatch_at": _iso(state.last_dispatch_at, tz),
        },
        "outbox": {
            "counts": outbox_counts(),
            "oldest_pending": message_json(ctx, oldest, now) if oldest else None,
            "max_attempts": int(config["outbox_max_attempts"]),
        },
        "dead_letters": [message_json(ctx, m, now) for m in dead],
        "streams": stream_status(now, tz),
        "rejections": recent_rejections(tz),
    }


def retry_message(ctx, message_id: int) -> OutboxMessage:
    """Put a dead letter back in line (attempts from zero), or send a backing-off row now.

    Raises:
        NotFound: no such row.
        Conflict: 409 ``outbox_not_retryable`` for a row that is done or being sent.
    """
    now = utcnow()
    with write_transaction():
        message = OutboxMessage.get_or_none(OutboxMessage.id == message_id)
        if message is None:
            raise NotFound()
        if message.status == DEAD:
            values = {"status": PENDING, "attempts": 0}
        elif message.status == PENDING:
            values = {}
        else:
            raise Conflict(
                "This message is not waiting for a retry (it is {state}).",
                code="outbox_not_retryable",
                details={"status": message.status},
                state=message.status,
            )
        OutboxMessage.update(next_attempt_at=now, locked_until=None, lease_token="", **values).where(
            (OutboxMessage.id == message.id) & (OutboxMessage.status == message.status)
        ).execute()
        order = Order.get_or_none(Order.no == message.aggregate)
        if order is not None and message.status == DEAD:
            # Back to what the row's kind was waiting for: an import, or a cancel.
            waiting, dead = ("queued", ("dead",))
            if message.kind == KIND_CANCEL_ORDER:
                waiting, dead = ("cancelling", ("cancel_refused", "cancel_failed"))
            ErpOrder.update(status=waiting, reason_code="", reason="", updated_at=now).where(
                (ErpOrder.order == order.id) & ErpOrder.status.in_(dead)
            ).execute()
        current_database().after_commit(lambda: kick_dispatcher(ctx))
    return OutboxMessage.get_by_id(message.id)


def retry_dead(ctx) -> list[int]:
    """Retry every dead letter; returns their ids."""
    ids = [m.id for m in OutboxMessage.select(OutboxMessage.id).where(OutboxMessage.status == DEAD)]
    for message_id in ids:
        with contextlib.suppress(Conflict):  # retried by someone else meanwhile
            retry_message(ctx, message_id)
    return ids
