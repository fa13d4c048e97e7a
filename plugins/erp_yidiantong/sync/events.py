"""Applying inbox events, pushed or pulled alike.

:func:`apply_pending` takes ``pending`` events per stream in ``seq`` order
and applies each in its own transaction: the row is re-read (``FOR
UPDATE`` on PostgreSQL) and applied only if still pending, so two processes
never apply the same event twice. Every handler is idempotent and orders
by the payload, not by arrival (EGP/1 §4.4): stages by ``stage_seq``,
master data by ``version``, ledger entries and shipments by their number.

Order events (``order.accepted``, ``production.progress``,
``shipment.dispatched`` and ``ledger.entry`` naming a platform order) apply
to the platform order only when the ERP's order really is that order
(:func:`order_identity`): the order number alone is not enough, because
numbers come back (a platform restored from a backup, a staging system on
the same ERP).

Outcomes: ``applied``; ``ignored`` (duplicate, older, unknown type or
order: the note says which); ``failed`` (the event cannot be applied: the
note says why); ``mismatch`` (the event is about another ERP order under
the same number: nothing of it touches the platform order, the note names
both); an event that needs data not synced yet, or an order whose import
the ERP has not answered, stays ``pending`` and is tried again on the next
pass.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from core.db import current_database, is_postgres, utcnow, write_transaction
from core.models import Customer
from plugins.erp_yidiantong.models import ErpOrder, InboxEvent
from plugins.erp_yidiantong.sync import bindings, values
from plugins.erp_yidiantong.sync.feeds.catalog import MODEL as PRODUCT_MODEL
from plugins.erp_yidiantong.sync.feeds.customers import CustomersFeed
from plugins.erp_yidiantong.sync.feeds.prices import PricesFeed
from plugins.erp_yidiantong.sync.feeds.stock import StockFeed
from plugins.erp_yidiantong.sync.ledger import RetryLater, apply_ledger_entry
from plugins.erp_yidiantong.sync.orders import apply_order_accepted, apply_progress, apply_shipment
from plugins.erp_yidiantong.sync.report import RowRejected, RunReport
from plugins.orders.models import Order
from plugins.pricing.price_file import grade_codes, grade_problem, set_list_price

log = logging.getLogger("ydt.erp.events")
APPLIED, IGNORED, FAILED, MISMATCH = "applied", "ignored", "failed", "mismatch"
Handler = Callable[[Any, dict[str, Any], RunReport], tuple[str, str]]
# 409 answers to an import (EGP/1 §4.1): the ERP holds another order under that number.
REFUSED_IMPORT_CODES = frozenset({"REVISION_CONFLICT", "REVISION_STALE", "ORDER_LOCKED", "ORDER_CANCELLED"})


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


@dataclass(frozen=True)
class Identity:
    """Whether an order event is about the platform order it names.

    ``verdict``: ``own`` (apply it), ``foreign`` (another ERP order under the
    same number: ``reason`` names both) or ``wait`` (the import's answer,
    not known yet, decides).
    """

    verdict: str
    reason: str = ""


OWN = Identity("own")


def order_identity(order: Order, data: dict[str, Any]) -> Identity:
    """Is the ERP order an event describes (``customer_code``, ``erp_order_no``) ``order``?

    The dealer must be the order's. Once the import answer recorded the
    ERP's number, the event's number must be that one. Before that the
    import decides (:func:`_by_import`). An event without ``customer_code``
    applies only by a matching ERP number.
    """
    customer = values.optional_text(data, "customer_code", 64)
    number = values.optional_text(data, "erp_order_no", 64)
    ours = Customer.select(Customer.code).where(Customer.id == order.customer_id).scalar()
    erp = ErpOrder.get_or_none(ErpOrder.order == order.id)
    recorded = erp.erp_order_no if erp is not None else ""

    def foreign(why: str) -> Identity:
        theirs = f"ERP order {number or '(no erp_order_no)'} of dealer {customer or '(no customer_code)'}"
        return Identity("foreign", f"{theirs} is not platform order {order.no} ({_ours(ours, erp)}): {why}")

    if customer and customer != ours:
        return foreign("another dealer's order")
    if recorded and number and number != recorded:
        return foreign(f"the ERP accepted {order.no} as {recorded}")
    if not customer:
        return OWN if recorded and number else foreign("the event names no customer_code to check it by")
    if recorded:
        return OWN
    return _by_import(order, erp) or foreign("the ERP never accepted that order")


def _by_import(order: Order, erp: ErpOrder | None) -> Identity | None:
    """No ERP number recorded yet: the import decides; None when the ERP has not got our order.

    An order the platform never sent is known by its dealer alone (``own``).
    While the import waits for an answer (also a dead letter whose outcome
    is unknown: a timeout, a 5xx) the event waits with it. An import the ERP
    refused (a 409, a 422) or never got (withdrawn) means its order under
    that number is another one.
    """
    if erp is None or erp.status not in ("queued", "dead", "rejected", "withdrawn"):
        return OWN
    if erp.status == "queued":
        return Identity("wait", f"the import of {order.no} is not answered yet; its answer decides")
    if erp.status == "dead" and erp.reason_code not in REFUSED_IMPORT_CODES:
        why = f"the import of {order.no} is a dead letter ({erp.reason_code}); its retry's answer decides"
        return Identity("wait", why)
    return None


def _ours(customer: str, erp: ErpOrder | None) -> str:
    """The platform order's side of a mismatch note: its dealer and what the ERP made of it."""
    if erp is None:
        return f"dealer {customer}, never sent to the ERP"
    if erp.erp_order_no:
        return f"dealer {customer}, ERP order {erp.erp_order_no}"
    code = f" {erp.reason_code}" if erp.reason_code else ""
    return f"dealer {customer}, import {erp.status}{code}"


def _for_own_order(handler: Handler) -> Handler:
    """``handler`` run only when the event is about the platform order it names."""

    def handle(ctx, envelope: dict[str, Any], report: RunReport) -> tuple[str, str]:
        order = Order.get_or_none(Order.no == envelope["data"]["platform_order_no"])
        if order is None:
            return handler(ctx, envelope, report)  # the handler says "no platform order"
        identity = order_identity(order, envelope["data"])
        if identity.verdict == "wait":
            raise RetryLater(identity.reason)
        if identity.verdict == "foreign":
            return MISMATCH, f"{identity.reason}; not applied"
        return handler(ctx, envelope, report)

    return handle


def _ledger_entry(ctx, envelope: dict[str, Any], report: RunReport) -> tuple[str, str]:
    """A ledger entry always goes to its dealer's ledger; it names a platform order only if it is
    that order (an entry of another ERP order under the same number is kept without the link)."""
    number = values.optional_text(envelope["data"], "platform_order_no", 64)
    order = Order.get_or_none(Order.no == number) if number else None
    identity = order_identity(order, envelope["data"]) if order is not None else OWN
    if identity.verdict == "wait":
        raise RetryLater(identity.reason)
    linked = identity.verdict == "own"
    status, note = apply_ledger_entry(ctx, envelope, report, linked=linked)
    if linked or status != APPLIED:
        return status, note
    customer = envelope["data"]["customer_code"]
    return MISMATCH, f"{identity.reason}; entry recorded in dealer {customer}'s ledger without the order"


HANDLERS: dict[str, Handler] = {
    "production.progress": _for_own_order(apply_progress),
    "shipment.dispatched": _for_own_order(apply_shipment),
    "ledger.entry": _ledger_entry,
    "order.accepted": _for_own_order(apply_order_accepted),
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
    mismatched: int = 0
    # (event id, note) of the failed and mismatched events: a run reports them.
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
        elif status == MISMATCH:
            tally.mismatched += 1
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
        if status == MISMATCH:
            log.warning("ERP event %s (%s) is another order's: %s", row.event_id, row.type, note)
        if status != "pending":
            report.stock_changes.update(effects.stock_changes)
            report.prices_changed |= effects.prices_changed
        InboxEvent.update(
            status=status, note=note[:2000], processed_at=utcnow() if status != "pending" else None
        ).where(InboxEvent.id == row.id).execute()
        return status, row.event_id, note
