"""Running the sync: :func:`run_sync` reads feeds page by page and applies them.

For each stream (EGP/1 §8): take the stream's lease, read its feed from the
saved cursor (or from the start for a full reconcile) with the next page
prefetched, apply each page and save its ``next_cursor`` in the same
transaction (a crash re-reads at most one page, and a page applied twice
changes nothing: versions), carry out post-commit effects, and record a
:class:`SyncRun` with the counts and every rejected row.

A full reconcile reads the whole feed, then makes local records the read
did not contain inactive (never deletes them), and moves the cursor to the
end of what it read. A cursor the agent no longer knows (410
``CURSOR_EXPIRED``) starts a full read. When a stream fails (ERP offline,
a protocol error) the run stops there: later streams depend on it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from core.db import utcnow, write_transaction
from plugins.erp_yidiantong.connection import is_configured
from plugins.erp_yidiantong.egp.client import EgpError, ErpProtocolError
from plugins.erp_yidiantong.models import SyncRejection, SyncRun, SyncStream
from plugins.erp_yidiantong.sync import lease
from plugins.erp_yidiantong.sync.effects import carry_out
from plugins.erp_yidiantong.sync.images import fetch_pending_images
from plugins.erp_yidiantong.sync.prefetch import Prefetcher
from plugins.erp_yidiantong.sync.report import RunReport
from plugins.erp_yidiantong.sync.streams import SPECS, STREAMS, in_dependency_order, new_client

log = logging.getLogger("ydt.erp.sync")


class NotConfigured(RuntimeError):
    """The connector has no gateway URL (``base_url``)."""


@dataclass(frozen=True)
class SyncProgress:
    """Where a stream's run stands, after each page (for progress bars)."""

    stream: str
    fetched: int
    applied: int
    unchanged: int
    rejected: int
    tombstoned: int
    has_more: bool
    page_limit: int


Progress = Callable[[SyncProgress], None]


def run_sync(
    ctx,
    streams: Iterable[str] | None = None,
    *,
    full: bool = False,
    progress: Progress | None = None,
    images: bool = True,
) -> list[SyncRun]:
    """Sync ``streams`` (all of :data:`STREAMS` when None) in dependency order.

    A full run of every stream reads the event log incrementally; name
    ``events`` to re-read it from the start. Call inside ``ctx.activate()``.
    Returns one :class:`SyncRun` per stream
    run (``status`` ``ok``, ``failed`` or ``skipped`` when another process is
    syncing that stream); stops after a failed stream. ``images=False``
    leaves product pictures pending (``fetch_pending_images`` later).
    Raises :class:`NotConfigured` without a gateway URL and ``ValueError``
    for an unknown stream name.
    """
    if not is_configured(ctx):
        raise NotConfigured("the ERP connector has no base_url")
    names = in_dependency_order(list(streams)) if streams else list(STREAMS)
    runs = []
    for name in names:
        # The event log has nothing to reconcile (positions never skip an event) and is long:
        # a full run re-reads it only when asked for by name.
        full_read = full and (streams is not None or SPECS[name].feed != "events")
        run = sync_stream(ctx, name, full=full_read, progress=progress, images=images)
        runs.append(run)
        if run.status == "failed":
            break
    return runs


def sync_stream(
    ctx, name: str, *, full: bool = False, progress: Progress | None = None, images: bool = True
) -> SyncRun:
    """Run one stream (see the module docstring); never raises for ERP trouble."""
    spec = SPECS[name]
    lease.ensure_stream(name)
    with write_transaction():
        run = SyncRun.create(stream=name, full=full)
    token = lease.acquire(name)
    if token is None:
        return _finish(run, RunReport(), "skipped", "another sync of this stream is running")
    report = RunReport()
    applier = spec.applier()
    client = new_client(ctx)
    status, error, expired = "ok", "", False
    try:
        applier.begin(ctx, full)
        _read(ctx, spec, applier, report, run, token, full, client, progress)
        if name == "catalog" and images:
            tally = fetch_pending_images(ctx, client)
            error = tally.error
    except ErpProtocolError as ex:
        status, error, expired = "failed", str(ex), ex.code == "CURSOR_EXPIRED" and not full
    except EgpError as ex:
        status, error = "failed", str(ex)
    except Exception as ex:  # a bug: recorded on the run, the worker keeps going
        log.exception("sync of %s failed", name)
        status, error = "failed", f"internal error: {type(ex).__name__}: {ex}"
    finally:
        try:
            applier.finish(report)
        except Exception:
            log.exception("finishing the sync of %s failed", name)
        client.close()
        _save_rejections(run, report)
        lease.release(name, token)
    _finish(run, report, status, error)
    if expired:
        log.warning("the %s cursor expired; reading the whole feed", name)
        return sync_stream(ctx, name, full=True, progress=progress, images=images)
    return run


def _read(
    ctx, spec, applier, report: RunReport, run: SyncRun, token: str, full: bool, client, progress
) -> None:
    state = SyncStream.get_by_id(spec.name)
    cursor = None if full else state.cursor
    limit = spec.page_limit or int(ctx.config("erp_yidiantong")["feed_page_size"])
    last_cursor = None
    with Prefetcher(client, spec.feed, cursor, limit, streams=spec.event_streams) as pages:
        page = pages.next()
        while page is not None:
            with write_transaction():
                # Pages already fetched may share one transaction (appliers that allow it):
                # fewer commits, same guarantee — the cursor saved is that of the last page in it.
                grouped = 0
                while True:
                    report.fetched += len(page.items)
                    applier.apply_page(page.items, report)
                    grouped += len(page.items)
                    if not page.has_more or grouped >= applier.group_rows or not pages.ready():
                        break
                    page = pages.next()
                _save_rejections(run, report)
                if not full:
                    SyncStream.update(cursor=page.next_cursor).where(SyncStream.name == spec.name).execute()
                lease.renew(spec.name, token)
                _save_counts(run, report)
            last_cursor = page.next_cursor
            applier.after_commit(report)
            _save_rejections(run, report)
            carry_out(ctx, report)
            if progress is not None:
                progress(
                    SyncProgress(
                        spec.name,
                        report.fetched,
                        report.applied,
                        report.unchanged,
                        report.rejected,
                        report.tombstoned,
                        page.has_more,
                        limit,
                    )
                )
            page = pages.next() if page.has_more else None
    if full:
        with write_transaction():
            applier.reconcile(report)
            SyncStream.update(cursor=last_cursor, last_full_at=utcnow()).where(
                SyncStream.name == spec.name
            ).execute()
        carry_out(ctx, report)


def _save_rejections(run: SyncRun, report: RunReport) -> None:
    """Store the rejections not stored yet (inside or outside a transaction)."""
    new = report.rejections[report.stored_rejections :]
    if not new:
        return
    with write_transaction():
        now = utcnow()
        for start in range(0, len(new), 200):
            SyncRejection.insert_many(
                [
                    {
                        "run": run.id,
                        # A key or reason the ERP sent with NUL in it must still be reportable.
                        "external_id": r.external_id.replace("\x00", "\\0"),
                        "reason": r.reason[:2000].replace("\x00", "\\0"),
                        "at": now,
                    }
                    for r in new[start : start + 200]
                ]
            ).execute()
    report.stored_rejections = len(report.rejections)


def _save_counts(run: SyncRun, report: RunReport) -> None:
    for name in ("fetched", "applied", "unchanged", "rejected", "tombstoned"):
        setattr(run, name, getattr(report, name))
    run.save()


def _finish(run: SyncRun, report: RunReport, status: str, error: str) -> SyncRun:
    now = utcnow()
    with write_transaction():
        _save_counts(run, report)
        run.status = status
        run.error = error[:4000]
        run.finished_at = now
        run.save()
        if status == "skipped":
            return run
        changes = {SyncStream.last_run_at: now, SyncStream.last_error: error[:4000]}
        if status == "ok":
            changes[SyncStream.last_success_at] = now
        if report.newest_item_at is not None:
            state = SyncStream.get_by_id(run.stream)
            if state.last_item_at is None or report.newest_item_at > state.last_item_at:
                changes[SyncStream.last_item_at] = report.newest_item_at
        SyncStream.update(changes).where(SyncStream.name == run.stream).execute()
    return run
