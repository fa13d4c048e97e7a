"""POST /api/v1/quotes: prices for the acting customer; bad input is 400/404."""

from decimal import Decimal

import pytest

from core.models import Customer
from plugins.pricing.models import CustomerPrice, GradePrice
from plugins.pricing.tests.helpers import LEG_VALUES, customer_price, product


@pytest.fixture
def shop(app, make_user):
    with app.ctx.activate():
        one = Customer.create(code="C0001", name="佛山顺德家居馆", discount_rate=Decimal("0.85"))
        two = Customer.create(code="C0002", name="南宁青秀美居家具", discount_rate=Decimal("0.78"))
        sofa = product(
            "S-801-LA", grades={"FA": 128000, "FB": 141000, "L2": 235000}, surcharge_values=LEG_VALUES
        )
        customer_price(one, sofa, "L2", 220000)
        hidden = product("S-999", grades={"FA": 100000}, published=False)
        unpriced = product("S-000", grades={"FA": 100000})
    make_user("dealer1", customer=one)
    make_user("dealer2", customer=two)
    make_user("rep1", "rep", customers=[two])
    make_user("admin1", "admin")
    return {"one": one, "two": two, "sofa": sofa, "hidden": hidden, "unpriced": unpriced}


def test_quote_answers_prices_breakdown_and_resolved_options(client, shop):
    dealer = client.login("dealer1")
    sofa = shop["sofa"]
    result = dealer.post("quotes", {"product_id": sofa.id, "options": {"SOFA-COVER": "L2"}, "qty": 2})
    assert result.status_code == 200
    assert result.json == {
        "product_id": sofa.id,
        "options": {"SOFA-COVER": "L2", "SOFA-LEG": "LG-01"},
        "qty": 2,
        "grade": "L2",
        "unit_price": "2200.00",
        "line_total": "4400.00",
        "source": "customer_price",
        "breakdown": [{"label": "头层牛皮L2（一客一价）", "amount": "2200.00"}],
    }


def test_quote_labels_follow_the_request_language(client, shop):
    dealer = client.login("dealer1")
    body = {"product_id": shop["sofa"].id, "options": {"SOFA-COVER": "FB", "SOFA-LEG": "LG-02"}, "qty": 1}
    result = dealer.post("quotes", body, headers={"Accept-Language": "en"})
    assert result.json["unit_price"] == "1266.50"  # 1410 × 0.85 = 1198.50, + 80 × 0.85 = 68
    assert result.json["breakdown"] == [
        {"label": "布B: list price 1410.00 × 0.85", "amount": "1198.50"},
        {"label": "脚架: 拉丝香槟金脚 (surcharge 80.00 × 0.85)", "amount": "68.00"},
    ]


def test_two_dealers_get_their_own_price_for_the_same_configuration(client, shop):
    body = {"product_id": shop["sofa"].id, "options": {"SOFA-COVER": "L2"}, "qty": 1}
    first = client.login("dealer1").post("quotes", body).json
    second = client.login("dealer2").post("quotes", body).json
    assert (first["unit_price"], first["source"]) == ("2200.00", "customer_price")
    assert (second["unit_price"], second["source"]) == ("1833.00", "list_discount")  # 2350 × 0.78


def test_rep_quotes_for_the_customer_they_act_for(client, shop):
    rep = client.login("rep1")
    body = {"product_id": shop["sofa"].id, "options": {"SOFA-COVER": "FA"}, "qty": 3}
    result = rep.post("quotes", body)
    assert result.json["unit_price"] == "998.40"  # 1280 × 0.78
    assert result.json["line_total"] == "2995.20"


def test_staff_cannot_quote_without_a_customer(client, shop):
    body = {"product_id": shop["sofa"].id, "options": {}, "qty": 1}
    assert client.login("admin1").post("quotes", body).status_code == 403
    assert client.post("quotes", body).status_code == 401


@pytest.mark.parametrize("qty", [0, -1, 10000, 10**9, 10**40, "2", 1.5, 2.0, True, None])
def test_bad_quantities_are_400_on_qty(client, shop, qty):
    result = client.login("dealer1").post(
        "quotes", {"product_id": shop["sofa"].id, "options": {}, "qty": qty}
    )
    assert result.status_code == 400
    assert result.json["error"]["code"] == "invalid_input"
    assert list(result.json["error"]["details"]) == ["qty"]


@pytest.mark.parametrize(
    ("options", "bad"),
    [
        ({"SOFA-COVER": "XX"}, "SOFA-COVER"),
        ({"COLOUR": "NP-12"}, "COLOUR"),
        ({"SOFA-LEG": "LG-09", "SOFA-COVER": "FA"}, "SOFA-LEG"),
        ({"SOFA-COVER": "FA\x00"}, "SOFA-COVER"),
        ({"SOFA-COVER\x00": "FA"}, "SOFA-COVER\x00"),
    ],
)
def test_unknown_options_are_400_naming_the_group(client, shop, options, bad):
    body = {"product_id": shop["sofa"].id, "options": options, "qty": 1}
    result = client.login("dealer1").post("quotes", body)
    assert result.status_code == 400
    assert list(result.json["error"]["details"]["options"]) == [bad]


def test_option_messages_speak_the_callers_language(client, shop):
    dealer = client.login("dealer1")
    body = {"product_id": shop["sofa"].id, "options": {"SOFA-COVER": "L9", "XX": "1"}, "qty": 1}
    zh = dealer.post("quotes", body).json["error"]["details"]["options"]
    assert zh == {"SOFA-COVER": ["该选项没有这个可选值。"], "XX": ["该商品没有这个选项。"]}
    en = dealer.post("quotes", body, headers={"Accept-Language": "en"}).json["error"]["details"]["options"]
    assert en == {
        "SOFA-COVER": ["This option has no such value."],
        "XX": ["This product has no such option group."],
    }
    many = {"product_id": shop["sofa"].id, "options": {f"G{n}": "x" for n in range(33)}, "qty": 1}
    assert dealer.post("quotes", many).json["error"]["details"]["options"] == [
        "选项过多：一件商品最多 32 个选项。"
    ]


@pytest.mark.parametrize(
    "body",
    [
        {"product_id": "1", "options": {}, "qty": 1},
        {"product_id": 1, "options": ["SOFA-COVER"], "qty": 1},
        {"product_id": 1, "options": {"SOFA-COVER": 5}, "qty": 1},
        {"product_id": 1, "options": {}, "qty": 1, "price": "1.00"},
        {"options": {}, "qty": 1},
        [1, 2],
        "quote",
    ],
)
def test_malformed_bodies_are_400(client, shop, body):
    result = client.login("dealer1").post("quotes", body)
    assert result.status_code == 400
    assert result.json["error"]["code"] == "invalid_input"


def test_invalid_json_is_400(client, shop):
    result = client.login("dealer1").post("quotes", raw="{product_id: 1")
    assert result.status_code == 400
    assert result.json["error"]["code"] == "invalid_json"


def test_unknown_and_unpublished_products_are_404(client, shop):
    dealer = client.login("dealer1")
    for product_id in (shop["hidden"].id, 987654, 2**31 - 1):
        result = dealer.post("quotes", {"product_id": product_id, "options": {}, "qty": 1})
        assert result.status_code == 404, product_id
        assert result.json["error"]["code"] == "not_found"
    assert dealer.post("quotes", {"product_id": 2**31, "options": {}, "qty": 1}).status_code == 400


def test_product_without_a_price_is_409_price_unavailable(client, shop):
    dealer = client.login("dealer1")
    result = dealer.post(
        "quotes", {"product_id": shop["unpriced"].id, "options": {"SOFA-COVER": "FB"}, "qty": 1}
    )
    assert result.status_code == 409
    assert result.json["error"]["code"] == "price_unavailable"
    assert result.json["error"]["message"] == "S-000 暂无此配置的价格，请联系客服。"


def test_quotes_change_nothing(app, client, shop):
    dealer = client.login("dealer1")
    with app.ctx.activate():
        before = (
            [(r.id, r.list_price, r.version) for r in GradePrice.select().order_by(GradePrice.id)],
            [(r.id, r.unit_price, r.version) for r in CustomerPrice.select().order_by(CustomerPrice.id)],
        )
    for body in (
        {"product_id": shop["sofa"].id, "options": {"SOFA-COVER": "L2"}, "qty": 5},
        {"product_id": shop["sofa"].id, "options": {"SOFA-COVER": "XX"}, "qty": 5},
        {"product_id": shop["hidden"].id, "options": {}, "qty": 5},
    ):
        dealer.post("quotes", body)
    with app.ctx.activate():
        after = (
            [(r.id, r.list_price, r.version) for r in GradePrice.select().order_by(GradePrice.id)],
            [(r.id, r.unit_price, r.version) for r in CustomerPrice.select().order_by(CustomerPrice.id)],
        )
    assert after == before
