"""Real threads: concurrent syncs, pushes and pulls store and apply everything exactly once."""

from __future__ import annotations

import json
import threading
from decimal import Decimal

from core.jobs import run_periodic_jobs_once
from core.models import Customer
from core.testing import ApiClient
from plugins.erp_yidiantong.egp import signing
from plugins.erp_yidiantong.egp.shapes import PUSH_PATH
from plugins.erp_yidiantong.models import ErpOrder, InboxEvent, ProgressEvent, SyncRun, SyncStream
from plugins.erp_yidiantong.sync import run_sync
from plugins.erp_yidiantong.tests.helpers import KEY_ID, SECRET
from plugins.erp_yidiantong.tests.sync_fixtures import *  # noqa: F403
from plugins.erp_yidiantong.tests.sync_fixtures import pay, place_order, stage_events
from plugins.orders.models import Order, OrderEvent
from plugins.pricing.models import CustomerPrice

THREADS = 6


def _together(worker, count: int = THREADS) -> list:
    """Run ``worker(i)`` in ``count`` threads released at the same moment; returns results."""
    barrier = threading.Barrier(count)
    results: list = [None] * count
    errors: list = []

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = worker(i)
        except Exception as ex:  # reported below, never swallowed
            errors.append(ex)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    return results


def test_concurrent_syncs_of_a_stream_apply_a_change_once(synced, erp_app, control, dataset):
    price = dataset.customer_prices[0]
    control.ok(
        "POST",
        "prices",
        {
            "customer_code": price.customer_code,
            "sku": price.product_code,
            "grade": price.grade_code or None,
            "unit_price": "4321.00",
        },
    )

    def worker(i: int):
        with erp_app.ctx.activate() as ctx:
            return run_sync(ctx, ["prices"])[0]

    runs = _together(worker)
    assert {r.status for r in runs} <= {"ok", "skipped"}
    assert sum(r.applied for r in runs) == 1
    assert all(r.error == "another sync of this stream is running" for r in runs if r.status == "skipped")
    assert CustomerPrice.select().where(CustomerPrice.unit_price == 432100).count() == 1
    assert SyncStream.get_by_id("prices").locked_until is None  # every lease given back


def test_the_same_events_pushed_by_many_threads_are_applied_once(synced, erp_app, erp_ctx, control, dataset):
    order = pay(erp_ctx, place_order(erp_app, control, dataset))
    control.ok("POST", "advance", {"platform_order_no": order.no, "steps": 3})
    events = stage_events(control, order.no)
    raw = json.dumps({"events": events}).encode()

    def worker(i: int):
        headers = signing.sign_request(KEY_ID, SECRET, "POST", PUSH_PATH, raw)  # a nonce of its own
        return ApiClient(erp_app).request("POST", PUSH_PATH, raw=raw, headers=headers).status_code

    assert _together(worker) == [204] * THREADS
    assert InboxEvent.select().where(InboxEvent.event_id.in_([e["id"] for e in events])).count() == len(
        events
    )
    assert ProgressEvent.select().where(ProgressEvent.order == order.id).count() == len(events)
    assert ErpOrder.get_by_id(order.id).stage_seq == 4
    moves = OrderEvent.select().where(
        (OrderEvent.order == order.id) & (OrderEvent.to_status == "in_production")
    )
    assert moves.count() == 1
    assert Order.get_by_id(order.id).status == "in_production"


def test_pulls_racing_pushes_store_each_event_once(synced, erp_app, erp_ctx, control, dataset):
    order = pay(erp_ctx, place_order(erp_app, control, dataset, username="dealer3"))
    control.ok("POST", "advance", {"platform_order_no": order.no, "steps": 6})
    events = stage_events(control, order.no)
    raw = json.dumps({"events": events}).encode()

    def worker(i: int):
        if i % 2:
            headers = signing.sign_request(KEY_ID, SECRET, "POST", PUSH_PATH, raw)
            return ApiClient(erp_app).request("POST", PUSH_PATH, raw=raw, headers=headers).status_code
        with erp_app.ctx.activate() as ctx:
            return run_sync(ctx, ["events"])[0].status

    results = _together(worker, 4)
    assert set(results) <= {204, "ok", "skipped"}
    assert InboxEvent.select().where(InboxEvent.event_id.in_([e["id"] for e in events])).count() == len(
        events
    )
    assert InboxEvent.select().where(InboxEvent.status == "pending").count() == 0
    assert (ErpOrder.get_by_id(order.id).stage_seq, Order.get_by_id(order.id).status) == (7, "ready")
    statuses = [e.to_status for e in OrderEvent.select().where(OrderEvent.order == order.id)]
    assert statuses.count("ready") == 1 and statuses.count("in_production") == 1


def test_the_worker_jobs_sync_and_reconcile_when_due(synced, erp_app, erp_ctx, control):
    control.ok("POST", "customers/C0005", {"discount_rate": "0.66"})
    before = SyncRun.select().count()
    results = run_periodic_jobs_once(erp_app.ctx)
    assert results["erp.sync"] == "ok" and results["erp.full_sync"] == "ok"
    runs = list(SyncRun.select().where(SyncRun.id > before).order_by(SyncRun.id))
    assert [r.full for r in runs if r.stream == "customers"] == [False, True]  # never reconciled before: due
    assert Customer.get(Customer.code == "C0005").discount_rate == Decimal("0.66")
    again = SyncRun.select().count()
    run_periodic_jobs_once(erp_app.ctx)
    assert not SyncRun.select().where((SyncRun.id > again) & (SyncRun.full == True)).exists()  # noqa: E712
