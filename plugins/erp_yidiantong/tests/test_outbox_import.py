"""A dealer's order reaches the ERP exactly once, with the same lines, prices and total."""

from __future__ import annotations

from plugins.erp_yidiantong.tests.outbox_helpers import (
    erp_order,
    fen,
    outbox_rows,
    place_order,
    platform_lines,
    sim_lines,
)

SOFA_OPTIONS = {"SOFA-COVER": "L1", "SOFA-COLOR": "NP-11", "SOFA-LEG": "LG-02", "CUSHION": "CU-2"}


def test_order_appears_in_the_erp_once_with_the_same_lines_prices_and_total(connector_app, shop, sim_http):
    dealer = shop("dealer1")
    placed = place_order(
        dealer, connector_app, [("S-801", 2, SOFA_OPTIONS), ("S-801-LA", 3, {})], remark="周六上午送货"
    )
    assert placed.status_code == 201, placed.text
    order = placed.json
    number = order["no"]

    held = sim_http.order(number)
    assert held is not None
    assert held["created_count"] == 1
    assert held["customer_code"] == "C0001"
    assert sim_lines(held) == platform_lines(order)
    assert held["total_fen"] == fen(order["total"])
    assert held["remark"] == "周六上午送货"
    assert held["lines"][0]["options"] == SOFA_OPTIONS
    assert held["requests"] == 1
    imports = sim_http.get(f"imports?platform_order_no={number}")["items"]
    assert [(i["idempotency_key"], i["status"], i["replayed"]) for i in imports] == [
        (f"{number}:1", 201, False)
    ]

    (message,) = outbox_rows(connector_app, number)
    assert (message.status, message.outcome, message.attempts) == ("done", "imported", 0)
    assert message.idempotency_key == f"{number}:1"
    erp = erp_order(connector_app, number)
    assert (erp.status, erp.erp_order_no, erp.stage) == ("imported", held["erp_order_no"], "review")

    seen = dealer.get(f"orders/{number}").json["erp"]
    assert seen["status"] == "imported"
    assert seen["erp_order_no"] == held["erp_order_no"]
    assert seen["status_label"] == "工厂已接单"
