"""Orders placed while the ERP is offline wait, then go in once each, in order."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from plugins.erp_yidiantong.models import ErpGatewayState
from plugins.erp_yidiantong.outbox.dispatcher import dispatch_due
from plugins.erp_yidiantong.tests.outbox_helpers import erp_order, outbox_rows, place_order

DEALERS = ("dealer1", "dealer2", "dealer3", "dealer4", "dealer5")
SKUS = ("S-801-LA", "S-801-RA", "S-801-M", "S-801-OT", "S-851-RA")  # made to order: no stock to run out


def test_fifty_orders_wait_while_offline_and_are_imported_once_each_in_order(
    connector_app, shop, sim_http, jobs
):
    sim_http.post("offline")
    clients = {name: shop(name) for name in DEALERS}

    def place(n: int):
        dealer = DEALERS[n % len(DEALERS)]
        result = place_order(clients[dealer], connector_app, [(SKUS[n % len(SKUS)], 1 + n % 3, {})])
        return dealer, result

    with ThreadPoolExecutor(max_workers=10) as pool:
        placed = list(pool.map(place, range(50)))

    assert [result.status_code for _dealer, result in placed] == [201] * 50
    numbers = {result.json["no"] for _dealer, result in placed}
    assert len(numbers) == 50
    for _dealer, result in placed:
        erp = result.json["erp"]
        assert (erp["status"], erp["status_label"], erp["erp_order_no"]) == ("queued", "等待工厂接单", None)
        assert erp["notice"]["title"] == "等待工厂接单"
    dealer, result = placed[7]
    assert clients[dealer].get(f"orders/{result.json['no']}").json["erp"]["status"] == "queued"

    # Offline costs no attempts, however often the dispatcher looks.
    for _ in range(3):
        assert jobs.run_all()["erp_yidiantong.outbox_sweep"] == "ok"
    rows = outbox_rows(connector_app)
    assert len(rows) == 50
    assert {(row.status, row.attempts, row.sent_at) for row in rows} == {("pending", 0, None)}
    assert sim_http.get("orders")["items"] == []
    with connector_app.ctx.activate():
        assert ErpGatewayState.get().offline_since is not None

    sim_http.post("online")
    with connector_app.ctx.activate():
        report = dispatch_due(connector_app.ctx)
    assert (report.imported, report.retried, report.dead, report.offline) == (50, 0, 0, False)

    held = sim_http.get("orders")["items"]
    by_outbox = [row.aggregate for row in outbox_rows(connector_app)]
    # Outbox ids follow the commit order of the orders (order numbers are
    # drawn before the order's transaction, so they may not).
    assert [order["platform_order_no"] for order in held] == by_outbox
    assert set(by_outbox) == numbers
    assert {(order["created_count"], order["requests"]) for order in held} == {(1, 1)}
    assert {row.status for row in outbox_rows(connector_app)} == {"done"}
    for number in numbers:
        erp = erp_order(connector_app, number)
        assert erp.status == "imported" and erp.erp_order_no
    with connector_app.ctx.activate():
        assert ErpGatewayState.get().offline_since is None

    # A later sweep sends nothing twice.
    assert jobs.run_all()["erp_yidiantong.outbox_sweep"] == "ok"
    assert {(order["created_count"], order["requests"]) for order in sim_http.get("orders")["items"]} == {
        (1, 1)
    }
