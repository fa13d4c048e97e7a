"""JSON shapes of carts and orders, shared by the API and the pages.

Money leaves here as two-decimal strings, times as ISO 8601 in the factory's
timezone with their offset, labels in the request's language (``_`` is the
translator bound to it). Other plugins add fields to order answers through
the ``extend_order_data`` hook (``payments``, ``progress``...).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any
from zoneinfo import ZoneInfo

from core.models import Customer, User
from core.money import fen_to_str
from plugins.catalog.models import OptionGroup, OptionValue, Product
from plugins.catalog.services import first_images, options_label, thumb_url
from plugins.inventory.services import stock_levels
from plugins.orders.cart import Cart, CartLine
from plugins.orders.lines import UNAVAILABLE_REASONS, is_nonstandard
from plugins.orders.models import Order, OrderEvent, OrderLine
from plugins.orders.states import CANCELLABLE, LABELS, NONSTANDARD, REASON_LABELS, STANDARD, OrderStatus
from plugins.pricing.services import render_breakdown

Translate = Callable[..., str]

KIND_LABELS = {STANDARD: "Standard", NONSTANDARD: "Non-standard"}
PRICE_SOURCE_LABELS = {
    "customer_price": "Your contract price",
    "list_discount": "List price at your discount",
    "support": "Priced by customer service",
    "erp_live": "Live ERP price",
    "erp_synced_fallback": "Last synced ERP price (ERP offline)",
}


def image_urls(product_ids: Iterable[int]) -> dict[int, str]:
    """The thumbnail URL of each product's first image (one query)."""
    images = first_images(list(dict.fromkeys(product_ids)))
    return {product_id: thumb_url(image.filename) for product_id, image in images.items()}


def local_iso(ctx, value: dt.datetime | None) -> str | None:
    """An aware timestamp as ISO 8601 in the factory's timezone."""
    if value is None:
        return None
    return value.astimezone(ZoneInfo(ctx.settings.timezone)).isoformat(timespec="seconds")


def status_label(status: str, _: Translate) -> str:
    return _(LABELS[OrderStatus(status)])


def price_source_label(source: str, _: Translate) -> str:
    return _(PRICE_SOURCE_LABELS.get(source, source))


# -- cart ----------------------------------------------------------------------------


def cart_payload(ctx, cart: Cart, _: Translate) -> dict[str, Any]:
    """The ``GET /cart`` answer: re-priced lines and totals of the orderable ones."""
    images = image_urls([line.item.product_id for line in cart.lines])
    stock = stock_levels(ctx, {line.item.product_id: line.item.product for line in cart.lines}.values())
    lines = [cart_line_payload(line, images, stock, _) for line in cart.lines]
    available = cart.available
    return {
        "lines": lines,
        "totals": {
            "total": fen_to_str(cart.total),
            "qty": sum(line.item.qty for line in available),
            "lines": len(available),
            "nonstandard_lines": sum(1 for line in available if line.priced.nonstandard),
            "unavailable_lines": len(cart.unavailable),
        },
        "count": len(cart.lines),
        "price_changed": any(line["price_changed"] for line in lines),
        "max_line_qty": ctx.config("orders")["max_line_qty"],
    }


def cart_line_payload(
    line: CartLine, images: dict[int, str | None], stock: dict[int, dict[str, Any]], _: Translate
) -> dict[str, Any]:
    item, product, priced = line.item, line.item.product, line.priced
    data: dict[str, Any] = {
        "id": item.id,
        "product_id": product.id,
        "product_code": product.code,
        "product_name": product.name,
        "spec": product.spec,
        "unit": product.unit,
        "image_url": images.get(product.id),
        "options": item.options,
        "options_label": priced.options_label if priced else _stored_options_label(product, item.options),
        "qty": item.qty,
        "custom_request": item.custom_request,
        "remark": item.remark,
        "kind": NONSTANDARD if is_nonstandard(product, item.custom_request) else STANDARD,
        "stock": stock.get(product.id),
        "available": priced is not None,
        "unavailable_reason": line.check.reason or None,
        "unavailable_text": _unavailable_text(line, _),
        "added_unit_price": fen_to_str(item.added_unit_price) if item.added_unit_price is not None else None,
        "unit_price": None,
        "line_total": None,
        "price_source": None,
        "price_source_label": None,
        "breakdown": [],
        "price_changed": False,
    }
    if priced is not None:
        price = priced.price
        data.update(
            unit_price=fen_to_str(price.unit_price),
            line_total=fen_to_str(price.line_total),
            price_source=price.source,
            price_source_label=price_source_label(price.source, _),
            breakdown=price.breakdown_json(_),
            price_changed=item.added_unit_price is not None and item.added_unit_price != price.unit_price,
        )
    return data


def _unavailable_text(line: CartLine, _: Translate) -> str | None:
    if line.available:
        return None
    if line.check.message:
        return _(line.check.message, **(line.check.params or {}))
    return _(UNAVAILABLE_REASONS[line.check.reason])


def _stored_options_label(product: Product, options: dict[str, str]) -> str:
    """The label of a configuration that may name withdrawn values.

    The catalog's label skips values that are no longer active; the dealer
    still needs to see what the line was, so inactive values are named too.
    """
    label = options_label(product, options)
    if len(label.split(" / ")) == len(options) and label:
        return label
    rows = (
        OptionValue.select(OptionValue.code, OptionValue.name, OptionGroup.code, OptionGroup.name)
        .join(OptionGroup)
        .where((OptionGroup.product == product.id) & OptionGroup.code.in_(list(options)))
        .order_by(OptionGroup.sort, OptionGroup.id)
        .tuples()
    )
    parts = [
        f"{group_name}: {value_name}"
        for value_code, value_name, group_code, group_name in rows
        if options.get(group_code) == value_code
    ]
    return " / ".join(parts)


# -- orders ------------------------------------------------------------------------------


def order_line_payload(line: OrderLine, images: dict[int, str | None], _: Translate) -> dict[str, Any]:
    return {
        "id": line.id,
        "line_no": line.line_no,
        "product_id": line.product_id,
        "product_code": line.product_code,
        "product_name": line.product_name,
        "spec": line.spec,
        "unit": line.unit,
        "image_url": images.get(line.product_id),
        "options": line.options,
        "options_label": line.options_label,
        "qty": line.qty,
        "unit_price": fen_to_str(line.unit_price),
        "line_total": fen_to_str(line.line_total),
        "price_source": line.price_source,
        "price_source_label": price_source_label(line.price_source, _),
        "price_version": line.price_version,
        "breakdown": render_breakdown(line.breakdown or [], _),
        "custom_request": line.custom_request,
        "remark": line.remark,
        "kind": NONSTANDARD if line.nonstandard else STANDARD,
    }


def event_payload(ctx, event: OrderEvent, actors: dict[int, User], _: Translate) -> dict[str, Any]:
    actor = actors.get(event.actor_id) if event.actor_id else None
    return {
        "from_status": event.from_status,
        "to_status": event.to_status,
        "status_label": status_label(event.to_status, _),
        "at": local_iso(ctx, event.at),
        "actor": {"id": actor.id, "display_name": actor.display_name, "role": actor.role} if actor else None,
        "reason": event.reason or None,
        "reason_label": _(REASON_LABELS[event.reason]) if event.reason in REASON_LABELS else None,
        "note": event.note,
    }


def _order_base(ctx, order: Order, lines: list[OrderLine], _: Translate) -> dict[str, Any]:
    status = OrderStatus(order.status)
    return {
        "no": order.no,
        "kind": order.kind,
        "kind_label": _(KIND_LABELS.get(order.kind, order.kind)),
        "status": order.status,
        "status_label": status_label(order.status, _),
        "total": fen_to_str(order.total),
        "line_count": len(lines),
        "item_count": sum(line.qty for line in lines),
        "created_at": local_iso(ctx, order.created_at),
        "updated_at": local_iso(ctx, order.updated_at),
        "payment_due_at": local_iso(ctx, order.payment_due_at)
        if status == OrderStatus.AWAITING_PAYMENT
        else None,
        "cancel_reason": order.cancel_reason or None,
        "cancel_reason_label": _(REASON_LABELS[order.cancel_reason])
        if order.cancel_reason in REASON_LABELS
        else None,
        "can_cancel": status in CANCELLABLE,
    }


def order_detail(ctx, order: Order, _: Translate) -> dict[str, Any]:
    """The ``GET /orders/{no}`` answer (also the answer of submit and cancel)."""
    lines = list(order.lines.order_by(OrderLine.line_no))
    events = list(order.events.order_by(OrderEvent.at, OrderEvent.id))
    actor_ids = {event.actor_id for event in events if event.actor_id} | {order.created_by_id}
    actors = {user.id: user for user in User.select().where(User.id.in_(list(actor_ids)))}
    images = image_urls(line.product_id for line in lines)
    customer = Customer.get_by_id(order.customer_id)
    creator = actors.get(order.created_by_id)
    data = _order_base(ctx, order, lines, _)
    data.update(
        customer=customer.summary(),
        created_by={"id": creator.id, "display_name": creator.display_name, "role": creator.role}
        if creator
        else None,
        delivery={
            "contact": order.delivery_contact,
            "phone": order.delivery_phone,
            "address": order.delivery_address,
        },
        remark=order.remark,
        stock_reserved=order.stock_reserved,
        lines=[order_line_payload(line, images, _) for line in lines],
        history=[event_payload(ctx, event, actors, _) for event in events],
        payments=[],
    )
    _extend(ctx, [order], [data], detail=True, _=_)
    return data


def order_summaries(ctx, orders: list[Order], _: Translate, preview: int = 3) -> list[dict[str, Any]]:
    """List items of ``GET /orders``: the order and a preview of its first lines (2 queries)."""
    lines_by_order: dict[int, list[OrderLine]] = defaultdict(list)
    if orders:
        for line in (
            OrderLine.select()
            .where(OrderLine.order.in_([order.id for order in orders]))
            .order_by(OrderLine.order, OrderLine.line_no)
        ):
            lines_by_order[line.order_id].append(line)
    images = image_urls(line.product_id for lines in lines_by_order.values() for line in lines[:preview])
    items = []
    for order in orders:
        lines = lines_by_order[order.id]
        data = _order_base(ctx, order, lines, _)
        data["lines"] = [
            {
                "product_id": line.product_id,
                "product_name": line.product_name,
                "options_label": line.options_label,
                "image_url": images.get(line.product_id),
                "qty": line.qty,
                "unit_price": fen_to_str(line.unit_price),
                "kind": NONSTANDARD if line.nonstandard else STANDARD,
            }
            for line in lines[:preview]
        ]
        items.append(data)
    _extend(ctx, orders, items, detail=False, _=_)
    return items


def _extend(
    ctx, orders: Iterable[Order], payloads: list[dict[str, Any]], *, detail: bool, _: Translate
) -> None:
    orders = list(orders)
    hook = getattr(ctx.pm.hook, "extend_order_data", None)
    if hook is None or not orders:
        return
    by_id = {order.id: payload for order, payload in zip(orders, payloads, strict=True)}
    for extra in hook(ctx=ctx, orders=orders, detail=detail, translate=_):
        for order_id, fields in (extra or {}).items():
            if order_id in by_id:
                by_id[order_id].update(fields)
