"""Live ERP prices and stock: cached briefly, never asked for lists, clearly marked when offline."""

from __future__ import annotations

from decimal import Decimal

from core.app import create_app
from core.models import Customer
from core.testing import ApiClient
from plugins.catalog.models import Product
from plugins.catalog.services import validate_options
from plugins.erp_yidiantong.sync.live import FALLBACK_NOTE, live_state
from plugins.erp_yidiantong.tests.sync_fixtures import *  # noqa: F403
from plugins.erp_yidiantong.tests.sync_fixtures import DEMO_PASSWORD, close_app, connector_settings, sync
from plugins.pricing.services import price_line


def _graded(dataset):
    return next(p for p in dataset.products if p.published and not p.custom_only and p.grade_group_code)


def _quote(dealer, product_id: int, options: dict, qty: int = 1) -> dict:
    answer = dealer.post("quotes", {"product_id": product_id, "options": options, "qty": qty})
    assert answer.status_code == 200, answer.text
    return answer.json


def test_a_quote_is_the_erps_price_and_is_cached_per_configuration(
    synced, erp_app, erp_ctx, control, dataset
):
    product = _graded(dataset)
    local = Product.get(Product.code == product.code)
    grades = [v.code for v in product.grade_group.values]
    dealer = ApiClient(erp_app).login("dealer1", DEMO_PASSWORD)
    first = _quote(dealer, local.id, {product.grade_group_code: grades[0]}, qty=3)
    assert first["source"] == "erp_live"
    assert Decimal(first["line_total"]) == 3 * Decimal(first["unit_price"])
    assert sum(Decimal(item["amount"]) for item in first["breakdown"]) == Decimal(first["unit_price"])
    control.ok("POST", "offline")
    cached = _quote(dealer, local.id, {product.grade_group_code: grades[0]}, qty=1)
    assert (cached["source"], cached["unit_price"]) == ("erp_live", first["unit_price"])  # no ERP call needed
    other = _quote(dealer, local.id, {product.grade_group_code: grades[-1]})
    assert other["source"] == "erp_synced_fallback"
    assert other["breakdown"][-1]["amount"] == "0.00"
    assert other["breakdown"][-1]["label"] == "ERP离线：按最近同步的价格"
    english = dealer.post(
        "quotes?lang=en",
        {"product_id": local.id, "options": {product.grade_group_code: grades[-1]}, "qty": 1},
    )
    assert english.json["breakdown"][-1]["label"] == FALLBACK_NOTE
    customer = Customer.get(Customer.code == "C0001")
    control.ok("POST", "online")
    live_state(erp_ctx).broken_until = 0  # the breaker would wait 15 s before asking again
    live = price_line(
        erp_ctx, customer, local, validate_options(local, {product.grade_group_code: grades[-1]}), 1
    )
    assert (live.source, live.unit_price) == ("erp_live", int(Decimal(other["unit_price"]) * 100))


def test_a_cart_shows_the_fallback_price_while_the_erp_is_offline(synced, erp_app, erp_ctx, control, dataset):
    product = _graded(dataset)
    local = Product.get(Product.code == product.code)
    dealer = ApiClient(erp_app).login("dealer2", DEMO_PASSWORD)
    assert dealer.post("cart/items", {"product_id": local.id, "options": {}, "qty": 1}).status_code == 201
    online = dealer.get("cart").json["lines"][0]
    control.ok("POST", "offline")
    live_state(erp_ctx).prices.clear()
    offline = dealer.get("cart").json["lines"][0]
    assert (online["price_source"], offline["price_source"]) == ("erp_live", "erp_synced_fallback")
    assert offline["unit_price"] == online["unit_price"]  # the synced file agrees with the ERP
    assert offline["available"] is True


def test_a_slow_erp_falls_back_after_the_live_timeout(settings, sim_url, control, dataset):
    app = create_app(connector_settings(settings, sim_url, live_timeout_seconds=1))
    try:
        with app.ctx.activate() as ctx:
            sync(ctx, ["categories", "catalog", "customers", "prices"])
            control.ok("POST", "faults", {"delay_ms": 2500})
            local = Product.get(Product.code == _graded(dataset).code)
            result = price_line(
                ctx, Customer.get(Customer.code == "C0003"), local, validate_options(local, {}), 1
            )
            assert result.source == "erp_synced_fallback"
            assert result.breakdown[-1].label == FALLBACK_NOTE
            assert live_state(ctx).broken()
    finally:
        close_app(app)


def test_the_sync_drops_cached_live_prices_it_changed(synced, erp_ctx, control, dataset):
    price = next(p for p in dataset.customer_prices if dataset.product(p.product_code).published)
    product = dataset.product(price.product_code)
    local = Product.get(Product.code == product.code)
    customer = Customer.get(Customer.code == price.customer_code)
    options = validate_options(
        local, {product.grade_group_code: price.grade_code} if product.grade_group_code else {}
    )
    before = price_line(erp_ctx, customer, local, options, 1).unit_price
    control.ok(
        "POST",
        "prices",
        {
            "customer_code": price.customer_code,
            "sku": product.code,
            "grade": price.grade_code or None,
            "unit_price": f"{(price.unit_price_fen + 50000) / 100:.2f}",
        },
    )
    assert (
        price_line(erp_ctx, customer, local, options, 1).unit_price == before
    )  # cached for price_cache_seconds
    sync(erp_ctx, ["prices"])
    assert price_line(erp_ctx, customer, local, options, 1).unit_price == before + 50000


def test_product_lists_price_from_the_synced_file_without_asking_the_erp(
    synced, erp_app, erp_ctx, control, dataset
):
    control.ok("POST", "offline")
    dealer = ApiClient(erp_app).login("dealer1", DEMO_PASSWORD)
    listed = dealer.get("products", params={"per_page": "20"})
    assert listed.status_code == 200
    product_id = listed.json["items"][0]["id"]
    detail = dealer.get(f"products/{product_id}")
    assert detail.status_code == 200
    state = live_state(erp_ctx)
    assert state.prices == {}  # no live price was asked (stock of erp-mode products is: one batch query)
    control.ok("POST", "online")
    state.broken_until = 0
    customer = Customer.get(Customer.code == "C0001")
    for item in listed.json["items"]:
        local = Product.get_by_id(item["id"])
        live = price_line(erp_ctx, customer, local, validate_options(local, {}), 1)
        assert Decimal(item["price"]) * 100 == live.unit_price


def test_dealers_and_products_the_erp_does_not_know_are_priced_by_the_platform(synced, erp_ctx):
    stranger = Customer.create(code="LOCAL-1", name="本地客户", discount_rate=Decimal("0.9"))
    local = Product.select().where(Product.published == True).first()  # noqa: E712
    result = price_line(erp_ctx, stranger, local, validate_options(local, {}), 1)
    assert result.source == "list_discount"  # DEALER_UNKNOWN: the built-in answer, not a fallback


def test_without_a_gateway_the_connector_steps_aside(synced, erp_app, settings, dataset):
    idle = create_app(connector_settings(settings, ""))
    try:
        with idle.ctx.activate() as ctx:
            price = dataset.customer_prices[0]
            local = Product.get(Product.code == price.product_code)
            product = dataset.product(price.product_code)
            options = {product.grade_group_code: price.grade_code} if product.grade_group_code else {}
            result = price_line(
                ctx,
                Customer.get(Customer.code == price.customer_code),
                local,
                validate_options(local, options),
                1,
            )
            assert (result.source, result.unit_price) == ("customer_price", price.unit_price_fen)
    finally:
        close_app(idle)


def test_erp_stock_is_live_briefly_cached_and_synced_when_offline(synced, erp_app, erp_ctx, control, dataset):
    product = next(p for p in dataset.products if p.stock_mode == "erp" and p.published)
    local = Product.get(Product.code == product.code)
    dealer = ApiClient(erp_app).login("dealer1", DEMO_PASSWORD)
    assert dealer.get(f"stock/{local.id}").json == {
        "product_id": local.id,
        "mode": "erp",
        "available": product.stock_qty,
    }
    control.ok("POST", "stock", {"sku": product.code, "on_hand": product.stock_qty + 7})
    assert dealer.get(f"stock/{local.id}").json["available"] == product.stock_qty  # cached
    live_state(erp_ctx).stock.clear()
    assert dealer.get(f"stock/{local.id}").json["available"] == product.stock_qty + 7  # live, before any sync
    control.ok("POST", "offline")
    live_state(erp_ctx).stock.clear()
    assert dealer.get(f"stock/{local.id}").json["available"] == product.stock_qty  # the synced figure
