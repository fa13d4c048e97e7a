"""Pricing through hooks: catalog import, product answers, resolver overrides, demo data."""

from decimal import Decimal

import pytest

from core.demo import load_demo_data
from core.models import Customer
from core.plugins import hookimpl
from plugins.catalog.importer import ImportOptions, import_file
from plugins.catalog.models import Product
from plugins.catalog.services import describe_product, describe_products, validate_options
from plugins.pricing.models import CustomerPrice, GradePrice
from plugins.pricing.services import PriceResult, default_prices, grade_prices, price_line
from plugins.pricing.tests.helpers import LEG_VALUES, customer_price, product


class LivePrices:
    """A stand-in ERP connector answering some products with its own price."""

    def __init__(self, prices):
        self.prices = prices
        self.calls = 0

    @hookimpl
    def resolve_price(self, ctx, customer, product, options, qty):
        self.calls += 1
        unit = self.prices.get((product.code, options.get("SOFA-COVER")))
        if unit is None:
            return None
        return PriceResult(unit, qty, unit * qty, "erp_live", "erp:1", [], options.get("SOFA-COVER", ""))


@pytest.fixture
def dealer(db):
    return Customer.create(code="C0001", name="佛山顺德家居馆", discount_rate=Decimal("0.85"))


def test_product_answers_carry_this_customers_price_and_grade_prices(app, dealer):
    sofa = product("S-801-LA", grades={"FA": 128000, "FB": 141000, "L2": 235000}, surcharge_values=LEG_VALUES)
    customer_price(dealer, sofa, "L2", 220000)
    bare = product("X-0", grades={"FB": 10000})  # no price for its default grade 布A
    listed = describe_products(app.ctx, dealer, [sofa, bare])
    assert [(item["code"], item["price"]) for item in listed] == [("S-801-LA", "1088.00"), ("X-0", None)]
    assert "grade_prices" not in listed[0]
    detail = describe_product(app.ctx, dealer, sofa)
    assert detail["price"] == "1088.00"
    assert detail["grade_prices"] == [
        {"grade": "FA", "name": "布A", "price": "1088.00"},
        {"grade": "FB", "name": "布B", "price": "1198.50"},
        {"grade": "L2", "name": "头层牛皮L2", "price": "2200.00"},
    ]
    # staff without a customer see list prices (rate 1, no price file)
    assert describe_products(app.ctx, None, [sofa])[0]["price"] == "1280.00"


@pytest.fixture
def queries(db, monkeypatch):
    """Counts the SQL statements the database runs."""
    counter = {"n": 0}
    original = db.execute_sql

    def counting(sql, params=None, *args, **kwargs):
        counter["n"] += 1
        return original(sql, params, *args, **kwargs)

    monkeypatch.setattr(db, "execute_sql", counting)
    return counter


def test_price_list_costs_a_fixed_number_of_queries(app, dealer, queries):
    items = [
        product(f"Q-{i}", grades={"FA": 1000 + i, "FB": 2000, "L2": 3000}, surcharge_values=LEG_VALUES)
        for i in range(40)
    ]
    for item in items[::3]:
        customer_price(dealer, item, "FA", 900)
    counts = []
    for size in (5, 40):
        fresh = list(Product.select().where(Product.id.in_([p.id for p in items[:size]])))
        before = queries["n"]
        prices = default_prices(app.ctx, dealer, fresh)
        counts.append(queries["n"] - before)
        assert prices[items[0].id] == 900 and prices[items[1].id] == 851  # 1001 × 0.85 = 850.85
    # option groups, option values, list prices, customer prices
    assert counts == [4, 4]


def test_a_resolver_plugin_wins_and_lists_follow_it(app, dealer):
    sofa = product("S-801-LA", grades={"FA": 128000, "FB": 141000, "L2": 235000})
    other = product("S-801-M", grades={"FA": 98000, "FB": 108000, "L2": 180000})
    live = LivePrices({("S-801-LA", "FA"): 99900, ("S-801-LA", "L2"): 199900})
    app.ctx.pm.register(live)
    quote = price_line(app.ctx, dealer, sofa, validate_options(sofa, {}), 2)
    assert (quote.unit_price, quote.line_total, quote.source) == (99900, 199800, "erp_live")
    # the built-in price file still answers what the resolver leaves alone
    assert price_line(app.ctx, dealer, other, validate_options(other, {}), 1).source == "list_discount"
    assert default_prices(app.ctx, dealer, [sofa, other]) == {sofa.id: 99900, other.id: 83300}
    assert [row["price"] for row in grade_prices(app.ctx, dealer, sofa)] == [99900, 119850, 199900]


def test_catalog_import_stores_list_prices_once(app, dealer, tmp_path):
    path = tmp_path / "products.csv"
    path.write_text("code,name,category,price\nN-1,新沙发,沙发,3280\nN-2,新茶几,茶几,¥1999.5\n", "utf-8")
    first = import_file(app.ctx, path, ImportOptions())
    assert first.imported == 2
    rows = {(r.product.code, r.grade): (r.list_price, r.version) for r in GradePrice.select().join(Product)}
    assert rows == {("N-1", ""): (328000, 1), ("N-2", ""): (199950, 1)}
    again = import_file(app.ctx, path, ImportOptions())
    assert (again.imported, again.updated, again.unchanged) == (0, 0, 2)
    path.write_text("code,name,category,price\nN-1,新沙发,沙发,3380\n", "utf-8")
    changed = import_file(app.ctx, path, ImportOptions())
    assert changed.updated == 1
    assert GradePrice.get(GradePrice.grade == "", GradePrice.list_price == 338000).version == 2
    n1 = Product.get(Product.code == "N-1")
    assert price_line(app.ctx, dealer, n1, {}, 1).unit_price == 287300  # 3380 × 0.85


def test_demo_data_prices_match_the_dataset(app):
    from demodata import build_dataset

    dataset = build_dataset()
    assert load_demo_data(app.ctx)
    with app.ctx.activate():
        assert GradePrice.select().count() == sum(len(p.list_prices) for p in dataset.products)
        assert CustomerPrice.select().count() == len(dataset.customer_prices)
        one = Customer.get(Customer.code == "C0001")
        s801 = Product.get(Product.code == "S-801")
        demo = dataset.product("S-801")
        for grade, list_fen in demo.list_prices.items():
            options = validate_options(s801, {demo.grade_group_code: grade})
            result = price_line(app.ctx, one, s801, options, 1)
            explicit = dataset.customer_price("C0001", "S-801", grade)
            assert explicit is not None
            assert (result.unit_price, result.source) == (explicit, "customer_price")
        # and a product outside the price file: list × 0.85 (+ default surcharges)
        plain = next(
            p
            for p in dataset.products
            if p.published and dataset.customer_price("C0001", p.code, p.default_grade_code) is None
        )
        stored = Product.get(Product.code == plain.code)
        expected = (Decimal(plain.default_price_fen) * Decimal("0.85")).quantize(
            Decimal(1), rounding="ROUND_HALF_UP"
        )
        assert default_prices(app.ctx, one, [stored])[stored.id] == int(expected)


def test_with_a_resolver_plugin_lists_still_cost_a_fixed_number_of_queries(app, dealer, queries):
    items = [product(f"V-{i}", grades={"FA": 1000 + i}) for i in range(20)]
    live = LivePrices({("V-3", "FA"): 777})
    app.ctx.pm.register(live)
    counts = []
    for size in (4, 20):
        fresh = list(Product.select().where(Product.id.in_([p.id for p in items[:size]])))
        before = queries["n"]
        prices = default_prices(app.ctx, dealer, fresh)
        counts.append(queries["n"] - before)
        assert prices[items[3].id] == 777 and prices[items[2].id] == 852  # 1002 × 0.85 = 851.7
    assert counts == [4, 4]
    assert live.calls == 24
    # the batch's book is not left on the objects
    assert all("_price_book" not in p.__dict__ for p in fresh)
