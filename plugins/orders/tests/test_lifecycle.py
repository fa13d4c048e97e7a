"""Status changes: the state machine, cancel, stock returned once, payment timeout."""

from __future__ import annotations

import datetime as dt

import pytest

from core.db import utcnow
from core.errors import Conflict
from core.plugins import hookimpl
from plugins.inventory.models import StockMovement
from plugins.orders.models import Order, OrderEvent
from plugins.orders.services import release_order_stock, reserve_order_stock, transition
from plugins.orders.tests.helpers import new_key, order_body, post_order, stock_of


def place(api, shop, qty=2, **item):
    line = {"product_id": shop.sofa.id, "options": {}, "qty": qty, **item}
    answer = post_order(api, order_body([line]), new_key())
    assert answer.status_code == 201, answer.text
    return answer.json["no"]


def load(app, no) -> Order:
    with app.ctx.activate():
        return Order.get(Order.no == no)


def test_cancel_returns_the_stock_and_records_who_and_why(app, client, shop):
    api = client.login("dealer1")
    no = place(api, shop, qty=3)
    assert stock_of(app, shop.sofa) == 2
    answer = api.post(f"orders/{no}/cancel", {"reason": "客户改主意了"})
    assert answer.status_code == 200
    order = answer.json
    assert (order["status"], order["cancel_reason"], order["can_cancel"]) == (
        "cancelled",
        "customer_cancelled",
        False,
    )
    assert order["cancel_reason_label"] == "客户取消"
    assert order["history"][-1] == {
        "from_status": "awaiting_payment",
        "to_status": "cancelled",
        "status_label": "已取消",
        "at": order["history"][-1]["at"],
        "actor": {"id": shop.dealer1.id, "display_name": "dealer1", "role": "dealer"},
        "reason": "customer_cancelled",
        "reason_label": "客户取消",
        "note": "客户改主意了",
    }
    assert stock_of(app, shop.sofa) == 5
    again = api.post(f"orders/{no}/cancel", {})
    assert again.status_code == 409
    assert again.json["error"]["code"] == "invalid_transition"
    assert stock_of(app, shop.sofa) == 5


def test_cancelling_a_non_standard_order_returns_nothing(app, client, shop):
    api = client.login("dealer1")
    no = place(api, shop, custom_request="改成 2 米")
    assert stock_of(app, shop.sofa) == 5
    assert api.post(f"orders/{no}/cancel", {}).json["status"] == "cancelled"
    assert stock_of(app, shop.sofa) == 5
    with app.ctx.activate():
        assert StockMovement.select().count() == 0


def test_no_cancel_once_production_started(app, client, shop):
    api = client.login("dealer1")
    no = place(api, shop)
    with app.ctx.activate():
        order = Order.get(Order.no == no)
        transition(app.ctx, order, "paid")
        transition(app.ctx, order, "in_production", note="排产 12/10")
    answer = api.post(f"orders/{no}/cancel", {})
    assert answer.status_code == 409
    assert answer.json["error"]["code"] == "invalid_transition"
    assert answer.json["error"]["message"] == "订单已开始生产或已关闭，无法取消。"
    assert answer.json["error"]["details"] == {"status": "in_production", "target": "cancelled"}
    assert stock_of(app, shop.sofa) == 3


def test_a_paid_order_can_still_be_cancelled(app, client, shop):
    api = client.login("dealer1")
    no = place(api, shop)
    with app.ctx.activate():
        transition(app.ctx, Order.get(Order.no == no), "paid")
    assert api.post(f"orders/{no}/cancel", {}).json["status"] == "cancelled"
    assert stock_of(app, shop.sofa) == 5


def test_transitions_outside_the_state_machine_are_refused(app, client, shop):
    no = place(client.login("dealer1"), shop)
    with app.ctx.activate():
        order = Order.get(Order.no == no)
        for target in ("shipped", "completed", "pending_review", "awaiting_payment"):
            with pytest.raises(Conflict) as refused:
                transition(app.ctx, order, target)
            assert refused.value.code == "invalid_transition"
        assert Order.get(Order.no == no).status == "awaiting_payment"
        assert OrderEvent.select().where(OrderEvent.order == order).count() == 1


def test_a_stale_order_cannot_be_moved(app, client, shop):
    no = place(client.login("dealer1"), shop)
    with app.ctx.activate():
        seen_by_support = Order.get(Order.no == no)
        seen_by_dealer = Order.get(Order.no == no)
        transition(app.ctx, seen_by_support, "paid")
        with pytest.raises(Conflict) as refused:
            transition(app.ctx, seen_by_dealer, "cancelled")
        assert refused.value.code == "order_changed"
        assert refused.value.details == {"status": "paid", "target": "cancelled"}
        order = Order.get(Order.no == no)
        assert (order.status, order.stock_reserved) == ("paid", True)
    assert stock_of(app, shop.sofa) == 3


class Recorder:
    def __init__(self):
        self.calls = []

    @hookimpl
    def on_order_status_changed(self, ctx, order, old_status, new_status, actor, reason):
        self.calls.append((order.no, old_status, new_status, actor.username if actor else None, reason))


def test_status_changes_are_announced(app, client, shop):
    recorder = Recorder()
    app.ctx.pm.register(recorder)
    api = client.login("dealer1")
    no = place(api, shop)
    api.post(f"orders/{no}/cancel", {})
    assert recorder.calls == [(no, "awaiting_payment", "cancelled", "dealer1", "customer_cancelled")]


def test_rejecting_returns_stock_once_and_reserving_takes_it_once(app, client, shop):
    no = place(client.login("dealer1"), shop, qty=2, custom_request="加宽")
    with app.ctx.activate():
        order = Order.get(Order.no == no)
        assert reserve_order_stock(order) == {shop.sofa.id: 3}
        assert reserve_order_stock(order) == {}
        assert stock_of(app, shop.sofa) == 3
        transition(app.ctx, order, "rejected", reason="spec_not_possible")
        assert release_order_stock(order) == {}
    assert stock_of(app, shop.sofa) == 5


def test_the_payment_timeout_job_cancels_overdue_orders_once(app, client, jobs, shop):
    api = client.login("dealer1")
    overdue = place(api, shop, qty=2)
    fresh = place(api, shop, qty=1)
    custom = place(api, shop, qty=1, custom_request="加高")
    assert stock_of(app, shop.sofa) == 2
    with app.ctx.activate():
        Order.update(payment_due_at=utcnow() - dt.timedelta(seconds=1)).where(Order.no == overdue).execute()

    assert jobs.run_all()["orders.cancel_unpaid"] == "ok"
    assert jobs.run_all()["orders.cancel_unpaid"] == "ok"

    assert stock_of(app, shop.sofa) == 4
    order = api.get(f"orders/{overdue}").json
    assert (order["status"], order["cancel_reason"]) == ("cancelled", "payment_timeout")
    assert order["cancel_reason_label"] == "超时未付款，系统已自动取消订单并释放库存"
    assert order["history"][-1]["actor"] is None
    assert order["history"][-1]["reason"] == "payment_timeout"
    assert api.get(f"orders/{fresh}").json["status"] == "awaiting_payment"
    assert api.get(f"orders/{custom}").json["status"] == "pending_review"
    with app.ctx.activate():
        assert StockMovement.select().where(StockMovement.reason == "release").count() == 1


def test_a_paid_order_is_not_cancelled_by_the_timeout(app, client, jobs, shop):
    no = place(client.login("dealer1"), shop)
    with app.ctx.activate():
        Order.update(payment_due_at=utcnow() - dt.timedelta(hours=1)).where(Order.no == no).execute()
        transition(app.ctx, Order.get(Order.no == no), "paid")
    jobs.run_all()
    assert load(app, no).status == "paid"
    assert stock_of(app, shop.sofa) == 3


def test_reorder_copies_lines_at_todays_prices_and_reports_skipped_ones(app, client, shop):
    api = client.login("dealer1")
    items = [
        {"product_id": shop.sofa.id, "options": {"COVER": "L2", "LEG": "GOLD"}, "qty": 1, "remark": "靠窗"},
        {"product_id": shop.table.id, "qty": 2},
    ]
    no = post_order(api, order_body(items), new_key()).json["no"]
    api.post("cart/items", {"product_id": shop.table.id, "qty": 1})
    with app.ctx.activate():
        type(shop.sofa).update(published=False).where(type(shop.sofa).id == shop.sofa.id).execute()
    answer = api.post(f"orders/{no}/reorder")
    assert answer.status_code == 200
    result = answer.json
    assert result["added"] == 1
    assert result["skipped"] == [
        {
            "product_id": shop.sofa.id,
            "product_code": "S-801",
            "product_name": "意式真皮沙发",
            "reason": "unpublished",
            "reason_text": "已下架",
        }
    ]
    assert [(line["product_code"], line["qty"], line["unit_price"]) for line in result["cart"]["lines"]] == [
        ("T-220", 3, "1512.00")
    ]
    assert answer.headers["X-Cart-Count"] == "1"
