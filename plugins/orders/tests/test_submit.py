"""Order submission: the whole flow, idempotency, price changes, kinds, stock."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from core.errors import Conflict
from core.plugins import hookimpl
from plugins.inventory.models import StockItem
from plugins.orders.models import Order, OrderEvent, OrderLine
from plugins.orders.tests.helpers import new_key, order_body, post_order, snapshot, stock_of
from plugins.pricing.models import GradePrice


def test_dealer_orders_from_the_cart_and_a_retry_returns_the_same_order(app, client, shop):
    api = client.login("dealer1")
    product = api.get(f"products/{shop.sofa.id}")
    assert product.status_code == 200
    options = {"COVER": "L2", "LEG": "GOLD"}
    quote = api.post("quotes", {"product_id": shop.sofa.id, "options": options, "qty": 2}).json
    # 4580.00 × 0.9 + 80.00 × 0.9 = 4194.00 per unit
    assert (quote["unit_price"], quote["line_total"]) == ("4194.00", "8388.00")

    added = api.post("cart/items", {"product_id": shop.sofa.id, "options": options, "qty": 2})
    assert added.status_code == 201
    assert added.headers["X-Cart-Count"] == "1"
    cart = api.get("cart").json
    assert cart["totals"] == {
        "total": "8388.00",
        "qty": 2,
        "lines": 1,
        "nonstandard_lines": 0,
        "unavailable_lines": 0,
    }
    assert cart["lines"][0]["unit_price"] == quote["unit_price"]

    key = new_key()
    body = order_body(remark="周五前发货", expected_total="8388.00")
    created = post_order(api, body, key)
    assert created.status_code == 201, created.text
    order = created.json
    local_day = dt.datetime.now(ZoneInfo("Asia/Shanghai")).strftime("%Y%m%d")
    assert order["no"] == f"SO{local_day}-0001"
    assert created.headers["Location"] == f"/api/v1/orders/{order['no']}"
    assert (order["kind"], order["status"], order["total"]) == ("standard", "awaiting_payment", "8388.00")
    assert order["remark"] == "周五前发货"
    assert order["delivery"]["phone"] == "13800138000"
    assert order["payments"] == []
    [line] = order["lines"]
    assert (line["product_code"], line["qty"], line["unit_price"], line["line_total"]) == (
        "S-801",
        2,
        "4194.00",
        "8388.00",
    )
    assert line["options"] == options
    assert line["options_label"] == "面料: 等级L2 / 脚架: 香槟金脚"
    assert line["price_source"] == "list_discount"
    assert line["price_version"].startswith("gp:")
    assert [row["amount"] for row in line["breakdown"]] == ["4122.00", "72.00"]
    assert [(h["from_status"], h["to_status"], h["reason"]) for h in order["history"]] == [
        (None, "awaiting_payment", "submitted")
    ]
    assert order["created_at"].endswith("+08:00")
    due = dt.datetime.fromisoformat(order["payment_due_at"]) - dt.datetime.fromisoformat(order["created_at"])
    assert due == dt.timedelta(minutes=24 * 60)

    assert stock_of(app, shop.sofa) == 3  # 5 - 2
    assert api.get("cart").json["lines"] == []

    again = post_order(api, body, key)
    assert again.status_code == 200
    assert again.json["no"] == order["no"]
    assert stock_of(app, shop.sofa) == 3

    listed = api.get("orders").json
    assert [item["no"] for item in listed["items"]] == [order["no"]]
    assert listed["total"] == 1
    assert listed["counts"]["awaiting_payment"] == 1
    assert listed["counts"]["all"] == 1
    assert api.get(f"orders/{order['no']}").json["lines"] == order["lines"]

    other = client.login("dealer2")
    assert other.get(f"orders/{order['no']}").status_code == 404
    assert other.get("orders").json["items"] == []


def test_same_key_with_another_body_is_refused_and_changes_nothing(app, client, shop):
    api = client.login("dealer1")
    key = new_key()
    first = post_order(api, order_body([{"product_id": shop.table.id, "qty": 1}]), key)
    assert first.status_code == 201
    before = snapshot(app)
    second = post_order(api, order_body([{"product_id": shop.table.id, "qty": 2}]), key)
    assert second.status_code == 409
    assert second.json["error"]["code"] == "idempotency_key_reused"
    assert snapshot(app) == before


def test_a_key_is_per_user(app, client, shop):
    key = new_key()
    body = order_body([{"product_id": shop.table.id, "qty": 1}])
    first = post_order(client.login("dealer1"), body, key)
    second = post_order(client.login("dealer2"), body, key)
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json["no"] != second.json["no"]


def test_a_failed_attempt_does_not_use_up_its_key(app, client, shop):
    api = client.login("dealer1")
    key = new_key()
    too_many = post_order(api, order_body([{"product_id": shop.sofa.id, "qty": 6}]), key)
    assert too_many.json["error"]["code"] == "out_of_stock"
    fine = post_order(api, order_body([{"product_id": shop.sofa.id, "qty": 5}]), key)
    assert fine.status_code == 201
    assert stock_of(app, shop.sofa) == 0


def test_expected_total_that_differs_is_409_price_changed_and_nothing_is_made(app, client, shop):
    api = client.login("dealer1")
    api.post("cart/items", {"product_id": shop.table.id, "qty": 2})
    before = snapshot(app)
    answer = post_order(api, order_body(expected_total="3000.00"), new_key())
    assert answer.status_code == 409
    error = answer.json["error"]
    assert error["code"] == "price_changed"
    assert error["details"]["expected_total"] == "3000.00"
    assert error["details"]["total"] == "3024.00"  # 1680.00 × 0.9 × 2
    assert error["details"]["lines"] == [
        {
            "product_id": shop.table.id,
            "product_code": "T-220",
            "product_name": "岩板茶几",
            "options_label": "",
            "qty": 2,
            "unit_price": "1512.00",
            "line_total": "3024.00",
        }
    ]
    assert "3024.00" in error["message"]
    assert snapshot(app) == before
    assert post_order(api, order_body(expected_total="3024.00"), new_key()).status_code == 201


def test_the_cart_is_repriced_on_every_read(app, client, shop):
    api = client.login("dealer1")
    api.post("cart/items", {"product_id": shop.sofa.id, "options": {"COVER": "FA"}, "qty": 1})
    assert api.get("cart").json["lines"][0]["unit_price"] == "2952.00"
    with app.ctx.activate():
        GradePrice.update(list_price=350000, version=2).where(
            (GradePrice.product == shop.sofa.id) & (GradePrice.grade == "FA")
        ).execute()
    cart = api.get("cart").json
    line = cart["lines"][0]
    assert (line["unit_price"], line["added_unit_price"], line["price_changed"]) == (
        "3150.00",
        "2952.00",
        True,
    )
    assert cart["price_changed"] is True
    assert cart["totals"]["total"] == "3150.00"
    stale = post_order(api, order_body(expected_total="2952.00"), new_key())
    assert stale.json["error"]["code"] == "price_changed"
    assert stale.json["error"]["details"]["total"] == "3150.00"
    fresh = post_order(api, order_body(expected_total="3150.00"), new_key())
    assert fresh.status_code == 201
    assert fresh.json["lines"][0]["unit_price"] == "3150.00"
    assert (
        fresh.json["lines"][0]["price_version"].startswith("gp:")
        and ":v2@" in fresh.json["lines"][0]["price_version"]
    )


def test_the_same_product_on_two_lines_takes_stock_summed_all_or_nothing(app, client, shop):
    api = client.login("dealer1")
    too_many = [
        {"product_id": shop.sofa.id, "options": {"COVER": "FA"}, "qty": 3},
        {"product_id": shop.table.id, "qty": 1},
        {"product_id": shop.sofa.id, "options": {"COVER": "L2"}, "qty": 3},
    ]
    before = snapshot(app)
    refused = post_order(api, order_body(too_many), new_key())
    assert refused.status_code == 409
    assert refused.json["error"]["code"] == "out_of_stock"
    assert refused.json["error"]["details"]["lines"] == [
        {"product_id": shop.sofa.id, "code": "S-801", "requested": 6, "available": 5}
    ]
    assert snapshot(app) == before
    too_many[2]["qty"] = 2
    made = post_order(api, order_body(too_many), new_key())
    assert made.status_code == 201
    assert [line["line_no"] for line in made.json["lines"]] == [1, 2, 3]
    assert stock_of(app, shop.sofa) == 0


def test_a_custom_request_makes_a_pending_review_order_that_takes_no_stock(app, client, shop):
    api = client.login("dealer1")
    items = [
        {"product_id": shop.sofa.id, "options": {"COVER": "FA"}, "qty": 2},
        {"product_id": shop.sofa.id, "options": {"COVER": "L2"}, "qty": 1, "custom_request": "加长到 3200mm"},
    ]
    made = post_order(api, order_body(items), new_key())
    assert made.status_code == 201
    order = made.json
    assert (order["kind"], order["status"], order["payment_due_at"]) == (
        "nonstandard",
        "pending_review",
        None,
    )
    assert [line["kind"] for line in order["lines"]] == ["standard", "nonstandard"]
    assert order["lines"][1]["custom_request"] == "加长到 3200mm"
    assert order["stock_reserved"] is False
    assert stock_of(app, shop.sofa) == 5


def test_a_custom_only_product_is_non_standard_without_a_request(app, client, shop):
    api = client.login("dealer1")
    made = post_order(api, order_body([{"product_id": shop.wardrobe.id, "qty": 1}]), new_key())
    assert (made.json["kind"], made.json["status"]) == ("nonstandard", "pending_review")
    assert stock_of(app, shop.wardrobe) == 3


def test_a_cart_with_an_unpublished_product_is_refused_until_it_is_removed(app, client, shop):
    api = client.login("dealer1")
    api.post("cart/items", {"product_id": shop.table.id, "qty": 1})
    gone = api.post("cart/items", {"product_id": shop.sofa.id, "qty": 1}).json["item"]
    with app.ctx.activate():
        type(shop.sofa).update(published=False).where(type(shop.sofa).id == shop.sofa.id).execute()
    cart = api.get("cart").json
    unavailable = [line for line in cart["lines"] if not line["available"]]
    assert [(line["id"], line["unavailable_reason"], line["unit_price"]) for line in unavailable] == [
        (gone["id"], "unpublished", None)
    ]
    assert unavailable[0]["unavailable_text"] == "已下架"
    assert cart["totals"]["total"] == "1512.00"
    before = snapshot(app)
    refused = post_order(api, order_body(), new_key())
    assert refused.status_code == 409
    assert refused.json["error"]["code"] == "cart_has_unavailable_lines"
    assert "意式真皮沙发" in refused.json["error"]["message"]
    assert refused.json["error"]["details"]["lines"] == [
        {"id": gone["id"], "product_id": shop.sofa.id, "reason": "unpublished"}
    ]
    assert snapshot(app) == before
    cleaned = api.delete("cart/unavailable").json
    assert [line["product_code"] for line in cleaned["lines"]] == ["T-220"]
    made = post_order(api, order_body(expected_total="1512.00"), new_key())
    assert made.status_code == 201
    assert [line["product_code"] for line in made.json["lines"]] == ["T-220"]


def test_an_empty_cart_cannot_be_ordered(app, client, shop):
    answer = post_order(client.login("dealer1"), order_body(), new_key())
    assert answer.status_code == 409
    assert answer.json["error"]["code"] == "cart_empty"
    assert answer.json["error"]["message"] == "购物车是空的，请先添加商品。"


def test_order_numbers_follow_the_factory_date_and_a_daily_sequence(app, client, shop):
    api = client.login("dealer1")
    numbers = [
        post_order(api, order_body([{"product_id": shop.table.id, "qty": 1}]), new_key()).json["no"]
        for _ in range(3)
    ]
    day = dt.datetime.now(ZoneInfo("Asia/Shanghai")).strftime("%Y%m%d")
    assert numbers == [f"SO{day}-0001", f"SO{day}-0002", f"SO{day}-0003"]


class FailingOutbox:
    """A plugin whose on_order_submitted fails: the order must not survive it."""

    @hookimpl
    def on_order_submitted(self, ctx, order):
        assert OrderLine.select().where(OrderLine.order == order.id).count() == 1  # inside the transaction
        raise Conflict("The ERP outbox is full.", code="outbox_full")


def test_on_order_submitted_runs_inside_the_transaction(app, client, shop):
    api = client.login("dealer1")
    api.post("cart/items", {"product_id": shop.sofa.id, "qty": 2})
    before = snapshot(app)
    app.ctx.pm.register(FailingOutbox())
    answer = post_order(api, order_body(), new_key())
    assert answer.status_code == 409
    assert answer.json["error"]["code"] == "outbox_full"
    assert snapshot(app) == before


@pytest.mark.parametrize("lang,label", [("zh-CN", "待付款"), ("en", "Awaiting payment")])
def test_labels_follow_the_request_language(client, shop, lang, label):
    api = client.login("dealer1")
    made = post_order(api, order_body([{"product_id": shop.table.id, "qty": 1}]), new_key())
    detail = api.get(f"orders/{made.json['no']}", headers={"Accept-Language": lang}).json
    assert detail["status_label"] == label


def test_the_history_is_stored_with_the_order(app, client, shop):
    api = client.login("dealer1")
    no = post_order(api, order_body([{"product_id": shop.table.id, "qty": 1}]), new_key()).json["no"]
    with app.ctx.activate():
        order = Order.get(Order.no == no)
        events = [
            (e.from_status, e.to_status, e.actor_id)
            for e in OrderEvent.select().where(OrderEvent.order == order)
        ]
        assert events == [(None, "awaiting_payment", shop.dealer1.id)]
        assert StockItem.get_or_none(StockItem.product == shop.table.id) is None  # unlimited: untouched
