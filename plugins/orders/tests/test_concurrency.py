"""Real threads against the real database: no oversell, one order per key,
stock returned once, merged cart lines."""

from __future__ import annotations

import threading
from collections import Counter

from core.testing import ApiClient
from plugins.inventory.models import StockItem, StockMovement
from plugins.orders.models import CartItem, Order
from plugins.orders.tests.helpers import new_key, order_body, post_order, stock_of


def run_threads(n: int, work) -> list:
    """Run ``work(i)`` in ``n`` threads released at the same moment."""
    start = threading.Barrier(n)
    results: list = [None] * n

    def run(i: int) -> None:
        start.wait()
        results[i] = work(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def test_twenty_buyers_of_a_quota_of_five_get_five_orders(app, client, shop):
    api = client.login("dealer1")
    clients = [ApiClient(app, api.token) for _ in range(20)]
    item = {"product_id": shop.sofa.id, "options": {"COVER": "FA"}, "qty": 1}

    results = run_threads(20, lambda i: post_order(clients[i], order_body([item]), new_key()))

    statuses = Counter(r.status_code for r in results)
    assert statuses == {201: 5, 409: 15}
    refused = [r.json["error"] for r in results if r.status_code == 409]
    assert {e["code"] for e in refused} == {"out_of_stock"}
    assert all("S-801" in e["message"] for e in refused)
    assert stock_of(app, shop.sofa) == 0
    numbers = sorted(r.json["no"] for r in results if r.status_code == 201)
    assert len(set(numbers)) == 5
    # numbers are allocated before stock is taken: refused orders leave gaps
    assert all(1 <= int(n[-4:]) <= 20 for n in numbers)
    with app.ctx.activate():
        assert Order.select().count() == 5
        assert StockMovement.select().where(StockMovement.reason == "order").count() == 5


def test_ten_requests_with_one_key_make_one_order(app, client, shop):
    api = client.login("dealer1")
    clients = [ApiClient(app, api.token) for _ in range(10)]
    key = new_key()
    body = order_body([{"product_id": shop.sofa.id, "options": {"COVER": "L2"}, "qty": 2}])

    results = run_threads(10, lambda i: post_order(clients[i], body, key))

    assert sorted(r.status_code for r in results) == [200] * 9 + [201]
    assert {r.json["no"] for r in results} == {results[0].json["no"]}
    assert stock_of(app, shop.sofa) == 3
    with app.ctx.activate():
        assert Order.select().count() == 1


def test_two_cart_submissions_without_key_order_the_cart_once(app, client, shop):
    api = client.login("dealer1")
    api.post("cart/items", {"product_id": shop.table.id, "qty": 3})
    clients = [ApiClient(app, api.token) for _ in range(2)]

    results = run_threads(2, lambda i: post_order(clients[i], order_body()))

    assert sorted(r.status_code for r in results) == [201, 409]
    refused = next(r for r in results if r.status_code == 409).json["error"]["code"]
    assert refused in ("cart_changed", "cart_empty")
    with app.ctx.activate():
        assert Order.select().count() == 1
        assert CartItem.select().count() == 0


def test_double_cancel_returns_the_stock_once(app, client, shop):
    api = client.login("dealer1")
    created = post_order(api, order_body([{"product_id": shop.sofa.id, "options": {}, "qty": 4}]), new_key())
    assert created.status_code == 201
    assert stock_of(app, shop.sofa) == 1
    no = created.json["no"]
    clients = [ApiClient(app, api.token) for _ in range(6)]

    results = run_threads(6, lambda i: clients[i].post(f"orders/{no}/cancel", {}))

    assert sorted(r.status_code for r in results) == [200] + [409] * 5
    assert {r.json["error"]["code"] for r in results if r.status_code == 409} <= {
        "invalid_transition",
        "order_changed",
    }
    assert stock_of(app, shop.sofa) == 5
    with app.ctx.activate():
        assert StockMovement.select().where(StockMovement.reason == "release").count() == 1
        order = Order.get(Order.no == no)
        assert (order.status, order.stock_reserved, order.cancel_reason) == (
            "cancelled",
            False,
            "customer_cancelled",
        )


def test_concurrent_adds_of_one_configuration_merge_into_one_line(app, client, shop):
    api = client.login("dealer1")
    clients = [ApiClient(app, api.token) for _ in range(8)]
    line = {"product_id": shop.sofa.id, "options": {"COVER": "FA", "LEG": "GOLD"}, "qty": 2}

    results = run_threads(8, lambda i: clients[i].post("cart/items", line))

    assert [r.status_code for r in results] == [201] * 8
    with app.ctx.activate():
        rows = list(CartItem.select())
        assert [(row.product_id, row.qty) for row in rows] == [(shop.sofa.id, 16)]
        assert StockItem.get_by_id(shop.sofa.id).quantity == 5  # the cart takes no stock
