"""Tombstones and full reconciles make records inactive; nothing is ever deleted."""

from __future__ import annotations

from core.models import Customer, RepAssignment, User
from core.money import fen_to_str, round_fen
from core.testing import ApiClient
from plugins.catalog.models import Product
from plugins.catalog.services import validate_options
from plugins.erp_yidiantong.models import ErpBinding, SyncStream
from plugins.erp_yidiantong.simulator.db import use_sim_database
from plugins.erp_yidiantong.simulator.models import SimAccount, SimCustomer, SimCustomerPrice, SimProduct
from plugins.erp_yidiantong.simulator.store import write_tx
from plugins.erp_yidiantong.tests.sync_fixtures import *  # noqa: F403
from plugins.erp_yidiantong.tests.sync_fixtures import DEMO_PASSWORD, sync
from plugins.pricing.models import CustomerPrice
from plugins.pricing.services import price_line


def test_tombstoned_unpublished_and_discontinued_products_leave_the_catalog(
    synced, erp_ctx, control, dataset
):
    gone, hidden, retired = [p.code for p in dataset.products if p.published][:3]
    control.ok("POST", f"products/{gone}", {"deleted": True})
    control.ok("POST", f"products/{hidden}", {"published": False})
    control.ok("POST", f"products/{retired}", {"status": "discontinued"})
    run = sync(erp_ctx, ["catalog"])[0]
    assert (run.fetched, run.applied, run.tombstoned) == (3, 2, 1)
    published = dict(
        Product.select(Product.code, Product.published)
        .where(Product.code.in_([gone, hidden, retired]))
        .tuples()
    )
    assert published == {gone: False, hidden: False, retired: False}  # the rows stay
    assert ErpBinding.get((ErpBinding.model == "product") & (ErpBinding.external_id == gone)).deleted is True
    control.ok("POST", f"products/{hidden}", {"published": True})
    sync(erp_ctx, ["catalog"])
    assert Product.get(Product.code == hidden).published is True


def test_a_removed_price_sends_the_dealer_back_to_list_price_times_rate(synced, erp_ctx, control, dataset):
    price = next(p for p in dataset.customer_prices if dataset.product(p.product_code).published)
    product = dataset.product(price.product_code)
    body = {
        "customer_code": price.customer_code,
        "sku": price.product_code,
        "grade": price.grade_code or None,
    }
    control.ok("POST", "prices", {**body, "unit_price": None})
    run = sync(erp_ctx, ["prices"])[0]
    assert (run.fetched, run.tombstoned) == (1, 1)
    local = Product.get(Product.code == product.code)
    customer = Customer.get(Customer.code == price.customer_code)
    assert (
        not CustomerPrice.select()
        .where(
            (CustomerPrice.customer == customer.id)
            & (CustomerPrice.product == local.id)
            & (CustomerPrice.grade == price.grade_code)
        )
        .exists()
    )
    options = {product.grade_group_code: price.grade_code} if product.grade_group_code else {}
    quote = price_line(erp_ctx, customer, local, validate_options(local, options), 1)
    surcharges = sum(
        g.values[0].surcharge_fen for g in product.option_groups if g.kind == "surcharge" and g.required
    )
    exact = (product.list_prices[price.grade_code] + surcharges) * customer.discount_rate
    assert (quote.source, quote.unit_price) == ("erp_live", round_fen(exact))
    assert quote.breakdown[0].params["list_price"] == fen_to_str(product.list_prices[price.grade_code])
    binding = ErpBinding.get(ErpBinding.model == "customer_price")
    assert (binding.deleted, binding.external_version) == (True, 2)


def test_deactivated_accounts_and_dealers_and_unassigned_reps(synced, erp_app, erp_ctx, control):
    control.ok("POST", "accounts/dealer2", {"active": False})
    control.ok("POST", "customers/C0003", {"active": False})
    control.ok(
        "POST", "rep-assignments", {"rep_username": "rep1", "customer_code": "C0001", "assigned": False}
    )
    runs = {r.stream: r for r in sync(erp_ctx)}
    assert runs["rep-assignments"].tombstoned == 1
    assert User.get(User.username == "dealer2").active is False
    assert Customer.get(Customer.code == "C0003").active is False
    answer = ApiClient(erp_app).post("auth/login", {"username": "dealer2", "password": DEMO_PASSWORD})
    assert (answer.status_code, answer.json["error"]["code"]) == (403, "account_disabled")
    rep = User.get(User.username == "rep1")
    assert (
        not RepAssignment.select()
        .where(RepAssignment.rep == rep.id)
        .join(Customer)
        .where(Customer.code == "C0001")
        .exists()
    )
    control.ok(
        "POST", "rep-assignments", {"rep_username": "rep1", "customer_code": "C0001", "assigned": True}
    )
    sync(erp_ctx, ["rep-assignments"])
    assert (
        RepAssignment.select()
        .join(Customer)
        .where((RepAssignment.rep == rep.id) & (Customer.code == "C0001"))
        .exists()
    )


def test_a_full_reconcile_deactivates_what_the_erp_no_longer_lists(synced, erp_ctx, sim, dataset):
    product = next(p for p in dataset.products if p.published)
    price = dataset.customer_prices[0]
    # An ERP that lost records without writing tombstones (an import gone wrong, a purge).
    with use_sim_database(sim.sim.db), write_tx():
        SimProduct.delete().where(SimProduct.sku == product.code).execute()
        SimAccount.delete().where(SimAccount.username == "dealer5").execute()
        SimCustomer.update(code="X-GONE").where(SimCustomer.code == "C0016").execute()
        SimCustomerPrice.delete().where(
            (SimCustomerPrice.customer_code == price.customer_code)
            & (SimCustomerPrice.sku == price.product_code)
            & (SimCustomerPrice.grade == price.grade_code)
        ).execute()
    cursor = SyncStream.get_by_id("catalog").cursor
    incremental = {r.stream: r for r in sync(erp_ctx)}
    assert all(r.tombstoned == 0 for r in incremental.values())  # an incremental read cannot see absence

    full = {r.stream: r for r in sync(erp_ctx, full=True)}

    assert full["catalog"].tombstoned == 1 and full["catalog"].fetched == len(dataset.products) - 1
    assert full["accounts"].tombstoned == 1
    assert full["customers"].tombstoned == 1
    assert full["prices"].tombstoned == 1
    assert Product.get(Product.code == product.code).published is False  # kept, unpublished
    assert User.get(User.username == "dealer5").active is False
    assert Customer.get(Customer.code == "C0016").active is False
    assert CustomerPrice.select().count() == len(dataset.customer_prices) - 1
    assert SyncStream.get_by_id("catalog").cursor == cursor  # nothing new: the end is where it was
    assert SyncStream.get_by_id("catalog").last_full_at is not None
    again = {r.stream: r for r in sync(erp_ctx, full=True)}
    assert all(r.tombstoned == 0 for r in again.values())
