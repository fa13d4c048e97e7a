"""Periodic sync jobs for ``ydt worker`` and the pull task queued by a push gap.

* ``erp.sync`` — every ``sync_interval_minutes``: every stream from its
  cursor, then orders catch up with what the ERP reported.
* ``erp.full_sync`` — checked hourly: a full reconcile when the last one is
  older than ``full_sync_hours`` (or never ran).
* ``erp.pull_events`` (task) — pull the event feed now.

All of them do nothing while the connector has no gateway URL.
"""

from __future__ import annotations

import datetime as dt
import logging

from peewee import fn

from core.db import utcnow
from core.jobs import PeriodicJob, Task
from plugins.erp_yidiantong.connection import is_configured
from plugins.erp_yidiantong.models import SyncStream
from plugins.erp_yidiantong.sync.engine import run_sync
from plugins.erp_yidiantong.sync.orders import catch_up_orders
from plugins.erp_yidiantong.sync.push import PULL_TASK
from plugins.erp_yidiantong.sync.streams import SPECS, STREAMS

log = logging.getLogger("ydt.erp.jobs")


def incremental_sync(ctx) -> None:
    if not is_configured(ctx):
        return
    runs = run_sync(ctx)
    failed = [f"{r.stream}: {r.error}" for r in runs if r.status == "failed"]
    if failed:
        log.warning("ERP sync: %s", "; ".join(failed))
    catch_up_orders(ctx)


def full_sync_if_due(ctx) -> bool:
    """Run a full reconcile when the oldest one is older than ``full_sync_hours``."""
    if not is_configured(ctx):
        return False
    hours = int(ctx.config("erp_yidiantong")["full_sync_hours"])
    reconciled = [name for name in STREAMS if SPECS[name].feed != "events"]  # the event log is not re-read
    oldest = (
        SyncStream.select(fn.MIN(SyncStream.last_full_at)).where(SyncStream.name.in_(reconciled)).scalar()
    )
    known = SyncStream.select().where(
        SyncStream.name.in_(reconciled) & SyncStream.last_full_at.is_null(False)
    )
    if oldest is not None and known.count() == len(reconciled):
        if isinstance(oldest, str):
            oldest = dt.datetime.fromisoformat(oldest)
        if oldest.tzinfo is None:
            oldest = oldest.replace(tzinfo=dt.UTC)
        if utcnow() - oldest < dt.timedelta(hours=hours):
            return False
    run_sync(ctx, full=True)
    return True


def pull_events(ctx) -> None:
    if is_configured(ctx):
        run_sync(ctx, ["events"])


def jobs(ctx) -> list:
    minutes = max(1, int(ctx.config("erp_yidiantong")["sync_interval_minutes"]))
    return [
        PeriodicJob("erp.sync", incremental_sync, minutes=minutes),
        PeriodicJob("erp.full_sync", full_sync_if_due, minutes=60),
        Task(PULL_TASK, pull_events),
    ]
