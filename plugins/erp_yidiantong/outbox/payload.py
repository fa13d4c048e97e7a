"""The EGP/1 order import body (docs/erp-gateway.md §5.5) of a platform order.

Built once, inside the transaction that submits (or releases) the order, and
stored in the outbox row: every retry sends exactly these bytes' JSON value,
so the ERP's idempotency check (same key, same body) always holds.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from core.models import Customer
from plugins.orders.models import Order, OrderLine

KIND_IMPORT_ORDER = "import_order"
KIND_CANCEL_ORDER = "cancel_order"
# Platform cancel reasons (OrderEvent.reason) -> EGP §5.9 reasons.
CANCEL_REASON_CODES = {"customer_cancelled": "customer_cancelled", "payment_timeout": "payment_timeout"}
CUSTOM_SPEC_MAX = 2000  # EGP limit of ``custom_spec``


def idempotency_key(order_no: str, revision: int) -> str:
    """``{platform_order_no}:{revision}``, as §4.3 requires."""
    return f"{order_no}:{revision}"


def cancel_key(order_no: str) -> str:
    """The outbox key of an order's cancel (one per order: a cancel is final)."""
    return f"{order_no}:cancel"


def order_cancel_body(ctx, order: Order, reason: str) -> dict[str, Any]:
    """The §5.9 body: ``{reason, note, cancelled_at}`` (no note: the reason code says it)."""
    if order.status == "rejected":
        code = "rejected"
    else:
        code = CANCEL_REASON_CODES.get(reason or "", "other")
    return {
        "reason": code,
        "note": "",
        "cancelled_at": order.updated_at.astimezone(ZoneInfo(ctx.settings.timezone)).isoformat(
            timespec="seconds"
        ),
    }


def order_import_body(ctx, order: Order, revision: int = 1) -> dict[str, Any]:
    """The §5.5 body of ``order``: lines, unit prices and total in fen.

    Lines carry, besides the protocol's fields, the platform's
    ``price_source`` (EGP/1 receivers ignore fields they do not know; the
    ERP's staff see where a price came from).
    """
    customer = Customer.get_by_id(order.customer_id)
    lines = list(OrderLine.select().where(OrderLine.order == order.id).order_by(OrderLine.line_no))
    body_lines = [_line(line) for line in lines]
    created_at = order.created_at.astimezone(ZoneInfo(ctx.settings.timezone)).isoformat(timespec="seconds")
    return {
        "platform_order_no": order.no,
        "revision": revision,
        "customer_code": customer.code,
        "currency": "CNY",
        "lines": body_lines,
        "total_fen": sum(line["line_total_fen"] for line in body_lines),
        "paid_fen": 0,
        "payment_status": "unpaid",
        "delivery": {
            "contact": order.delivery_contact,
            "phone": order.delivery_phone,
            "address": order.delivery_address,
        },
        "remark": order.remark or "",
        "created_at": created_at,
    }


def _line(line: OrderLine) -> dict[str, Any]:
    return {
        "line_no": line.line_no,
        "sku": line.product_code,
        "options": dict(line.options or {}),
        "qty": line.qty,
        "unit_price_fen": line.unit_price,
        "line_total_fen": line.line_total,
        "price_list_version": (line.price_version or "")[:64],
        "price_source": line.price_source,
        "nonstandard": bool(line.nonstandard),
        "custom_spec": (line.custom_request or "")[:CUSTOM_SPEC_MAX],
        "remark": line.remark or "",
    }
