"""What one sync run did: counts, rejected rows and work left for after the commit.

Appliers fill a :class:`RunReport` while they apply a page; the engine
copies the counts into the :class:`SyncRun` row and stores the rejections.
Effects that must wait for the commit (stock notifications, the live-price
cache) are collected here too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


class RowRejected(Exception):
    """A feed row the platform cannot apply; ``reason`` says why (English, for staff)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class Rejection:
    external_id: str
    reason: str


@dataclass
class RunReport:
    """Counts of one run (or one page, merged into the run)."""

    fetched: int = 0
    applied: int = 0
    unchanged: int = 0
    rejected: int = 0
    tombstoned: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    # After the commit: on_stock_changed per product, and whether prices moved.
    stock_changes: dict[int, int | None] = field(default_factory=dict)
    prices_changed: bool = False
    newest_item_at: dt.datetime | None = None
    stored_rejections: int = 0  # how many of ``rejections`` the engine has saved

    def reject(self, external_id: str, reason: str) -> None:
        self.rejected += 1
        self.rejections.append(Rejection(str(external_id)[:191], reason))

    def saw_item_time(self, updated_at: object) -> None:
        """Remember the newest ERP ``updated_at`` (RFC 3339 text) applied; ignores bad values."""
        if not isinstance(updated_at, str):
            return
        try:
            at = dt.datetime.fromisoformat(updated_at.replace("Z", "+00:00"))
        except ValueError:
            return
        if at.tzinfo is not None and (self.newest_item_at is None or at > self.newest_item_at):
            self.newest_item_at = at
