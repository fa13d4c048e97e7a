"""One sync of a stream at a time, across every process: a lease on its SyncStream row.

A run takes the lease with a conditional UPDATE (free, or expired) and
renews it with every page; a process that died leaves a lease that simply
runs out. Running one stream at a time is also what keeps feed items
applied in feed order, so versions only ever move forward.
"""

from __future__ import annotations

import datetime as dt
import uuid

from core.db import utcnow, write_transaction
from plugins.erp_yidiantong.models import SyncStream

LEASE_SECONDS = 120


def ensure_stream(name: str) -> None:
    with write_transaction():
        SyncStream.insert(name=name).on_conflict_ignore().execute()


def acquire(name: str, seconds: int = LEASE_SECONDS) -> str | None:
    """Take the stream's lease; returns its token, or None while another run holds it."""
    ensure_stream(name)
    token = uuid.uuid4().hex
    now = utcnow()
    with write_transaction():
        taken = (
            SyncStream.update(locked_until=now + dt.timedelta(seconds=seconds), lock_token=token)
            .where(
                (SyncStream.name == name)
                & (SyncStream.locked_until.is_null() | (SyncStream.locked_until < now))
            )
            .execute()
        )
    return token if taken else None


def renew(name: str, token: str, seconds: int = LEASE_SECONDS) -> None:
    """Extend the lease (call inside the page's transaction)."""
    SyncStream.update(locked_until=utcnow() + dt.timedelta(seconds=seconds)).where(
        (SyncStream.name == name) & (SyncStream.lock_token == token)
    ).execute()


def release(name: str, token: str) -> None:
    with write_transaction():
        SyncStream.update(locked_until=None, lock_token="").where(
            (SyncStream.name == name) & (SyncStream.lock_token == token)
        ).execute()
