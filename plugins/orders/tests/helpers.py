"""Small helpers of the orders tests: request bodies and database snapshots."""

from __future__ import annotations

import uuid
from typing import Any

from core.models import IdempotencyKey
from plugins.inventory.models import StockItem, StockMovement
from plugins.orders.models import CartItem, Order, OrderEvent, OrderLine
from plugins.orders.tests.conftest import DELIVERY


def new_key() -> str:
    return uuid.uuid4().hex


def order_body(items: list[dict] | None = None, **extra: Any) -> dict:
    """A ``POST /orders`` body: from the cart unless ``items`` are given."""
    body: dict[str, Any] = {"delivery": dict(DELIVERY)}
    if items is None:
        body["from_cart"] = True
    else:
        body["items"] = items
    body.update(extra)
    return body


def snapshot(app) -> dict[str, Any]:
    """Every row count and stock figure an order request could change."""
    with app.ctx.activate():
        return {
            "orders": Order.select().count(),
            "lines": OrderLine.select().count(),
            "events": OrderEvent.select().count(),
            "keys": IdempotencyKey.select().count(),
            "cart": sorted((c.id, c.product_id, c.qty) for c in CartItem.select()),
            "stock": sorted((s.product_id, s.quantity, s.reserved) for s in StockItem.select()),
            "movements": StockMovement.select().count(),
        }


def stock_of(app, product) -> int:
    with app.ctx.activate():
        return StockItem.get_by_id(product.id).quantity


def post_order(api, body: dict, key: str | None = None):
    headers = {"Idempotency-Key": key} if key else None
    return api.post("orders", body, headers=headers)
