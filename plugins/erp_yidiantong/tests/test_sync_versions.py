"""Versions only move forward: an older or equal copy of a record never overwrites a newer one."""

from __future__ import annotations

import itertools
from decimal import Decimal

from core.models import Customer
from plugins.catalog.models import Product
from plugins.erp_yidiantong.egp.shapes import new_event_id
from plugins.erp_yidiantong.models import InboxEvent, SyncStream
from plugins.erp_yidiantong.tests.sync_fixtures import *  # noqa: F403
from plugins.erp_yidiantong.tests.sync_fixtures import sync
from plugins.inventory.models import StockItem
from plugins.pricing.models import CustomerPrice, GradePrice

_seq = itertools.count(10_000)


def envelope(event_type: str, stream: str, data: dict) -> dict:
    return {
        "id": new_event_id(),
        "type": event_type,
        "stream": stream,
        "seq": next(_seq),
        "occurred_at": "2026-03-02T10:00:00+08:00",
        "data": data,
    }


def test_older_and_equal_versions_from_events_are_ignored(synced, erp_ctx, control, dataset):
    price = dataset.customer_prices[0]
    key = {"customer_code": price.customer_code, "sku": price.product_code, "grade": price.grade_code}
    current = control.ok(
        "POST", "prices", {**key, "grade": price.grade_code or None, "unit_price": "2345.00"}
    )
    assert current["version"] == 2
    sync(erp_ctx, ["prices"])
    stocked = next(p for p in dataset.products if p.stock_mode == "quota")
    graded = next(p for p in dataset.products if p.grade_group_code)
    grade = graded.grade_group.values[0].code
    stale = [
        envelope("price.changed", "prices", {**current, "version": 1, "unit_price_fen": 100}),
        envelope("price.changed", "prices", {**current, "unit_price_fen": 200}),  # same version, other price
        envelope(
            "customer.changed",
            "customers",
            {
                "code": "C0002",
                "name": "旧名字",
                "discount_rate": "0.5",
                "credit_limit_fen": 1,
                "balance_fen": 0,
                "version": 1,
                "updated_at": "2026-03-02T10:00:00+08:00",
                "deleted": False,
            },
        ),
        envelope(
            "stock.changed",
            "stock",
            {
                "sku": stocked.code,
                "on_hand": 999,
                "reserved": 0,
                "available": 999,
                "version": 1,
                "updated_at": "2026-03-02T10:00:00+08:00",
                "deleted": False,
            },
        ),
        envelope(
            "list_price.changed",
            "prices",
            {
                "sku": graded.code,
                "grade": grade,
                "list_price_fen": 1,
                "price_list_version": "PL000001",
                "product_version": 1,
            },
        ),
    ]
    control.ok("POST", "events", {"events": stale, "push": False})

    run = sync(erp_ctx, ["events"])[0]

    # The real price.changed of the change above is in the feed too: the prices feed already applied it.
    assert (run.fetched, run.applied, run.unchanged, run.rejected) == (len(stale) + 1, 0, len(stale) + 1, 0)
    notes = {
        e.event_id: (e.status, e.note)
        for e in InboxEvent.select().where(InboxEvent.event_id.in_([e["id"] for e in stale]))
    }
    assert all(status == "ignored" for status, _ in notes.values()), notes
    row = (
        CustomerPrice.select()
        .join(Product)
        .where((Product.code == price.product_code) & (CustomerPrice.grade == price.grade_code))
        .join_from(CustomerPrice, Customer)
        .where(Customer.code == price.customer_code)
        .get()
    )
    assert (row.unit_price, row.version) == (234500, 2)
    assert Customer.get(Customer.code == "C0002").discount_rate == dataset.customer("C0002").discount_rate
    assert StockItem.get_by_id(Product.get(Product.code == stocked.code).id).quantity == stocked.stock_qty
    local = Product.get(Product.code == graded.code)
    assert (
        GradePrice.get((GradePrice.product == local.id) & (GradePrice.grade == grade)).list_price
        == graded.list_prices[grade]
    )


def test_a_newer_version_from_an_event_is_not_undone_by_the_feed(synced, erp_ctx, control):
    item = control.ok("POST", "customers/C0004", {"credit_limit": "300000.00"})  # feed: version 2
    newer = envelope("customer.changed", "customers", {**item, "version": 50, "discount_rate": "0.6"})
    control.ok("POST", "events", {"events": [newer], "push": False})
    runs = {r.stream: r for r in sync(erp_ctx, ["customers", "events"])}
    assert runs["customers"].applied == 1
    assert runs["events"].applied == 1
    # The feed's version 2 ran first, then the event's 50. Reading the feed again changes nothing.
    SyncStream.update(cursor=None).where(SyncStream.name == "customers").execute()
    again = sync(erp_ctx, ["customers"])[0]
    assert again.applied == 0 and again.unchanged == again.fetched
    assert Customer.get(Customer.code == "C0004").discount_rate == Decimal("0.6")


def test_reading_every_page_again_changes_nothing(synced, erp_ctx, dataset):
    SyncStream.update(cursor=None).execute()
    runs = sync(erp_ctx)
    assert sum(r.applied for r in runs) == 0
    assert sum(r.tombstoned for r in runs) == 0
    assert all(r.unchanged == r.fetched for r in runs), [(r.stream, r.fetched, r.unchanged) for r in runs]
