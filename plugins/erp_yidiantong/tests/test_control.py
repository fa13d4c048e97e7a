"""The control API: each switch does exactly its job, and bad input is a 400 that changes nothing."""

from __future__ import annotations

import pytest

from plugins.erp_yidiantong.tests.helpers import explicitly_priced, list_priced


def _event_count(control) -> int:
    return len(control.ok("GET", "events")["items"])


def _given(**changes) -> dict:
    """An envelope as the control API takes it, with ``changes``."""
    return {"id": "a", "type": "x", "stream": "y", "seq": 1, "occurred_at": "t", "data": {}, **changes}


def test_a_price_change_enters_the_price_feed_and_the_event_log(control, dataset):
    code, grade = list_priced(dataset, "S-801")
    item = control.ok(
        "POST", "prices", {"customer_code": code, "sku": "S-801", "grade": grade, "unit_price": "4321.09"}
    )
    assert (item["customer_code"], item["sku"], item["grade"], item["unit_price_fen"]) == (
        code,
        "S-801",
        grade,
        432109,
    )
    assert item["version"] == 1 and item["deleted"] is False
    (event,) = control.ok("GET", "events?type=price.changed")["items"]
    assert event["stream"] == "prices" and event["seq"] == 1
    assert event["data"] == item


def test_prices_for_products_without_grades_use_no_grade(control, dataset):
    product = next(p for p in dataset.products if p.grade_group_code is None)
    item = control.ok("POST", "prices", {"customer_code": "C0003", "sku": product.code, "unit_price": "100"})
    assert item["grade"] == "" and item["unit_price_fen"] == 10000
    bad = control.post(
        "prices", {"customer_code": "C0003", "sku": product.code, "grade": "L1", "unit_price": "100"}
    )
    assert bad.status_code == 400 and "grade" in bad.json["details"]


def test_removing_a_price_twice_is_refused_the_second_time(control, dataset):
    code, grade, _ = explicitly_priced(dataset, "S-801")
    body = {"customer_code": code, "sku": "S-801", "grade": grade, "unit_price": None}
    assert control.ok("POST", "prices", body)["deleted"] is True
    again = control.post("prices", body)
    assert again.status_code == 400 and "unit_price" in again.json["details"]


def test_list_price_customer_and_stock_changes_move_their_feeds(control):
    listed = control.ok("POST", "list-prices", {"sku": "S-801", "grade": "L2", "list_price": "7300"})
    assert (listed["list_price_fen"], listed["product_version"]) == (730000, 2)
    customer = control.ok(
        "POST", "customers/C0002", {"discount_rate": "0.8", "credit_limit": "123456.78", "active": False}
    )
    assert (customer["discount_rate"], customer["credit_limit_fen"], customer["active"]) == (
        "0.8",
        12345678,
        False,
    )
    stock = control.ok("POST", "stock", {"sku": "S-801", "on_hand": 4})
    assert (stock["on_hand"], stock["available"]) == (4, 4)
    types = [e["type"] for e in control.ok("GET", "events")["items"]][-3:]
    assert types == ["list_price.changed", "customer.changed", "stock.changed"]


def test_an_untracked_product_gets_a_stock_row_when_stock_is_set(control, dataset):
    product = next(p for p in dataset.products if p.stock_qty is None)
    item = control.ok("POST", "stock", {"sku": product.code, "on_hand": 9})
    assert (item["sku"], item["on_hand"], item["version"]) == (product.code, 9, 1)


def test_products_accounts_and_assignments(control):
    product = control.ok("POST", "products/S-801", {"published": False})
    assert product["published"] is False and product["version"] == 2
    gone = control.ok("POST", "products/S-801", {"deleted": True})
    assert gone == {"sku": "S-801", "version": 3, "updated_at": gone["updated_at"], "deleted": True}
    account = control.ok("POST", "accounts/dealer2", {"password": "new-pass-2026", "display_name": "黄丽萍"})
    assert account["display_name"] == "黄丽萍" and account["password"]["hash"].startswith("$argon2id$")
    unassigned = control.ok(
        "POST", "rep-assignments", {"rep_username": "rep1", "customer_code": "C0001", "assigned": False}
    )
    assert unassigned["deleted"] is True
    assigned = control.ok(
        "POST", "rep-assignments", {"rep_username": "rep1", "customer_code": "C0001", "assigned": True}
    )
    assert assigned["deleted"] is False and assigned["version"] == 3


def test_events_are_appended_exactly_as_given(control):
    real = control.ok("GET", "events")["items"][0]
    out_of_order = {**real, "id": "custom-2", "seq": 99}
    earlier = {**real, "id": "custom-1", "seq": 50, "type": "production.progress", "stream": "production"}
    before = _event_count(control)
    answer = control.ok("POST", "events", {"events": [real, out_of_order, earlier, real], "push": False})
    assert answer == {"appended": 4, "push": False}
    items = control.ok("GET", "events")["items"]
    assert len(items) == before + 4
    assert items[-4:] == [real, out_of_order, earlier, real]


@pytest.mark.parametrize(
    ("event", "field"),
    [
        ({"type": "x", "stream": "y", "seq": 1, "occurred_at": "t", "data": {}}, "event.id"),
        ({"id": "a", "type": "x", "stream": "y", "seq": 0, "occurred_at": "t", "data": {}}, "event.seq"),
        ({"id": "a", "type": "x", "stream": "y", "seq": True, "occurred_at": "t", "data": {}}, "event.seq"),
        ({"id": "a", "type": "x", "stream": "y", "seq": 1, "occurred_at": "t", "data": []}, "event.data"),
        ("not an object", "JSON object"),
        (_given(seq=2**63), "event.seq must be at most 9223372036854775807"),
        (_given(type="x" * 65), "event.type"),
        (_given(stream="y" * 33), "event.stream"),
    ],
)
def test_a_bad_envelope_is_named_by_its_index(control, event, field):
    before = _event_count(control)
    good = control.ok("GET", "events")["items"][0]
    result = control.post("events", {"events": [good, event]})
    assert result.status_code == 400
    assert list(result.json["details"]["events"]) == ["1"]
    assert field in result.json["details"]["events"]["1"][0]
    assert _event_count(control) == before


def test_the_largest_seq_and_the_longest_type_and_stream_are_appended(control):
    given = _given(type="x" * 64, stream="y" * 32, seq=2**63 - 1)
    assert control.ok("POST", "events", {"events": [given]}) == {"appended": 1, "push": False}
    assert control.ok("GET", "events")["items"][-1] == given


def test_faults_are_validated_changed_and_reset(control):
    assert control.ok("GET", "faults")["delay_ms"] == 0
    changed = control.ok("POST", "faults", {"delay_ms": 5, "push_reverse": True, "clock_skew_s": -400})
    assert (changed["delay_ms"], changed["push_reverse"], changed["clock_skew_s"]) == (5, True, -400)
    assert control.post("faults", {"error_rate_5xx": 1.5}).status_code == 400
    assert control.post("faults", {"delay_ms": "5"}).status_code == 400
    assert control.post("faults", {"explode": True}).status_code == 400
    assert control.ok("GET", "faults")["delay_ms"] == 5
    reset = control.ok("DELETE", "faults")
    assert (reset["delay_ms"], reset["push_reverse"], reset["clock_skew_s"]) == (0, False, 0)


def test_status_reports_the_switches_and_counts(control, dataset):
    status = control.ok("GET", "status")
    assert status["online"] is True
    assert status["counts"]["products"] == len(dataset.products)
    assert status["counts"]["customer_prices"] == len(dataset.customer_prices)
    assert status["push"] == {"url": None, "pending": status["push"]["pending"]}


def test_unknown_orders_and_dealers_are_404(control):
    assert control.get("orders/SO-NONE").status_code == 404
    assert control.post("advance", {"platform_order_no": "SO-NONE", "steps": 1}).status_code == 404
    assert control.post("customers/C9999", {"discount_rate": "0.9"}).json["code"] == "NOT_FOUND"
    assert control.get("ledger/C9999").status_code == 404


BAD_BODIES = [
    ("prices", {"customer_code": "C0001", "sku": "S-801", "grade": "L1", "unit_price": 4980.0}),
    ("prices", {"customer_code": "C0001", "sku": "S-801", "grade": "L1", "unit_price": "49.801"}),
    ("prices", {"customer_code": "C0001", "sku": "S-801", "grade": "L1", "unit_price": "-5"}),
    ("prices", {"customer_code": "C0001", "sku": "S-801", "grade": "L1"}),
    ("prices", {"customer_code": "C0001", "sku": "S-801", "grade": "ZZ", "unit_price": "1"}),
    ("prices", {"customer_code": "C0001", "sku": "S-801", "unit_price": "1"}),
    ("prices", {"customer_code": "C9999", "sku": "S-801", "grade": "L1", "unit_price": "1"}),
    ("prices", {"customer_code": "C0001", "sku": "NOPE", "grade": "L1", "unit_price": "1"}),
    ("prices", {"customer_code": "C0001", "sku": "S-801", "grade": "L1", "unit_price": "1", "extra": 1}),
    ("list-prices", {"sku": "S-801", "grade": "L1", "list_price": "abc"}),
    ("list-prices", {"sku": "S-801", "list_price": "1"}),
    ("customers/C0001", {"discount_rate": "1.5"}),
    ("customers/C0001", {"discount_rate": "0"}),
    ("customers/C0001", {"discount_rate": 0.85}),
    ("customers/C0001", {"discount_rate": "0.123456"}),
    ("customers/C0001", {}),
    ("stock", {"sku": "S-801", "on_hand": -1}),
    ("stock", {"sku": "S-801", "on_hand": "5"}),
    ("stock", {"sku": "S-801", "on_hand": 2.5}),
    ("products/S-801", {"status": "gone"}),
    ("products/S-801", {}),
    ("rep-assignments", {"rep_username": "dealer1", "customer_code": "C0001", "assigned": True}),
    ("rep-assignments", {"rep_username": "rep1", "customer_code": "C0016", "assigned": False}),
    ("accounts/dealer1", {"password": "short"}),
    ("advance", {"steps": 0}),
    ("advance", {"steps": 9}),
    ("advance", {"steps": "1"}),
    ("advance", {"platform_order_no": ""}),
    ("events", {"events": []}),
    ("events", {"events": "x"}),
    ("events", {"push": True}),
    ("offline", {"now": True}),
    # Integers past 64 bits and lone surrogates (sent as JSON escapes) on every write path.
    ("stock", {"sku": "S-801", "on_hand": 2**64}),
    ("advance", {"steps": 2**64}),
    ("faults", {"delay_ms": 2**64}),
    ("faults", {"fail_next": 2**63}),
    ("faults", {"clock_skew_s": -(2**64)}),
    ("faults", {"error_rate_5xx": 2**64}),
    ("prices", {"customer_code": "\ud800", "sku": "S-801", "grade": "L1", "unit_price": "1"}),
    ("prices", {"customer_code": "C0001", "sku": "S-801\udfff", "grade": "L1", "unit_price": "1"}),
    ("list-prices", {"sku": "\ud800", "list_price": "1"}),
    ("list-prices", {"sku": "S-801", "grade": "L1\ud800", "list_price": "1"}),
    ("customers/C0001", {"credit_limit": "1\ud800"}),
    ("stock", {"sku": "\ud800", "on_hand": 1}),
    ("products/S-801", {"status": "\ud800"}),
    ("rep-assignments", {"rep_username": "\ud800", "customer_code": "C0001", "assigned": True}),
    ("accounts/dealer1", {"display_name": "\ud800"}),
    ("accounts/dealer1", {"password": "password\ud800"}),
    ("advance", {"platform_order_no": "\ud800"}),
    ("events", {"events": [_given(seq=2**63)]}),
    ("events", {"events": [_given(id="\ud800")]}),
    ("events", {"events": [_given(data={"\udc00": 1})]}),
    ("faults", {"\ud800": True}),
    ("offline", {"\ud800": True}),
]


@pytest.mark.parametrize(("path", "body"), BAD_BODIES)
def test_bad_input_is_a_400_that_changes_nothing(control, path, body):
    before = (control.ok("GET", "status")["counts"], _event_count(control), control.ok("GET", "faults"))
    result = control.post(path, body)
    assert result.status_code == 400, result.text
    assert result.json["code"] == "INVALID_REQUEST"
    assert result.json["retryable"] is False
    assert result.json["details"]
    assert (
        control.ok("GET", "status")["counts"],
        _event_count(control),
        control.ok("GET", "faults"),
    ) == before
    assert control.ok("GET", "status")["online"] is True


@pytest.mark.parametrize(
    ("raw", "content_type", "status"),
    [
        ("{", "application/json", 400),
        ("[]", "application/json", 400),
        ("null", "application/json", 400),
        ('"text"', "application/json", 400),
        (b"\xed\xa0\x80", "application/json", 400),
        ('{"sku": "S-801", "on_hand": 1}', "text/plain", 415),
        ("", "application/json", 400),
    ],
)
def test_broken_bodies_never_crash(control, raw, content_type, status):
    result = control.request("POST", "stock", raw=raw, headers={"Content-Type": content_type})
    assert result.status_code == status
    assert result.json["code"] in ("INVALID_REQUEST", "UNSUPPORTED_MEDIA_TYPE")


def test_every_control_path_answers_bad_methods_in_the_error_format(control):
    for path in ("prices", "advance", "orders", "events", "faults", "offline"):
        result = control.request("PATCH", path)
        assert result.status_code == 405
        assert result.json["code"] == "METHOD_NOT_ALLOWED"


@pytest.mark.parametrize(
    "path", ["orders/SO%00", "orders?platform_order_no=%00", "events?stream=%00", "imports?platform_order_no=%00"]
)
def test_a_nul_character_in_the_address_is_a_400(control, path):
    result = control.get(path)
    assert result.status_code == 400, result.text
    assert result.json["code"] == "INVALID_REQUEST"


def test_a_nul_character_in_a_body_is_a_400(control):
    result = control.request("POST", "prices", raw='{"customer_code": "C0001\\u0000", "sku": "S-801", "unit_price": "1.00"}')
    assert result.status_code == 400, result.text
