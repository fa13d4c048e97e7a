"""The ``events`` feed: the pull side of the event log, into the inbox.

Pulled envelopes are stored exactly like pushed ones (duplicates by id are
recognised), then every pending event is applied (:mod:`..events`). A
sub-stream (``ledger``, ``production``...) reads the same feed filtered by
stream with its own cursor.

A pushed event is applied when it arrives, outside any run. If it could not
be applied (``failed``, or ``mismatch``: another ERP order under the number
of a platform order), the run that pulls it again reports it with the
stored note, so it reaches the back office's rejected rows like a pulled one.
"""

from __future__ import annotations

from typing import Any

from plugins.erp_yidiantong.models import InboxEvent
from plugins.erp_yidiantong.sync import inbox
from plugins.erp_yidiantong.sync.events import FAILED, MISMATCH, apply_pending
from plugins.erp_yidiantong.sync.feeds.base import FeedApplier
from plugins.erp_yidiantong.sync.orders import catch_up_orders
from plugins.erp_yidiantong.sync.report import RunReport


class EventsFeed(FeedApplier):
    def apply_page(self, items: list[dict[str, Any]], report: RunReport) -> None:
        results = inbox.store(items, "pull")
        refused = _refused_pushes([r.event_id for r in results if r.status == "duplicate"])
        for raw, stored in zip(items, results, strict=True):
            if stored.status == "duplicate" and stored.event_id in refused:
                report.reject(stored.event_id, refused.pop(stored.event_id))
            elif stored.status == "duplicate":
                report.unchanged += 1
            elif stored.status == "rejected":
                inbox.store_failed(raw, stored.error, "pull")
                report.reject(stored.event_id or "?", stored.error)

    def after_commit(self, report: RunReport) -> None:
        tally = apply_pending(self.ctx, report)
        report.applied += tally.applied
        report.unchanged += tally.ignored
        for event_id, note in tally.failures or []:
            report.reject(event_id, note)

    def finish(self, report: RunReport) -> None:
        catch_up_orders(self.ctx)


def _refused_pushes(event_ids: list[str]) -> dict[str, str]:
    """Of these stored events, the pushed ones that were not applied: event id -> note."""
    refused: dict[str, str] = {}
    for start in range(0, len(event_ids), 500):
        rows = InboxEvent.select(InboxEvent.event_id, InboxEvent.note).where(
            InboxEvent.event_id.in_(event_ids[start : start + 500])
            & (InboxEvent.source == "push")
            & InboxEvent.status.in_([FAILED, MISMATCH])
        )
        refused.update((event_id, note) for event_id, note in rows.tuples())
    return refused
