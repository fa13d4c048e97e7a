"""Cancelling an order the ERP holds: refused once production started, else sent to the ERP once."""

from __future__ import annotations

import datetime as dt

from core.db import utcnow
from plugins.erp_yidiantong.egp.client import ErpConflict, ErpNotFound
from plugins.erp_yidiantong.outbox.dispatcher import dispatch_due
from plugins.erp_yidiantong.sync import run_sync
from plugins.erp_yidiantong.tests.outbox_helpers import erp_order, outbox_rows, place_order
from plugins.orders.lifecycle import cancel_overdue_orders
from plugins.orders.models import Order

import pytest


def _erp_sku(dataset) -> str:
    return next(p.code for p in dataset.products if p.stock_mode == "erp" and p.published and not p.grade_group_code)


def _sync_events(app) -> None:
    with app.ctx.activate() as ctx:
        runs = run_sync(ctx, ["events"])
        assert all(r.status == "ok" for r in runs), [(r.stream, r.error) for r in runs]


def _reserved(egp, sku: str) -> int:
    (item,) = egp.query_stock([sku])["items"]
    return item["reserved"]


def test_a_cancel_before_production_reaches_the_erp_once(connector_app, shop, sim_http, egp, dataset):
    sku = _erp_sku(dataset)
    reserved_before = _reserved(egp, sku)
    dealer = shop("dealer1")
    number = place_order(dealer, connector_app, [(sku, 2, {})]).json["no"]
    assert sim_http.order(number)["status"] == "accepted"
    assert _reserved(egp, sku) == reserved_before + 2

    answer = dealer.post(f"orders/{number}/cancel", {"reason": "选错了"})
    assert answer.status_code == 200, answer.text

    held = sim_http.order(number)
    assert held["status"] == "cancelled"
    assert held["created_count"] == 1
    assert _reserved(egp, sku) == reserved_before  # the ERP let the reservation go
    _, cancel = outbox_rows(connector_app, number)
    assert (cancel.kind, cancel.status, cancel.outcome) == ("cancel_order", "done", "cancelled")
    assert cancel.payload["reason"] == "customer_cancelled"
    assert erp_order(connector_app, number).status == "cancelled"
    assert dealer.get(f"orders/{number}").json["erp"]["status_label"] == "工厂已同步取消"
    # The ERP gave the order's charge back on the dealer's account.
    entries = [e["data"] for e in sim_http.get("events")["items"] if e["type"] == "ledger.entry"]
    mine = [(e["kind"], e["amount_fen"]) for e in entries if e["platform_order_no"] == number]
    assert mine == [("order", -held["total_fen"]), ("order_cancelled", held["total_fen"])]

    # Asking the ERP again changes nothing: the same answer, replayed.
    again = egp.cancel_order(number, cancel.payload)
    assert again["status"] == "cancelled"
    assert _reserved(egp, sku) == reserved_before
    # A cancelled order cannot be revised, nor produced.
    assert sim_http.post("advance", {"steps": 3})  # every open order
    assert sim_http.order(number)["stage"] == "review"


def test_once_production_started_the_dealer_cannot_cancel(connector_app, shop, sim_http):
    dealer = shop("dealer1")
    number = place_order(dealer, connector_app, [("S-801-LA", 1, {})]).json["no"]
    sim_http.post("advance", {"platform_order_no": number, "steps": 2})  # 排产, 开料
    _sync_events(connector_app)
    seen = dealer.get(f"orders/{number}").json
    assert seen["status"] == "awaiting_payment"
    assert seen["can_cancel"] is False

    refused = dealer.post(f"orders/{number}/cancel", {"reason": "不要了"})
    assert refused.status_code == 409
    assert refused.json["error"]["code"] == "production_started"
    assert "开料" in refused.json["error"]["message"]
    assert dealer.get(f"orders/{number}").json["status"] == "awaiting_payment"
    assert [m.kind for m in outbox_rows(connector_app, number)] == ["import_order"]
    assert sim_http.order(number)["status"] == "in_production"

    # Nor does the payment timeout cancel what the factory is making.
    with connector_app.ctx.activate() as ctx:
        Order.update(payment_due_at=utcnow() - dt.timedelta(minutes=1)).where(Order.no == number).execute()
        assert cancel_overdue_orders(ctx) == 0
        assert Order.get(Order.no == number).status == "awaiting_payment"


def test_a_cancel_the_erp_refuses_is_a_dead_letter_for_staff(connector_app, shop, sim_http):
    dealer = shop("dealer2")
    number = place_order(dealer, connector_app, [("S-801-LA", 1, {})]).json["no"]
    # The factory moved on, but the platform has not heard yet.
    sim_http.post("advance", {"platform_order_no": number, "steps": 2})
    assert dealer.post(f"orders/{number}/cancel", {}).status_code == 200

    _, cancel = outbox_rows(connector_app, number)
    assert (cancel.status, cancel.attempts) == ("dead", 1)
    assert "ORDER_LOCKED" in cancel.last_error
    erp = erp_order(connector_app, number)
    assert (erp.status, erp.reason_code) == ("cancel_refused", "ORDER_LOCKED")
    assert sim_http.order(number)["status"] == "in_production"
    # The dealer is told the truth: cancelled here, but the factory is making it.
    notice = dealer.get(f"orders/{number}").json["erp"]["notice"]
    assert (notice["tone"], notice["title"]) == ("warn", "工厂未能取消")
    assert notice["text"] == "取消请求送达时工厂已开始生产此订单，客服会与您联系处理。"
    admin = shop("admin")
    dead = admin.get("admin/erp/status").json["dead_letters"]
    assert [(d["aggregate"], d["kind"]) for d in dead] == [(number, "cancel_order")]


def test_a_cancel_waits_while_the_erp_is_offline_and_goes_once_it_is_back(connector_app, shop, sim_http):
    dealer = shop("dealer1")
    number = place_order(dealer, connector_app, [("S-801-LA", 1, {})]).json["no"]
    sim_http.post("offline")
    assert dealer.post(f"orders/{number}/cancel", {}).status_code == 200
    _, cancel = outbox_rows(connector_app, number)
    assert (cancel.status, cancel.attempts) == ("pending", 0)
    assert erp_order(connector_app, number).status == "cancelling"
    sim_http.post("online")
    with connector_app.ctx.activate() as ctx:
        report = dispatch_due(ctx, force_probe=True)
    assert report.cancelled == 1
    assert sim_http.order(number)["status"] == "cancelled"


def test_the_gateway_cancel_answers(egp, control):
    with pytest.raises(ErpNotFound):
        egp.cancel_order("SO-NOPE-1", {"reason": "other", "note": "", "cancelled_at": "2026-12-04T10:00:00+08:00"})
    with pytest.raises(Exception) as bad:
        egp.cancel_order("SO-NOPE-1", {"reason": "because", "cancelled_at": "yesterday"})
    assert getattr(bad.value, "status", None) == 400
    assert not isinstance(bad.value, ErpConflict)
