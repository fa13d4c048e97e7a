"""Background work of the outbox: the dispatch task, the sweep, "sync now".

* ``erp_yidiantong.dispatch_outbox`` — queued after each commit that wrote
  an outbox row (and by a retry): one dispatch run.
* ``erp_yidiantong.outbox_sweep`` — every minute: sends whatever is due,
  rows whose lease ran out included, and probes the ERP while it is offline.
  Huey may lose a queued task; the sweep finds the row anyway.
* ``erp_yidiantong.admin_sync`` — the back office's "sync now".
"""

from __future__ import annotations

import logging

from core.jobs import PeriodicJob, Task
from plugins.erp_yidiantong.outbox.dispatcher import dispatch_due
from plugins.erp_yidiantong.outbox.enqueue import DISPATCH_TASK

log = logging.getLogger("ydt.erp.outbox")

SWEEP_JOB = "erp_yidiantong.outbox_sweep"
SYNC_TASK = "erp_yidiantong.admin_sync"


def run_dispatch(ctx) -> None:
    report = dispatch_due(ctx)
    if report.sent or report.withdrawn:
        log.info("outbox dispatch: %s", report.summary())


def sweep(ctx) -> None:
    report = dispatch_due(ctx)
    if report.sent or report.withdrawn or report.dead:
        log.info("outbox sweep: %s", report.summary())


def run_admin_sync(ctx, streams: list[str] | None = None, full: bool = False) -> None:
    from plugins.erp_yidiantong.sync import run_sync  # the sync half of the connector

    run_sync(ctx, streams=streams or None, full=full)


def jobs(ctx) -> list:
    return [
        PeriodicJob(SWEEP_JOB, sweep, minutes=1),
        Task(DISPATCH_TASK, run_dispatch),
        Task(SYNC_TASK, run_admin_sync),
    ]
