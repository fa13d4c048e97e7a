"""Production progress, shipments and ledger entries from the ERP move orders forward only."""

from __future__ import annotations

import pytest

from plugins.catalog.models import Product
from plugins.erp_yidiantong.egp.shapes import new_event_id
from plugins.erp_yidiantong.models import ErpOrder, InboxEvent, LedgerEntry, ProgressEvent, Shipment
from plugins.erp_yidiantong.sync import catch_up_orders
from plugins.erp_yidiantong.tests.sync_fixtures import *  # noqa: F403
from plugins.erp_yidiantong.tests.sync_fixtures import pay, place_order, stage_events, sync
from plugins.orders.models import Order
from plugins.orders.services import transition


def test_progress_moves_a_paid_order_through_production_to_shipped(
    synced, erp_app, erp_ctx, control, dataset
):
    order = pay(erp_ctx, place_order(erp_app, control, dataset))
    assert order.status == "paid"
    control.ok("POST", "advance", {"platform_order_no": order.no, "steps": 2})  # 排产, 开料
    sync(erp_ctx, ["events"])
    erp = ErpOrder.get_by_id(order.id)
    assert (erp.status, erp.stage, erp.stage_seq) == ("imported", "cutting", 3)
    assert erp.erp_order_no.startswith("XS")
    assert Order.get_by_id(order.id).status == "in_production"
    assert [
        p.stage
        for p in ProgressEvent.select()
        .where(ProgressEvent.order == order.id)
        .order_by(ProgressEvent.stage_seq)
    ] == [
        "review",
        "scheduled",
        "cutting",
    ]
    control.ok("POST", "advance", {"platform_order_no": order.no, "steps": 4})  # ... 入库
    sync(erp_ctx, ["events"])
    assert Order.get_by_id(order.id).status == "ready"
    control.ok("POST", "advance", {"platform_order_no": order.no, "steps": 1})  # 发货
    sync(erp_ctx, ["events"])
    order = Order.get_by_id(order.id)
    assert order.status == "shipped"
    shipment = Shipment.get(Shipment.order == order.id)
    erp_view = control.ok("GET", f"orders/{order.no}")
    assert erp_view["shipments"] == [shipment.shipment_no]
    barcodes = [p["barcode"] for p in shipment.packages]
    product = Product.get_by_id(order.lines[0].product_id)
    assert len(barcodes) == 2 * product.packages and len(set(barcodes)) == len(barcodes)
    assert all(code.startswith(erp_view["erp_order_no"]) for code in barcodes)
    kinds = {e.kind for e in LedgerEntry.select().where(LedgerEntry.order_no == order.no)}
    assert kinds == {"order", "shipment"}
    statuses = [e.to_status for e in sorted(order.events, key=lambda e: e.id)]
    assert statuses[-4:] == ["paid", "in_production", "ready", "shipped"], statuses


def test_duplicate_and_out_of_order_progress_never_moves_an_order_back(
    synced, erp_app, erp_ctx, control, dataset
):
    order = pay(erp_ctx, place_order(erp_app, control, dataset))
    control.ok("POST", "advance", {"platform_order_no": order.no, "steps": 3})  # up to 木工 (4)
    real = stage_events(control, order.no)
    assert [e["data"]["stage_seq"] for e in real] == [1, 2, 3, 4]
    late = dict(real[1], id=new_event_id())  # 排产 again, under a new id: an older stage
    late["seq"] = real[-1]["seq"] + 50
    # The same events again (duplicates by id), newest first, plus the late one.
    control.ok("POST", "events", {"events": [*reversed(real), late], "push": False})
    run = sync(erp_ctx, ["events"])[0]
    erp = ErpOrder.get_by_id(order.id)
    assert (erp.stage, erp.stage_seq) == ("woodwork", 4)
    assert Order.get_by_id(order.id).status == "in_production"
    assert ProgressEvent.select().where(ProgressEvent.order == order.id).count() == 4  # each stage once
    assert InboxEvent.get(InboxEvent.event_id == late["id"]).status == "ignored"
    assert run.unchanged >= len(real)  # the duplicates were recognised by id
    assert InboxEvent.select().where(InboxEvent.event_id.in_([e["id"] for e in real])).count() == len(real)


def test_progress_of_an_unpaid_order_is_recorded_and_its_status_catches_up_when_paid(
    synced, erp_app, erp_ctx, control, dataset
):
    order = place_order(erp_app, control, dataset, username="dealer2")
    assert order.status == "awaiting_payment"
    control.ok("POST", "advance", {"platform_order_no": order.no, "steps": 3})
    sync(erp_ctx, ["events"])
    assert Order.get_by_id(order.id).status == "awaiting_payment"
    assert ErpOrder.get_by_id(order.id).stage_seq == 4
    note = (
        InboxEvent.select()
        .where(InboxEvent.type == "production.progress")
        .order_by(InboxEvent.id.desc())
        .first()
        .note
    )
    assert "awaiting_payment" in note
    pay(erp_ctx, order)
    assert catch_up_orders(erp_ctx) == 1
    assert Order.get_by_id(order.id).status == "in_production"


@pytest.mark.parametrize("status", ["cancelled"])
def test_a_move_the_state_machine_refuses_is_noted_not_raised(
    synced, erp_app, erp_ctx, control, dataset, status
):
    order = pay(erp_ctx, place_order(erp_app, control, dataset))
    # The factory moves on; then the order is cancelled on the platform (the ERP refuses
    # the cancel: production started) and the platform hears of the progress afterwards.
    control.ok("POST", "advance", {"platform_order_no": order.no, "steps": 6})
    transition(erp_ctx, Order.get_by_id(order.id), status)
    run = sync(erp_ctx, ["events"])[0]
    assert run.rejected == 0
    assert Order.get_by_id(order.id).status == status
    assert ErpOrder.get_by_id(order.id).stage_seq == 7
