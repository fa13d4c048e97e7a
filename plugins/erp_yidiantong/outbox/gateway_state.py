"""Shared state of the gateway connection: "offline until" and the runner lease.

Both live in one database row (:class:`ErpGatewayState`), so every web and
worker process sees the same: while the ERP is offline nobody sends, and only
the process holding the runner lease dispatches, which keeps the outbox's
order on the wire. Every change is one conditional UPDATE.
"""

from __future__ import annotations

import datetime as dt
import uuid

from core.db import utcnow, write_transaction
from plugins.erp_yidiantong.models import ErpGatewayState

STATE = "erp"


def _ensure_row() -> None:
    ErpGatewayState.insert(name=STATE).on_conflict_ignore().execute()


def gateway_state() -> ErpGatewayState:
    """The state row (created on first use)."""
    row = ErpGatewayState.get_or_none(ErpGatewayState.name == STATE)
    if row is None:
        with write_transaction():
            _ensure_row()
        row = ErpGatewayState.get(ErpGatewayState.name == STATE)
    return row


def is_offline() -> bool:
    """True while the dispatcher considers the ERP offline."""
    row = ErpGatewayState.get_or_none(ErpGatewayState.name == STATE)
    return row is not None and row.offline_since is not None


def mark_offline(error: str, probe_seconds: int, now: dt.datetime | None = None) -> None:
    """Record that the ERP is offline; the next health probe is due in ``probe_seconds``."""
    now = now or utcnow()
    with write_transaction():
        _ensure_row()
        row = ErpGatewayState.get(ErpGatewayState.name == STATE)
        ErpGatewayState.update(
            offline_since=row.offline_since or now,
            next_probe_at=now + dt.timedelta(seconds=probe_seconds),
            last_probe_at=now,
            last_error=error[:2000],
        ).where(ErpGatewayState.name == STATE).execute()


def mark_online(now: dt.datetime | None = None) -> None:
    now = now or utcnow()
    with write_transaction():
        _ensure_row()
        ErpGatewayState.update(
            offline_since=None, next_probe_at=None, last_probe_at=now, last_error=""
        ).where(ErpGatewayState.name == STATE).execute()


def probe_due(now: dt.datetime | None = None) -> bool:
    """Offline, and the time for the next health probe has come."""
    now = now or utcnow()
    row = gateway_state()
    return row.offline_since is not None and (row.next_probe_at is None or row.next_probe_at <= now)


def acquire_runner(lease_seconds: int) -> str | None:
    """Take the dispatcher lease; returns its token, or None when another holds it."""
    token = uuid.uuid4().hex
    now = utcnow()
    with write_transaction():
        _ensure_row()
        taken = (
            ErpGatewayState.update(
                runner_token=token,
                runner_until=now + dt.timedelta(seconds=lease_seconds),
                last_dispatch_at=now,
            )
            .where(
                (ErpGatewayState.name == STATE)
                & (ErpGatewayState.runner_until.is_null() | (ErpGatewayState.runner_until < now))
            )
            .execute()
        )
    return token if taken else None


def renew_runner(token: str, lease_seconds: int) -> bool:
    """Extend the lease; False when it was lost (expired and taken by another)."""
    now = utcnow()
    with write_transaction():
        renewed = (
            ErpGatewayState.update(
                runner_until=now + dt.timedelta(seconds=lease_seconds), last_dispatch_at=now
            )
            .where((ErpGatewayState.name == STATE) & (ErpGatewayState.runner_token == token))
            .execute()
        )
    return bool(renewed)


def release_runner(token: str) -> None:
    with write_transaction():
        ErpGatewayState.update(runner_token="", runner_until=None).where(
            (ErpGatewayState.name == STATE) & (ErpGatewayState.runner_token == token)
        ).execute()
