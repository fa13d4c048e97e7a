"""Order submission: ``POST /orders``, idempotent, all-or-nothing.

The lines (from the cart or from the request) are checked and priced before
the write transaction; a differing ``expected_total`` is a 409
``price_changed`` and nothing is written. One write transaction then:
records the ``Idempotency-Key`` first (its unique index makes a concurrent
twin fail at once; the loser re-reads and answers with the winner's order),
numbers the order, writes the order and its lines with the frozen price
breakdown, takes stock for a standard order (one conditional update per
product, summed over lines), records the history, calls
``on_order_submitted`` and empties the ordered cart lines.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import peewee

from core.db import utcnow, write_transaction
from core.errors import Conflict, Forbidden, ValidationFailed
from core.http import body_hash
from core.models import Customer, IdempotencyKey, User
from core.money import fen_to_str, parse_money
from plugins.inventory.services import deduct_stock, notify_stock_changed
from plugins.orders.cart import Cart, limits, read_cart
from plugins.orders.lifecycle import payment_due
from plugins.orders.lines import PricedLine, price_request
from plugins.orders.models import CartItem, Order, OrderEvent, OrderLine, OrderSequence
from plugins.orders.states import NONSTANDARD, REASON_SUBMITTED, STANDARD, OrderStatus

IDEMPOTENCY_SCOPE = "orders.submit"


@dataclass
class Submission:
    """The answer to a submission: the order, and whether this call made it."""

    order: Order
    created: bool


def submit_order(
    ctx, user: User, customer: Customer, body: dict[str, Any], idempotency_key: str | None = None
) -> Submission:
    """Create an order from a validated ``POST /orders`` body.

    A retry with the same ``idempotency_key`` and body answers the order
    made the first time (``created`` false); the same key with another body
    (or for another customer) is a 409 ``idempotency_key_reused``.
    """
    request_hash = body_hash({"customer_id": customer.id, "body": body})
    if idempotency_key:
        replay = _replay(user, idempotency_key, request_hash)
        if replay is not None:
            return replay
    if not customer.active:
        raise Forbidden(
            "This customer account is suspended; please contact the factory.", code="customer_inactive"
        )

    cart_item_ids: list[int] = []
    if body.get("from_cart"):
        cart = read_cart(ctx, user, customer)
        lines = _cart_lines(cart)
        cart_item_ids = [line.item.id for line in cart.lines]
    else:
        _, max_qty = limits(ctx)
        lines = _request_lines(ctx, customer, body["items"], max_qty)
    total = sum(line.price.line_total for line in lines)
    if body.get("expected_total") is not None and parse_money(body["expected_total"]) != total:
        raise Conflict(
            "The prices changed since you looked: the total is now {total}. Please check and confirm.",
            code="price_changed",
            details={
                "expected_total": fen_to_str(parse_money(body["expected_total"])),
                "total": fen_to_str(total),
                "lines": [_price_summary(line) for line in lines],
            },
            total=fen_to_str(total),
        )

    order_no = next_order_no(ctx, utcnow())
    try:
        with write_transaction():
            if idempotency_key:
                # First write of the transaction: a concurrent request with the
                # same key blocks here and then fails, before doing any work.
                key_row = IdempotencyKey.create(
                    scope=IDEMPOTENCY_SCOPE,
                    user=user.id,
                    key=idempotency_key,
                    request_hash=request_hash,
                    resource_ref="",
                )
            order, stock_changes = _create_order(ctx, user, customer, body, lines, total, order_no)
            if cart_item_ids:
                _take_cart_lines(user, customer, cart_item_ids)
            if idempotency_key:
                IdempotencyKey.update(resource_ref=order.no).where(IdempotencyKey.id == key_row.id).execute()
    except peewee.IntegrityError:
        if not idempotency_key:
            raise
        replay = _replay(user, idempotency_key, request_hash)
        if replay is None:
            raise
        return replay
    notify_stock_changed(ctx, stock_changes)
    return Submission(Order.get_by_id(order.id), created=True)


def _replay(user: User, key: str, request_hash: str) -> Submission | None:
    row = IdempotencyKey.get_or_none(
        (IdempotencyKey.scope == IDEMPOTENCY_SCOPE)
        & (IdempotencyKey.user == user.id)
        & (IdempotencyKey.key == key)
    )
    if row is None:
        return None
    if row.request_hash != request_hash:
        raise Conflict(
            "This Idempotency-Key was already used for a different order request.",
            code="idempotency_key_reused",
        )
    return Submission(Order.get(Order.no == row.resource_ref), created=False)


def _cart_lines(cart: Cart) -> list[PricedLine]:
    if not cart.lines:
        raise Conflict("Your cart is empty; add products first.", code="cart_empty")
    if cart.unavailable:
        names = "、".join(line.item.product.name for line in cart.unavailable)
        raise Conflict(
            "Some products in your cart can no longer be ordered: {names}. Remove them and submit again.",
            code="cart_has_unavailable_lines",
            details={
                "lines": [
                    {"id": line.item.id, "product_id": line.item.product_id, "reason": line.check.reason}
                    for line in cart.unavailable
                ]
            },
            names=names,
        )
    return [line.priced for line in cart.lines]


def _request_lines(ctx, customer: Customer, items: list[dict], max_qty: int) -> list[PricedLine]:
    """Check every requested line, reporting the errors of all lines at once."""
    lines: list[PricedLine] = []
    errors: dict[str, Any] = {}
    for index, item in enumerate(items):
        try:
            lines.append(price_request(ctx, customer, item, max_qty=max_qty, path=("items", str(index))))
        except ValidationFailed as ex:
            errors.update(ex.details.get("items", {}))
    if errors:
        raise ValidationFailed(details={"items": errors})
    return lines


def _price_summary(line: PricedLine) -> dict[str, Any]:
    return {
        "product_id": line.product.id,
        "product_code": line.product.code,
        "product_name": line.product.name,
        "options_label": line.options_label,
        "qty": line.qty,
        "unit_price": fen_to_str(line.price.unit_price),
        "line_total": fen_to_str(line.price.line_total),
    }


def _take_cart_lines(user: User, customer: Customer, item_ids: list[int]) -> None:
    """Remove the ordered cart lines; if one is already gone, another request
    ordered this cart at the same moment, and this one must not order it again."""
    removed = (
        CartItem.delete()
        .where(CartItem.id.in_(item_ids) & (CartItem.user == user.id) & (CartItem.customer == customer.id))
        .execute()
    )
    if removed != len(item_ids):
        raise Conflict(
            "Your cart changed while ordering; please check it and submit again.", code="cart_changed"
        )


def next_order_no(ctx, now: dt.datetime) -> str:
    """``SO`` + local date + ``-`` + daily sequence: ``SO20261203-0001``.

    The daily counter is one row per day, bumped with an upsert in a short
    transaction of its own, before the order's transaction: concurrent
    submissions then never queue on the counter row while they insert
    lines and take stock. Numbers are unique and increase; a submission that
    fails afterwards (out of stock, say) leaves a gap, as an ERP sequence
    would.
    """
    day = now.astimezone(ZoneInfo(ctx.settings.timezone)).strftime("%Y%m%d")
    with write_transaction():
        (
            OrderSequence.insert(day=day, last=1)
            .on_conflict(
                conflict_target=[OrderSequence.day], update={OrderSequence.last: OrderSequence.last + 1}
            )
            .execute()
        )
        last = OrderSequence.select(OrderSequence.last).where(OrderSequence.day == day).scalar()
    return f"SO{day}-{last:04d}"


def _create_order(
    ctx,
    user: User,
    customer: Customer,
    body: dict[str, Any],
    lines: list[PricedLine],
    total: int,
    order_no: str,
) -> tuple[Order, dict[int, int]]:
    """Write the order, its lines and history, then take the stock.

    Stock is taken last so that the stock rows, which every order of a
    popular product contends for, stay locked for as short a time as
    possible (until the commit that follows).
    """
    now = utcnow()
    kind = NONSTANDARD if any(line.nonstandard for line in lines) else STANDARD
    standard = kind == STANDARD
    status = OrderStatus.AWAITING_PAYMENT if standard else OrderStatus.PENDING_REVIEW
    delivery = body["delivery"]
    order = Order.create(
        no=order_no,
        customer=customer.id,
        created_by=user.id,
        kind=kind,
        status=status.value,
        total=total,
        stock_reserved=standard,
        delivery_contact=delivery["contact"],
        delivery_phone=delivery["phone"],
        delivery_address=delivery["address"],
        remark=body.get("remark") or "",
        payment_due_at=payment_due(ctx, now) if standard else None,
        created_at=now,
        updated_at=now,
    )
    OrderLine.insert_many(
        [
            {
                "order": order.id,
                "line_no": number,
                "product": line.product.id,
                "product_code": line.product.code,
                "product_name": line.product.name,
                "spec": line.product.spec or "",
                "unit": line.product.unit or "",
                "options": line.options,
                "options_label": line.options_label[:255],
                "qty": line.qty,
                "unit_price": line.price.unit_price,
                "line_total": line.price.line_total,
                "price_source": line.price.source,
                "price_version": str(line.price.version)[:64],
                "breakdown": line.price.to_record()["breakdown"],
                "custom_request": line.custom_request,
                "remark": line.remark,
                "nonstandard": line.nonstandard,
            }
            for number, line in enumerate(lines, start=1)
        ]
    ).execute()
    OrderEvent.create(
        order=order.id,
        from_status=None,
        to_status=status.value,
        actor=user.id,
        reason=REASON_SUBMITTED,
        at=now,
    )
    ctx.pm.hook.on_order_submitted(ctx=ctx, order=order)
    stock_changes: dict[int, int] = {}
    if standard:
        quantities: dict[int, int] = defaultdict(int)
        for line in lines:
            quantities[line.product.id] += line.qty
        stock_changes = deduct_stock(dict(quantities), order.no)
    return order, stock_changes
