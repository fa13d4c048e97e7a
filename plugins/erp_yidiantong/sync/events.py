"""Applying inbox events, pushed or pulled alike.

:func:`apply_pending` takes ``pending`` events per stream in ``seq`` order
and applies each in its own transaction: the row is re-read (``FOR
UPDATE`` on PostgreSQL) and applied only if still pending, so two processes
never apply the same event twice. Every handler is idempotent and orders
by the payload, not by arrival (EGP/1 §4.4): stages by ``stage_seq``,
master data by ``version``, ledger entries and shipments by their number.

Outcomes: ``applied``; ``ignored`` (duplicate, older, unknown type or
order: the note says which); ``failed`` (the event cannot be applied: the
note says why); an event that needs data not synced yet stays ``pending``
and is tried again on the next pass.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from core.db import current_database, is_postgres, utcnow, write_transaction
from plugins.erp_yidiantong.models import InboxEvent
from plugins.erp_yidiantong.sync import bindings, values
from plugins.erp_yidiantong.sync.feeds.catalog import MODEL as PRODUCT_MODEL
from plugins.erp_yidiantong.sync.feeds.customers import CustomersFeed
from plugins.erp_yidiantong.sync.feeds.prices import PricesFeed
from plugins.erp_yidiantong.sync.feeds.stock import StockFeed
from plugins.erp_yidiantong.sync.ledger import RetryLater, apply_ledger_entry
from plugins.erp_yidiantong.sync.orders import apply_order_accepted, apply_progress, apply_shipment
from plugins.erp_yidiantong.sync.report import RowRejected, RunReport
from plugins.pricing.price_file import grade_codes, grade_problem, set_list_price

log = logging.getLogger("ydt.erp.events")
APPLIED, IGNORED, FAILED = "applied", "ignored", "failed"
Handler = Callable[[Any, dict[str, Any], RunReport], tuple[str, str]]


def _master(feed_class: type) -> Handler:
    """A handler applying the event's item exactly like a feed item (only if newer)."""

    def handle(ctx, envelope: dict[str, Any], report: RunReport) -> tuple[str, str]:
        feed = feed_class(preload=False) if feed_class is PricesFeed else feed_class()
        feed.begin(ctx, full=False)
        one = RunReport()
        feed.apply_page([envelope["data"]], one)
        report.stock_changes.update(one.stock_changes)
        report.prices_changed |= one.prices_changed
        if one.rejections:
            raise RowRejected(one.rejections[0].reason)
        if one.applied or one.tombstoned:
            return APPLIED, ""
        return IGNORED, "not newer than what the platform holds"

    return handle


def _list_price(ctx, envelope: dict[str, Any], report: RunReport) -> tuple[str, str]:
    data = envelope["data"]
    sku, grade = data["sku"], data["grade"]
    fen = values.integer(data, "list_price_fen", minimum=0)
    product_version = data["product_version"]
    binding = bindings.get(PRODUCT_MODEL, sku)
    if binding is None or binding.deleted or binding.local_id is None:
        return IGNORED, f"{sku} is not synced; the catalog feed brings its prices"
    applied = max(binding.external_version, int(binding.memo.get("lp", {}).get(grade, 0)))
    if product_version <= applied:
        return IGNORED, f"product version {product_version} is not newer than {applied}"
    problem = grade_problem(grade_codes(binding.local_id), grade)
    if problem:
        raise RowRejected(f"{grade!r}: {problem}")
    set_list_price(binding.local_id, grade, fen)
    binding.memo = {**binding.memo, "lp": {**binding.memo.get("lp", {}), grade: product_version}}
    binding.save()
    report.prices_changed = True
    return APPLIED, ""


def _ignore_revision(ctx, envelope: dict[str, Any], report: RunReport) -> tuple[str, str]:
    return IGNORED, "revisions are tracked by the order import"


HANDLERS: dict[str, Handler] = {
    "production.progress": apply_progress,
    "shipment.dispatched": apply_shipment,
    "ledger.entry": apply_ledger_entry,
    "order.accepted": apply_order_accepted,
    "order.revised": _ignore_revision,
    "stock.changed": _master(StockFeed),
    "customer.changed": _master(CustomersFeed),
    "price.changed": _master(PricesFeed),
    "list_price.changed": _list_price,
}


@dataclass
class Tally:
    applied: int = 0
    ignored: int = 0
    failed: int = 0
    waiting: int = 0
    failures: list[tuple[str, str]] | None = None


def apply_pending(ctx, report: RunReport | None = None, limit: int = 5000) -> Tally:
    """Apply pending inbox events (oldest ``limit``), each in its own transaction.

    Post-commit effects (stock notifications, live price cache) go into
    ``report`` when given, else are carried out here.
    """
    from plugins.erp_yidiantong.sync.effects import carry_out

    own = report is None
    report = report if report is not None else RunReport()
    tally = Tally(failures=[])
    ids = [
        row_id
        for (row_id,) in InboxEvent.select(InboxEvent.id)
        .where(InboxEvent.status == "pending")
        .order_by(InboxEvent.stream, InboxEvent.seq, InboxEvent.id)
        .limit(limit)
        .tuples()
    ]
    for row_id in ids:
        outcome = apply_one(ctx, row_id, report)
        if outcome is None:
            continue
        status, event_id, note = outcome
        if status == APPLIED:
            tally.applied += 1
        elif status == IGNORED:
            tally.ignored += 1
        elif status == FAILED:
            tally.failed += 1
            tally.failures.append((event_id, note))
        else:
            tally.waiting += 1
    if own:
        carry_out(ctx, report)
    return tally


def apply_one(ctx, row_id: int, report: RunReport) -> tuple[str, str, str] | None:
    """Apply one inbox event if it is still pending; returns (status, event id, note)."""
    with write_transaction():
        query = InboxEvent.select().where((InboxEvent.id == row_id) & (InboxEvent.status == "pending"))
        if is_postgres():
            query = query.for_update()
        row = query.first()
        if row is None:
            return None
        handler = HANDLERS.get(row.type)
        effects = RunReport()
        try:
            with current_database().atomic():
                if handler is None:
                    status, note = IGNORED, f"unknown event type {row.type}"
                else:
                    status, note = handler(ctx, row.payload, effects)
        except RetryLater as ex:
            status, note = "pending", str(ex)
        except RowRejected as ex:
            status, note = FAILED, ex.reason
        except Exception as ex:  # a bug must not stop the other events
            log.exception("applying ERP event %s (%s) failed", row.event_id, row.type)
            status, note = FAILED, f"internal error: {type(ex).__name__}: {ex}"
        if status != "pending":
            report.stock_changes.update(effects.stock_changes)
            report.prices_changed |= effects.prices_changed
        InboxEvent.update(
            status=status, note=note[:2000], processed_at=utcnow() if status != "pending" else None
        ).where(InboxEvent.id == row.id).execute()
        return status, row.event_id, note
