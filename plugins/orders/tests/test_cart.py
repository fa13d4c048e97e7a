"""The cart: merging, quantities, kinds, limits, unavailable lines, the badge."""

from __future__ import annotations

from plugins.catalog.models import OptionValue
from plugins.orders.models import CartItem


def test_the_same_configuration_merges_and_another_makes_a_new_line(client, shop):
    api = client.login("dealer1")
    first = api.post("cart/items", {"product_id": shop.sofa.id, "options": {"COVER": "FA"}, "qty": 1}).json[
        "item"
    ]
    again = api.post("cart/items", {"product_id": shop.sofa.id, "options": {"COVER": "FA"}, "qty": 2}).json[
        "item"
    ]
    assert again["id"] == first["id"]
    assert again["qty"] == 3
    other_remark = api.post(
        "cart/items", {"product_id": shop.sofa.id, "options": {"COVER": "FA"}, "qty": 1, "remark": "样品"}
    )
    other_cover = api.post("cart/items", {"product_id": shop.sofa.id, "options": {"COVER": "L2"}, "qty": 1})
    # the default cover is FA: leaving it out is the same configuration
    default = api.post("cart/items", {"product_id": shop.sofa.id, "qty": 1}).json["item"]
    assert default["id"] == first["id"] and default["qty"] == 4
    cart = api.get("cart").json
    assert len(cart["lines"]) == 3
    assert {other_remark.json["item"]["id"], other_cover.json["item"]["id"], first["id"]} == {
        line["id"] for line in cart["lines"]
    }
    assert cart["totals"]["qty"] == 6
    assert cart["totals"]["total"] == "18882.00"  # 2952.00 × (4 + 1) + 4122.00


def test_quantity_changes_and_removal(client, shop):
    api = client.login("dealer1")
    line = api.post("cart/items", {"product_id": shop.table.id, "qty": 1}).json["item"]
    changed = api.patch(f"cart/items/{line['id']}", {"qty": 4})
    assert changed.status_code == 200
    assert changed.json["lines"][0]["qty"] == 4
    assert changed.json["lines"][0]["line_total"] == "6048.00"
    assert changed.headers["X-Cart-Count"] == "1"
    removed = api.delete(f"cart/items/{line['id']}")
    assert removed.status_code == 200
    assert removed.json["lines"] == []
    assert removed.headers["X-Cart-Count"] == "0"
    assert api.delete(f"cart/items/{line['id']}").status_code == 404


def test_line_kinds_and_breakdown(client, shop):
    api = client.login("dealer1")
    api.post("cart/items", {"product_id": shop.sofa.id, "options": {"COVER": "L2", "LEG": "GOLD"}, "qty": 1})
    api.post("cart/items", {"product_id": shop.table.id, "qty": 1, "custom_request": "台面 2 米"})
    api.post("cart/items", {"product_id": shop.wardrobe.id, "qty": 1})
    lines = {line["product_code"]: line for line in api.get("cart").json["lines"]}
    assert {code: line["kind"] for code, line in lines.items()} == {
        "S-801": "standard",
        "T-220": "nonstandard",
        "W-900": "nonstandard",
    }
    sofa = lines["S-801"]
    assert sofa["options_label"] == "面料: 等级L2 / 脚架: 香槟金脚"
    assert sofa["breakdown"] == [
        {"label": "等级L2：标价 4580.00 × 折扣 0.9", "amount": "4122.00"},
        {"label": "脚架：香槟金脚（加价 80.00 × 折扣 0.9）", "amount": "72.00"},
    ]
    assert sofa["price_source"] == "list_discount"
    assert sofa["price_source_label"] == "标价×折扣"
    assert api.get("cart").json["totals"]["nonstandard_lines"] == 2


def test_merging_past_the_line_limit_is_refused(app, client, shop):
    api = client.login("dealer1")
    api.post("cart/items", {"product_id": shop.table.id, "qty": 9000})
    answer = api.post("cart/items", {"product_id": shop.table.id, "qty": 1000})
    assert answer.status_code == 400
    assert answer.json["error"]["details"] == {"qty": ["数量超过单行上限。"]}
    assert api.get("cart").json["lines"][0]["qty"] == 9000


def test_a_full_cart_refuses_new_lines(app, client, shop):
    app.ctx.plugin_config["orders"]["max_cart_lines"] = 2
    api = client.login("dealer1")
    api.post("cart/items", {"product_id": shop.table.id, "qty": 1})
    api.post("cart/items", {"product_id": shop.sofa.id, "qty": 1})
    answer = api.post("cart/items", {"product_id": shop.wardrobe.id, "qty": 1})
    assert answer.status_code == 409
    assert answer.json["error"]["code"] == "cart_full"
    assert answer.json["error"]["message"] == "购物车已满（最多 2 种商品），请先下单或删除部分商品。"
    assert (
        api.post("cart/items", {"product_id": shop.table.id, "qty": 1}).status_code == 201
    )  # merging still works


def test_a_withdrawn_option_makes_the_line_unavailable(app, client, shop):
    api = client.login("dealer1")
    api.post("cart/items", {"product_id": shop.sofa.id, "options": {"COVER": "L2"}, "qty": 1})
    with app.ctx.activate():
        OptionValue.update(active=False).where(OptionValue.code == "L2").execute()
    [line] = api.get("cart").json["lines"]
    assert (line["available"], line["unavailable_reason"], line["unavailable_text"]) == (
        False,
        "options_changed",
        "所选配置已停用",
    )
    assert line["options_label"] == "面料: 等级L2"  # still named, though withdrawn
    assert api.get("cart").json["totals"] == {
        "total": "0.00",
        "qty": 0,
        "lines": 0,
        "nonstandard_lines": 0,
        "unavailable_lines": 1,
    }


def test_carts_are_per_user_and_customer(app, client, shop):
    client.login("dealer1").post("cart/items", {"product_id": shop.table.id, "qty": 1})
    client.login("rep1").post("cart/items", {"product_id": shop.table.id, "qty": 2})
    with app.ctx.activate():
        rows = sorted((row.user_id, row.customer_id, row.qty) for row in CartItem.select())
    assert rows == [(shop.dealer1.id, shop.customer1.id, 1), (shop.rep1.id, shop.customer1.id, 2)]


def test_the_tab_bar_badge_counts_cart_lines(client, shop):
    api = client.login("dealer1")
    api.post("cart/items", {"product_id": shop.table.id, "qty": 5})
    api.post("cart/items", {"product_id": shop.sofa.id, "qty": 1})
    html = api.get("/orders", headers={"Accept": "text/html"}).text
    assert 'data-cart-count="2">2</span>' in html


def test_cart_lines_show_the_stock_left(app, client, shop):
    api = client.login("dealer1")
    api.post("cart/items", {"product_id": shop.sofa.id, "qty": 7})
    api.post("cart/items", {"product_id": shop.table.id, "qty": 1})
    stock = {line["product_code"]: line["stock"] for line in api.get("cart").json["lines"]}
    assert stock == {
        "S-801": {"mode": "quota", "available": 5},
        "T-220": {"mode": "unlimited", "available": None},
    }
    html = api.get("/cart", headers={"Accept": "text/html"}).text
    assert "库存不足：仅剩 5 件" in html
