"""What ERP events do to platform orders: progress, shipments, acceptance, status.

* ``production.progress`` adds a :class:`ProgressEvent` to the order's
  timeline and moves ``ErpOrder.stage`` forward only (a conditional UPDATE on
  ``stage_seq``): a duplicate or an older stage arriving late is recorded
  and ignored, never moves the order back.
* ``shipment.dispatched`` records the delivery note with its package
  barcodes (keyed by ``shipment_no``).
* ``order.accepted`` (and the OUTBOX's import answer, through
  :func:`acknowledge_import`) marks the order imported and hands its stock
  reservation over to the ERP, once.

The order's own status follows from the ERP stage and shipments
(:func:`sync_order_status`), through ``orders.services.transition`` so the
state machine is always checked: a paid order goes ``in_production`` at the
first stage past 排产, ``ready`` at 入库, ``partially_shipped``/``shipped``
by what the shipments carry. An order still ``awaiting_payment`` (or
``pending_review``) keeps its status while its progress is recorded: the
platform does not call an unpaid order "in production" — it catches up
when paid (:func:`catch_up_orders`, run with every sync). A move the state
machine refuses is noted on the event, never an error.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from peewee import Case, fn

from core.db import utcnow, write_transaction
from core.errors import Conflict
from plugins.erp_yidiantong.egp.shapes import STAGE_BY_CODE, STAGE_BY_SEQ
from plugins.erp_yidiantong.models import ErpOrder, ProgressEvent, Shipment
from plugins.erp_yidiantong.sync import values
from plugins.erp_yidiantong.sync.report import RowRejected, RunReport
from plugins.inventory.models import StockItem, StockMovement
from plugins.inventory.services import ERP, available_of
from plugins.orders.models import Order, OrderLine
from plugins.orders.services import order_quantities, transition
from plugins.orders.states import OrderStatus

APPLIED, IGNORED = "applied", "ignored"
IN_PRODUCTION_FROM = STAGE_BY_CODE["cutting"].seq  # the first stage past review and scheduling
READY_FROM = STAGE_BY_CODE["warehoused"].seq
S = OrderStatus
# The statuses the ERP moves an order through, in order.
_FOLLOWED = (S.PAID, S.IN_PRODUCTION, S.READY, S.PARTIALLY_SHIPPED, S.SHIPPED)
_RANK = {status.value: rank for rank, status in enumerate(_FOLLOWED)}


def _order(number: str) -> Order | None:
    return Order.get_or_none(Order.no == number)


def ensure_erp_order(order: Order, erp_order_no: Any) -> ErpOrder:
    """The order's ErpOrder row, created as ``imported`` when the ERP names an order it has."""
    number = erp_order_no if isinstance(erp_order_no, str) else ""
    now = utcnow()
    ErpOrder.insert(
        order=order.id, status="imported", erp_order_no=number[:64], imported_at=now, updated_at=now
    ).on_conflict_ignore().execute()
    if number:
        ErpOrder.update(erp_order_no=number[:64]).where(
            (ErpOrder.order == order.id) & (ErpOrder.erp_order_no == "")
        ).execute()
    return ErpOrder.get_by_id(order.id)


def _line_stage(order: Order) -> int:
    """For ERPs reporting per line: the stage every line has reached (0 until all report)."""
    line_nos = [n for (n,) in OrderLine.select(OrderLine.line_no).where(OrderLine.order == order.id).tuples()]
    reached = dict(
        ProgressEvent.select(ProgressEvent.line_no, fn.MAX(ProgressEvent.stage_seq))
        .where((ProgressEvent.order == order.id) & ProgressEvent.line_no.is_null(False))
        .group_by(ProgressEvent.line_no)
        .tuples()
    )
    return min((reached.get(n, 0) for n in line_nos), default=0)


def apply_progress(ctx, envelope: dict[str, Any], report: RunReport) -> tuple[str, str]:
    data = envelope["data"]
    order = _order(data["platform_order_no"])
    if order is None:
        return IGNORED, f"no platform order {data['platform_order_no']}"
    stage = values.text(data, "stage", 32)
    seq = values.integer(data, "stage_seq", minimum=1, maximum=1000)
    line_no = values.optional_integer(data, "line_no", minimum=1)
    at = values.timestamp(data.get("at") or envelope["occurred_at"], "at")
    known = STAGE_BY_CODE.get(stage)
    label = values.optional_text(data, "stage_name", 64) or (known.name if known else stage)
    already = (
        ProgressEvent.select()
        .where(
            (ProgressEvent.order == order.id)
            & (ProgressEvent.stage_seq == seq)
            & (ProgressEvent.line_no.is_null() if line_no is None else ProgressEvent.line_no == line_no)
        )
        .exists()
    )
    if not already:
        ProgressEvent.insert(
            order=order.id,
            event_id=envelope["id"],
            stage=stage,
            stage_seq=seq,
            label=label,
            note=values.optional_text(data, "note", 2000),
            at=at,
            progress_pct=values.optional_integer(data, "progress_pct", minimum=0) or 0,
            line_no=line_no,
        ).on_conflict_ignore().execute()
    erp = ensure_erp_order(order, data.get("erp_order_no"))
    order_seq = seq if line_no is None else _line_stage(order)
    order_stage = STAGE_BY_SEQ[order_seq].code if order_seq in STAGE_BY_SEQ else stage
    moved = (
        ErpOrder.update(stage=order_stage, stage_seq=order_seq, updated_at=utcnow())
        .where((ErpOrder.order == order.id) & (ErpOrder.stage_seq < order_seq))
        .execute()
    )
    if not moved:
        what = "already recorded" if already else "recorded in the timeline"
        return IGNORED, f"stage {stage} ({seq}) is not after {erp.stage or 'none'} ({erp.stage_seq}); {what}"
    return APPLIED, sync_order_status(ctx, order)


def _shipment_lines(data: dict[str, Any]) -> list[dict[str, Any]]:
    lines = []
    for index, line in enumerate(data["lines"]):
        if not isinstance(line, dict):
            raise RowRejected(f"lines[{index}] must be an object")
        lines.append(
            {
                "line_no": values.integer(line, "line_no", minimum=1),
                "sku": values.optional_text(line, "sku", 64),
                "qty": values.integer(line, "qty", minimum=1),
            }
        )
    return lines


def _packages(data: dict[str, Any]) -> list[dict[str, Any]]:
    packages = []
    for index, package in enumerate(data["packages"]):
        if not isinstance(package, dict) or not isinstance(package.get("barcode"), str):
            raise RowRejected(f"packages[{index}] needs a barcode")
        packages.append(package)
    return packages


def apply_shipment(ctx, envelope: dict[str, Any], report: RunReport) -> tuple[str, str]:
    data = envelope["data"]
    order = _order(data["platform_order_no"])
    if order is None:
        return IGNORED, f"no platform order {data['platform_order_no']}"
    number = values.text(data, "shipment_no", 64)
    if Shipment.select().where(Shipment.shipment_no == number).exists():
        return IGNORED, f"shipment {number} already recorded"
    Shipment.insert(
        shipment_no=number,
        order=order.id,
        carrier=values.optional_text(data, "carrier", 64),
        waybill_no=values.optional_text(data, "waybill_no", 64),
        packages=_packages(data),
        shipped_at=values.timestamp(data.get("shipped_at") or envelope["occurred_at"], "shipped_at"),
        erp_order_no=values.optional_text(data, "erp_order_no", 64),
        lines=_shipment_lines(data),
    ).on_conflict_ignore().execute()
    ensure_erp_order(order, data.get("erp_order_no"))
    return APPLIED, sync_order_status(ctx, order)


def apply_order_accepted(ctx, envelope: dict[str, Any], report: RunReport) -> tuple[str, str]:
    order = _order(envelope["data"]["platform_order_no"])
    if order is None:
        return IGNORED, f"no platform order {envelope['data']['platform_order_no']}"
    changes = acknowledge_import(ctx, order, envelope["data"])
    report.stock_changes.update(changes)
    return APPLIED, sync_order_status(ctx, order)


def acknowledge_import(ctx, order: Order, answer: dict[str, Any]) -> dict[int, int | None]:
    """The ERP holds ``order`` now: mark it imported and hand its stock over, once.

    ``answer`` is the import answer (or ``order.accepted`` data) with
    ``erp_order_no``. Safe to call any number of times, from the outbox's
    import answer and from the event alike. The order's ``erp``-mode stock
    reservation is given back to the platform count (the ERP's own stock now
    includes the order) by clearing ``Order.stock_reserved`` with a
    conditional UPDATE, so only one caller ever does it. Returns
    ``{product_id: available}`` of stock that changed, for
    ``inventory.notify_stock_changed`` after the commit.
    """
    now = utcnow()
    with write_transaction():
        ensure_erp_order(order, answer.get("erp_order_no"))
        ErpOrder.update(
            status="imported", updated_at=now, imported_at=fn.COALESCE(ErpOrder.imported_at, now)
        ).where((ErpOrder.order == order.id) & (ErpOrder.status != "imported")).execute()
        return hand_over_stock(order)


def hand_over_stock(order: Order) -> dict[int, int | None]:
    """Stop counting the order's ``erp``-mode reservation on the platform (the ERP counts it now)."""
    with write_transaction():
        cleared = (
            Order.update(stock_reserved=False)
            .where((Order.id == order.id) & (Order.stock_reserved == True))  # noqa: E712
            .execute()
        )
        order.stock_reserved = False
        if not cleared:
            return {}
        changes: dict[int, int | None] = {}
        for product_id, qty in sorted(order_quantities(order).items()):
            less = Case(None, [(StockItem.reserved >= qty, StockItem.reserved - qty)], 0)
            moved = (
                StockItem.update(reserved=less, updated_at=utcnow())
                .where((StockItem.product == product_id) & (StockItem.mode == ERP))
                .execute()
            )
            if moved:
                StockMovement.create(product=product_id, delta=qty, reason="erp_ack", ref=order.no[:64])
                changes[product_id] = available_of(StockItem.get_by_id(product_id))
        return changes


def _shipped(order: Order) -> tuple[bool, bool]:
    """(anything shipped, everything shipped) from the shipments' lines."""
    ordered = defaultdict(int)
    for line_no, qty in (
        OrderLine.select(OrderLine.line_no, OrderLine.qty).where(OrderLine.order == order.id).tuples()
    ):
        ordered[line_no] += qty
    shipped = defaultdict(int)
    for (lines,) in Shipment.select(Shipment.lines).where(Shipment.order == order.id).tuples():
        for line in lines or []:
            shipped[line.get("line_no")] += int(line.get("qty") or 0)
    anything = any(shipped.values())
    everything = bool(ordered) and all(shipped.get(n, 0) >= qty for n, qty in ordered.items())
    return anything, everything


def _target(order: Order, stage_seq: int) -> str | None:
    anything, everything = _shipped(order)
    if everything:
        return S.SHIPPED.value
    if anything:
        return S.PARTIALLY_SHIPPED.value
    if stage_seq >= READY_FROM:
        return S.READY.value
    if stage_seq >= IN_PRODUCTION_FROM:
        return S.IN_PRODUCTION.value
    return None


def _next_step(order: Order, current: str, target: str) -> str:
    if current == S.PAID:
        if target == S.IN_PRODUCTION:
            return target
        # A stocked item may go from scheduling straight to the warehouse:
        # say "in production" only when a production stage was reported.
        produced = (
            ProgressEvent.select()
            .where(
                (ProgressEvent.order == order.id)
                & (ProgressEvent.stage_seq >= IN_PRODUCTION_FROM)
                & (ProgressEvent.stage_seq < READY_FROM)
            )
            .exists()
        )
        return S.IN_PRODUCTION.value if produced else S.READY.value
    if current == S.IN_PRODUCTION:
        return S.READY.value
    if current == S.READY:
        return target
    return S.SHIPPED.value


def sync_order_status(ctx, order: Order) -> str:
    """Move the order forward to what the ERP stage and shipments say; returns a note."""
    erp = ErpOrder.get_or_none(ErpOrder.order == order.id)
    target = _target(order, erp.stage_seq if erp is not None else 0)
    if target is None:
        return ""
    order = Order.get_by_id(order.id)
    if order.status not in _RANK:
        return f"order is {order.status}: progress recorded, status kept"
    notes = []
    while _RANK[order.status] < _RANK[target]:
        step = _next_step(order, order.status, target)
        try:
            transition(ctx, order, step, reason="erp_progress", note=f"ERP: {erp.stage if erp else ''}")
        except Conflict as ex:
            return f"status {order.status} -> {step} refused: {ex.code}"
        notes.append(step)
    return f"order moved to {' -> '.join(notes)}" if notes else ""


def catch_up_orders(ctx, limit: int = 200) -> int:
    """Bring orders up to date with what the ERP reported; returns how many moved.

    For orders that were paid after production started, and orders whose
    stock reservation was taken after the ERP accepted them.
    """
    moved = 0
    shipped = Shipment.select(Shipment.order)
    behind = (
        Order.select()
        .join(ErpOrder, on=(ErpOrder.order == Order.id))
        .where(
            ((Order.status == S.PAID.value) & (ErpOrder.stage_seq >= IN_PRODUCTION_FROM))
            | ((Order.status == S.IN_PRODUCTION.value) & (ErpOrder.stage_seq >= READY_FROM))
            | ((Order.status == S.READY.value) & Order.id.in_(shipped))
        )
        .order_by(Order.id)
        .limit(limit)
    )
    for order in list(behind):
        before = order.status
        with write_transaction():
            sync_order_status(ctx, order)
        if Order.select(Order.status).where(Order.id == order.id).scalar() != before:
            moved += 1
    held = (
        Order.select()
        .join(ErpOrder, on=(ErpOrder.order == Order.id))
        .where((ErpOrder.status == "imported") & (Order.stock_reserved == True))  # noqa: E712
        .limit(limit)
    )
    for order in list(held):
        hand_over_stock(order)
    return moved
