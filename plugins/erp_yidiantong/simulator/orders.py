"""Orders on the ERP side: import (idempotent), payment notices, production, shipping.

An import is answered from the idempotency record when its key was seen:
the same body gets the first answer again (replayed), a different body 409
``REVISION_CONFLICT``. Otherwise the order is checked (dealer, SKUs,
discontinued products, options, prices, credit) and created — one ERP order
per platform order, ever — or revised while production has not started.
Every outcome of that business step (201, 200, 409, 422) is stored under the
key, so a retry can never get a different answer. Production moves one stage
per step; reaching ``shipped`` creates the shipment with a barcode per
package, posts the shipment to the ledger and takes the goods off stock.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from plugins.erp_yidiantong.egp.shapes import (
    LAST_REVISABLE_STAGE_SEQ,
    MONEY_IN_CHANNELS,
    STAGE_BY_SEQ,
    STAGES,
    canonical_json,
)
from plugins.erp_yidiantong.simulator.db import now_utc, to_rfc3339
from plugins.erp_yidiantong.simulator.errors import SimError
from plugins.erp_yidiantong.simulator.feeds import serialize
from plugins.erp_yidiantong.simulator.ledger import post_entry
from plugins.erp_yidiantong.simulator.models import (
    SimCancellation,
    SimCustomer,
    SimIdempotency,
    SimImportRequest,
    SimOrder,
    SimPayment,
    SimProduct,
    SimShipment,
    SimStock,
)
from plugins.erp_yidiantong.simulator.pricing import OptionProblem, price_item
from plugins.erp_yidiantong.simulator.store import append_event, next_value, touch, write_tx

SHIPPED_SEQ = STAGES[-1].seq
CARRIER = "德邦物流"


def request_hash(body: Any) -> str:
    """Bodies are compared as JSON values: key order and spacing do not matter."""
    return hashlib.sha256(canonical_json(body)).hexdigest()


def _answer(scope: str, key: str, digest: str, status: int, body: dict[str, Any]) -> tuple[int, dict]:
    SimIdempotency.create(scope=scope, key=key, request_hash=digest, status=status, body=body)
    return status, body


def _error_body(error: SimError) -> dict[str, Any]:
    return error.body.to_json()


# -- import ----------------------------------------------------------------------------------


def import_order(key: str, body: dict[str, Any], raw: dict[str, Any]) -> tuple[int, dict[str, Any], bool]:
    """Import (or replay) one order; returns (status, answer body, replayed).

    ``body`` is the validated order, ``raw`` the JSON as received (hashed).
    """
    digest = request_hash(raw)
    number = body["platform_order_no"]
    with write_tx():
        seen = SimIdempotency.get_or_none((SimIdempotency.scope == "order") & (SimIdempotency.key == key))
        if seen is not None:
            if seen.request_hash != digest:
                error = SimError(
                    409,
                    "REVISION_CONFLICT",
                    f"Idempotency-Key {key} was used with a different body; send changes as a new revision",
                )
                _log_request(number, key, 409, "REVISION_CONFLICT", replayed=False)
                return 409, _error_body(error), False
            _log_request(number, key, seen.status, seen.body.get("code", ""), replayed=True)
            return seen.status, seen.body, True
        try:
            status, answer = _apply(body)
        except SimError as error:
            status, answer = error.status, _error_body(error)
        _answer("order", key, digest, status, answer)
        _log_request(number, key, status, answer.get("code", "") if status >= 400 else "", replayed=False)
        return status, answer, False


def _log_request(number: str, key: str, status: int, code: str, *, replayed: bool) -> None:
    SimImportRequest.create(
        platform_order_no=number, idempotency_key=key, status=status, code=code, replayed=replayed
    )


def _apply(body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    number = body["platform_order_no"]
    customer = SimCustomer.get_or_none(SimCustomer.code == body["customer_code"])
    if customer is None or customer.deleted or not customer.active:
        raise SimError(422, "DEALER_UNKNOWN", f"no active dealer with code {body['customer_code']}")
    existing = SimOrder.get_or_none(SimOrder.platform_order_no == number)
    if existing is not None:
        if body["revision"] < existing.revision:
            raise SimError(
                409,
                "REVISION_STALE",
                f"the ERP holds revision {existing.revision} of {number}",
                details={"current_revision": existing.revision},
            )
        if existing.customer_code != customer.code:
            raise SimError(409, "REVISION_CONFLICT", "a revision cannot change the dealer of an order")
        if is_cancelled(existing):
            raise SimError(409, "ORDER_CANCELLED", f"{number} was cancelled; it cannot be revised")
        _refuse_if_locked(existing, "revised")
    lines = _check_lines(body["lines"], customer)
    _check_credit(body, customer, existing)
    if existing is None:
        return 201, _create(body, customer, lines)
    return 200, _revise(existing, body, customer, lines)


def _refuse_if_locked(order: SimOrder, change: str) -> None:
    """409 ``ORDER_LOCKED`` once production passed 排产: no revision, no cancel."""
    if order.stage_seq > LAST_REVISABLE_STAGE_SEQ:
        stage = STAGE_BY_SEQ[order.stage_seq]
        raise SimError(
            409,
            "ORDER_LOCKED",
            f"production of {order.platform_order_no} is at {stage.code} ({stage.name}); it cannot be {change}",
            details={"stage": stage.code},
        )


def _check_lines(lines: list[dict[str, Any]], customer: SimCustomer) -> list[dict[str, Any]]:
    skus = {line["sku"] for line in lines}
    products = {p.sku: p for p in SimProduct.select().where(SimProduct.sku.in_(list(skus)))}
    unknown = [line for line in lines if line["sku"] not in products or products[line["sku"]].deleted]
    if unknown:
        raise SimError(
            422,
            "SKU_UNKNOWN",
            "unknown SKU: " + ", ".join(sorted({line["sku"] for line in unknown})),
            details={"lines": [{"line_no": line["line_no"], "sku": line["sku"]} for line in unknown]},
        )
    gone = [line for line in lines if products[line["sku"]].status == "discontinued"]
    if gone:
        raise SimError(
            422,
            "DISCONTINUED",
            "discontinued: " + ", ".join(sorted({line["sku"] for line in gone})),
            details={"lines": [{"line_no": line["line_no"], "sku": line["sku"]} for line in gone]},
        )
    stored: list[dict[str, Any]] = []
    bad_options: list[dict[str, Any]] = []
    mismatches: list[dict[str, Any]] = []
    for line in sorted(lines, key=lambda item: item["line_no"]):
        product = products[line["sku"]]
        try:
            priced = price_item(product, customer, line["options"])
        except OptionProblem as problem:
            bad_options.append({"line_no": line["line_no"], "sku": line["sku"], **problem.details()})
            continue
        if not line["nonstandard"] and priced.unit_price_fen != line["unit_price_fen"]:
            mismatches.append(
                {
                    "line_no": line["line_no"],
                    "sku": line["sku"],
                    "unit_price_fen": line["unit_price_fen"],
                    "erp_unit_price_fen": priced.unit_price_fen,
                }
            )
        stored.append(
            {
                "line_no": line["line_no"],
                "sku": line["sku"],
                "name": product.name,
                "grade": priced.grade,
                "options": priced.options,
                "qty": line["qty"],
                "unit_price_fen": line["unit_price_fen"],
                "line_total_fen": line["line_total_fen"],
                "price_list_version": line["price_list_version"],
                "nonstandard": line["nonstandard"],
                "custom_spec": line["custom_spec"],
                "remark": line["remark"],
            }
        )
    if bad_options:
        raise SimError(
            422, "OPTION_UNKNOWN", "an option the product does not have", details={"lines": bad_options}
        )
    if mismatches:
        raise SimError(
            422,
            "PRICE_MISMATCH",
            "unit prices differ from the ERP's current prices; quote again and resend as a new revision",
            details={"lines": mismatches},
        )
    return stored


def _check_credit(body: dict[str, Any], customer: SimCustomer, existing: SimOrder | None) -> None:
    """The unpaid part must fit in balance + credit limit (the old revision's
    charge is already in the balance and is given back first)."""
    already_charged = existing.total_fen if existing else 0
    known_paid = existing.paid_fen if existing else 0
    incoming_paid = max(0, body["paid_fen"] - known_paid)
    after = customer.balance_fen + already_charged - body["total_fen"] + incoming_paid
    if after < -customer.credit_limit_fen:
        available = customer.balance_fen + already_charged + customer.credit_limit_fen + incoming_paid
        raise SimError(
            422,
            "CREDIT_LIMIT",
            f"the unpaid amount exceeds the available credit of {customer.code}",
            details={"available_fen": available, "unpaid_fen": body["total_fen"] - incoming_paid},
        )


def _stock_deltas(lines: Iterable[dict[str, Any]], sign: int) -> dict[str, int]:
    deltas: dict[str, int] = defaultdict(int)
    for line in lines:
        deltas[line["sku"]] += sign * line["qty"]
    return deltas


def _move_stock(reserved: dict[str, int], on_hand: dict[str, int] | None = None) -> None:
    """Change reserved (and on-hand) quantities of the SKUs the ERP stocks."""
    on_hand = on_hand or {}
    skus = sorted(set(reserved) | set(on_hand))
    for stock in SimStock.select().where(SimStock.sku.in_(skus)).order_by(SimStock.sku):
        add_reserved, add_on_hand = reserved.get(stock.sku, 0), on_hand.get(stock.sku, 0)
        if not add_reserved and not add_on_hand:
            continue
        touch(
            stock,
            reserved=max(0, stock.reserved + add_reserved),
            on_hand=max(0, stock.on_hand + add_on_hand),
        )
        append_event("stock.changed", serialize(stock))


def _acceptance(order: SimOrder) -> dict[str, Any]:
    stage = STAGE_BY_SEQ[order.stage_seq]
    return {
        "platform_order_no": order.platform_order_no,
        "erp_order_no": order.erp_order_no,
        "revision": order.revision,
        "status": "accepted",
        "customer_code": order.customer_code,
        "total_fen": order.total_fen,
        "stage": stage.code,
        "accepted_at": to_rfc3339(order.updated_at),
    }


def _create(body: dict[str, Any], customer: SimCustomer, lines: list[dict[str, Any]]) -> dict[str, Any]:
    now = now_utc()
    number = next_value("erp_order")
    order = SimOrder.create(
        platform_order_no=body["platform_order_no"],
        erp_order_no=f"XS{to_rfc3339(now)[:10].replace('-', '')}{number:05d}",
        customer_code=customer.code,
        revision=body["revision"],
        lines=lines,
        total_fen=body["total_fen"],
        payment_status=body["payment_status"],
        delivery=body["delivery"],
        remark=body["remark"],
        platform_created_at=body["created_at"],
        stage_seq=STAGES[0].seq,
        created_at=now,
        updated_at=now,
    )
    answer = _acceptance(order)
    append_event("order.accepted", answer)
    _emit_stage(order)
    post_entry(
        customer,
        "order",
        -order.total_fen,
        goods_fen=order.total_fen,
        memo=f"订货 {order.platform_order_no}",
        platform_order_no=order.platform_order_no,
        erp_order_no=order.erp_order_no,
    )
    _move_stock(_stock_deltas(lines, +1))
    return answer


def _revise(
    order: SimOrder, body: dict[str, Any], customer: SimCustomer, lines: list[dict]
) -> dict[str, Any]:
    old_lines, old_total = order.lines, order.total_fen
    order.revision = body["revision"]
    order.lines = lines
    order.total_fen = body["total_fen"]
    order.delivery = body["delivery"]
    order.remark = body["remark"]
    order.updated_at = now_utc()
    order.save()
    answer = _acceptance(order)
    append_event("order.revised", {**answer, "previous_total_fen": old_total})
    if order.total_fen != old_total:
        post_entry(
            customer,
            "order_adjustment",
            old_total - order.total_fen,
            goods_fen=order.total_fen - old_total,
            memo=f"订单修改 {order.platform_order_no} 第{order.revision}版",
            platform_order_no=order.platform_order_no,
            erp_order_no=order.erp_order_no,
        )
    deltas = _stock_deltas(lines, +1)
    for sku, qty in _stock_deltas(old_lines, -1).items():
        deltas[sku] += qty
    _move_stock(deltas)
    return answer


# -- views -----------------------------------------------------------------------------------


def is_cancelled(order: SimOrder) -> bool:
    return SimCancellation.select().where(SimCancellation.platform_order_no == order.platform_order_no).exists()


def order_status(order: SimOrder) -> str:
    if is_cancelled(order):
        return "cancelled"
    if order.stage_seq >= SHIPPED_SEQ:
        return "shipped"
    if order.stage_seq >= SHIPPED_SEQ - 1:
        return "warehoused"
    if order.stage_seq > LAST_REVISABLE_STAGE_SEQ:
        return "in_production"
    return "accepted"


def order_view(order: SimOrder) -> dict[str, Any]:
    """The gateway's ``GET /orders/{no}`` answer."""
    stage = STAGE_BY_SEQ[order.stage_seq]
    shipments = [
        s.shipment_no
        for s in SimShipment.select(SimShipment.shipment_no)
        .where(SimShipment.platform_order_no == order.platform_order_no)
        .order_by(SimShipment.id)
    ]
    return {
        "platform_order_no": order.platform_order_no,
        "erp_order_no": order.erp_order_no,
        "revision": order.revision,
        "customer_code": order.customer_code,
        "status": order_status(order),
        "stage": stage.code,
        "stage_name": stage.name,
        "stage_seq": stage.seq,
        "total_fen": order.total_fen,
        "paid_fen": order.paid_fen,
        "payment_status": order.payment_status,
        "lines": order.lines,
        "shipments": shipments,
        "created_at": to_rfc3339(order.created_at),
        "updated_at": to_rfc3339(order.updated_at),
    }


def control_view(order: SimOrder) -> dict[str, Any]:
    """The control API's view: the gateway view plus the import counters."""
    requests = (
        SimImportRequest.select().where(SimImportRequest.platform_order_no == order.platform_order_no).count()
    )
    payments = [
        {"payment_id": p.payment_id, "amount_fen": p.amount_fen, "channel": p.channel, "paid_at": p.paid_at}
        for p in SimPayment.select()
        .where(SimPayment.platform_order_no == order.platform_order_no)
        .order_by(SimPayment.id)
    ]
    return {
        **order_view(order),
        "created_count": order.created_count,
        "requests": requests,
        "delivery": order.delivery,
        "remark": order.remark,
        "payments": payments,
    }


# -- payments --------------------------------------------------------------------------------


def notify_payment(
    number: str, payment_id: str, body: dict[str, Any], raw: dict[str, Any]
) -> tuple[int, dict, bool]:
    """Record a payment once per ``payment_id``; returns (status, body, replayed)."""
    digest = request_hash({"platform_order_no": number, **raw})
    with write_tx():
        seen = SimIdempotency.get_or_none(
            (SimIdempotency.scope == "payment") & (SimIdempotency.key == payment_id)
        )
        if seen is not None:
            if seen.request_hash != digest:
                raise SimError(
                    409, "PAYMENT_CONFLICT", f"payment {payment_id} was already reported with other details"
                )
            return seen.status, seen.body, True
        order = SimOrder.get_or_none(SimOrder.platform_order_no == number)
        if order is None:
            raise SimError(404, "ORDER_UNKNOWN", f"the ERP has no order {number}; import it first")
        SimPayment.create(
            payment_id=payment_id,
            platform_order_no=number,
            amount_fen=body["amount_fen"],
            channel=body["channel"],
            transaction_id=body["transaction_id"],
            paid_at=body["paid_at"],
        )
        order.paid_fen += body["amount_fen"]
        order.payment_status = "paid" if order.paid_fen >= order.total_fen else "partially_paid"
        order.updated_at = now_utc()
        order.save()
        entry_no = None
        if body["channel"] in MONEY_IN_CHANNELS:
            customer = SimCustomer.get(SimCustomer.code == order.customer_code)
            entry = post_entry(
                customer,
                "payment",
                body["amount_fen"],
                memo=f"收款 {body['channel']} {body['transaction_id']}".strip(),
                platform_order_no=number,
                erp_order_no=order.erp_order_no,
                payment_id=payment_id,
            )
            entry_no = entry.entry_no
        answer = {
            "payment_id": payment_id,
            "platform_order_no": number,
            "erp_order_no": order.erp_order_no,
            "amount_fen": body["amount_fen"],
            "paid_fen": order.paid_fen,
            "payment_status": order.payment_status,
            "ledger_entry_no": entry_no,
        }
        return (*_answer("payment", payment_id, digest, 201, answer), False)


# -- cancel ----------------------------------------------------------------------------------


def cancel_order(number: str, body: dict[str, Any]) -> tuple[int, dict[str, Any], bool]:
    """Cancel an order the ERP holds; returns (status, answer, replayed).

    Allowed until production passes 排产 (``ORDER_LOCKED`` after that). The
    reserved stock is released and the order's charge is given back on the
    dealer's account (a ``order_cancelled`` entry); money paid stays there
    as credit. A second cancel answers the first one's answer again.
    """
    with write_tx():
        order = SimOrder.get_or_none(SimOrder.platform_order_no == number)
        if order is None:
            raise SimError(404, "ORDER_UNKNOWN", f"the ERP has no order {number}")
        done = SimCancellation.get_or_none(SimCancellation.platform_order_no == number)
        if done is not None:
            return 200, done.answer, True
        _refuse_if_locked(order, "cancelled")
        now = now_utc()
        order.updated_at = now
        order.save()
        answer = {
            "platform_order_no": number,
            "erp_order_no": order.erp_order_no,
            "customer_code": order.customer_code,
            "status": "cancelled",
            "reason": body["reason"],
            "cancelled_at": to_rfc3339(now),
        }
        SimCancellation.create(
            platform_order_no=number, reason=body["reason"], note=body["note"], answer=answer, cancelled_at=now
        )
        append_event("order.cancelled", answer)
        customer = SimCustomer.get(SimCustomer.code == order.customer_code)
        post_entry(
            customer,
            "order_cancelled",
            order.total_fen,
            goods_fen=-order.total_fen,
            memo=f"取消订货 {number}",
            platform_order_no=number,
            erp_order_no=order.erp_order_no,
        )
        _move_stock(_stock_deltas(order.lines, -1))
        return 200, answer, False


# -- production ------------------------------------------------------------------------------


def _emit_stage(order: SimOrder) -> None:
    stage = STAGE_BY_SEQ[order.stage_seq]
    append_event(
        "production.progress",
        {
            "platform_order_no": order.platform_order_no,
            "erp_order_no": order.erp_order_no,
            "customer_code": order.customer_code,
            "stage": stage.code,
            "stage_name": stage.name,
            "stage_seq": stage.seq,
            "progress_pct": stage.progress_pct,
            "at": to_rfc3339(order.updated_at),
            "note": "",
        },
    )


def advance(number: str | None, steps: int) -> list[dict[str, Any]]:
    """Move one order (or every open one, oldest first) ``steps`` stages on."""
    with write_tx():
        if number is not None:
            order = SimOrder.get_or_none(SimOrder.platform_order_no == number)
            if order is None:
                raise SimError(404, "ORDER_UNKNOWN", f"the ERP has no order {number}")
            orders = [order]
        else:
            orders = list(SimOrder.select().where(SimOrder.stage_seq < SHIPPED_SEQ).order_by(SimOrder.id))
        moved = []
        for order in orders:
            if is_cancelled(order):
                continue  # a cancelled order is not produced
            for _ in range(steps):
                if order.stage_seq >= SHIPPED_SEQ:
                    break
                order.stage_seq += 1
                order.updated_at = now_utc()
                order.save()
                _emit_stage(order)
                if order.stage_seq == SHIPPED_SEQ:
                    _ship(order)
            stage = STAGE_BY_SEQ[order.stage_seq]
            moved.append(
                {"platform_order_no": order.platform_order_no, "stage": stage.code, "stage_seq": stage.seq}
            )
        return moved


def _ship(order: SimOrder) -> None:
    number = next_value("shipment")
    shipment_no = f"FH{to_rfc3339(order.updated_at)[:10].replace('-', '')}{number:05d}"
    products = {
        p.sku: p for p in SimProduct.select().where(SimProduct.sku.in_([line["sku"] for line in order.lines]))
    }
    packages = []
    for line in order.lines:
        templates = products[line["sku"]].packages or [
            {"no": 1, "name": "整件", "weight_kg": "0", "volume_m3": "0"}
        ]
        for unit in range(1, line["qty"] + 1):
            for template in templates:
                packages.append(
                    {
                        "barcode": f"{order.erp_order_no}-{line['line_no']:02d}-{unit:03d}-{template['no']}",
                        "line_no": line["line_no"],
                        "sku": line["sku"],
                        "unit_no": unit,
                        "package_no": template["no"],
                        "package_count": len(templates),
                        "name": template["name"],
                        "weight_kg": template["weight_kg"],
                        "volume_m3": template["volume_m3"],
                    }
                )
    shipment = SimShipment.create(
        shipment_no=shipment_no,
        platform_order_no=order.platform_order_no,
        carrier=CARRIER,
        waybill_no=f"DPK{number:010d}",
        lines=[{"line_no": line["line_no"], "sku": line["sku"], "qty": line["qty"]} for line in order.lines],
        packages=packages,
        shipped_at=order.updated_at,
    )
    append_event(
        "shipment.dispatched",
        {
            "shipment_no": shipment.shipment_no,
            "platform_order_no": order.platform_order_no,
            "erp_order_no": order.erp_order_no,
            "customer_code": order.customer_code,
            "carrier": shipment.carrier,
            "waybill_no": shipment.waybill_no,
            "shipped_at": to_rfc3339(shipment.shipped_at),
            "lines": shipment.lines,
            "packages": packages,
        },
    )
    customer = SimCustomer.get(SimCustomer.code == order.customer_code)
    post_entry(
        customer,
        "shipment",
        0,
        goods_fen=order.total_fen,
        memo=f"发货 {shipment_no}",
        platform_order_no=order.platform_order_no,
        erp_order_no=order.erp_order_no,
        shipment_no=shipment_no,
    )
    shipped = _stock_deltas(order.lines, -1)
    _move_stock(shipped, shipped)
