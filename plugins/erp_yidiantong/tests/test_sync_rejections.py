"""A bad row is reported with its reason and skipped; the rest of its page applies."""

from __future__ import annotations

import json

from plugins.catalog.models import Product
from plugins.erp_yidiantong.models import SyncRejection
from plugins.erp_yidiantong.simulator.db import use_sim_database
from plugins.erp_yidiantong.simulator.models import SimAccount, SimCustomerPrice, SimProduct
from plugins.erp_yidiantong.simulator.store import (
    current_price_list_version,
    next_change_seq,
    touch,
    write_tx,
)
from plugins.erp_yidiantong.tests.sync_fixtures import *  # noqa: F403
from plugins.erp_yidiantong.tests.sync_fixtures import sync
from plugins.pricing.models import CustomerPrice


def _inject_price(sim, customer_code: str, sku: str, grade: str, fen: int, *, raw_price=None) -> None:
    """A price row the ERP's control API would refuse, written straight into its price file."""
    with use_sim_database(sim.sim.db), write_tx():
        row = SimCustomerPrice.create(
            customer_code=customer_code,
            sku=sku,
            grade=grade,
            unit_price_fen=fen,
            price_list_version=current_price_list_version(),
            change_seq=next_change_seq(),
        )
        if raw_price is not None:
            item = json.loads(row.item_json)
            item["unit_price_fen"] = raw_price
            SimCustomerPrice.update(item_json=json.dumps(item)).where(SimCustomerPrice.id == row.id).execute()


def _graded(dataset):
    return next(p for p in dataset.products if p.grade_group_code and p.published)


def _rejections(run) -> dict[str, str]:
    return {r.external_id: r.reason for r in SyncRejection.select().where(SyncRejection.run == run.id)}


def test_bad_rows_in_a_price_batch_are_reported_and_the_rest_applied(synced, erp_ctx, control, sim, dataset):
    product = _graded(dataset)
    grades = [v.code for v in product.grade_group.values]
    good = [
        ("C0003", grades[0], "1001.00"),
        ("C0004", grades[0], "1002.00"),
        ("C0005", grades[-1], "1003.00"),
    ]
    control.ok(
        "POST",
        "prices",
        {"customer_code": "C0002", "sku": product.code, "grade": grades[0], "unit_price": "999.00"},
    )
    _inject_price(sim, "C0002", "NOPE-1", "", 100000)
    _inject_price(sim, "C9999", product.code, grades[0], 100000)
    _inject_price(sim, "C0002", product.code, "ZZ", 100000)
    _inject_price(sim, "C0006", product.code, grades[0], 100000, raw_price=1234.5)
    _inject_price(sim, "C0007", product.code, grades[0], 100000, raw_price=10**20)  # past 64 bits
    for customer, grade, price in good:
        control.ok(
            "POST",
            "prices",
            {"customer_code": customer, "sku": product.code, "grade": grade, "unit_price": price},
        )

    run = sync(erp_ctx, ["prices"])[0]

    assert (run.fetched, run.applied, run.rejected) == (9, 4, 5)
    reasons = _rejections(run)
    assert reasons == {
        "C0002 / NOPE-1 / ": "unknown product NOPE-1",
        f"C9999 / {product.code} / {grades[0]}": "unknown customer C9999",
        f"C0002 / {product.code} / ZZ": f"'ZZ' is not a grade of {product.code}",
        f"C0006 / {product.code} / {grades[0]}": "unit_price_fen must be a whole number of fen, 0 or more",
        f"C0007 / {product.code} / {grades[0]}": "unit_price_fen must be a whole number of fen, 0 or more",
    }
    local = Product.get(Product.code == product.code)
    stored = {
        (cp.customer.code, cp.grade): cp.unit_price
        for cp in CustomerPrice.select().where(CustomerPrice.product == local.id)
    }
    assert stored[("C0002", grades[0])] == 99900
    for customer, grade, price in good:
        assert stored[(customer, grade)] == int(price.replace(".", ""))
    assert stored.get(("C0006", grades[0])) == dataset.customer_price("C0006", product.code, grades[0])


def test_a_product_with_an_unknown_category_is_rejected_alone(synced, erp_ctx, control, sim, dataset):
    first, second = [p for p in dataset.products if p.published][:2]
    with use_sim_database(sim.sim.db), write_tx():
        touch(SimProduct.get(SimProduct.sku == first.code), category_code="NO-SUCH-CATEGORY")
        touch(SimProduct.get(SimProduct.sku == second.code), name="改名的产品")
    run = sync(erp_ctx, ["catalog"])[0]
    assert (run.fetched, run.applied, run.rejected) == (2, 1, 1)
    assert _rejections(run) == {first.code: "unknown category NO-SUCH-CATEGORY"}
    assert Product.get(Product.code == second.code).name == "改名的产品"
    assert Product.get(Product.code == first.code).name == first.name  # untouched


def test_an_account_whose_password_is_not_argon2id_is_refused(synced, erp_ctx, sim):
    with use_sim_database(sim.sim.db), write_tx():
        touch(
            SimAccount.get(SimAccount.username == "dealer3"),
            password_hash="$2b$12$abcdefghijklmnopqrstuvCDEFGHIJKLMNOPQRSTUVWXYZ012345",
        )
        touch(SimAccount.get(SimAccount.username == "dealer4"), display_name="仍然可以同步")
    run = sync(erp_ctx, ["accounts"])[0]
    assert (run.applied, run.rejected) == (1, 1)
    assert _rejections(run) == {"dealer3": "password.hash is not a valid argon2id PHC string"}


def test_a_nul_character_from_the_erp_is_a_rejected_row_not_a_failed_run(synced, erp_ctx, sim, dataset):
    product = _graded(dataset)
    grade = product.grade_group.values[0].code
    _inject_price(sim, "C0002", product.code, grade, 100000)
    with use_sim_database(sim.sim.db), write_tx():
        row = SimCustomerPrice.select().order_by(SimCustomerPrice.id.desc()).first()
        item = json.loads(row.item_json)
        item["customer_code"] = "C0002\x00"  # stored escaped ("\u0000") in the item text
        SimCustomerPrice.update(item_json=json.dumps(item)).where(SimCustomerPrice.id == row.id).execute()

    run = sync(erp_ctx, ["prices"])[0]

    assert (run.status, run.rejected) == ("ok", 1)
    (reason,) = _rejections(run).values()
    assert reason == "customer_code, sku and grade must not contain NUL characters"
