"""A first sync of the demo factory makes the platform hold what the ERP holds."""

from __future__ import annotations

from decimal import Decimal

from core.models import Customer, RepAssignment, User
from core.testing import ApiClient
from plugins.catalog.models import Category, OptionGroup, OptionValue, Product, ProductCategory
from plugins.catalog.services import validate_options
from plugins.erp_yidiantong.models import ErpBinding, LedgerEntry, SyncRun, SyncStream
from plugins.erp_yidiantong.simulator.db import use_sim_database
from plugins.erp_yidiantong.simulator.models import SimAccount
from plugins.erp_yidiantong.sync import STREAMS
from plugins.erp_yidiantong.tests.sync_fixtures import *  # noqa: F403
from plugins.erp_yidiantong.tests.sync_fixtures import DEMO_PASSWORD, sync
from plugins.inventory.models import StockItem
from plugins.pricing.models import CustomerPrice, GradePrice
from plugins.pricing.services import default_prices, price_line


def test_every_stream_runs_once_with_the_counts_of_the_demo_factory(shared, shared_ctx, dataset):
    synced = shared.runs
    counts = {run.stream: (run.fetched, run.applied, run.rejected) for run in synced}
    erp_accounts = [a for a in dataset.accounts if a.role in ("dealer", "rep")]
    assert [run.stream for run in synced] == list(STREAMS)
    assert counts["categories"] == (len(dataset.categories), len(dataset.categories), 0)
    assert counts["catalog"] == (len(dataset.products), len(dataset.products), 0)
    assert counts["customers"] == (len(dataset.customers), len(dataset.customers), 0)
    assert counts["accounts"] == (len(erp_accounts), len(erp_accounts), 0)
    assert counts["rep-assignments"] == (len(dataset.rep_assignments), len(dataset.rep_assignments), 0)
    assert counts["prices"] == (len(dataset.customer_prices), len(dataset.customer_prices), 0)
    stocked = [p for p in dataset.products if p.stock_qty is not None]
    assert counts["stock"] == (len(stocked), len(stocked), 0)
    opening = [c for c in dataset.customers if c.balance_fen]
    assert counts["events"] == (len(opening), len(opening), 0)
    assert all(SyncRun.get_by_id(run.id).status == "ok" for run in synced)
    assert all(s.cursor and s.last_success_at and s.locked_until is None for s in SyncStream.select())


def test_categories_and_products_match_the_product_master(shared_ctx, dataset):
    categories = {c.id: c for c in Category.select()}
    by_code = {c.code: c for c in categories.values()}
    for category in dataset.categories:
        local = by_code[category.code]
        parent = categories.get(local.parent_id)
        assert (local.name, parent.code if parent else None, local.sort, local.active) == (
            category.name,
            category.parent_code,
            category.sort,
            True,
        )
    products = {p.code: p for p in Product.select()}
    assert set(products) == {p.code for p in dataset.products}
    for product in dataset.products:
        local = products[product.code]
        assert local.name == product.name
        assert categories[local.category_id].code == product.category_code
        assert (local.spec, local.unit, local.custom_only) == (
            product.spec,
            product.unit,
            product.custom_only,
        )
        assert (local.width_mm, local.depth_mm, local.height_mm) == (
            product.width_mm,
            product.depth_mm,
            product.height_mm,
        )
        assert local.published == product.published
        assert local.packages == product.packages
        assert local.search_text and product.code.lower() in local.search_text
    links = {(pc.product_id, pc.category_id) for pc in ProductCategory.select()}
    assert {(products[p.code].id, by_code[p.category_code].id) for p in dataset.products} == links


def test_options_and_list_prices_match(shared_ctx, dataset):
    ids = {p.code: p.id for p in Product.select(Product.id, Product.code)}
    groups = {(g.product_id, g.code): g for g in OptionGroup.select()}
    values = {(v.group_id, v.code): v for v in OptionValue.select()}
    expected_groups = 0
    for product in dataset.products:
        for index, group in enumerate(product.option_groups):
            expected_groups += 1
            local = groups[(ids[product.code], group.code)]
            assert (local.name, local.kind, local.required, local.sort) == (
                group.name,
                group.kind,
                group.required,
                index,
            )
            for value in group.values:
                stored = values[(local.id, value.code)]
                assert (stored.name, stored.surcharge, stored.active) == (
                    value.name,
                    value.surcharge_fen,
                    True,
                )
    assert len(groups) == expected_groups
    listed = {(row.product_id, row.grade): row.list_price for row in GradePrice.select()}
    assert listed == {
        (ids[p.code], grade): fen for p in dataset.products for grade, fen in p.list_prices.items()
    }


def test_stock_modes_and_quantities_match(shared_ctx, dataset):
    ids = {p.code: p.id for p in Product.select(Product.id, Product.code)}
    stock = {s.product_id: s for s in StockItem.select()}
    for product in dataset.products:
        item = stock.get(ids[product.code])
        mode = item.mode if item is not None else "unlimited"
        assert mode == product.stock_mode, product.code
        if product.stock_mode != "unlimited":
            assert item.quantity == product.stock_qty
            assert item.reserved == 0


def test_customers_accounts_and_assignments_match(shared, shared_ctx, dataset):
    customers = {c.code: c for c in Customer.select()}
    assert set(customers) == {c.code for c in dataset.customers}
    for customer in dataset.customers:
        local = customers[customer.code]
        assert (local.name, local.city, local.phone) == (customer.name, customer.city, customer.phone)
        assert local.discount_rate == Decimal(customer.discount_rate)
        assert (local.credit_limit, local.balance, local.auto_pay, local.active) == (
            customer.credit_limit_fen,
            customer.balance_fen,
            customer.auto_pay,
            True,
        )
    users = {u.username: u for u in User.select()}
    erp_accounts = [a for a in dataset.accounts if a.role in ("dealer", "rep")]
    assert set(users) == {a.username for a in erp_accounts}  # staff are platform accounts, not ERP data
    by_id = {c.id: c.code for c in customers.values()}
    with use_sim_database(shared.sim.sim.db):
        hashes = {a.username: a.password_hash for a in SimAccount.select()}
    for account in erp_accounts:
        user = users[account.username]
        assert (user.role, by_id.get(user.customer_id), user.display_name, user.active) == (
            account.role,
            account.customer_code,
            account.display_name,
            True,
        )
        assert user.password_hash == hashes[account.username]  # stored as sent, never re-hashed
    pairs = {(a.rep.username, a.customer.code) for a in RepAssignment.select()}
    assert pairs == {(r.rep_username, r.customer_code) for r in dataset.rep_assignments}


def test_the_price_file_matches_and_is_marked_as_the_erps(shared_ctx, dataset):
    rows = {
        (cp.customer.code, cp.product.code, cp.grade): (cp.unit_price, cp.source, cp.version)
        for cp in CustomerPrice.select(CustomerPrice, Customer, Product)
        .join(Customer)
        .switch(CustomerPrice)
        .join(Product)
    }
    assert rows == {
        (p.customer_code, p.product_code, p.grade_code): (p.unit_price_fen, "erp", 1)
        for p in dataset.customer_prices
    }
    # Prices need no bindings (their version lives on the row); only tombstones get one.
    assert ErpBinding.select().where(ErpBinding.model == "customer_price").count() == 0


def test_opening_balances_arrive_as_ledger_entries(shared_ctx, dataset):
    entries = {e.customer.code: e for e in LedgerEntry.select(LedgerEntry, Customer).join(Customer)}
    for customer in dataset.customers:
        if customer.balance_fen:
            entry = entries[customer.code]
            assert (entry.kind, entry.credit, entry.debit, entry.balance) == (
                "opening",
                max(customer.balance_fen, 0),
                max(-customer.balance_fen, 0),
                customer.balance_fen,
            )


def test_a_dealer_logs_in_with_the_password_set_in_the_erp(shared, shared_ctx):
    client = ApiClient(shared.app)
    answer = client.post("auth/login", {"username": "dealer1", "password": DEMO_PASSWORD})
    assert answer.status_code == 200, answer.text
    assert answer.json["user"]["role"] == "dealer"
    assert client.post("auth/login", {"username": "dealer1", "password": "wrong-one"}).status_code == 401
    rep = client.login("rep1", DEMO_PASSWORD)
    assert {c["code"] for c in rep.get("me").json["customers"]} >= {"C0001"}


def test_synced_list_prices_equal_the_erps_live_quotes(shared_ctx):
    """Lists read the synced file, quotes ask the ERP: the two must agree."""
    erp_ctx = shared_ctx
    products = list(Product.select().where(Product.published == True).order_by(Product.id).limit(60))  # noqa: E712
    for code in ("C0001", "C0002", "C0007"):
        customer = Customer.get(Customer.code == code)
        listed = default_prices(erp_ctx, customer, products)
        for product in products:
            live = price_line(erp_ctx, customer, product, validate_options(product, {}), 1)
            assert live.source == "erp_live"
            assert listed[product.id] == live.unit_price, (code, product.code)
            assert sum(item.amount for item in live.breakdown) == live.unit_price


def test_a_second_sync_finds_nothing_new(shared_ctx):
    again = sync(shared_ctx)
    assert [(r.fetched, r.applied, r.rejected) for r in again] == [(0, 0, 0)] * len(STREAMS)
