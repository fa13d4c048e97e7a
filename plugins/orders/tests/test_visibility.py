"""Who sees what: dealers their customer's records, reps their acting customer's."""

from __future__ import annotations

from plugins.orders.models import Order
from plugins.orders.tests.helpers import new_key, order_body, post_order, snapshot


def place(api, shop):
    answer = post_order(api, order_body([{"product_id": shop.table.id, "qty": 1}]), new_key())
    assert answer.status_code == 201, answer.text
    return answer.json["no"]


def test_another_dealer_gets_404_for_every_order_endpoint(app, client, shop):
    no = place(client.login("dealer1"), shop)
    other = client.login("dealer2")
    before = snapshot(app)
    for answer in (
        other.get(f"orders/{no}"),
        other.post(f"orders/{no}/cancel", {}),
        other.post(f"orders/{no}/reorder"),
    ):
        assert answer.status_code == 404
        assert answer.json["error"]["code"] == "not_found"
        assert no not in answer.text
    assert other.get("orders").json["total"] == 0
    assert other.get("orders").json["counts"]["all"] == 0
    assert snapshot(app) == before


def test_a_cart_line_of_someone_else_is_404(app, client, shop):
    line = client.login("dealer1").post("cart/items", {"product_id": shop.table.id, "qty": 1}).json["item"]
    other = client.login("dealer2")
    assert other.patch(f"cart/items/{line['id']}", {"qty": 5}).status_code == 404
    assert other.delete(f"cart/items/{line['id']}").status_code == 404
    assert other.get("cart").json["lines"] == []
    assert client.login("dealer1").get("cart").json["lines"][0]["qty"] == 1


def test_a_rep_orders_for_the_assigned_customer(app, client, shop):
    rep = client.login("rep1")
    assert rep.get("me").json["acting_customer_id"] == shop.customer1.id
    rep.post("cart/items", {"product_id": shop.sofa.id, "qty": 1})
    assert client.login("dealer1").get("cart").json["lines"] == []  # the rep's cart is the rep's
    answer = post_order(rep, order_body(), new_key())
    assert answer.status_code == 201
    order = answer.json
    assert order["customer"]["id"] == shop.customer1.id
    assert order["created_by"] == {"id": shop.rep1.id, "display_name": "rep1", "role": "rep"}
    assert order["lines"][0]["unit_price"] == "2952.00"  # the customer's discount, not the rep's
    dealer_view = client.login("dealer1").get(f"orders/{order['no']}")
    assert dealer_view.status_code == 200
    assert [item["no"] for item in rep.get("orders").json["items"]] == [order["no"]]


def test_a_rep_sees_only_the_acting_customers_orders(app, client, shop):
    own = place(client.login("dealer1"), shop)
    foreign = place(client.login("dealer2"), shop)
    rep = client.login("rep1")
    assert rep.get(f"orders/{own}").status_code == 200
    assert rep.get(f"orders/{foreign}").status_code == 404
    assert [item["no"] for item in rep.get("orders").json["items"]] == [own]


def test_an_unassigned_rep_cannot_act_for_the_customer(app, client, shop):
    no = place(client.login("dealer1"), shop)
    rep = client.login("rep2")  # assigned to another customer only
    before = snapshot(app)
    assert rep.put("me/customer", {"customer_id": shop.customer1.id}).status_code == 403
    assert rep.get(f"orders/{no}").status_code == 404
    assert rep.post(f"orders/{no}/cancel", {}).status_code == 404
    assert rep.get("orders").json["items"] == []
    made = post_order(rep, order_body([{"product_id": shop.table.id, "qty": 1}]), new_key())
    assert made.status_code == 201
    assert made.json["customer"]["id"] == shop.other.id
    with app.ctx.activate():
        assert Order.select().where(Order.customer == shop.customer1.id).count() == before["orders"]


def test_staff_and_anonymous_callers_cannot_use_the_shop_endpoints(client, make_user, shop):
    make_user("support1", role="support")
    staff = client.login("support1")
    assert staff.get("cart").status_code == 403
    assert staff.get("orders").status_code == 403
    assert client.get("orders").status_code == 401
    assert client.post("orders", order_body()).status_code == 401
