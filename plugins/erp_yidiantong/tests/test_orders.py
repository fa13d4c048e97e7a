"""Quotes, order import (idempotent), rejections, revisions, payments, production."""

from __future__ import annotations

import threading
from decimal import ROUND_HALF_UP, Decimal

import pytest

from plugins.erp_yidiantong.egp.client import (
    EgpClient,
    ErpConflict,
    ErpNotFound,
    ErpProtocolError,
    ErpRejected,
)
from plugins.erp_yidiantong.tests.helpers import KEY_ID, SECRET, explicitly_priced, list_priced, order_body

SOFA = {"sku": "S-801", "options": {"SOFA-COVER": "L2", "SOFA-COLOR": "NP-11", "CUSHION": "CU-4"}, "qty": 3}


def _half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal("1"), rounding=ROUND_HALF_UP))


# -- quotes ------------------------------------------------------------------------------------


def test_quote_uses_list_price_times_rate_plus_surcharges_rounded_once(egp, dataset):
    code, grade = list_priced(dataset, "S-801")
    product = dataset.product("S-801")
    options = {"SOFA-COVER": grade, "SOFA-COLOR": "NP-11", "CUSHION": "CU-4"}
    (item,) = egp.quote_prices(code, [{"sku": "S-801", "options": options, "qty": 3}])["items"]
    rate = dataset.customer(code).discount_rate
    exact = Decimal(product.list_prices[grade]) * rate + (Decimal(15000) + Decimal(30000)) * rate
    assert item["unit_price_fen"] == _half_up(exact)
    assert item["line_total_fen"] == item["unit_price_fen"] * 3
    assert item["source"] == "list_discount"
    assert Decimal(item["discount_rate"]) == rate
    assert item["options"] == {
        "SOFA-COVER": grade,
        "SOFA-COLOR": "NP-11",
        "SOFA-LEG": "LG-01",
        "CUSHION": "CU-4",
    }
    assert item["surcharges"] == [
        {"group": "SOFA-COLOR", "value": "NP-11", "surcharge_fen": 15000},
        {"group": "CUSHION", "value": "CU-4", "surcharge_fen": 30000},
    ]


def test_quote_prefers_the_dealer_explicit_price_and_still_adds_surcharges(egp, dataset):
    code, grade, explicit = explicitly_priced(dataset, "S-801")
    options = {"SOFA-COVER": grade, "SOFA-COLOR": "NP-11"}
    (item,) = egp.quote_prices(code, [{"sku": "S-801", "options": options}])["items"]
    assert item["source"] == "customer_price"
    rate = dataset.customer(code).discount_rate
    assert item["unit_price_fen"] == _half_up(Decimal(explicit) + Decimal(15000) * rate)
    assert item["qty"] == 1


def test_quote_reports_bad_items_and_prices_the_rest(egp):
    quote = egp.quote_prices(
        "C0001",
        [
            {"sku": "NOPE"},
            {"sku": "S-801", "options": {"SOFA-COVER": "ZZ"}},
            {"sku": "S-801", "options": {"NO-GROUP": "X"}},
            {"sku": "S-801"},
        ],
    )
    errors = [i.get("error", {}).get("code") for i in quote["items"]]
    assert errors == ["SKU_UNKNOWN", "OPTION_UNKNOWN", "OPTION_UNKNOWN", None]
    assert quote["items"][1]["error"]["details"] == {
        "group": "SOFA-COVER",
        "value": "ZZ",
        "reason": "no such value",
    }
    assert quote["items"][3]["grade"] == "FA"
    assert quote["price_list_version"] == "PL000001"


def test_quote_for_an_unknown_dealer_is_rejected(egp):
    with pytest.raises(ErpRejected) as excinfo:
        egp.quote_prices("C9999", [{"sku": "S-801"}])
    assert excinfo.value.code == "DEALER_UNKNOWN"
    assert excinfo.value.status == 422


def test_quote_follows_price_rate_and_list_changes(egp, control, dataset):
    code, grade = list_priced(dataset, "S-801")
    options = {"SOFA-COVER": grade}
    control.ok("POST", f"customers/{code}", {"discount_rate": "0.5"})
    (item,) = egp.quote_prices(code, [{"sku": "S-801", "options": options}])["items"]
    assert item["unit_price_fen"] == _half_up(Decimal(dataset.product("S-801").list_prices[grade]) / 2)
    control.ok("POST", "list-prices", {"sku": "S-801", "grade": grade, "list_price": "8000.01"})
    (item,) = egp.quote_prices(code, [{"sku": "S-801", "options": options}])["items"]
    assert item["unit_price_fen"] == 400001  # 800001 × 0.5 = 400000.5, half up
    control.ok(
        "POST", "prices", {"customer_code": code, "sku": "S-801", "grade": grade, "unit_price": "5555.55"}
    )
    quote = egp.quote_prices(code, [{"sku": "S-801", "options": options}])
    assert quote["items"][0]["unit_price_fen"] == 555555
    assert quote["items"][0]["source"] == "customer_price"
    assert quote["price_list_version"] == "PL000004"


def test_stock_query(egp, dataset):
    tracked = next(p for p in dataset.products if p.stock_qty is not None)
    untracked = next(p for p in dataset.products if p.stock_qty is None)
    answer = egp.query_stock([tracked.code, untracked.code, "NOPE"])
    first, second, third = answer["items"]
    assert (first["sku"], first["on_hand"], first["available"], first["tracked"]) == (
        tracked.code,
        tracked.stock_qty,
        tracked.stock_qty,
        True,
    )
    assert second == {"sku": untracked.code, "tracked": False}
    assert third["error"]["code"] == "SKU_UNKNOWN"


# -- import ------------------------------------------------------------------------------------


def test_an_order_is_created_once_and_replays_get_the_same_answer(egp, control):
    body = order_body(egp, "SO20260302-0001", [SOFA, {"sku": "S-801", "qty": 1}])
    first = egp.import_order(body)
    assert first.status == 201 and not first.replayed
    assert first.erp_order_no.startswith("XS")
    assert first.body["total_fen"] == body["total_fen"]
    again = egp.import_order(body)
    assert again.replayed and again.status == 201 and again.body == first.body
    # Key order and spacing do not matter: the same JSON value is the same body.
    reordered = dict(reversed(list(body.items())))
    assert egp.import_order(reordered).body == first.body
    held = control.ok("GET", "orders/SO20260302-0001")
    assert held["created_count"] == 1
    assert held["requests"] == 3
    assert held["erp_order_no"] == first.erp_order_no
    assert held["total_fen"] == body["total_fen"]
    assert [
        (line["sku"], line["qty"], line["unit_price_fen"], line["line_total_fen"]) for line in held["lines"]
    ] == [
        (line["sku"], line["qty"], line["unit_price_fen"], line["line_total_fen"]) for line in body["lines"]
    ]
    imports = control.ok("GET", "imports?platform_order_no=SO20260302-0001")["items"]
    assert [(i["status"], i["replayed"]) for i in imports] == [(201, False), (201, True), (201, True)]
    assert len(control.ok("GET", "orders")["items"]) == 1


def test_the_same_key_with_a_different_body_is_a_revision_conflict(egp, control):
    body = order_body(egp, "SO20260302-0002", [SOFA])
    egp.import_order(body)
    changed = {**body, "remark": "请周末送货"}
    with pytest.raises(ErpConflict) as excinfo:
        egp.import_order(changed)
    assert excinfo.value.code == "REVISION_CONFLICT"
    assert excinfo.value.status == 409
    held = control.ok("GET", "orders/SO20260302-0002")
    assert held["remark"] == "" and held["created_count"] == 1 and held["requests"] == 2


def test_concurrent_imports_of_one_order_create_one_erp_order(egp, sim_url, control):
    body = order_body(egp, "SO20260302-0003", [SOFA])
    answers, errors = [], []

    def send():
        client = EgpClient(sim_url, KEY_ID, SECRET)
        try:
            answers.append(client.import_order(body))
        except Exception as ex:  # collected and asserted below
            errors.append(ex)
        finally:
            client.close()

    threads = [threading.Thread(target=send) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len({a.erp_order_no for a in answers}) == 1
    assert sorted(a.replayed for a in answers) == [False] + [True] * 7
    held = control.ok("GET", "orders/SO20260302-0003")
    assert (held["created_count"], held["requests"]) == (1, 8)
    assert len(control.ok("GET", "orders")["items"]) == 1


def test_import_books_the_order_on_the_ledger_and_reserves_stock(egp, control, dataset):
    before = control.ok("GET", "ledger/C0001")
    stock_before = egp.query_stock(["S-801"])["items"][0]
    body = order_body(egp, "SO20260302-0004", [SOFA])
    egp.import_order(body)
    after = control.ok("GET", "ledger/C0001")
    entry = after["items"][-1]
    assert (entry["kind"], entry["amount_fen"], entry["goods_fen"]) == (
        "order",
        -body["total_fen"],
        body["total_fen"],
    )
    assert after["balance_fen"] == before["balance_fen"] - body["total_fen"] == entry["balance_fen"]
    stock_after = egp.query_stock(["S-801"])["items"][0]
    assert stock_after["reserved"] == stock_before["reserved"] + 3
    assert stock_after["available"] == stock_before["available"] - 3
    types = [e["type"] for e in control.ok("GET", "events")["items"]]
    assert types[-4:] == ["order.accepted", "production.progress", "ledger.entry", "stock.changed"]


def test_order_status_answers_what_the_erp_holds(egp):
    assert egp.order_status("SO-NEVER-SENT") is None
    body = order_body(egp, "SO20260302-0005", [SOFA])
    egp.import_order(body)
    status = egp.order_status("SO20260302-0005")
    assert (status["status"], status["stage"], status["stage_name"], status["revision"]) == (
        "accepted",
        "review",
        "审单",
        1,
    )
    assert status["total_fen"] == body["total_fen"]


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (lambda b: b.update(customer_code="C9999"), "DEALER_UNKNOWN"),
        (lambda b: b["lines"][0].update(sku="NOPE"), "SKU_UNKNOWN"),
        (lambda b: b["lines"][0].update(options={"SOFA-COVER": "ZZ"}), "OPTION_UNKNOWN"),
    ],
)
def test_business_rejections(egp, control, change, code):
    body = order_body(egp, "SO20260302-0010", [SOFA])
    change(body)
    with pytest.raises(ErpRejected) as excinfo:
        egp.import_order(body)
    assert excinfo.value.code == code
    assert excinfo.value.retryable is False
    # A rejection is final for this key: the replay is the same 422.
    with pytest.raises(ErpRejected) as again:
        egp.import_order(body)
    assert again.value.code == code
    assert control.get("orders/SO20260302-0010").status_code == 404
    imports = control.ok("GET", "imports?platform_order_no=SO20260302-0010")["items"]
    assert [(i["status"], i["code"], i["replayed"]) for i in imports] == [
        (422, code, False),
        (422, code, True),
    ]


def test_a_stale_price_is_a_price_mismatch_naming_both_prices(egp, control):
    body = order_body(egp, "SO20260302-0011", [SOFA, {"sku": "S-801", "options": {"SOFA-COVER": "FA"}}])
    control.ok(
        "POST", "prices", {"customer_code": "C0001", "sku": "S-801", "grade": "FA", "unit_price": "2999.00"}
    )
    with pytest.raises(ErpRejected) as excinfo:
        egp.import_order(body)
    assert excinfo.value.code == "PRICE_MISMATCH"
    (line,) = excinfo.value.details["lines"]
    assert (line["line_no"], line["erp_unit_price_fen"]) == (2, 299900)
    assert line["unit_price_fen"] == body["lines"][1]["unit_price_fen"]
    # Quote again and send a new revision: accepted.
    fresh = order_body(
        egp, "SO20260302-0011", [SOFA, {"sku": "S-801", "options": {"SOFA-COVER": "FA"}}], revision=2
    )
    assert egp.import_order(fresh).status == 201


def test_a_nonstandard_line_keeps_the_price_support_set(egp, control):
    body = order_body(egp, "SO20260302-0012", [SOFA])
    body["lines"][0].update(
        nonstandard=True, custom_spec="长度改为3000mm", unit_price_fen=600000, line_total_fen=1800000
    )
    body["total_fen"] = 1800000
    assert egp.import_order(body).status == 201
    assert control.ok("GET", "orders/SO20260302-0012")["lines"][0]["unit_price_fen"] == 600000


def test_discontinued_products_cannot_be_ordered(egp, control):
    body = order_body(egp, "SO20260302-0013", [SOFA])
    control.ok("POST", "products/S-801", {"status": "discontinued"})
    with pytest.raises(ErpRejected) as excinfo:
        egp.import_order(body)
    assert excinfo.value.code == "DISCONTINUED"
    assert excinfo.value.details["lines"] == [{"line_no": 1, "sku": "S-801"}]


def test_credit_limit(egp, control):
    body = order_body(egp, "SO20260302-0014", [SOFA], customer="C0002")
    balance = control.ok("GET", "ledger/C0002")["balance_fen"]
    # Just enough credit: accepted; one fen less: rejected.
    limit = body["total_fen"] - balance - 1
    control.ok("POST", "customers/C0002", {"credit_limit": f"{limit // 100}.{limit % 100:02d}"})
    with pytest.raises(ErpRejected) as excinfo:
        egp.import_order(body)
    assert excinfo.value.code == "CREDIT_LIMIT"
    assert excinfo.value.details == {"available_fen": balance + limit, "unpaid_fen": body["total_fen"]}
    paid = {**body, "revision": 2, "paid_fen": 1, "payment_status": "partially_paid"}
    assert egp.import_order(paid).status == 201


@pytest.mark.parametrize(
    "change",
    [
        lambda b: b.update(total_fen=b["total_fen"] + 1),
        lambda b: b["lines"][0].update(line_total_fen=1),
        lambda b: b["lines"][0].update(qty=True),
        lambda b: b["lines"][0].update(qty=1.5),
        lambda b: b["lines"][0].update(unit_price_fen="504400"),
        lambda b: b.update(lines=[]),
        lambda b: b.update(currency="USD"),
        lambda b: b.update(created_at="2026-03-02 10:00"),
        lambda b: b.update(platform_order_no="SO-OTHER"),
        lambda b: b.pop("revision"),
    ],
)
def test_malformed_imports_are_400_and_change_nothing(egp, control, change):
    body = order_body(egp, "SO20260302-0015", [SOFA])
    change(body)
    with pytest.raises(ErpProtocolError) as excinfo:
        egp.import_order(body, idempotency_key="SO20260302-0015:1")
    assert excinfo.value.status == 400
    assert excinfo.value.code == "INVALID_REQUEST"
    assert control.ok("GET", "orders")["items"] == []
    assert control.ok("GET", "imports")["items"] == []


def test_the_idempotency_key_must_name_the_order_and_revision(egp):
    body = order_body(egp, "SO20260302-0016", [SOFA])
    for key in ("", "SO20260302-0016", "SO20260302-0016:2", "other:1"):
        with pytest.raises(ErpProtocolError) as excinfo:
            egp.request(
                "PUT", "/orders/SO20260302-0016", body=body, headers={"Idempotency-Key": key} if key else {}
            )
        assert "Idempotency-Key" in excinfo.value.details


def test_revisions_replace_the_order_until_production_starts(egp, control):
    body = order_body(egp, "SO20260302-0020", [SOFA])
    created = egp.import_order(body)
    revised_body = order_body(egp, "SO20260302-0020", [{**SOFA, "qty": 1}], revision=2)
    revised = egp.import_order(revised_body)
    assert revised.status == 200
    assert revised.erp_order_no == created.erp_order_no
    assert revised.body["revision"] == 2
    held = control.ok("GET", "orders/SO20260302-0020")
    assert (held["revision"], held["total_fen"], held["created_count"]) == (2, revised_body["total_fen"], 1)
    adjustment = control.ok("GET", "ledger/C0001")["items"][-1]
    assert adjustment["kind"] == "order_adjustment"
    assert adjustment["amount_fen"] == body["total_fen"] - revised_body["total_fen"]
    # Revision 1 again is a replay of its first answer, not a step back.
    assert egp.import_order(body).body == created.body
    assert control.ok("GET", "orders/SO20260302-0020")["revision"] == 2
    control.ok("POST", "advance", {"platform_order_no": "SO20260302-0020", "steps": 2})
    third = order_body(egp, "SO20260302-0020", [SOFA], revision=3)
    with pytest.raises(ErpConflict) as excinfo:
        egp.import_order(third)
    assert excinfo.value.code == "ORDER_LOCKED"
    assert excinfo.value.details == {"stage": "cutting"}


def test_an_older_revision_than_the_erp_holds_is_stale(egp):
    egp.import_order(order_body(egp, "SO20260302-0021", [SOFA], revision=2))
    with pytest.raises(ErpConflict) as excinfo:
        egp.import_order(order_body(egp, "SO20260302-0021", [SOFA], revision=1))
    assert excinfo.value.code == "REVISION_STALE"
    assert excinfo.value.details == {"current_revision": 2}


# -- payments ----------------------------------------------------------------------------------


def _payment(amount: int, channel: str = "wechat", txid: str = "4200000001") -> dict:
    return {
        "amount_fen": amount,
        "channel": channel,
        "transaction_id": txid,
        "paid_at": "2026-03-02T10:05:00+08:00",
    }


def test_a_payment_is_posted_once(egp, control):
    body = order_body(egp, "SO20260302-0030", [SOFA])
    egp.import_order(body)
    balance = control.ok("GET", "ledger/C0001")["balance_fen"]
    answer = egp.notify_payment("SO20260302-0030", "PAY-1", _payment(body["total_fen"]))
    assert (answer["paid_fen"], answer["payment_status"]) == (body["total_fen"], "paid")
    assert egp.notify_payment("SO20260302-0030", "PAY-1", _payment(body["total_fen"])) == answer
    ledger = control.ok("GET", "ledger/C0001")
    payments = [e for e in ledger["items"] if e["kind"] == "payment"]
    assert len(payments) == 1 and payments[0]["entry_no"] == answer["ledger_entry_no"]
    assert ledger["balance_fen"] == balance + body["total_fen"]
    with pytest.raises(ErpConflict) as excinfo:
        egp.notify_payment("SO20260302-0030", "PAY-1", _payment(body["total_fen"] - 1))
    assert excinfo.value.code == "PAYMENT_CONFLICT"
    assert control.ok("GET", "orders/SO20260302-0030")["payments"] == [
        {
            "payment_id": "PAY-1",
            "amount_fen": body["total_fen"],
            "channel": "wechat",
            "paid_at": "2026-03-02T10:05:00+08:00",
        }
    ]


def test_paying_from_the_balance_moves_no_money(egp, control):
    body = order_body(egp, "SO20260302-0031", [SOFA])
    egp.import_order(body)
    balance = control.ok("GET", "ledger/C0001")["balance_fen"]
    answer = egp.notify_payment("SO20260302-0031", "PAY-2", _payment(body["total_fen"], "balance", ""))
    assert answer["ledger_entry_no"] is None and answer["payment_status"] == "paid"
    assert control.ok("GET", "ledger/C0001")["balance_fen"] == balance


def test_a_payment_for_an_unknown_order_is_refused(egp):
    with pytest.raises(ErpNotFound) as excinfo:
        egp.notify_payment("SO-NEVER-SENT", "PAY-3", _payment(100))
    assert excinfo.value.code == "ORDER_UNKNOWN"
    with pytest.raises(ErpProtocolError) as excinfo:
        egp.notify_payment("SO-NEVER-SENT", "PAY-3", _payment(100, channel="cash"))
    assert excinfo.value.status == 400


# -- production --------------------------------------------------------------------------------


def _production(control, number):
    return [
        e
        for e in control.ok("GET", "events?stream=production")["items"]
        if e["data"]["platform_order_no"] == number
    ]


def test_advance_moves_through_every_stage_with_increasing_seq(egp, control):
    egp.import_order(order_body(egp, "SO20260302-0040", [SOFA]))
    egp.import_order(order_body(egp, "SO20260302-0041", [{"sku": "S-801", "qty": 1}]))
    moved = control.ok("POST", "advance", {"platform_order_no": "SO20260302-0040", "steps": 3})["orders"]
    assert moved == [{"platform_order_no": "SO20260302-0040", "stage": "woodwork", "stage_seq": 4}]
    stages = _production(control, "SO20260302-0040")
    assert [e["data"]["stage"] for e in stages] == ["review", "scheduled", "cutting", "woodwork"]
    assert [e["data"]["stage_name"] for e in stages] == ["审单", "排产", "开料", "木工"]
    every = control.ok("GET", "events?stream=production")["items"]
    assert [e["seq"] for e in every] == list(range(1, len(every) + 1))
    # Without an order number every open order moves; shipped orders stop.
    moved = control.ok("POST", "advance", {"steps": 8})["orders"]
    assert moved == [
        {"platform_order_no": "SO20260302-0040", "stage": "shipped", "stage_seq": 8},
        {"platform_order_no": "SO20260302-0041", "stage": "shipped", "stage_seq": 8},
    ]
    assert [e["data"]["stage_seq"] for e in _production(control, "SO20260302-0040")] == list(range(1, 9))
    assert egp.order_status("SO20260302-0040")["status"] == "shipped"
    assert control.ok("POST", "advance", {"steps": 1})["orders"] == []


def test_shipping_creates_a_barcode_per_package_books_it_and_takes_stock(egp, control, dataset):
    stock_before = egp.query_stock(["S-801"])["items"][0]
    egp.import_order(order_body(egp, "SO20260302-0042", [SOFA]))
    control.ok("POST", "advance", {"platform_order_no": "SO20260302-0042", "steps": 7})
    (shipment,) = control.ok("GET", "events?type=shipment.dispatched")["items"]
    data = shipment["data"]
    packages = dataset.product("S-801").packages
    assert len(data["packages"]) == 3 * packages
    barcodes = [p["barcode"] for p in data["packages"]]
    assert len(set(barcodes)) == len(barcodes)
    assert barcodes[0] == f"{data['erp_order_no']}-01-001-1"
    assert data["lines"] == [{"line_no": 1, "sku": "S-801", "qty": 3}]
    assert egp.order_status("SO20260302-0042")["shipments"] == [data["shipment_no"]]
    entry = control.ok("GET", "ledger/C0001")["items"][-1]
    assert (entry["kind"], entry["amount_fen"], entry["shipment_no"]) == ("shipment", 0, data["shipment_no"])
    stock_after = egp.query_stock(["S-801"])["items"][0]
    assert stock_after["on_hand"] == stock_before["on_hand"] - 3
    assert stock_after["reserved"] == stock_before["reserved"]
    types = [e["type"] for e in control.ok("GET", "events")["items"]][-5:]
    assert types == [
        "production.progress",
        "production.progress",
        "shipment.dispatched",
        "ledger.entry",
        "stock.changed",
    ]
