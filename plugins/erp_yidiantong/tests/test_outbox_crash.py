"""A worker that dies mid-run loses nothing and duplicates nothing.

In process: a row is claimed (leased) and the "worker" dies before or after
sending. With the real thing: ``ydt worker`` consumes the queue in its own
process, is killed with SIGKILL in the middle of a batch and started again.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from core.app import create_app
from core.db import utcnow
from core.testing import ApiClient
from plugins.erp_yidiantong.connection import client_for
from plugins.erp_yidiantong.models import ErpGatewayState, OutboxMessage
from plugins.erp_yidiantong.outbox.dispatcher import claim_next, dispatch_due
from plugins.erp_yidiantong.tests.outbox_fixtures import (
    close_app,
    connector_overrides,
    load_platform_factory,
    platform_env,
)
from plugins.erp_yidiantong.tests.outbox_helpers import erp_order, outbox_rows, place_order

ROOT = Path(__file__).resolve().parents[3]


def lease_runs_out(app):
    with app.ctx.activate():
        past = utcnow() - dt.timedelta(seconds=1)
        OutboxMessage.update(locked_until=past).where(OutboxMessage.status == "in_flight").execute()
        ErpGatewayState.update(runner_until=past).execute()


@pytest.mark.parametrize("sent_before_crash", [False, True], ids=["crash-before-send", "crash-after-send"])
def test_a_row_claimed_by_a_worker_that_died_is_sent_once_after_its_lease(
    connector_app, shop, sim_http, sent_before_crash
):
    sim_http.post("offline")  # keep the order in the outbox
    number = place_order(shop("dealer7"), connector_app, [("S-801-LA", 1, {})]).json["no"]
    sim_http.post("online")
    ctx = connector_app.ctx
    with ctx.activate():
        ErpGatewayState.update(offline_since=None, next_probe_at=None).execute()
        claimed = claim_next(lease_seconds=60)
        assert claimed.aggregate == number
        if sent_before_crash:  # the request went out; the worker died before writing down the answer
            client_for(ctx).import_order(claimed.payload, idempotency_key=claimed.idempotency_key)
        # ... and the worker is gone. While its lease holds, nobody else sends the row.
        assert dispatch_due(ctx).sent == 0
    (row,) = outbox_rows(connector_app, number)
    assert row.status == "in_flight"

    lease_runs_out(connector_app)
    with ctx.activate():
        report = dispatch_due(ctx)
    assert (report.sent, report.imported) == (1, 1)
    held = sim_http.order(number)
    assert held["created_count"] == 1
    assert held["requests"] == (2 if sent_before_crash else 1)
    assert erp_order(connector_app, number).status == "imported"


def _start_worker(env: dict[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", "from core.cli import main; main()", "worker", "--workers", "2"],
        cwd=ROOT,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _wait(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def queued_app(settings, sim_url, dataset):
    """The platform as a web process: jobs go to the SQLite queue for ``ydt worker``."""
    app = create_app(
        settings.with_overrides(
            jobs_backend="sqlite",
            plugin_settings=connector_overrides(sim_url, outbox_lease_seconds=2),
        )
    )
    load_platform_factory(app, dataset)
    yield app
    close_app(app)


def test_killing_ydt_worker_mid_batch_loses_and_duplicates_nothing(queued_app, sim_url, sim_http, tmp_path):
    dealer = ApiClient(queued_app).login("dealer8", "demo1234")
    sim_http.post("offline")
    numbers = [place_order(dealer, queued_app, [("S-801-LA", 1 + n % 2, {})]).json["no"] for n in range(12)]
    # Every order is queued; nothing consumes the queue yet.
    assert {row.status for row in outbox_rows(queued_app)} == {"pending"}
    sim_http.post("online")
    sim_http.post("faults", {"delay_ms": 400})  # each import takes 0.4 s: time to kill mid-batch

    log = tmp_path / "worker.log"
    env = platform_env(queued_app, sim_url, "sqlite", outbox_lease_seconds=2, offline_probe_seconds=0)
    worker = _start_worker(env, log)
    try:
        # The worker's first sweep starts on the minute; queue a dispatch to start now.
        from core.jobs import enqueue
        from plugins.erp_yidiantong.outbox.enqueue import DISPATCH_TASK

        enqueue(queued_app.ctx, DISPATCH_TASK)
        _wait(lambda: len(sim_http.get("orders")["items"]) >= 3, 60, "the worker to import a few orders")
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(10)
    imported_before = len(sim_http.get("orders")["items"])
    assert 3 <= imported_before < 12, log.read_text()

    sim_http.call("DELETE", "faults")
    worker = _start_worker(env, log)
    try:
        time.sleep(2.5)  # the dead worker's leases run out
        enqueue(queued_app.ctx, DISPATCH_TASK)
        _wait(lambda: len(sim_http.get("orders")["items"]) == 12, 60, "the restarted worker to finish")
        _wait(lambda: {r.status for r in outbox_rows(queued_app)} == {"done"}, 30, "the outbox to settle")
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(10)

    held = sim_http.get("orders")["items"]
    assert [order["platform_order_no"] for order in held] == numbers
    assert {order["created_count"] for order in held} == {1}
    # At most the order in flight at the kill was sent twice (a replay, same key).
    assert sum(order["requests"] for order in held) in (12, 13)
    assert {row.outcome for row in outbox_rows(queued_app)} == {"imported"}
    for number in numbers:
        assert erp_order(queued_app, number).status == "imported"
