"""Incremental sync: changes made in the ERP reach the platform from the saved cursors."""

from __future__ import annotations

from decimal import Decimal

from core.auth import hash_password
from core.models import Customer, User
from core.testing import ApiClient
from plugins.catalog.models import Product
from plugins.catalog.services import validate_options
from plugins.erp_yidiantong.models import SyncStream
from plugins.erp_yidiantong.tests.sync_fixtures import *  # noqa: F403
from plugins.erp_yidiantong.tests.sync_fixtures import DEMO_PASSWORD, sync
from plugins.inventory.models import StockItem, StockMovement
from plugins.pricing.models import CustomerPrice, GradePrice
from plugins.pricing.services import default_prices, price_line


def _explicit(dataset, customer_code: str):
    """A published product of the dealer's price file: (price row, product)."""
    for price in dataset.customer_prices:
        product = dataset.product(price.product_code)
        if price.customer_code == customer_code and product.published and not product.custom_only:
            return price, product
    raise AssertionError(f"{customer_code} has no explicit price on a published product")


def test_a_price_changed_in_the_erp_reaches_the_cart_on_the_next_read(
    synced, erp_app, erp_ctx, control, dataset
):
    price, product = _explicit(dataset, "C0001")
    local = Product.get(Product.code == product.code)
    options = {product.grade_group_code: price.grade_code} if product.grade_group_code else {}
    dealer = ApiClient(erp_app).login("dealer1", DEMO_PASSWORD)
    added = dealer.post("cart/items", {"product_id": local.id, "options": options, "qty": 2})
    assert added.status_code == 201, added.text
    before = dealer.get("cart").json["lines"][0]
    assert before["price_source"] == "erp_live"
    old_unit = Decimal(before["unit_price"])
    cursor = SyncStream.get_by_id("prices").cursor

    new_price = (price.unit_price_fen - 12300) / 100
    control.ok(
        "POST",
        "prices",
        {
            "customer_code": "C0001",
            "sku": product.code,
            "grade": price.grade_code,
            "unit_price": f"{new_price:.2f}",
        },
    )
    runs = sync(erp_ctx, ["prices"])
    assert (runs[0].fetched, runs[0].applied) == (1, 1)  # only what changed since the cursor
    assert SyncStream.get_by_id("prices").cursor != cursor

    row = CustomerPrice.get((CustomerPrice.product == local.id) & (CustomerPrice.grade == price.grade_code))
    assert (row.unit_price, row.version, row.source) == (price.unit_price_fen - 12300, 2, "erp")
    line = dealer.get("cart").json["lines"][0]
    assert Decimal(line["unit_price"]) == old_unit - Decimal("123.00")
    assert Decimal(line["line_total"]) == 2 * Decimal(line["unit_price"])
    assert line["price_changed"] is True
    customer = Customer.get(Customer.code == "C0001")
    listed = default_prices(erp_ctx, customer, [local])[local.id]
    assert listed == price_line(erp_ctx, customer, local, validate_options(local, {}), 1).unit_price
    # The event of the same change comes afterwards: not newer, nothing moves.
    events = sync(erp_ctx, ["events"])[0]
    assert events.applied == 0 and events.unchanged >= 1
    assert CustomerPrice.get_by_id(row.id).version == 2


def test_list_price_and_discount_rate_changes_reach_list_and_quote_alike(synced, erp_ctx, control, dataset):
    product = next(p for p in dataset.products if p.published and not p.custom_only and p.grade_group_code)
    grade = product.grade_group.values[0].code
    customer_code = next(
        c.code for c in dataset.customers if dataset.customer_price(c.code, product.code, grade) is None
    )
    control.ok("POST", "list-prices", {"sku": product.code, "grade": grade, "list_price": "8888.00"})
    control.ok("POST", f"customers/{customer_code}", {"discount_rate": "0.7"})
    runs = {r.stream: r for r in sync(erp_ctx)}
    assert runs["catalog"].applied == 1 and runs["customers"].applied == 1
    local = Product.get(Product.code == product.code)
    customer = Customer.get(Customer.code == customer_code)
    assert customer.discount_rate == Decimal("0.7")
    assert GradePrice.get((GradePrice.product == local.id) & (GradePrice.grade == grade)).list_price == 888800
    live = price_line(erp_ctx, customer, local, validate_options(local, {grade_of(local): grade}), 1)
    synced_price = default_prices(erp_ctx, customer, [local])[local.id]
    assert live.source == "erp_live"
    assert live.unit_price == synced_price
    surcharge = sum(
        g.values[0].surcharge_fen for g in product.option_groups if g.kind == "surcharge" and g.required
    )
    assert live.unit_price == round((888800 + surcharge) * Decimal("0.7"))


def grade_of(product) -> str:
    from plugins.catalog.services import grade_group

    return grade_group(product).code


def test_stock_set_in_the_erp_is_stored_with_reason_erp_sync(synced, erp_ctx, control, dataset):
    product = next(p for p in dataset.products if p.stock_mode == "quota")
    control.ok("POST", "stock", {"sku": product.code, "on_hand": 3})
    run = sync(erp_ctx, ["stock"])[0]
    assert (run.fetched, run.applied) == (1, 1)
    local = Product.get(Product.code == product.code)
    item = StockItem.get_by_id(local.id)
    assert (item.mode, item.quantity) == ("quota", 3)
    movement = (
        StockMovement.select()
        .where(StockMovement.product == local.id)
        .order_by(StockMovement.id.desc())
        .first()
    )
    assert (movement.reason, movement.delta) == ("erp_sync", 3 - product.stock_qty)


def test_a_password_set_in_the_erp_replaces_the_platforms_only_when_newer(synced, erp_app, erp_ctx, control):
    client = ApiClient(erp_app)
    # The dealer changed the password on the platform; an ERP change of something else keeps it.
    User.update(password_hash=hash_password("changed-on-platform")).where(
        User.username == "dealer2"
    ).execute()
    control.ok("POST", "accounts/dealer2", {"display_name": "新名字"})
    assert sync(erp_ctx, ["accounts"])[0].applied == 1
    assert User.get(User.username == "dealer2").display_name == "新名字"
    assert (
        client.post("auth/login", {"username": "dealer2", "password": "changed-on-platform"}).status_code
        == 200
    )
    # The ERP sets a new password (a later set_at): it wins.
    control.ok("POST", "accounts/dealer2", {"password": "from-the-erp-1"})
    sync(erp_ctx, ["accounts"])
    assert (
        client.post("auth/login", {"username": "dealer2", "password": "changed-on-platform"}).status_code
        == 401
    )
    assert client.post("auth/login", {"username": "dealer2", "password": "from-the-erp-1"}).status_code == 200
