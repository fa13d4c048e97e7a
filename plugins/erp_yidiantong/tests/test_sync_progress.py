"""Production progress, shipments and ledger entries from the ERP move orders forward only."""

from __future__ import annotations

import datetime as dt

import pytest

from core.db import utcnow
from core.models import Customer
from plugins.catalog.models import Product
from plugins.erp_yidiantong.egp.shapes import PUSH_PATH, new_event_id
from plugins.erp_yidiantong.models import (
    ErpOrder,
    InboxEvent,
    LedgerEntry,
    OutboxMessage,
    ProgressEvent,
    Shipment,
    SyncRejection,
)
from plugins.erp_yidiantong.outbox.dispatcher import dispatch_due
from plugins.erp_yidiantong.outbox.status import connector_status
from plugins.erp_yidiantong.sync import catch_up_orders
from plugins.erp_yidiantong.sync.events import order_identity
from plugins.erp_yidiantong.tests.helpers import order_body, wait_until
from plugins.erp_yidiantong.tests.sync_fixtures import *  # noqa: F403
from plugins.erp_yidiantong.tests.sync_fixtures import pay, place_order, stage_events, start_pusher, sync
from plugins.orders.models import Order
from plugins.orders.services import transition

ORDER_EVENTS = ("order.accepted", "production.progress", "shipment.dispatched", "ledger.entry")


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


def _order_events(number: str) -> list[InboxEvent]:
    """The inbox's order events naming platform order ``number``, oldest first."""
    rows = InboxEvent.select().where(InboxEvent.type.in_(ORDER_EVENTS)).order_by(InboxEvent.id)
    return [row for row in rows if row.payload["data"].get("platform_order_no") == number]


def _untouched(order: Order, status: str) -> None:
    """Nothing of the ERP's order under this number reached the platform order."""
    erp = ErpOrder.get_by_id(order.id)
    assert (erp.erp_order_no, erp.stage, erp.stage_seq) == ("", "", 0)
    assert not ProgressEvent.select().where(ProgressEvent.order == order.id).exists()
    assert not Shipment.select().where(Shipment.order == order.id).exists()
    assert not LedgerEntry.select().where(LedgerEntry.order_no == order.no).exists()
    assert Order.get_by_id(order.id).status == status


def test_a_foreign_erp_order_under_our_number_never_touches_our_order(
    synced, erp_app, erp_ctx, control, dataset, egp
):
    """QA's case: the ERP already held this number for C0002 (a restored backup, a staging
    platform on the same ERP); our import was refused, and the ERP's order moves on."""
    control.ok("POST", "offline")
    ours = place_order(erp_app, control, dataset, imported=False)  # dealer1: C0001, waits in the outbox
    control.ok("POST", "online")
    ordered = ours.lines[0].product_code
    sku = next(
        p.code
        for p in dataset.products
        if p.published and not p.custom_only and p.stock_mode == "unlimited" and p.code != ordered
    )
    body = order_body(egp, ours.no, [{"sku": sku, "options": {}, "qty": 1}], customer="C0002")
    theirs = egp.import_order(body).erp_order_no
    dispatch_due(erp_ctx, force_probe=True)
    erp = ErpOrder.get_by_id(ours.id)
    assert (erp.status, erp.reason_code, erp.erp_order_no) == ("dead", "REVISION_CONFLICT", "")
    control.ok("POST", "advance", {"platform_order_no": ours.no, "steps": 7})  # theirs: ... 发货, shipped

    run = sync(erp_ctx, ["events"])[0]

    _untouched(ours, "awaiting_payment")
    foreign = _order_events(ours.no)
    assert {e.type for e in foreign} == set(ORDER_EVENTS)
    assert {e.status for e in foreign} == {"mismatch"}  # handled: never tried again
    for event in foreign:
        for name in (theirs, "C0002", ours.no, "C0001", "REVISION_CONFLICT"):
            assert name in event.note, (event.type, event.note)
    progress = next(e for e in foreign if e.type == "production.progress")
    assert progress.note == (
        f"ERP order {theirs} of dealer C0002 is not platform order {ours.no} "
        "(dealer C0001, import dead REVISION_CONFLICT): another dealer's order; not applied"
    )
    # C0002's ledger keeps its entries (the ERP charged C0002), without our order.
    c0002 = Customer.get(Customer.code == "C0002")
    entries = LedgerEntry.select().where((LedgerEntry.customer == c0002.id) & (LedgerEntry.ref == theirs))
    assert {e.kind for e in entries} == {"order"} and all(e.order_no == "" for e in entries)
    # Reported: in the run's rejections, shown by the back office.
    reported = {r.external_id: r.reason for r in SyncRejection.select().where(SyncRejection.run == run.id)}
    assert reported == {e.event_id: e.note for e in foreign}
    assert run.rejected == len(foreign)
    shown = connector_status(erp_ctx)["rejections"]
    assert {r["external_id"] for r in shown} >= set(reported)

    again = sync(erp_ctx, ["events"])[0]
    assert again.rejected == 0
    assert not InboxEvent.select().where(InboxEvent.status == "pending").exists()

    # Our own orders' events still apply.
    mine = pay(erp_ctx, place_order(erp_app, control, dataset))
    control.ok("POST", "advance", {"platform_order_no": mine.no, "steps": 7})
    run = sync(erp_ctx, ["events"])[0]
    assert run.rejected == 0
    assert (ErpOrder.get_by_id(mine.id).stage_seq, Order.get_by_id(mine.id).status) == (8, "shipped")
    assert Shipment.get(Shipment.order == mine.id).erp_order_no == ErpOrder.get_by_id(mine.id).erp_order_no
    kinds = {e.kind for e in LedgerEntry.select().where(LedgerEntry.order_no == mine.no)}
    assert kinds == {"order", "shipment"}
    _untouched(ours, "awaiting_payment")


def test_a_pushed_event_of_another_erp_order_of_the_same_dealer_is_reported_and_ours_apply(
    synced, erp_app, erp_ctx, control, dataset, sim, serve
):
    order = pay(erp_ctx, place_order(erp_app, control, dataset))
    number = ErpOrder.get_by_id(order.id).erp_order_no
    start_pusher(sim, serve(erp_app) + PUSH_PATH)
    review = stage_events(control, order.no)[0]
    other = dict(
        review,
        id=new_event_id(),
        seq=review["seq"] + 1000,
        data={**review["data"], "erp_order_no": "XS2020010100001", "stage": "warehoused", "stage_seq": 7},
    )
    control.ok("POST", "events", {"events": [other], "push": True})
    wait_until(lambda: InboxEvent.select().where(InboxEvent.event_id == other["id"]).exists())
    stored = InboxEvent.get(InboxEvent.event_id == other["id"])
    assert (stored.source, stored.status) == ("push", "mismatch")
    assert stored.note == (
        f"ERP order XS2020010100001 of dealer C0001 is not platform order {order.no} "
        f"(dealer C0001, ERP order {number}): the ERP accepted {order.no} as {number}; not applied"
    )
    assert (ErpOrder.get_by_id(order.id).stage_seq, Order.get_by_id(order.id).status) == (1, "paid")

    control.ok("POST", "advance", {"platform_order_no": order.no, "steps": 2})  # its own: 排产, 开料
    wait_until(lambda: ErpOrder.get_by_id(order.id).stage_seq == 3)
    assert Order.get_by_id(order.id).status == "in_production"
    # The next pull reads the pushed event again and reports it.
    run = sync(erp_ctx, ["events"])[0]
    reported = {r.external_id: r.reason for r in SyncRejection.select().where(SyncRejection.run == run.id)}
    assert reported == {other["id"]: stored.note}


def test_events_of_an_order_whose_import_answer_was_lost_wait_for_the_answer(
    synced, erp_app, erp_ctx, control, dataset
):
    """The ERP made the order but its answer never came: the import's answer decides
    whether the ERP's order under that number is ours, so its events wait for it."""
    control.ok("POST", "faults", {"drop_after_commit_next": 1})
    order = place_order(erp_app, control, dataset)
    erp = ErpOrder.get_by_id(order.id)
    assert (erp.status, erp.erp_order_no) == ("queued", "")
    run = sync(erp_ctx, ["events"])[0]
    waiting = _order_events(order.no)
    assert {e.type for e in waiting} == {"order.accepted", "production.progress", "ledger.entry"}
    assert {e.status for e in waiting} == {"pending"} and run.rejected == 0
    assert "not answered yet" in waiting[0].note
    assert ErpOrder.get_by_id(order.id).erp_order_no == ""

    OutboxMessage.update(next_attempt_at=utcnow() - dt.timedelta(seconds=1)).execute()
    assert dispatch_due(erp_ctx).imported == 1  # the ERP replays its answer
    sync(erp_ctx, ["events"])
    held = control.ok("GET", f"orders/{order.no}")
    assert ErpOrder.get_by_id(order.id).erp_order_no == held["erp_order_no"]
    outcomes = {e.type: e.status for e in _order_events(order.no)}
    # The import answer set 审单 already: its progress event is only recorded in the timeline.
    assert outcomes == {
        "order.accepted": "applied",
        "production.progress": "ignored",
        "ledger.entry": "applied",
    }
    assert [p.stage for p in ProgressEvent.select().where(ProgressEvent.order == order.id)] == ["review"]
    assert LedgerEntry.get(LedgerEntry.order_no == order.no).kind == "order"


# (the platform's ErpOrder, or None; what the event says besides dealer C0001, ERP order XS1; verdict)
IDENTITY_CASES = [
    # The ERP's number, once recorded, must be the event's; the dealer always must be.
    ({"status": "imported", "erp_order_no": "XS1"}, {}, "own"),
    ({"status": "imported", "erp_order_no": "XS1"}, {"erp_order_no": "XS2"}, "foreign"),
    ({"status": "imported", "erp_order_no": "XS1"}, {"customer_code": "C0002"}, "foreign"),
    ({"status": "imported", "erp_order_no": "XS1"}, {"erp_order_no": None}, "own"),
    ({"status": "cancelled", "erp_order_no": "XS1"}, {}, "own"),
    ({"status": "imported", "erp_order_no": "XS1"}, {"customer_code": None}, "own"),
    ({"status": "imported", "erp_order_no": "XS1"}, {"customer_code": None, "erp_order_no": None}, "foreign"),
    # No number recorded yet: the import decides.
    ({"status": "queued"}, {}, "wait"),
    ({"status": "dead", "reason_code": "INTERNAL_ERROR"}, {}, "wait"),  # outcome unknown
    ({"status": "dead", "reason_code": "REVISION_STALE"}, {}, "foreign"),
    ({"status": "dead", "reason_code": "REVISION_CONFLICT"}, {"customer_code": "C0002"}, "foreign"),
    ({"status": "rejected", "reason_code": "CREDIT_LIMIT"}, {}, "foreign"),
    ({"status": "withdrawn"}, {}, "foreign"),
    ({"status": "queued"}, {"customer_code": None}, "foreign"),
    (None, {}, "own"),  # never sent: the dealer is all there is to go by
    (None, {"customer_code": "C0002"}, "foreign"),
]


def test_which_erp_order_an_event_is_about(synced, erp_app, erp_ctx, control, dataset):
    order = place_order(erp_app, control, dataset)  # dealer1: C0001
    for state, event, verdict in IDENTITY_CASES:
        ErpOrder.delete().where(ErpOrder.order == order.id).execute()
        if state is not None:
            ErpOrder.create(order=order.id, **state)
        data = {"platform_order_no": order.no, "customer_code": "C0001", "erp_order_no": "XS1", **event}
        identity = order_identity(order, {k: v for k, v in data.items() if v is not None})
        assert identity.verdict == verdict, (state, event, identity.reason)
        if verdict == "foreign":
            assert order.no in identity.reason and "dealer C0001" in identity.reason
