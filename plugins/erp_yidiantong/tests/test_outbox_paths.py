"""Which orders go to the ERP, and when: custom orders after pricing, idle connector, unreachable gateway."""

from __future__ import annotations

from core.app import create_app
from core.db import write_transaction
from core.testing import ApiClient
from plugins.erp_yidiantong.models import ErpGatewayState, ErpOrder, OutboxMessage
from plugins.erp_yidiantong.outbox.dispatcher import dispatch_due
from plugins.erp_yidiantong.tests.outbox_fixtures import close_app, connector_overrides, load_platform_factory
from plugins.erp_yidiantong.tests.outbox_helpers import (
    DELIVERY,
    erp_order,
    outbox_rows,
    place_order,
    product_id,
)
from plugins.orders.models import Order, OrderLine
from plugins.orders.services import transition
from plugins.orders.states import OrderStatus

CUSTOM = "整体加长 200mm，皮色按客户提供的色卡 PANTONE 7527C"


def test_a_custom_order_goes_to_the_erp_once_customer_service_priced_it(connector_app, shop, sim_http):
    dealer = shop("dealer11")
    body = {
        "items": [
            {
                "product_id": product_id(connector_app, "S-801"),
                "qty": 1,
                "options": {},
                "custom_request": CUSTOM,
            }
        ],
        "delivery": DELIVERY,
    }
    placed = dealer.post("orders", body)
    assert placed.status_code == 201, placed.text
    number = placed.json["no"]
    assert placed.json["status"] == "pending_review"
    assert placed.json["erp"] is None
    assert outbox_rows(connector_app, number) == []

    ctx = connector_app.ctx
    with ctx.activate(), write_transaction():  # what the review desk does: set the price, release the order
        order = Order.get(Order.no == number)
        OrderLine.update(unit_price=612300, line_total=612300, price_source="support").where(
            OrderLine.order == order.id
        ).execute()
        Order.update(total=612300).where(Order.id == order.id).execute()
        order.total = 612300
        transition(ctx, order, OrderStatus.AWAITING_PAYMENT, reason="priced")
    held = sim_http.order(number)
    assert held["created_count"] == 1
    (line,) = held["lines"]
    assert (line["sku"], line["nonstandard"], line["custom_spec"], line["unit_price_fen"]) == (
        "S-801",
        True,
        CUSTOM,
        612300,
    )
    assert held["total_fen"] == 612300
    assert dealer.get(f"orders/{number}").json["erp"]["status"] == "imported"


def test_an_idle_connector_writes_no_outbox(settings, dataset):
    app = create_app(settings.with_overrides(plugin_settings={"catalog": {"demo_images": 0}}))
    try:
        load_platform_factory(app, dataset)
        dealer = ApiClient(app).login("dealer1", "demo1234")
        placed = place_order(dealer, app, [("S-801-LA", 1, {})])
        assert placed.status_code == 201
        assert placed.json["erp"] is None
        with app.ctx.activate():
            assert OutboxMessage.select().count() == 0
            assert ErpOrder.select().count() == 0
            assert dispatch_due(app.ctx).sent == 0
    finally:
        close_app(app)


def test_an_unreachable_gateway_is_offline_and_costs_no_attempts(settings, dataset):
    app = create_app(settings.with_overrides(plugin_settings=connector_overrides("http://127.0.0.1:9")))
    try:
        load_platform_factory(app, dataset)
        dealer = ApiClient(app).login("dealer12", "demo1234")
        placed = place_order(dealer, app, [("S-801-LA", 1, {})])
        assert placed.status_code == 201, placed.text
        number = placed.json["no"]
        assert placed.json["erp"]["status"] == "queued"
        for _ in range(3):
            with app.ctx.activate():
                report = dispatch_due(app.ctx)
            assert (report.sent, report.offline) == (0, True)
        (message,) = outbox_rows(app, number)
        assert (message.status, message.attempts, message.sent_at) == ("pending", 0, None)
        assert "CONNECTION_REFUSED" in message.last_error
        with app.ctx.activate():
            state = ErpGatewayState.get()
            assert state.offline_since is not None and "CONNECTION_REFUSED" in state.last_error
        assert erp_order(app, number).status == "queued"
    finally:
        close_app(app)
