"""The price rule of DESIGN §3, checked on exact figures."""

from decimal import Decimal

import pytest

from core.models import Customer
from plugins.pricing.services import PriceResult, default_prices, grade_prices, price_line, render_breakdown
from plugins.pricing.tests.helpers import LEG_VALUES, customer_price, product

# research/mission-anchors.md §(c): S-801 modules, list prices (fen) per grade,
# and the 华南 dealer's explicit L2 prices.
S801 = {
    "S-801-LA": ({"FA": 128000, "FB": 141000, "L2": 235000}, 220000),
    "S-801-M": ({"FA": 98000, "FB": 108000, "L2": 180000}, 168000),
    "S-801-CHR": ({"FA": 168000, "FB": 185000, "L2": 305000}, 285000),
}


@pytest.fixture
def dealer(db):
    return Customer.create(code="C0001", name="佛山顺德家居馆", discount_rate=Decimal("0.85"))


@pytest.fixture
def s801(db, dealer):
    items = {}
    for code, (grades, explicit_l2) in S801.items():
        items[code] = product(code, grades=grades, surcharge_values=LEG_VALUES)
        customer_price(dealer, items[code], "L2", explicit_l2)
    return items


def zh(app):
    return app.ctx.translator.bound("zh-CN")


def test_worked_example_explicit_l2_prices_sum_to_6730(app, dealer, s801):
    results = [price_line(app.ctx, dealer, s801[code], {"SOFA-COVER": "L2"}, 1) for code in S801]
    assert [r.unit_price for r in results] == [220000, 168000, 285000]
    assert sum(r.unit_price for r in results) == 673000
    assert {r.source for r in results} == {"customer_price"}
    assert results[0].to_json(zh(app))["breakdown"] == [
        {"label": "头层牛皮L2（一客一价）", "amount": "2200.00"}
    ]
    assert results[0].version.startswith("cp:") and results[0].version.endswith(":v1")


def test_worked_example_fabric_a_is_list_times_rate(app, dealer, s801):
    results = [price_line(app.ctx, dealer, s801[code], {"SOFA-COVER": "FA"}, 1) for code in S801]
    # 1280 × 0.85 = 1088, 980 × 0.85 = 833, 1680 × 0.85 = 1428; set 3940 × 0.85 = 3349
    assert [r.unit_price for r in results] == [108800, 83300, 142800]
    assert sum(r.unit_price for r in results) == 334900
    assert results[0].source == "list_discount"
    assert results[0].version.endswith("@0.85")
    assert results[0].breakdown_json(zh(app)) == [
        {"label": "布A：标价 1280.00 × 折扣 0.85", "amount": "1088.00"}
    ]


def test_explicit_price_beats_the_discount_even_when_the_discount_is_cheaper(app, db):
    generous = Customer.create(code="C0900", name="大客户", discount_rate=Decimal("0.50"))
    item = product("X-1", grades={"FA": 100000, "FB": 120000, "L2": 200000})
    customer_price(generous, item, "FB", 90000)  # above 120000 × 0.5 = 60000
    assert price_line(app.ctx, generous, item, {"SOFA-COVER": "FB"}, 1).unit_price == 90000
    # other grades still follow the discount
    assert price_line(app.ctx, generous, item, {"SOFA-COVER": "FA"}, 1).unit_price == 50000


def test_surcharge_is_at_the_customers_rate_also_on_an_explicit_price(app, dealer, s801):
    result = price_line(app.ctx, dealer, s801["S-801-LA"], {"SOFA-COVER": "L2", "SOFA-LEG": "LG-02"}, 1)
    # 2200 explicit + 80 × 0.85 = 68
    assert result.unit_price == 226800
    assert result.breakdown_json(zh(app)) == [
        {"label": "头层牛皮L2（一客一价）", "amount": "2200.00"},
        {"label": "脚架：拉丝香槟金脚（加价 80.00 × 折扣 0.85）", "amount": "68.00"},
    ]
    english = result.breakdown_json(app.ctx.translator.bound("en"))
    assert english[1]["label"] == "脚架: 拉丝香槟金脚 (surcharge 80.00 × 0.85)"


def test_line_total_is_unit_times_qty_exactly(app, dealer, s801):
    result = price_line(app.ctx, dealer, s801["S-801-M"], {"SOFA-COVER": "FB", "SOFA-LEG": "LG-02"}, 9999)
    # 1080 × 0.85 = 918, + 68 = 986.00
    assert result.unit_price == 98600
    assert result.line_total == 98600 * 9999
    assert result.to_json()["line_total"] == "9859014.00"


@pytest.mark.parametrize(
    ("list_fen", "rate", "unit"),
    [
        (9999, "0.85", 8499),  # 84.9915 yuan -> 84.99
        (1250, "0.85", 1063),  # 1062.5 fen rounds half UP (banker's rounding would give 1062)
        (1, "0.5", 1),  # 0.5 fen -> 1 fen
        (3, "0.125", 0),  # 0.375 fen -> 0
        (1, "0.125", 0),  # 0.125 fen -> 0
        (9, "0.125", 1),  # 1.125 fen -> 1
        (20, "0.125", 3),  # 2.5 fen -> 3
        (100, "0.125", 13),  # 12.5 fen -> 13
        (1234567, "0.7777", 960123),  # 960122.7559 -> 960123
    ],
)
def test_unit_price_rounds_half_up_to_the_fen(app, db, list_fen, rate, unit):
    customer = Customer.create(code=f"R{list_fen}", name="取整测试", discount_rate=Decimal(rate))
    item = product(f"R-{list_fen}", grades={"": list_fen}, grade_values=())
    assert price_line(app.ctx, customer, item, {}, 1).unit_price == unit


def test_base_and_surcharge_are_summed_before_the_one_rounding(app, db):
    customer = Customer.create(code="C0950", name="半分客户", discount_rate=Decimal("0.85"))
    legs = (("LG-01", "碳钢脚", 0), ("LG-02", "金脚", 1250))
    item = product("H-1", grades={"": 1250}, grade_values=(), surcharge_values=legs)
    result = price_line(app.ctx, customer, item, {"SOFA-LEG": "LG-02"}, 3)
    # 1062.5 + 1062.5 = 2125 exactly; rounding each part first would give 2126
    assert result.unit_price == 2125
    assert result.line_total == 6375
    # the displayed parts are rounded each, so a rounding entry keeps the sum exact
    assert [(item.label, item.amount) for item in result.breakdown] == [
        ("List price {list_price} × {rate}", 1063),
        ("{group}: {value} (surcharge {surcharge} × {rate})", 1063),
        ("Rounding", -1),
    ]
    assert sum(item.amount for item in result.breakdown) == result.unit_price


def test_dealers_with_different_rates_and_price_files_get_different_prices(app, db):
    one = Customer.create(code="C0001", name="一号", discount_rate=Decimal("0.85"))
    two = Customer.create(code="C0002", name="二号", discount_rate=Decimal("0.78"))
    item = product("D-1", grades={"FA": 250000, "FB": 280000, "L2": 400000})
    customer_price(two, item, "L2", 300000)
    assert price_line(app.ctx, one, item, {"SOFA-COVER": "FA"}, 1).unit_price == 212500
    assert price_line(app.ctx, two, item, {"SOFA-COVER": "FA"}, 1).unit_price == 195000
    assert price_line(app.ctx, one, item, {"SOFA-COVER": "L2"}, 1).unit_price == 340000
    assert price_line(app.ctx, two, item, {"SOFA-COVER": "L2"}, 1).unit_price == 300000


def test_missing_required_choice_takes_the_default(app, dealer, s801):
    # no cover chosen -> 布A; no legs chosen -> the first (free) leg
    assert price_line(app.ctx, dealer, s801["S-801-LA"], {}, 1).unit_price == 108800


def test_record_round_trips_to_the_same_api_rows(app, dealer, s801):
    result = price_line(app.ctx, dealer, s801["S-801-LA"], {"SOFA-COVER": "FB", "SOFA-LEG": "LG-02"}, 2)
    record = result.to_record()
    assert record["unit_price"] == 126650  # 1410 × 0.85 = 1198.50 + 68
    assert render_breakdown(record["breakdown"], zh(app)) == result.breakdown_json(zh(app))
    assert PriceResult.with_qty(result, 5).line_total == 126650 * 5


def test_list_price_equals_quote_of_the_default_configuration(app, db):
    customers = [
        Customer.create(code=f"P{i}", name=f"客户{i}", discount_rate=Decimal(rate))
        for i, rate in enumerate(("0.85", "0.7777", "1", "0.62"))
    ]
    items = []
    for i in range(30):
        base = 99_99 + i * 123_457
        grades = {"FA": base, "FB": base * 11 // 10 + 1, "L2": base * 2 + 3}
        legs = (("LG-01", "碳钢脚", 1250 + i), ("LG-02", "金脚", 8000))
        items.append(product(f"L-{i}", grades=grades, surcharge_values=legs, surcharge_required=i % 2 == 0))
        if i % 3 == 0:
            customer_price(customers[i % 4], items[-1], "FA", base - 777)
    for customer in customers:
        listed = default_prices(app.ctx, customer, items)
        for item in items:
            assert listed[item.id] == price_line(app.ctx, customer, item, {}, 1).unit_price
        for item in items[:5]:
            for row in grade_prices(app.ctx, customer, item):
                quote = price_line(app.ctx, customer, item, {"SOFA-COVER": row["grade"]}, 1)
                assert row["price"] == quote.unit_price
