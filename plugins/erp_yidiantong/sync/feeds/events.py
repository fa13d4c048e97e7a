"""The ``events`` feed: the pull side of the event log, into the inbox.

Pulled envelopes are stored exactly like pushed ones (duplicates by id are
recognised), then every pending event is applied (:mod:`..events`). A
sub-stream (``ledger``, ``production``...) reads the same feed filtered by
stream with its own cursor.
"""

from __future__ import annotations

from typing import Any

from plugins.erp_yidiantong.sync import inbox
from plugins.erp_yidiantong.sync.events import apply_pending
from plugins.erp_yidiantong.sync.feeds.base import FeedApplier
from plugins.erp_yidiantong.sync.orders import catch_up_orders
from plugins.erp_yidiantong.sync.report import RunReport


class EventsFeed(FeedApplier):
    def apply_page(self, items: list[dict[str, Any]], report: RunReport) -> None:
        for raw, stored in zip(items, inbox.store(items, "pull"), strict=True):
            if stored.status == "duplicate":
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
