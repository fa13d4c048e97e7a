"""The shape every feed applier has, and the row-by-row applier most feeds use.

The engine calls, for one run of one feed: :meth:`FeedApplier.begin`, then
for every page :meth:`apply_page` inside the page's write transaction and
:meth:`after_commit` after it, then (full reconcile only) :meth:`reconcile`
and finally :meth:`finish`.

:class:`RowFeed` applies a page row by row, each row in its own savepoint:
a bad row (:class:`RowRejected`, or a row the database refuses) is reported
and rolled back alone while the rest of the page applies. Versions decide:
an item whose ``version`` is not newer than its binding's is counted as
unchanged and not touched.
"""

from __future__ import annotations

import abc
import logging
from typing import Any

import peewee

from core.db import current_database
from plugins.erp_yidiantong.models import ErpBinding
from plugins.erp_yidiantong.sync import bindings, values
from plugins.erp_yidiantong.sync.report import RowRejected, RunReport

log = logging.getLogger("ydt.erp.sync")


class FeedApplier(abc.ABC):
    """Base of the feed appliers (see the module docstring for the call order)."""

    # Up to how many rows of pages already fetched may be applied in one transaction
    # (0: one page per transaction). Only for appliers whose pages are cheap to write.
    group_rows = 0

    def begin(self, ctx, full: bool) -> None:
        self.ctx = ctx
        self.full = full

    @abc.abstractmethod
    def apply_page(self, items: list[dict[str, Any]], report: RunReport) -> None:
        """Apply one page of feed items inside the page's write transaction."""

    def after_commit(self, report: RunReport) -> None:
        """Work that must follow the page's commit (network, notifications)."""

    def reconcile(self, report: RunReport) -> None:
        """Full reconcile: make local records the complete read did not contain inactive."""

    def finish(self, report: RunReport) -> None:
        """The run is over (also after a failure)."""


class RowFeed(FeedApplier):
    """A master-data feed applied row by row with bindings.

    Subclasses give the binding ``model`` name and implement :meth:`key`,
    :meth:`apply`, :meth:`tombstone` and :meth:`deactivate`.
    """

    model = ""

    def begin(self, ctx, full: bool) -> None:
        super().begin(ctx, full)
        self.seen: set[str] = set()

    @abc.abstractmethod
    def key(self, item: dict[str, Any]) -> str:
        """The ERP key of an item (its binding's external id)."""

    def prepare(self, items: list[dict[str, Any]]) -> None:
        """Load what the page's rows need in bulk (optional)."""

    @abc.abstractmethod
    def apply(self, item: dict[str, Any], binding: ErpBinding | None) -> tuple[int | None, dict | None]:
        """Create or update the local record; return (local id, binding memo or None to keep)."""

    @abc.abstractmethod
    def tombstone(self, item: dict[str, Any], binding: ErpBinding | None) -> bool:
        """Make the local record inactive; True when something local changed."""

    @abc.abstractmethod
    def deactivate(self, binding: ErpBinding) -> bool:
        """Full reconcile: the ERP no longer lists this record; True when something changed."""

    def apply_page(self, items: list[dict[str, Any]], report: RunReport) -> None:
        self.report = report  # for appliers that record stock or price changes
        keyed: list[tuple[str, dict[str, Any]]] = []
        for item in items:
            try:
                keyed.append((self.key(item), item))
            except RowRejected as ex:
                report.reject(_guess_key(item), ex.reason)
        if self.full:
            self.seen.update(key for key, _ in keyed)
        found = bindings.load(self.model, [key for key, _ in keyed])
        self.prepare([item for _, item in keyed])
        for key, item in keyed:
            self.apply_item(key, item, found.get(key), report)

    def apply_item(
        self, key: str, item: dict[str, Any], binding: ErpBinding | None, report: RunReport
    ) -> None:
        """Apply one item in a savepoint, counting it into ``report``."""
        try:
            version = values.version(item)
            is_tombstone = values.deleted(item)
        except RowRejected as ex:
            report.reject(key, ex.reason)
            return
        if not bindings.is_newer(binding, version):
            report.unchanged += 1
            return
        try:
            with current_database().atomic():
                if is_tombstone:
                    changed = self.tombstone(item, binding)
                    local_id = binding.local_id if binding is not None else None
                    bindings.save(binding, self.model, key, local_id=local_id, version=version, deleted=True)
                    if changed:
                        report.tombstoned += 1
                    else:
                        report.unchanged += 1
                else:
                    local_id, memo = self.apply(item, binding)
                    bindings.save(
                        binding, self.model, key, local_id=local_id, version=version, deleted=False, memo=memo
                    )
                    report.applied += 1
            report.saw_item_time(item.get("updated_at"))
        except RowRejected as ex:
            report.reject(key, ex.reason)
        except (peewee.IntegrityError, peewee.DataError, ValueError) as ex:
            # ValueError: psycopg2 refuses some text before sending it (a NUL character).
            log.warning("%s %s refused by the database: %s", self.model, key, ex)
            report.reject(key, f"the database refused it: {str(ex).splitlines()[0][:300]}")

    def reconcile(self, report: RunReport) -> None:
        for binding in list(bindings.active_bindings(self.model)):
            if binding.external_id in self.seen:
                continue
            with current_database().atomic():
                changed = self.deactivate(binding)
                bindings.mark_deleted(binding)
            if changed:
                report.tombstoned += 1


def _guess_key(item: Any) -> str:
    if isinstance(item, dict):
        for name in ("sku", "code", "username", "id"):
            if isinstance(item.get(name), str):
                return item[name]
    return "?"
