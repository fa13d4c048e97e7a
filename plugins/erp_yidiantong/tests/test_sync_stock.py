"""Stock the ERP counts and stock platform orders hold: counted once, whoever acknowledges first."""

from __future__ import annotations

from core.testing import ApiClient
from plugins.catalog.models import Product
from plugins.erp_yidiantong.models import ErpOrder
from plugins.erp_yidiantong.outbox import dispatch_due
from plugins.erp_yidiantong.sync import acknowledge_import
from plugins.erp_yidiantong.sync.live import live_state
from plugins.erp_yidiantong.tests.sync_fixtures import *  # noqa: F403
from plugins.erp_yidiantong.tests.sync_fixtures import DEMO_PASSWORD, place_order, sync
from plugins.inventory.models import StockItem, StockMovement
from plugins.orders.models import Order


def _product(order: Order) -> Product:
    return Product.get_by_id(order.lines[0].product_id)


def test_an_erp_mode_reservation_is_handed_to_the_erp_once(synced, erp_app, erp_ctx, control, dataset):
    order = place_order(erp_app, control, dataset, qty=2, mode="erp")
    product = _product(order)
    start = dataset.product(product.code).stock_qty
    assert Order.get_by_id(order.id).stock_reserved is False  # the import answer acknowledged it
    assert ErpOrder.get_by_id(order.id).status == "imported"
    item = StockItem.get_by_id(product.id)
    assert (item.quantity, item.reserved) == (start, 0)
    assert (
        StockMovement.get((StockMovement.product == product.id) & (StockMovement.reason == "erp_ack")).delta
        == 2
    )
    sync(erp_ctx, ["stock", "events"])  # stock.changed: the ERP reserved 2; order.accepted: already done
    item = StockItem.get_by_id(product.id)
    assert (item.quantity, item.reserved) == (start - 2, 0)
    assert StockMovement.select().where(StockMovement.reason == "erp_ack").count() == 1
    assert acknowledge_import(erp_ctx, Order.get_by_id(order.id), {"erp_order_no": "XS-AGAIN"}) == {}
    assert ErpOrder.get_by_id(order.id).erp_order_no.startswith("XS2")  # the first number stays
    live_state(erp_ctx).stock.clear()
    dealer = ApiClient(erp_app).login("dealer1", DEMO_PASSWORD)
    assert dealer.get(f"stock/{product.id}").json["available"] == start - 2


def test_quota_held_by_orders_the_erp_has_not_seen_is_not_counted_twice(
    synced, erp_app, erp_ctx, control, dataset
):
    control.ok("POST", "offline")
    order = place_order(erp_app, control, dataset, qty=3, mode="quota", imported=False)
    product = _product(order)
    start = dataset.product(product.code).stock_qty
    assert StockItem.get_by_id(product.id).quantity == start - 3  # taken on the platform
    control.ok("POST", "online")
    control.ok("POST", "stock", {"sku": product.code, "on_hand": start})  # the ERP still says `start`
    sync(erp_ctx, ["stock"])
    assert StockItem.get_by_id(product.id).quantity == start - 3  # minus what the platform holds
    dispatch_due(erp_ctx, force_probe=True)
    assert control.get(f"orders/{order.no}").status_code == 200
    assert Order.get_by_id(order.id).stock_reserved is False
    sync(erp_ctx, ["stock", "events"])
    assert StockItem.get_by_id(product.id).quantity == start - 3  # now the ERP's own figure
