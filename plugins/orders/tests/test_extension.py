"""What other plugins build on: the extend_order_data hook and the OpenAPI document."""

from __future__ import annotations

from core.plugins import hookimpl
from plugins.orders.tests.helpers import new_key, order_body, post_order


class FakePayments:
    """Stands in for the payments plugin: answers ``payments`` for orders."""

    def __init__(self):
        self.batches = []

    @hookimpl
    def extend_order_data(self, ctx, orders, detail, translate):
        self.batches.append((len(orders), detail))
        return {
            order.id: {"payments": [{"method": "balance", "status": "succeeded", "amount": "1.00"}]}
            if detail
            else {"paid_amount": "0.00"}
            for order in orders
        }


def test_plugins_add_fields_to_order_answers_in_one_call_per_batch(app, client, shop):
    payments = FakePayments()
    app.ctx.pm.register(payments)
    api = client.login("dealer1")
    for _ in range(3):
        post_order(api, order_body([{"product_id": shop.table.id, "qty": 1}]), new_key())
    listed = api.get("orders").json["items"]
    assert [item["paid_amount"] for item in listed] == ["0.00"] * 3
    detail = api.get(f"orders/{listed[0]['no']}").json
    assert detail["payments"] == [{"method": "balance", "status": "succeeded", "amount": "1.00"}]
    assert (3, False) in payments.batches
    html = api.get(f"/orders/{listed[0]['no']}", headers={"Accept": "text/html"}).text
    assert "付款记录" in html


def test_the_api_is_in_the_openapi_document(client):
    spec = client.get("openapi.json").json
    paths = spec["paths"]
    for path, methods in {
        "/api/v1/cart": {"get"},
        "/api/v1/cart/items": {"post"},
        "/api/v1/cart/items/{item_id}": {"patch", "delete"},
        "/api/v1/cart/unavailable": {"delete"},
        "/api/v1/orders": {"get", "post"},
        "/api/v1/orders/{no}": {"get"},
        "/api/v1/orders/{no}/cancel": {"post"},
        "/api/v1/orders/{no}/reorder": {"post"},
    }.items():
        assert methods <= set(paths[path]), path
    submit = paths["/api/v1/orders"]["post"]
    assert "201" in submit["responses"]
    body = submit["requestBody"]["content"]["application/json"]["schema"]["$ref"].split("/")[-1]
    props = spec["components"]["schemas"][body]["properties"]
    assert {"from_cart", "items", "delivery", "remark", "expected_total"} <= set(props)
