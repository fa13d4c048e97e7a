"""Helpers of the outbox tests: placing orders, reading outbox and ERP state."""

from __future__ import annotations

from typing import Any

from core.money import parse_money
from plugins.catalog.models import Product
from plugins.erp_yidiantong.models import ErpOrder, OutboxMessage
from plugins.inventory.models import StockItem
from plugins.orders.models import Order

DELIVERY = {"contact": "陈志强", "phone": "18286292226", "address": "广东省佛山市顺德区乐从镇家具大道366号"}


def product_id(app, code: str) -> int:
    with app.ctx.activate():
        return Product.get(Product.code == code).id


def stock_of(app, code: str) -> int:
    with app.ctx.activate():
        return StockItem.get(StockItem.product == Product.get(Product.code == code).id).quantity


def place_order(client, app, lines: list[tuple[str, int, dict]], *, remark: str = "", key: str | None = None):
    """POST /orders with ``(sku, qty, options)`` lines; returns the falcon Result."""
    body = {
        "items": [
            {"product_id": product_id(app, sku), "qty": qty, "options": options}
            for sku, qty, options in lines
        ],
        "delivery": DELIVERY,
        "remark": remark,
    }
    headers = {"Idempotency-Key": key} if key else None
    return client.post("orders", body, headers=headers)


def outbox_rows(app, aggregate: str | None = None) -> list[OutboxMessage]:
    with app.ctx.activate():
        query = OutboxMessage.select().order_by(OutboxMessage.id)
        if aggregate:
            query = query.where(OutboxMessage.aggregate == aggregate)
        return list(query)


def erp_order(app, number: str) -> ErpOrder | None:
    with app.ctx.activate():
        order = Order.get(Order.no == number)
        return ErpOrder.get_or_none(ErpOrder.order == order.id)


def fen(value: str) -> int:
    return parse_money(value)


def sim_lines(sim_order: dict[str, Any]) -> list[tuple]:
    return [
        (line["line_no"], line["sku"], line["qty"], line["unit_price_fen"], line["line_total_fen"])
        for line in sim_order["lines"]
    ]


def platform_lines(order_json: dict[str, Any]) -> list[tuple]:
    return [
        (line["line_no"], line["product_code"], line["qty"], fen(line["unit_price"]), fen(line["line_total"]))
        for line in order_json["lines"]
    ]
