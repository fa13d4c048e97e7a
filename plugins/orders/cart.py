"""The cart: one per user and the customer the user acts for.

Adding a configuration that is already in the cart raises that line's
quantity. The cart is re-priced on every read (DESIGN §3 "Price changes"):
each line carries the current price and whether it differs from the price
when the line was added. Lines that can no longer be ordered (product
unpublished, option withdrawn, no price) are kept and shown as unavailable;
submitting the cart refuses them with a clear error until they are removed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import peewee

from core.db import utcnow, write_transaction
from core.errors import Conflict, NotFound, ValidationFailed
from core.models import Customer, User
from plugins.catalog.models import Product
from plugins.orders.lines import MSG_QTY_TOO_LARGE, LineCheck, PricedLine, check_stored_line, line_key
from plugins.orders.models import CartItem


@dataclass
class CartLine:
    """A stored cart line with its current check and price."""

    item: CartItem
    check: LineCheck

    @property
    def available(self) -> bool:
        return self.check.line is not None

    @property
    def priced(self) -> PricedLine | None:
        return self.check.line


@dataclass
class Cart:
    lines: list[CartLine] = field(default_factory=list)

    @property
    def available(self) -> list[CartLine]:
        return [line for line in self.lines if line.available]

    @property
    def unavailable(self) -> list[CartLine]:
        return [line for line in self.lines if not line.available]

    @property
    def total(self) -> int:
        return sum(line.priced.price.line_total for line in self.available)


def limits(ctx) -> tuple[int, int]:
    """``(max_cart_lines, max_line_qty)`` from the plugin settings."""
    config = ctx.config("orders")
    return config["max_cart_lines"], config["max_line_qty"]


def cart_items(user: User, customer: Customer) -> peewee.ModelSelect:
    return (
        CartItem.select(CartItem, Product)
        .join(Product)
        .where((CartItem.user == user.id) & (CartItem.customer == customer.id))
        .order_by(CartItem.created_at.desc(), CartItem.id.desc())
    )


def cart_count(user_id: int, customer_id: int) -> int:
    """Number of lines in a cart (the tab bar badge): one COUNT query."""
    return CartItem.select().where((CartItem.user == user_id) & (CartItem.customer == customer_id)).count()


def read_cart(ctx, user: User, customer: Customer) -> Cart:
    """The cart with every line re-checked and re-priced now."""
    lines = []
    for item in cart_items(user, customer):
        check = check_stored_line(
            ctx, customer, item.product_id, item.options, item.qty, item.custom_request, item.remark
        )
        lines.append(CartLine(item, check))
    return Cart(lines)


def add_line(ctx, user: User, customer: Customer, line: PricedLine) -> CartItem:
    """Put a checked line in the cart, merging with the same configuration.

    Raises 400 on ``qty`` when the merged quantity passes the per-line
    limit, 409 ``cart_full`` when the cart already has the most lines.
    """
    return add_lines(ctx, user, customer, [line])[0]


def add_lines(
    ctx, user: User, customer: Customer, lines: list[PricedLine], *, clamp: bool = False
) -> list[CartItem]:
    """Put several checked lines in the cart in one transaction.

    With ``clamp`` a merged quantity above the per-line limit is cut to the
    limit instead of refused (re-ordering a past order).
    """
    for attempt in range(2):
        try:
            with write_transaction():
                return [_put(ctx, user, customer, line, clamp) for line in lines]
        except peewee.IntegrityError:
            # Another request added the same configuration at the same
            # moment; the retry finds its line and merges into it.
            if attempt:
                raise
    raise AssertionError("unreachable")


def _put(ctx, user: User, customer: Customer, line: PricedLine, clamp: bool) -> CartItem:
    max_lines, max_qty = limits(ctx)
    key = line_key(line.product.id, line.options, line.custom_request, line.remark)
    scope = (CartItem.user == user.id) & (CartItem.customer == customer.id)
    existing = CartItem.get_or_none(scope & (CartItem.line_key == key))
    now = utcnow()
    if existing is not None:
        # One UPDATE adding to the stored quantity: two concurrent adds both count.
        merged = (
            CartItem.update(
                qty=CartItem.qty + line.qty, added_unit_price=line.price.unit_price, updated_at=now
            )
            .where((CartItem.id == existing.id) & (CartItem.qty + line.qty <= max_qty))
            .execute()
        )
        if not merged:
            if not clamp:
                raise ValidationFailed(details={"qty": [MSG_QTY_TOO_LARGE]})
            CartItem.update(qty=max_qty, added_unit_price=line.price.unit_price, updated_at=now).where(
                CartItem.id == existing.id
            ).execute()
        return CartItem.get_by_id(existing.id)
    if CartItem.select().where(scope).count() >= max_lines:
        raise Conflict(
            "Your cart is full ({max} lines). Order or remove some lines first.",
            code="cart_full",
            max=max_lines,
        )
    return CartItem.create(
        customer=customer.id,
        user=user.id,
        product=line.product.id,
        line_key=key,
        options=line.options,
        qty=min(line.qty, max_qty),
        custom_request=line.custom_request,
        remark=line.remark,
        added_unit_price=line.price.unit_price,
        created_at=now,
        updated_at=now,
    )


def get_cart_item(user: User, customer: Customer, item_id: int) -> CartItem:
    """A line of this cart, or 404 (another cart's line is not found either)."""
    item = CartItem.get_or_none(
        (CartItem.id == item_id) & (CartItem.user == user.id) & (CartItem.customer == customer.id)
    )
    if item is None:
        raise NotFound()
    return item


def change_qty(ctx, user: User, customer: Customer, item_id: int, qty: int) -> CartItem:
    """Set a line's quantity (1 to the per-line limit)."""
    _, max_qty = limits(ctx)
    if qty > max_qty:
        raise ValidationFailed(details={"qty": [MSG_QTY_TOO_LARGE]})
    item = get_cart_item(user, customer, item_id)
    with write_transaction():
        updated = (
            CartItem.update(qty=qty, updated_at=utcnow())
            .where((CartItem.id == item.id) & (CartItem.user == user.id))
            .execute()
        )
    if not updated:  # removed by another tab meanwhile
        raise NotFound()
    item.qty = qty
    return item


def remove_line(user: User, customer: Customer, item_id: int) -> None:
    """Remove a line from this cart (404 when it is not there)."""
    with write_transaction():
        deleted = (
            CartItem.delete()
            .where((CartItem.id == item_id) & (CartItem.user == user.id) & (CartItem.customer == customer.id))
            .execute()
        )
    if not deleted:
        raise NotFound()


def remove_lines(user: User, customer: Customer, item_ids: list[int]) -> int:
    """Remove several lines of this cart; returns how many were removed."""
    if not item_ids:
        return 0
    with write_transaction():
        return (
            CartItem.delete()
            .where(
                CartItem.id.in_(item_ids) & (CartItem.user == user.id) & (CartItem.customer == customer.id)
            )
            .execute()
        )


def line_request(item: CartItem | Any) -> Mapping[str, Any]:
    """The request fields of a stored line (cart line or order line)."""
    return {
        "product_id": item.product_id,
        "options": dict(item.options or {}),
        "qty": item.qty,
        "custom_request": item.custom_request or "",
        "remark": item.remark or "",
    }


@dataclass
class Reorder:
    """What re-ordering a past order did: lines put in the cart, lines skipped."""

    added: list[CartItem]
    skipped: list[tuple[Any, LineCheck]]  # (order line, why it could not be added)


def reorder_into_cart(ctx, user: User, customer: Customer, order_lines: list[Any]) -> Reorder:
    """Copy past order lines into the cart at today's prices.

    Lines whose product is no longer on sale (or whose configuration is no
    longer offered) are skipped and reported; quantities merge with lines
    already in the cart, cut to the per-line limit.
    """
    _, max_qty = limits(ctx)
    priced: list[PricedLine] = []
    skipped: list[tuple[Any, LineCheck]] = []
    for order_line in order_lines:
        request = line_request(order_line)
        check = check_stored_line(ctx, customer, **{**request, "qty": min(request["qty"], max_qty)})
        if check.line is None:
            skipped.append((order_line, check))
        else:
            priced.append(check.line)
    added = add_lines(ctx, user, customer, priced, clamp=True) if priced else []
    return Reorder(added, skipped)
