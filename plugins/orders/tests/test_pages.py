"""The mobile pages: cart, checkout, my orders, order detail."""

from __future__ import annotations

import datetime as dt
import json

from core.db import utcnow
from plugins.orders.models import Order
from plugins.orders.tests.helpers import new_key, order_body, post_order

HTML = {"Accept": "text/html"}


def page(api, path: str, **params):
    return api.get(path, headers=HTML, params=params or None)


def test_pages_ask_anonymous_visitors_to_log_in(client):
    for path in ("/cart", "/checkout", "/orders", "/orders/SO20260101-0001"):
        answer = client.get(path, headers=HTML)
        assert answer.status_code == 303
        assert answer.headers["Location"] == "/login?next=" + path.replace("/", "%2F")


def test_empty_cart_says_what_to_do_next(client, shop):
    html = page(client.login("dealer1"), "/cart").text
    assert "购物车还是空的" in html
    assert 'href="/"' in html and "去逛逛" in html


def test_cart_page_shows_lines_groups_and_the_total(app, client, shop):
    api = client.login("dealer1")
    api.post("cart/items", {"product_id": shop.sofa.id, "options": {"COVER": "L2"}, "qty": 2})
    api.post("cart/items", {"product_id": shop.table.id, "qty": 1, "custom_request": "台面加厚到 2cm"})
    with app.ctx.activate():
        type(shop.table).update(published=False).where(type(shop.table).id == shop.table.id).execute()
    api.post("cart/items", {"product_id": shop.wardrobe.id, "qty": 1})
    answer = page(api, "/cart")
    assert answer.status_code == 200
    html = answer.text
    assert "意式真皮沙发" in html and "面料: 等级L2" in html
    assert 'data-api="/cart/items/' in html
    assert "标准商品" in html and "非标定制" in html and "失效" in html
    assert "已下架" in html  # the tea table was unpublished
    # 4122.00 × 2 for the sofa + 4500.00 for the wardrobe (custom: a reference price)
    assert '<span class="price__int">12744</span>' in html
    assert 'data-cart-count="3"' in html
    assert "去结算(2)" in html


def test_checkout_is_prefilled_from_the_customer_record(client, shop):
    api = client.login("dealer1")
    api.post("cart/items", {"product_id": shop.sofa.id, "options": {"COVER": "FA"}, "qty": 1})
    html = page(api, "/checkout").text
    assert 'value="陈伟"' in html
    assert 'value="13800138000"' in html
    assert "广东省佛山市顺德区乐从镇家具城 A 区 18 号</textarea>" in html
    assert 'data-total="2952.00"' in html
    assert "提交订单" in html


def test_checkout_warns_of_short_stock_before_the_dealer_taps(client, shop):
    api = client.login("dealer1")
    # Two lines of the same sofa (stock 5): 3 + 3 is more than is left.
    api.post("cart/items", {"product_id": shop.sofa.id, "options": {"COVER": "FA"}, "qty": 3})
    api.post("cart/items", {"product_id": shop.sofa.id, "options": {"COVER": "L2"}, "qty": 3})
    api.post("cart/items", {"product_id": shop.table.id, "qty": 9})  # unlimited
    html = page(api, "/checkout").text
    assert "部分商品库存不足，请修改数量后再提交订单。" in html
    assert html.count("库存不足：仅剩 5 件") == 2
    assert 'id="place-order" disabled' in html
    assert '<a class="checkout-error__link" href="/cart">修改数量</a>' in html
    # Within stock: no warning, the order can be placed.
    cart = api.get("cart").json
    for line in cart["lines"][:2]:
        api.patch(f"cart/items/{line['id']}", {"qty": 2})
    html = page(api, "/checkout").text
    assert "部分商品库存不足" not in html and "仅剩 5 件" not in html
    assert 'id="place-order">' in html


def test_buy_now_checkout_warns_of_short_stock_too(client, shop):
    items = json.dumps([{"product_id": shop.sofa.id, "options": {"COVER": "FA"}, "qty": 6}])
    html = page(client.login("dealer1"), "/checkout", items=items).text
    assert "库存不足：仅剩 5 件" in html and 'id="place-order" disabled' in html


def test_checkout_speaks_english_with_english_punctuation(client, shop):
    api = client.login("dealer1")
    api.post(
        "cart/items", {"product_id": shop.sofa.id, "options": {"COVER": "FA"}, "qty": 1, "remark": "靠窗"}
    )
    for path in ("/checkout", "/cart"):
        html = page(api, path, lang="en").text
        assert (
            '<span class="lead-in">Total:</span>' in html and '<span class="lead-in">Remark:</span>' in html
        )
        assert "：" not in html  # no Chinese colon on an English page
    assert '<span class="lead-in">合计：</span>' in page(api, "/checkout", lang="zh-CN").text


def test_checkout_of_an_empty_cart_goes_back_to_the_cart(client, shop):
    answer = page(client.login("dealer1"), "/checkout")
    assert answer.status_code == 303
    assert answer.headers["Location"] == "/cart"


def test_buy_now_checkout_prices_the_given_items(client, shop):
    items = json.dumps([{"product_id": shop.sofa.id, "options": {"COVER": "L2"}, "qty": 3}])
    html = page(client.login("dealer1"), "/checkout", items=items).text
    assert 'data-total="12366.00"' in html  # 4122.00 × 3
    assert "data-items=" in html
    broken = page(
        client.login("dealer1"), "/checkout", items=json.dumps([{"product_id": shop.chair.id, "qty": 1}])
    ).text
    assert "无法下单" in broken


def test_orders_page_has_tabs_with_counts_and_cards(client, shop):
    api = client.login("dealer1")
    standard = post_order(api, order_body([{"product_id": shop.sofa.id, "qty": 1}]), new_key()).json["no"]
    custom = post_order(api, order_body([{"product_id": shop.wardrobe.id, "qty": 1}]), new_key()).json["no"]
    html = page(api, "/orders").text
    assert standard in html and custom in html
    assert html.index(custom) < html.index(standard)  # newest first
    assert '待付款<span class="tabs__count">1</span>' in html
    assert '待审核<span class="tabs__count">1</span>' in html
    only_review = page(api, "/orders", status="pending_review").text
    assert custom in only_review and standard not in only_review
    empty_tab = page(api, "/orders", status="shipping").text
    assert "该状态下没有订单" in empty_tab


def test_order_page_shows_status_timeline_lines_and_actions(client, shop):
    api = client.login("dealer1")
    no = post_order(
        api, order_body([{"product_id": shop.sofa.id, "options": {"LEG": "GOLD"}, "qty": 2}]), new_key()
    ).json["no"]
    html = page(api, f"/orders/{no}", placed="1").text
    assert "下单成功" in html
    assert "待付款" in html and "请于" in html
    assert "提交订单" in html  # the history entry
    assert "脚架: 香槟金脚" in html
    assert "标价×折扣" in html
    assert f'data-cancel="{no}"' in html
    assert "广东省佛山市顺德区乐从镇家具城 A 区 18 号" in html


def test_another_customers_order_page_is_404(client, shop):
    no = post_order(
        client.login("dealer1"), order_body([{"product_id": shop.table.id, "qty": 1}]), new_key()
    ).json["no"]
    answer = page(client.login("dealer2"), f"/orders/{no}")
    assert answer.status_code == 404
    assert no not in answer.text


def test_a_payment_timeout_is_explained_on_the_order_page(app, client, jobs, shop):
    api = client.login("dealer1")
    no = post_order(api, order_body([{"product_id": shop.sofa.id, "qty": 1}]), new_key()).json["no"]
    with app.ctx.activate():
        Order.update(payment_due_at=utcnow() - dt.timedelta(minutes=1)).where(Order.no == no).execute()
    jobs.run_all()
    html = page(api, f"/orders/{no}").text
    assert "已取消" in html
    assert "超时未付款，系统已自动取消订单并释放库存" in html


def test_pages_follow_the_language(client, shop):
    api = client.login("dealer1")
    html = page(api, "/cart", lang="en").text
    assert "Your cart is empty" in html
