"""``ydt erp sync [--full] [STREAM...]``: a sync by hand, with a progress bar and a summary.

Runs synchronously in this process, prints one table row per stream
(fetched, applied, unchanged, rejected, tombstoned, seconds), then every
rejected row with the reason, and exits 1 when a stream failed (ERP
offline, protocol error) or the connector is not configured.
"""

from __future__ import annotations

import sys

import click

from plugins.erp_yidiantong.models import SyncRejection, SyncRun
from plugins.erp_yidiantong.sync.engine import NotConfigured, SyncProgress, run_sync
from plugins.erp_yidiantong.sync.streams import SELECTABLE_STREAMS

MAX_REJECTIONS_SHOWN = 200
COLUMNS = ("stream", "status", "fetched", "applied", "unchanged", "rejected", "tombstoned", "seconds")


class _Bars:
    """One click progress bar per stream; feeds have no totals, so the bar
    stays one page ahead of what was fetched until the last page."""

    def __init__(self) -> None:
        self.stream = None
        self.bar = None

    def __call__(self, step: SyncProgress) -> None:
        if step.stream != self.stream:
            self.close()
            self.stream = step.stream
            self.bar = click.progressbar(
                length=step.page_limit, label=f"{step.stream:<16}", show_pos=True, file=sys.stderr
            )
            self.bar.__enter__()
            self.done = 0
        self.bar.length = step.fetched + (step.page_limit if step.has_more else 0)
        self.bar.update(step.fetched - self.done)
        self.done = step.fetched

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def _seconds(run: SyncRun) -> str:
    if run.finished_at is None or run.started_at is None:
        return ""
    return f"{(run.finished_at - run.started_at).total_seconds():.1f}"


def summary_rows(runs: list[SyncRun]) -> list[tuple[str, ...]]:
    return [
        (
            r.stream,
            r.status,
            str(r.fetched),
            str(r.applied),
            str(r.unchanged),
            str(r.rejected),
            str(r.tombstoned),
            _seconds(r),
        )
        for r in runs
    ]


def print_summary(runs: list[SyncRun]) -> None:
    rows = [COLUMNS, *summary_rows(runs)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    for index, row in enumerate(rows):
        cells = [
            cell.ljust(w) if i < 2 else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ]
        click.echo("  ".join(cells))
        if index == 0:
            click.echo("  ".join("-" * w for w in widths))
    for run in runs:
        if run.error:
            click.echo(f"{run.stream}: {run.status}: {run.error}", err=run.status == "failed")
        rejections = list(
            SyncRejection.select()
            .where(SyncRejection.run == run.id)
            .order_by(SyncRejection.id)
            .limit(MAX_REJECTIONS_SHOWN + 1)
        )
        for rejection in rejections[:MAX_REJECTIONS_SHOWN]:
            click.echo(f"rejected {run.stream} {rejection.external_id}: {rejection.reason}")
        if run.rejected > MAX_REJECTIONS_SHOWN:
            click.echo(f"... and {run.rejected - MAX_REJECTIONS_SHOWN} more rejected {run.stream} rows")


def register_commands(group: click.Group) -> None:
    @group.command("sync")
    @click.option("--full", is_flag=True, help="Read every feed from the start and deactivate what it lacks.")
    @click.argument("streams", nargs=-1, type=click.Choice(SELECTABLE_STREAMS))
    @click.pass_obj
    def sync_command(state, full: bool, streams: tuple[str, ...]) -> None:
        """Sync from the ERP now: all streams, or the STREAMs named."""
        app = state.app()
        bars = _Bars()
        with app.ctx.activate() as ctx:
            try:
                runs = run_sync(ctx, list(streams) or None, full=full, progress=bars)
            except NotConfigured as ex:
                raise click.ClickException(
                    "the ERP connector is not configured: set YDT_PLUGIN__ERP_YIDIANTONG__BASE_URL"
                ) from ex
            finally:
                bars.close()
            print_summary(runs)
            if any(r.status == "failed" for r in runs):
                sys.exit(1)
