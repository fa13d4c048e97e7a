"""Every pull feed over a real signed connection: content, cursors, tombstones."""

from __future__ import annotations

from decimal import Decimal

import pytest
from argon2 import PasswordHasher

from plugins.erp_yidiantong.egp.client import EgpClient, ErpAuthError, ErpNotFound, ErpProtocolError
from plugins.erp_yidiantong.egp.shapes import FEEDS
from plugins.erp_yidiantong.tests.helpers import explicitly_priced, list_priced


def _all(egp: EgpClient, feed: str, limit: int = 500) -> list[dict]:
    return [item for page in egp.iter_feed(feed, limit=limit) for item in page.items]


def test_health(egp):
    health = egp.health()
    assert health["status"] == "ok"
    assert health["erp_online"] is True
    assert health["protocol"] == "EGP/1"
    assert health["server_time"].endswith("+08:00")


def test_categories_feed_is_the_category_tree(egp, dataset):
    items = _all(egp, "categories", limit=7)
    assert [i["code"] for i in items] == [c.code for c in dataset.categories]
    sofa_leather = next(i for i in items if i["code"] == "SOFA-LEATHER")
    assert sofa_leather == {
        "code": "SOFA-LEATHER",
        "name": "真皮沙发",
        "parent_code": "SOFA",
        "sort": dataset.category("SOFA-LEATHER").sort,
        "active": True,
        "version": 1,
        "updated_at": sofa_leather["updated_at"],
        "deleted": False,
    }


def test_catalog_feed_carries_grades_options_list_prices_packages(egp, dataset):
    items = _all(egp, "catalog", limit=100)
    assert len(items) == len(dataset.products)
    by_sku = {i["sku"]: i for i in items}
    product = dataset.product("S-801")
    item = by_sku["S-801"]
    assert item["name"] == product.name
    assert item["category_code"] == product.category_code
    assert item["grade_group_code"] == "SOFA-COVER"
    assert {p["grade"]: p["list_price_fen"] for p in item["list_prices"]} == product.list_prices
    assert [g["code"] for g in item["option_groups"]] == [g.code for g in product.option_groups]
    colour = next(g for g in item["option_groups"] if g["code"] == "SOFA-COLOR")
    assert colour["kind"] == "surcharge"
    assert {v["code"]: v["surcharge_fen"] for v in colour["values"]}["NP-11"] == 15000
    assert len(item["packages"]) == product.packages
    weights = [Decimal(p["weight_kg"]) for p in item["packages"]]
    assert abs(sum(weights) - product.weight_kg) < Decimal("0.05")
    assert item["image_keys"] == list(product.image_keys)
    assert item["status"] == "active"
    unpublished = {p.code for p in dataset.products if not p.published}
    assert unpublished and {s for s, i in by_sku.items() if not i["published"]} == unpublished
    no_grade = next(p for p in dataset.products if p.grade_group_code is None)
    assert by_sku[no_grade.code]["list_prices"] == [{"grade": "", "list_price_fen": no_grade.list_prices[""]}]


def test_customers_feed_has_rates_credit_and_opening_balance(egp, dataset):
    items = {i["code"]: i for i in _all(egp, "customers")}
    assert set(items) == {c.code for c in dataset.customers}
    for customer in dataset.customers:
        item = items[customer.code]
        assert Decimal(item["discount_rate"]) == customer.discount_rate
        assert item["credit_limit_fen"] == customer.credit_limit_fen
        assert item["balance_fen"] == customer.balance_fen
    assert items["C0001"]["discount_rate"] == "0.85"


def test_accounts_feed_sends_argon2id_hashes_of_dealer_and_rep_logins(egp, dataset):
    items = {i["username"]: i for i in _all(egp, "accounts")}
    expected = {a.username for a in dataset.accounts if a.role in ("dealer", "rep")}
    assert set(items) == expected
    assert "admin" not in items and "finance1" not in items
    dealer = items["dealer1"]
    assert dealer["role"] == "dealer" and dealer["customer_code"] == "C0001"
    assert items["rep1"]["customer_code"] is None
    assert dealer["password"]["scheme"] == "argon2id"
    assert dealer["password"]["hash"].startswith("$argon2id$")
    assert "demo1234" not in str(items)
    assert PasswordHasher().verify(dealer["password"]["hash"], "demo1234")


def test_rep_assignments_feed(egp, dataset):
    items = _all(egp, "rep-assignments")
    assert {(i["rep_username"], i["customer_code"]) for i in items} == {
        (r.rep_username, r.customer_code) for r in dataset.rep_assignments
    }


def test_prices_feed_is_the_dealer_price_file(egp, dataset):
    items = _all(egp, "prices", limit=1000)
    assert len(items) == len(dataset.customer_prices)
    got = {(i["customer_code"], i["sku"], i["grade"]): i["unit_price_fen"] for i in items}
    assert got == {
        (p.customer_code, p.product_code, p.grade_code): p.unit_price_fen for p in dataset.customer_prices
    }
    assert all(i["price_list_version"] == "PL000001" for i in items)


def test_stock_feed_lists_tracked_products(egp, dataset):
    items = {i["sku"]: i for i in _all(egp, "stock")}
    assert items == {
        p.code: {**items[p.code], "on_hand": p.stock_qty, "reserved": 0, "available": p.stock_qty}
        for p in dataset.products
        if p.stock_qty is not None
    }


def test_event_feed_starts_with_the_opening_balances(egp, dataset):
    events = _all(egp, "events")
    opening = [c for c in dataset.customers if c.balance_fen]
    assert [e["type"] for e in events] == ["ledger.entry"] * len(opening)
    assert [e["seq"] for e in events] == list(range(1, len(opening) + 1))
    assert {e["data"]["customer_code"]: e["data"]["amount_fen"] for e in events} == {
        c.code: c.balance_fen for c in opening
    }


def test_a_saved_cursor_returns_only_later_changes(egp, control, dataset):
    pages = list(egp.iter_feed("prices", limit=1000))
    assert pages[-1].has_more is False
    saved = pages[-1].next_cursor
    assert egp.feed("prices", saved).items == []
    new_code, new_grade = list_priced(dataset, "S-801")
    old_code, old_grade, _ = explicitly_priced(dataset, "S-801")
    added = control.ok(
        "POST",
        "prices",
        {"customer_code": new_code, "sku": "S-801", "grade": new_grade, "unit_price": "3000.00"},
    )
    changed = control.ok(
        "POST",
        "prices",
        {"customer_code": old_code, "sku": "S-801", "grade": old_grade, "unit_price": "3100.50"},
    )
    page = egp.feed("prices", saved)
    assert page.items == [added, changed]
    assert [(i["customer_code"], i["grade"], i["unit_price_fen"], i["version"]) for i in page.items] == [
        (new_code, new_grade, 300000, 1),
        (old_code, old_grade, 310050, 2),
    ]
    assert [i["price_list_version"] for i in page.items] == ["PL000002", "PL000003"]
    assert page.has_more is False
    assert egp.feed("prices", page.next_cursor).items == []


def test_a_record_changed_while_paging_moves_to_the_end(egp, control):
    first = egp.feed("customers", limit=5)
    assert first.has_more
    moved = first.items[0]["code"]
    control.ok("POST", f"customers/{moved}", {"discount_rate": "0.9"})
    rest = [i for page in egp.iter_feed("customers", first.next_cursor, limit=5) for i in page.items]
    assert rest[-1]["code"] == moved
    assert rest[-1]["discount_rate"] == "0.9"
    assert rest[-1]["version"] == first.items[0]["version"] + 1


def test_a_removed_price_is_a_tombstone(egp, control, dataset):
    explicit = dataset.customer_prices[0]
    cursor = list(egp.iter_feed("prices", limit=5000))[-1].next_cursor
    removed = control.ok(
        "POST",
        "prices",
        {
            "customer_code": explicit.customer_code,
            "sku": explicit.product_code,
            "grade": explicit.grade_code,
            "unit_price": None,
        },
    )
    (item,) = egp.feed("prices", cursor).items
    assert item == removed  # the fast feed writer and the row serializer agree
    assert item["deleted"] is True
    assert "unit_price_fen" not in item
    assert (item["customer_code"], item["sku"], item["grade"]) == (
        explicit.customer_code,
        explicit.product_code,
        explicit.grade_code,
    )
    assert item["version"] == 2


def test_events_can_be_filtered_by_stream_and_type_prefix(egp, control):
    control.ok("POST", "stock", {"sku": "S-801", "on_hand": 7})
    control.ok(
        "POST", "prices", {"customer_code": "C0002", "sku": "S-801", "grade": "L1", "unit_price": "3000"}
    )
    assert [e["type"] for e in _all_filtered(egp, streams=["stock"])] == ["stock.changed"]
    assert [e["type"] for e in _all_filtered(egp, types=["price.*"])] == ["price.changed"]
    assert [e["type"] for e in _all_filtered(egp, types=["stock.changed", "price.changed"])] == [
        "stock.changed",
        "price.changed",
    ]


def _all_filtered(egp, **filters):
    return [e for page in egp.iter_feed("events", **filters) for e in page.items]


@pytest.mark.parametrize("limit", ["0", "5001", "-1", "ten", "1.5"])
def test_a_bad_limit_is_a_400(egp, limit):
    with pytest.raises(ErpProtocolError) as excinfo:
        egp.request("GET", "/feeds/prices", query=[("limit", limit)])
    assert excinfo.value.status == 400
    assert excinfo.value.code == "INVALID_REQUEST"


@pytest.mark.parametrize(
    "cursor", ["garbage", "eyJmIjoiY2F0YWxvZyIsInAiOjMyfQ", "eyJmIjoicHJpY2VzIiwicCI6LTF9", "%%%"]
)
def test_a_foreign_or_broken_cursor_is_invalid(egp, cursor):
    # The second one is a real catalog cursor; the third points at -1.
    with pytest.raises(ErpProtocolError) as excinfo:
        egp.feed("prices", cursor)
    assert excinfo.value.code == "INVALID_CURSOR"


def test_an_unknown_feed_is_a_404_and_filters_are_for_events_only(egp):
    with pytest.raises(ErpNotFound) as excinfo:
        egp.request("GET", "/feeds/orders")
    assert excinfo.value.code == "NOT_FOUND"
    with pytest.raises(ErpProtocolError) as excinfo:
        egp.request("GET", "/feeds/prices", query=[("streams", "prices")])
    assert excinfo.value.status == 400
    with pytest.raises(ErpProtocolError) as excinfo:
        egp.request("GET", "/feeds/events", query=[("types", "DROP TABLE")])
    assert excinfo.value.status == 400


def test_every_feed_answers_to_a_signed_client_only(sim_url):
    intruder = EgpClient(sim_url, "demo", "not-the-secret")
    for feed in FEEDS:
        with pytest.raises(ErpAuthError) as excinfo:
            intruder.feed(feed)
        assert excinfo.value.code == "BAD_SIGNATURE"
        assert excinfo.value.status == 401


def test_media_serves_the_listed_images_only(egp):
    image = egp.media("S-801_0.jpg")
    assert image[:2] == b"\xff\xd8" and len(image) > 2000
    with pytest.raises(ErpNotFound) as excinfo:
        egp.media("S-801_9.jpg")
    assert excinfo.value.code == "NOT_FOUND"


def test_reading_ahead_gives_every_page_once_and_other_requests_still_work(egp, dataset):
    from plugins.erp_yidiantong.sync.prefetch import Prefetcher

    expected = _all(egp, "prices", limit=100)
    got = []
    with Prefetcher(egp, "prices", None, 100) as pages:
        while (page := pages.next()) is not None:
            # The next page is on its way; a request on this thread meanwhile gets its own connection.
            assert egp.health()["status"] == "ok"
            got.extend(page.items)
    assert got == expected
    assert pages.next() is None


def test_a_page_asked_for_and_never_read_is_dropped_cleanly(egp):
    from plugins.erp_yidiantong.sync.prefetch import Prefetcher

    with Prefetcher(egp, "prices", None, 10) as pages:
        assert pages.next().has_more
        assert pages.ready() in (True, False)
    # The abandoned answer did not stay on the connection: the next request reads its own.
    assert egp.health()["status"] == "ok"
    assert len(egp.feed("prices", None, 10).items) == 10
