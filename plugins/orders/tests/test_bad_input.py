"""Bad input is a 400/404 naming the field, never a 500, and changes nothing."""

from __future__ import annotations

import pytest

from plugins.orders.tests.helpers import new_key, order_body, post_order, snapshot

SOFA = "__sofa__"  # replaced by the sofa's id
CHAIR = "__chair__"  # an unpublished product


def _fill(value, shop):
    if value == SOFA:
        return shop.sofa.id
    if value == CHAIR:
        return shop.chair.id
    if isinstance(value, dict):
        return {k: _fill(v, shop) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, shop) for v in value]
    return value


def _path(details: dict, path: tuple[str, ...]):
    node = details
    for part in path:
        assert isinstance(node, dict) and part in node, f"{part!r} not in {node!r}"
        node = node[part]
    return node


GOOD_ITEM = {"product_id": SOFA, "options": {"COVER": "FA"}, "qty": 1}

BAD_ORDERS = [
    ("unknown top field", {**order_body([GOOD_ITEM]), "coupon": "X"}, ("coupon",)),
    ("unknown item field", order_body([{**GOOD_ITEM, "price": "1.00"}]), ("items", "0", "price")),
    ("qty zero", order_body([{**GOOD_ITEM, "qty": 0}]), ("items", "0", "qty")),
    ("qty negative", order_body([{**GOOD_ITEM, "qty": -1}]), ("items", "0", "qty")),
    ("qty huge", order_body([{**GOOD_ITEM, "qty": 10**9}]), ("items", "0", "qty")),
    ("qty enormous", order_body([{**GOOD_ITEM, "qty": 10**40}]), ("items", "0", "qty")),
    ("qty as text", order_body([{**GOOD_ITEM, "qty": "2"}]), ("items", "0", "qty")),
    ("qty as float", order_body([{**GOOD_ITEM, "qty": 1.5}]), ("items", "0", "qty")),
    ("qty null", order_body([{**GOOD_ITEM, "qty": None}]), ("items", "0", "qty")),
    ("product id as text", order_body([{**GOOD_ITEM, "product_id": "1"}]), ("items", "0", "product_id")),
    ("product id zero", order_body([{**GOOD_ITEM, "product_id": 0}]), ("items", "0", "product_id")),
    ("no such product", order_body([{**GOOD_ITEM, "product_id": 999999}]), ("items", "0", "product_id")),
    (
        "unpublished product",
        order_body([{**GOOD_ITEM, "product_id": CHAIR, "options": {}}]),
        ("items", "0", "product_id"),
    ),
    (
        "unknown option group",
        order_body([{**GOOD_ITEM, "options": {"COLOR": "RED"}}]),
        ("items", "0", "options", "COLOR"),
    ),
    (
        "unknown option value",
        order_body([{**GOOD_ITEM, "options": {"COVER": "ZZ"}}]),
        ("items", "0", "options", "COVER"),
    ),
    ("options not an object", order_body([{**GOOD_ITEM, "options": ["FA"]}]), ("items", "0", "options")),
    (
        "option value not text",
        order_body([{**GOOD_ITEM, "options": {"COVER": 3}}]),
        ("items", "0", "options", "COVER", "value"),
    ),
    ("second item bad", order_body([GOOD_ITEM, {**GOOD_ITEM, "qty": 0}]), ("items", "1", "qty")),
    ("items empty", order_body([]), ("items",)),
    ("items not a list", {**order_body(), "from_cart": False, "items": {"0": GOOD_ITEM}}, ("items",)),
    ("both sources", {**order_body([GOOD_ITEM]), "from_cart": True}, ("from_cart",)),
    ("no source", {"delivery": order_body()["delivery"]}, ("from_cart",)),
    ("from_cart as text", {**order_body(), "from_cart": "true"}, ("from_cart",)),
    ("no delivery", {"items": [GOOD_ITEM]}, ("delivery",)),
    ("delivery not an object", {**order_body([GOOD_ITEM]), "delivery": "广州"}, ("delivery", "_schema")),
    (
        "bad phone",
        order_body([GOOD_ITEM], delivery={**order_body()["delivery"], "phone": "12345"}),
        ("delivery", "phone"),
    ),
    (
        "blank contact",
        order_body([GOOD_ITEM], delivery={**order_body()["delivery"], "contact": "   "}),
        ("delivery", "contact"),
    ),
    (
        "short address",
        order_body([GOOD_ITEM], delivery={**order_body()["delivery"], "address": "广州"}),
        ("delivery", "address"),
    ),
    (
        "long address",
        order_body([GOOD_ITEM], delivery={**order_body()["delivery"], "address": "路" * 300}),
        ("delivery", "address"),
    ),
    ("control characters", order_body([GOOD_ITEM], remark="a\x00b"), ("remark",)),
    ("long remark", order_body([GOOD_ITEM], remark="x" * 501), ("remark",)),
    ("expected total as number", order_body([GOOD_ITEM], expected_total=2952.0), ("expected_total",)),
    ("expected total not money", order_body([GOOD_ITEM], expected_total="29.521"), ("expected_total",)),
    (
        "custom request too long",
        order_body([{**GOOD_ITEM, "custom_request": "长" * 501}]),
        ("items", "0", "custom_request"),
    ),
]


@pytest.mark.parametrize("case,body,path", BAD_ORDERS, ids=[case[0] for case in BAD_ORDERS])
def test_bad_order_requests_are_400_and_change_nothing(app, client, shop, case, body, path):
    api = client.login("dealer1")
    api.post("cart/items", {"product_id": shop.table.id, "qty": 1})
    before = snapshot(app)
    answer = post_order(api, _fill(body, shop), new_key())
    assert answer.status_code == 400, answer.text
    error = answer.json["error"]
    assert error["code"] == "invalid_input"
    assert error["message"] == "部分字段填写有误。"
    messages = _path(error["details"], path)
    assert messages and all(
        isinstance(m, str) and m for m in (messages if isinstance(messages, list) else [messages])
    )
    assert snapshot(app) == before


def test_field_messages_are_translated(client, shop):
    answer = post_order(
        client.login("dealer1"),
        order_body(
            [{**_fill(GOOD_ITEM, shop), "qty": 0}],
            delivery={"contact": "陈伟", "phone": "123", "address": "广州"},
        ),
    )
    details = answer.json["error"]["details"]
    assert details["items"]["0"]["qty"] == ["至少为 1。"]
    assert details["delivery"]["phone"] == ["请填写 11 位手机号，或带区号的座机号码，如 0757-22345678。"]
    english = post_order(
        client.login("dealer1"),
        order_body([{**_fill(GOOD_ITEM, shop), "qty": 0}]),
    ).json  # default language is zh-CN; Accept-Language switches
    assert english["error"]["details"]["items"]["0"]["qty"] == ["至少为 1。"]


@pytest.mark.parametrize(
    "raw",
    [b"{", b"[1, 2]", b'"text"', b"\xff\xfe", b'{"items": [', b"null", b"123", b"[" * 100000],
    ids=lambda raw: repr(raw[:12]),
)
def test_malformed_bodies_are_400(app, client, shop, raw):
    api = client.login("dealer1")
    before = snapshot(app)
    for path in ("orders", "cart/items"):
        answer = api.post(path, raw=raw, headers={"Idempotency-Key": new_key()})
        assert answer.status_code == 400, (path, answer.text)
        assert answer.json["error"]["code"] in ("invalid_json", "invalid_input")
    assert snapshot(app) == before


@pytest.mark.parametrize("key", ["short", "has space in it", "x" * 129, "ключ-ключ-ключ"])
def test_a_malformed_idempotency_key_is_400(app, client, shop, key):
    api = client.login("dealer1")
    before = snapshot(app)
    answer = api.post("orders", _fill(order_body([GOOD_ITEM]), shop), headers={"Idempotency-Key": key})
    assert answer.status_code == 400
    assert "Idempotency-Key" in answer.json["error"]["details"]
    assert snapshot(app) == before


BAD_CART_LINES = [
    ({"product_id": SOFA, "qty": 0}, ("qty",)),
    ({"product_id": SOFA, "qty": -3}, ("qty",)),
    ({"product_id": SOFA, "qty": 10**9}, ("qty",)),
    ({"product_id": SOFA, "qty": True}, ("qty",)),
    ({"product_id": SOFA}, ("qty",)),
    ({"product_id": CHAIR, "qty": 1}, ("product_id",)),
    ({"product_id": 2**31, "qty": 1}, ("product_id",)),
    ({"product_id": SOFA, "qty": 1, "options": {"COVER": "NOPE"}}, ("options", "COVER")),
    ({"product_id": SOFA, "qty": 1, "options": {"NOPE": "FA"}}, ("options", "NOPE")),
    ({"product_id": SOFA, "qty": 1, "price": "1.00"}, ("price",)),
    ({"product_id": SOFA, "qty": 1, "remark": 5}, ("remark",)),
]


@pytest.mark.parametrize("body,path", BAD_CART_LINES, ids=[str(i) for i in range(len(BAD_CART_LINES))])
def test_bad_cart_lines_are_400_and_change_nothing(app, client, shop, body, path):
    api = client.login("dealer1")
    before = snapshot(app)
    answer = api.post("cart/items", _fill(body, shop))
    assert answer.status_code == 400, answer.text
    _path(answer.json["error"]["details"], path)
    assert snapshot(app) == before


def test_a_custom_request_on_a_product_that_takes_none_is_400(app, client, shop):
    with app.ctx.activate():
        type(shop.sofa).update(custom_allowed=False).where(type(shop.sofa).id == shop.sofa.id).execute()
    answer = client.login("dealer1").post(
        "cart/items", {"product_id": shop.sofa.id, "qty": 1, "custom_request": "加长"}
    )
    assert answer.status_code == 400
    assert answer.json["error"]["details"] == {"custom_request": ["该商品不接受定制要求。"]}


def test_bad_quantity_changes_are_400_and_unknown_lines_404(app, client, shop):
    api = client.login("dealer1")
    line = api.post("cart/items", {"product_id": shop.sofa.id, "qty": 2}).json["item"]
    before = snapshot(app)
    for qty in (0, -1, 10**9, "3", 2.5, None):
        answer = api.patch(f"cart/items/{line['id']}", {"qty": qty})
        assert answer.status_code == 400, qty
        assert "qty" in answer.json["error"]["details"]
    assert api.patch(f"cart/items/{line['id']}", {"qty": 2, "remark": "x"}).status_code == 400
    for item_id in ("999999", "abc", "-1", "0", str(10**30)):
        assert api.patch(f"cart/items/{item_id}", {"qty": 1}).status_code == 404, item_id
        assert api.delete(f"cart/items/{item_id}").status_code == 404, item_id
    assert snapshot(app) == before


@pytest.mark.parametrize("status", ["bogus", "paid,bogus", "x" * 300])
def test_a_bad_status_filter_is_400(client, shop, status):
    answer = client.login("dealer1").get("orders", params={"status": status})
    assert answer.status_code == 400
    assert "status" in answer.json["error"]["details"]


@pytest.mark.parametrize("params", [{"page": "0"}, {"page": "x"}, {"per_page": "101"}, {"per_page": "-5"}])
def test_bad_paging_is_400(client, shop, params):
    assert client.login("dealer1").get("orders", params=params).status_code == 400


@pytest.mark.parametrize("no", ["SO-nothing", "x" * 200, "SO20260101-0001%00", "../../etc/passwd"])
def test_unknown_order_numbers_are_404(client, shop, no):
    api = client.login("dealer1")
    assert api.get(f"orders/{no}").status_code == 404
    assert api.post(f"orders/{no}/cancel", {}).status_code == 404
    assert api.post(f"orders/{no}/reorder").status_code == 404


@pytest.mark.parametrize("body", [{"x": 1}, {"qty": 2}, {"lines": []}])
def test_reorder_refuses_fields_it_does_not_know(app, client, shop, body):
    api = client.login("dealer1")
    no = post_order(api, order_body([_fill(GOOD_ITEM, shop)]), new_key()).json["no"]
    before = snapshot(app)
    answer = api.post(f"orders/{no}/reorder", body)
    assert answer.status_code == 400
    assert answer.json["error"]["code"] == "invalid_input"
    assert list(answer.json["error"]["details"]) == list(body)
    assert snapshot(app) == before
    # An empty object (or no body) is the request the contract knows.
    again = api.post(f"orders/{no}/reorder", {})
    assert (again.status_code, again.json["added"]) == (200, 1)
    assert [line["qty"] for line in again.json["cart"]["lines"]] == [1]
