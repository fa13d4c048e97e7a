"""How the outbox answers each kind of failure: rejections, 5xx, lost answers, conflicts."""

from __future__ import annotations

import datetime as dt

import pytest

from core.app import create_app
from core.db import utcnow
from plugins.erp_yidiantong.models import ErpGatewayState, OutboxMessage
from plugins.erp_yidiantong.outbox.dispatcher import backoff_seconds, dispatch_due
from plugins.erp_yidiantong.tests.outbox_fixtures import close_app, connector_overrides, load_platform_factory
from plugins.erp_yidiantong.tests.outbox_helpers import erp_order, outbox_rows, place_order, stock_of
from plugins.orders.models import Order, OrderEvent


def dispatch(app):
    with app.ctx.activate():
        return dispatch_due(app.ctx)


def time_passes(app):
    """Every backing-off row becomes due (as if its wait were over)."""
    with app.ctx.activate():
        OutboxMessage.update(next_attempt_at=utcnow() - dt.timedelta(seconds=1)).where(
            OutboxMessage.status == "pending"
        ).execute()


def test_a_rejection_cancels_the_order_with_its_reason_and_returns_the_stock(connector_app, shop, sim_http):
    sim_http.post("products/S-801", {"status": "discontinued"})
    before = stock_of(connector_app, "S-801")
    dealer = shop("dealer1")
    placed = place_order(dealer, connector_app, [("S-801", 2, {}), ("S-801-LA", 1, {})])
    assert placed.status_code == 201
    number = placed.json["no"]

    assert sim_http.order(number) is None
    (message,) = outbox_rows(connector_app, number)
    assert (message.status, message.outcome, message.attempts) == ("done", "rejected", 0)
    erp = erp_order(connector_app, number)
    assert (erp.status, erp.reason_code) == ("rejected", "DISCONTINUED")
    assert [line["sku"] for line in erp.details["lines"]] == ["S-801"]
    assert stock_of(connector_app, "S-801") == before

    seen = dealer.get(f"orders/{number}").json
    assert seen["status"] == "cancelled"
    assert seen["cancel_reason"] == "erp_rejected"
    assert seen["erp"]["status"] == "rejected"
    assert seen["erp"]["status_label"] == "工厂未接单"
    assert seen["erp"]["reason"] == "S-801 已停产，工厂不再接单。"
    assert seen["history"][-1]["note"] == "S-801 已停产，工厂不再接单。"

    # A later run changes nothing: the stock was returned once.
    assert dispatch(connector_app).sent == 0
    assert stock_of(connector_app, "S-801") == before
    with connector_app.ctx.activate():
        order = Order.get(Order.no == number)
        assert OrderEvent.select().where(OrderEvent.order == order.id).count() == 2


def test_a_credit_limit_rejection_tells_the_dealer_the_available_credit(connector_app, shop, sim_http):
    sim_http.post("customers/C0014", {"credit_limit": "100.00"})
    dealer = shop("dealer14")
    placed = place_order(dealer, connector_app, [("S-801-LA", 1, {})])
    number = placed.json["no"]
    erp = dealer.get(f"orders/{number}").json["erp"]
    assert erp["reason_code"] == "CREDIT_LIMIT"
    assert erp["reason"] == "您在工厂的信用额度不足以支付此订单（可用 ¥100.00）。"
    assert dealer.get(f"orders/{number}").json["status"] == "cancelled"


def test_server_errors_count_attempts_back_off_and_resend_with_the_same_key(connector_app, shop, sim_http):
    sim_http.post("faults", {"error_rate_5xx": "1"})
    dealer = shop("dealer2")
    number = place_order(dealer, connector_app, [("S-801-M", 2, {})]).json["no"]

    waits = []
    for attempt in (1, 2, 3):
        (message,) = outbox_rows(connector_app, number)
        assert (message.status, message.attempts) == ("pending", attempt)
        assert "INTERNAL_ERROR" in message.last_error
        waits.append((message.next_attempt_at - utcnow()).total_seconds())
        assert erp_order(connector_app, number).status == "queued"
        assert dispatch(connector_app).sent == 0  # not due yet: backing off
        if attempt == 3:
            sim_http.call("DELETE", "faults")
        time_passes(connector_app)
        dispatch(connector_app)
    # min(3600, 10·2^n)·U(0.5, 1): 10-20 s, 20-40 s, 40-80 s (less the test's own seconds)
    assert 8 < waits[0] <= 20 and 18 < waits[1] <= 40 and 38 < waits[2] <= 80

    (message,) = outbox_rows(connector_app, number)
    assert (message.status, message.outcome, message.attempts) == ("done", "imported", 3)
    held = sim_http.order(number)
    assert (held["created_count"], held["requests"]) == (1, 1)  # the 500s came before the business step
    assert erp_order(connector_app, number).status == "imported"
    # 5xx is not "offline": the dispatcher never paused.
    with connector_app.ctx.activate():
        assert ErpGatewayState.get().offline_since is None


def test_a_lost_answer_is_resent_with_the_same_key_and_the_erp_replays_it(connector_app, shop, sim_http):
    sim_http.post("faults", {"drop_after_commit_next": 1})
    dealer = shop("dealer3")
    number = place_order(dealer, connector_app, [("S-801-OT", 1, {})]).json["no"]
    (message,) = outbox_rows(connector_app, number)
    assert (message.status, message.attempts) == ("pending", 1)
    assert sim_http.order(number)["created_count"] == 1  # the ERP did it; we did not hear

    time_passes(connector_app)
    assert dispatch(connector_app).imported == 1
    held = sim_http.order(number)
    assert (held["created_count"], held["requests"]) == (1, 2)
    imports = sim_http.get(f"imports?platform_order_no={number}")["items"]
    assert [(i["idempotency_key"], i["replayed"]) for i in imports] == [
        (f"{number}:1", False),
        (f"{number}:1", True),
    ]
    assert erp_order(connector_app, number).erp_order_no == held["erp_order_no"]


def test_a_revision_conflict_is_dead_lettered_at_once(connector_app, shop, sim_http):
    dealer = shop("dealer4")
    number = place_order(dealer, connector_app, [("S-801-LA", 1, {})]).json["no"]
    (first,) = outbox_rows(connector_app, number)
    with connector_app.ctx.activate():
        changed = {**first.payload, "remark": "another body under the same key"}
        OutboxMessage.create(
            kind=first.kind, aggregate=number, payload=changed, idempotency_key=first.idempotency_key
        )
    report = dispatch(connector_app)
    assert (report.sent, report.dead) == (1, 1)
    second = outbox_rows(connector_app, number)[1]
    assert (second.status, second.attempts) == ("dead", 1)
    assert "REVISION_CONFLICT" in second.last_error
    assert erp_order(connector_app, number).status == "dead"
    assert sim_http.order(number)["created_count"] == 1


def test_an_order_cancelled_before_it_was_sent_never_reaches_the_erp(connector_app, shop, sim_http):
    sim_http.post("offline")
    dealer = shop("dealer5")
    number = place_order(dealer, connector_app, [("S-801", 1, {})]).json["no"]
    assert dealer.post(f"orders/{number}/cancel", {}).status_code == 200
    (message,) = outbox_rows(connector_app, number)  # withdrawn by the cancel itself: no cancel row
    assert (message.status, message.outcome) == ("done", "withdrawn")
    sim_http.post("online")
    report = dispatch(connector_app)
    assert (report.sent, report.withdrawn) == (0, 0)
    (message,) = outbox_rows(connector_app, number)
    assert (message.status, message.outcome) == ("done", "withdrawn")
    assert erp_order(connector_app, number).status == "withdrawn"
    assert sim_http.order(number) is None
    assert dealer.get(f"orders/{number}").json["erp"]["notice"] is None


def test_backoff_grows_and_is_capped_at_an_hour():
    class Fixed:
        def __init__(self, value):
            self.value = value

        def uniform(self, low, high):
            return self.value

    assert [backoff_seconds(n, rng=Fixed(1.0)) for n in (1, 2, 3, 8, 9, 12)] == [20, 40, 80, 2560, 3600, 3600]
    assert backoff_seconds(1, rng=Fixed(0.5)) == 10
    assert backoff_seconds(1, retry_after=120, rng=Fixed(1.0)) == 120


@pytest.fixture
def strict_app(settings, sim_url, dataset):
    """The connector giving up after 3 failed attempts."""
    app = create_app(
        settings.with_overrides(plugin_settings=connector_overrides(sim_url, outbox_max_attempts=3))
    )
    load_platform_factory(app, dataset)
    yield app
    close_app(app)


def test_a_dead_letter_after_max_attempts_is_retried_from_the_admin_api(strict_app, sim_http):
    from core.testing import ApiClient

    anonymous = ApiClient(strict_app)
    dealer = anonymous.login("dealer6", "demo1234")
    sim_http.post("faults", {"error_rate_5xx": "1"})
    number = place_order(dealer, strict_app, [("S-801-LA", 1, {})]).json["no"]
    for _ in range(2):
        time_passes(strict_app)
        dispatch(strict_app)
    (message,) = outbox_rows(strict_app, number)
    assert (message.status, message.attempts) == ("dead", 3)
    assert erp_order(strict_app, number).status == "dead"
    # The dealer is told staff are on it (not that it goes in by itself); the staff see the dead letter.
    erp = dealer.get(f"orders/{number}").json["erp"]
    assert erp["status_label"] == "送达工厂受阻"
    assert erp["notice"]["text"] == "已通知客服处理，无需重新下单。"
    admin = anonymous.login("admin", "demo1234")
    status = admin.get("admin/erp/status").json
    assert [(d["id"], d["aggregate"], d["attempts"]) for d in status["dead_letters"]] == [
        (message.id, number, 3)
    ]
    assert status["outbox"]["counts"]["dead"] == 1

    support = anonymous.login("support1", "demo1234")
    assert support.get("admin/erp/status").status_code == 200
    assert support.post(f"admin/erp/outbox/{message.id}/retry").status_code == 403
    assert dealer.get("admin/erp/status").status_code == 403
    assert admin.post("admin/erp/outbox/999999/retry").status_code == 404
    for bad in ("x1", "²", "1" * 40, "-1", "%20"):
        assert admin.post(f"admin/erp/outbox/{bad}/retry").status_code == 404, bad

    sim_http.call("DELETE", "faults")
    retried = admin.post(f"admin/erp/outbox/{message.id}/retry")
    assert retried.status_code == 200, retried.text
    # Queued after the commit and sent at once (jobs run inline in tests).
    (message,) = outbox_rows(strict_app, number)
    assert (message.status, message.outcome, message.attempts) == ("done", "imported", 0)
    assert erp_order(strict_app, number).status == "imported"
    assert sim_http.order(number)["created_count"] == 1

    again = admin.post(f"admin/erp/outbox/{message.id}/retry")
    assert again.status_code == 409
    assert again.json["error"]["code"] == "outbox_not_retryable"
    assert admin.get("admin/erp/status").json["dead_letters"] == []
