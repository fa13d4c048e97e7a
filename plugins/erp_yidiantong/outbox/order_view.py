"""The ``erp`` field of order answers (``extend_order_data``): the order's way
into the factory's ERP, as the dealer should read it.

``erp`` is ``null`` for an order the connector has not taken (a custom order
still being priced, or one placed before the connector was set up). Its
``notice`` (``{tone, icon, title, text}``) is what the order pages show in
their plugin notice slot.
"""

from __future__ import annotations

from typing import Any

from core.errors import Conflict
from plugins.erp_yidiantong.egp.shapes import LAST_REVISABLE_STAGE_SEQ, STAGE_BY_CODE
from plugins.erp_yidiantong.models import ErpOrder
from plugins.erp_yidiantong.outbox.reasons import STATUS_LABELS, Translate, rejection_text

STAGE_LABELS = {
    "review": "Order review",
    "scheduled": "Scheduled",
    "cutting": "Cutting",
    "woodwork": "Woodwork",
    "finishing": "Painting / upholstery",
    "packing": "Packing",
    "warehoused": "Warehoused",
    "shipped": "Shipped",
}
QUEUED_TEXT = "Queued for the factory's system: it goes in automatically, no need to order again."
PRODUCTION_STARTED = (
    "The factory has started making this order ({stage}); it can no longer be cancelled here. "
    "Please contact customer service."
)
CANCEL_REFUSED_TEXT = (
    "The factory had already started making this order when the cancellation reached it. "
    "Customer service will contact you."
)
CANCEL_FAILED_TEXT = "Customer service has been alerted and will confirm the cancellation with the factory."
HELD_TEXT = "Customer service has been alerted and is sorting it out; no need to order again."
# Statuses staff must settle, and what the dealer reads meanwhile.
STAFF_TEXTS = {"dead": HELD_TEXT, "cancel_refused": CANCEL_REFUSED_TEXT, "cancel_failed": CANCEL_FAILED_TEXT}
IMPORTED_TEXT = "ERP order {erp_order_no}"
STAGE_TEXT = "Production: {stage}"


def order_data(ctx, orders, detail: bool, translate: Translate) -> dict[int, dict[str, Any]]:
    """``{order_id: {"erp": {...} | None}}`` for a batch of orders (one query); and
    ``can_cancel: false`` once the factory's production has started."""
    ids = [order.id for order in orders]
    if not ids:
        return {}
    rows = {row.order_id: row for row in ErpOrder.select().where(ErpOrder.order.in_(ids))}
    data: dict[int, dict[str, Any]] = {}
    for order_id in ids:
        row = rows.get(order_id)
        data[order_id] = {"erp": erp_payload(row, translate)}
        if production_started(row):
            data[order_id]["can_cancel"] = False
    return data


def production_started(row: ErpOrder | None) -> bool:
    """The ERP reports the order past 排产: it can no longer be cancelled or revised."""
    return row is not None and row.stage_seq > LAST_REVISABLE_STAGE_SEQ


def check_cancel(ctx, order) -> None:
    """``check_order_cancel``: refuse once the factory's production has started."""
    row = ErpOrder.get_or_none(ErpOrder.order == order.id)
    if production_started(row):
        raise Conflict(
            PRODUCTION_STARTED,
            code="production_started",
            details={"stage": row.stage},
            stage=stage.name if (stage := STAGE_BY_CODE.get(row.stage)) else row.stage,
        )


def stage_label(stage: str, _: Translate) -> str | None:
    if not stage:
        return None
    if stage in STAGE_LABELS:
        return _(STAGE_LABELS[stage])
    known = STAGE_BY_CODE.get(stage)
    return known.name if known else stage


def erp_payload(row: ErpOrder | None, _: Translate) -> dict[str, Any] | None:
    if row is None:
        return None
    rejected = row.status == "rejected"
    data = {
        "status": row.status,
        "status_label": _(STATUS_LABELS.get(row.status, row.status)),
        "erp_order_no": row.erp_order_no or None,
        "reason_code": (row.reason_code or None) if rejected else None,
        "reason": rejection_text(row.reason_code, row.details or {}, _) if rejected else None,
        "stage": row.stage or None,
        "stage_label": stage_label(row.stage, _),
        "notice": None,
    }
    data["notice"] = _notice(data, _)
    return data


def _notice(data: dict[str, Any], _: Translate) -> dict[str, str] | None:
    status = data["status"]
    if status == "queued":
        return {"tone": "info", "icon": "clock", "title": data["status_label"], "text": _(QUEUED_TEXT)}
    if status in STAFF_TEXTS:
        return {"tone": "warn", "icon": "alert", "title": data["status_label"], "text": _(STAFF_TEXTS[status])}
    if status == "imported":
        parts = [_(IMPORTED_TEXT, erp_order_no=data["erp_order_no"] or "—")]
        if data["stage_label"]:
            parts.append(_(STAGE_TEXT, stage=data["stage_label"]))
        return {"tone": "ok", "icon": "factory", "title": data["status_label"], "text": " · ".join(parts)}
    if status == "rejected":
        return {"tone": "warn", "icon": "alert", "title": data["status_label"], "text": data["reason"] or ""}
    return None
