"""The cart and order API (``/api/v1/cart...``, ``/api/v1/orders...``).

Every endpoint is customer-scoped: it answers for the dealer's customer or
the customer a rep acts for, and an order of anyone else is a 404.
"""

from __future__ import annotations

import re

import falcon

from core.errors import NotFound, ValidationFailed
from core.http import api
from plugins.orders import cart as carts
from plugins.orders.lifecycle import cancel_order
from plugins.orders.lines import UNAVAILABLE_REASONS, price_request
from plugins.orders.models import OrderLine
from plugins.orders.queries import customer_orders, get_customer_order, status_counts, statuses_of, tab_counts
from plugins.orders.schemas import (
    CancelBody,
    CartAddAnswer,
    CartAnswer,
    LineBody,
    OrderAnswer,
    OrderBody,
    OrderListAnswer,
    OrdersQuery,
    QtyBody,
    ReorderAnswer,
    ReorderBody,
)
from plugins.orders.submit import submit_order
from plugins.orders.views import cart_payload, order_detail, order_summaries

SHOP_ROLES = ("dealer", "rep")
TAGS = ("cart and orders",)
IDEMPOTENCY_HEADER = "Idempotency-Key"
KEY_RE = re.compile(r"[A-Za-z0-9_.:\-]{8,128}")
MAX_ID = 2**31 - 1


class _Resource:
    def __init__(self, ctx) -> None:
        self.ctx = ctx

    def translate(self, req):
        return self.ctx.translator.bound(req.context.lang)

    def answer_cart(self, req, resp, **extra) -> None:
        cart = carts.read_cart(self.ctx, req.context.user, req.context.customer)
        resp.media = {**cart_payload(self.ctx, cart, self.translate(req)), **extra}
        resp.set_header("X-Cart-Count", str(len(cart.lines)))


class CartResource(_Resource):
    @api(
        "The cart, re-priced now, with totals",
        response=CartAnswer,
        roles=SHOP_ROLES,
        customer=True,
        tags=TAGS,
    )
    def on_get(self, req, resp):
        self.answer_cart(req, resp)


class CartItemsResource(_Resource):
    @api(
        "Add a configured product to the cart (same configuration: quantities merge)",
        body=LineBody,
        response=CartAddAnswer,
        status=201,
        roles=SHOP_ROLES,
        customer=True,
        tags=TAGS,
    )
    def on_post(self, req, resp):
        _, max_qty = carts.limits(self.ctx)
        line = price_request(self.ctx, req.context.customer, req.context.body, max_qty=max_qty)
        item = carts.add_line(self.ctx, req.context.user, req.context.customer, line)
        cart = carts.read_cart(self.ctx, req.context.user, req.context.customer)
        payload = cart_payload(self.ctx, cart, self.translate(req))
        payload["item"] = next(line for line in payload["lines"] if line["id"] == item.id)
        resp.media = payload
        resp.set_header("X-Cart-Count", str(len(cart.lines)))


def _check_id(item_id: int) -> None:
    if not 1 <= item_id <= MAX_ID:
        raise NotFound()


class CartItemResource(_Resource):
    @api(
        "Change a cart line's quantity",
        body=QtyBody,
        response=CartAnswer,
        roles=SHOP_ROLES,
        customer=True,
        tags=TAGS,
    )
    def on_patch(self, req, resp, item_id: int):
        _check_id(item_id)
        carts.change_qty(self.ctx, req.context.user, req.context.customer, item_id, req.context.body["qty"])
        self.answer_cart(req, resp)

    @api("Remove a cart line", response=CartAnswer, roles=SHOP_ROLES, customer=True, tags=TAGS)
    def on_delete(self, req, resp, item_id: int):
        _check_id(item_id)
        carts.remove_line(req.context.user, req.context.customer, item_id)
        self.answer_cart(req, resp)


class CartUnavailableResource(_Resource):
    @api(
        "Remove every cart line that can no longer be ordered",
        response=CartAnswer,
        roles=SHOP_ROLES,
        customer=True,
        tags=TAGS,
    )
    def on_delete(self, req, resp):
        cart = carts.read_cart(self.ctx, req.context.user, req.context.customer)
        carts.remove_lines(
            req.context.user, req.context.customer, [line.item.id for line in cart.unavailable]
        )
        self.answer_cart(req, resp)


def idempotency_key(req) -> str | None:
    """The ``Idempotency-Key`` header, checked (8-128 URL-safe characters)."""
    key = req.get_header(IDEMPOTENCY_HEADER)
    if key is None:
        return None
    if not KEY_RE.fullmatch(key):
        raise ValidationFailed(
            details={IDEMPOTENCY_HEADER: ["Use 8 to 128 letters, digits, '-', '_', '.' or ':'."]}
        )
    return key


class OrdersResource(_Resource):
    @api(
        "This customer's orders, newest first, with counts per status",
        query=OrdersQuery,
        response=OrderListAnswer,
        roles=SHOP_ROLES,
        customer=True,
        tags=TAGS,
    )
    def on_get(self, req, resp):
        params = req.context.query
        customer = req.context.customer
        _ = self.translate(req)
        query = customer_orders(customer, statuses_of(params.get("status")))
        page, per_page = params["page"], params["per_page"]
        counts = status_counts(customer)
        resp.media = {
            "items": order_summaries(self.ctx, list(query.paginate(page, per_page)), _),
            "total": query.count(),
            "page": page,
            "per_page": per_page,
            "counts": counts,
            "tabs": [{"key": key, "label": _(label), "count": n} for key, label, n in tab_counts(counts)],
        }

    @api(
        "Submit an order from the cart or from items; send an Idempotency-Key header "
        "(same key and body: the same order with 200; same key, other body: 409)",
        body=OrderBody,
        response=OrderAnswer,
        status=201,
        roles=SHOP_ROLES,
        customer=True,
        tags=TAGS,
    )
    def on_post(self, req, resp):
        submission = submit_order(
            self.ctx, req.context.user, req.context.customer, req.context.body, idempotency_key(req)
        )
        if not submission.created:
            resp.status = falcon.HTTP_200
        resp.media = order_detail(self.ctx, submission.order, self.translate(req))
        resp.set_header("Location", f"/api/v1/orders/{submission.order.no}")


class OrderResource(_Resource):
    @api(
        "One order with lines, price sources, payments and status history",
        response=OrderAnswer,
        roles=SHOP_ROLES,
        customer=True,
        tags=TAGS,
    )
    def on_get(self, req, resp, no: str):
        order = get_customer_order(req.context.customer, no)
        resp.media = order_detail(self.ctx, order, self.translate(req))


class OrderCancelResource(_Resource):
    @api(
        "Cancel an order before production starts; reserved stock is returned",
        body=CancelBody,
        response=OrderAnswer,
        roles=SHOP_ROLES,
        customer=True,
        tags=TAGS,
    )
    def on_post(self, req, resp, no: str):
        order = get_customer_order(req.context.customer, no)
        cancel_order(self.ctx, order, req.context.user, note=req.context.body["reason"])
        resp.media = order_detail(self.ctx, order, self.translate(req))


class OrderReorderResource(_Resource):
    @api(
        "Copy a past order's lines into the cart at today's prices",
        body=ReorderBody,
        response=ReorderAnswer,
        roles=SHOP_ROLES,
        customer=True,
        tags=TAGS,
    )
    def on_post(self, req, resp, no: str):
        order = get_customer_order(req.context.customer, no)
        lines = list(order.lines.order_by(OrderLine.line_no))
        result = carts.reorder_into_cart(self.ctx, req.context.user, req.context.customer, lines)
        _ = self.translate(req)
        cart = carts.read_cart(self.ctx, req.context.user, req.context.customer)
        resp.media = {
            "added": len(result.added),
            "skipped": [
                {
                    "product_id": line.product_id,
                    "product_code": line.product_code,
                    "product_name": line.product_name,
                    "reason": check.reason,
                    "reason_text": _(check.message, **(check.params or {}))
                    if check.message
                    else _(UNAVAILABLE_REASONS[check.reason]),
                }
                for line, check in result.skipped
            ],
            "cart": cart_payload(self.ctx, cart, _),
        }
        resp.set_header("X-Cart-Count", str(len(cart.lines)))


def routes(ctx) -> list[tuple[str, object]]:
    base = "/api/v1"
    return [
        (f"{base}/cart", CartResource(ctx)),
        (f"{base}/cart/items", CartItemsResource(ctx)),
        (f"{base}/cart/items/{{item_id:int}}", CartItemResource(ctx)),
        (f"{base}/cart/unavailable", CartUnavailableResource(ctx)),
        (f"{base}/orders", OrdersResource(ctx)),
        (f"{base}/orders/{{no}}", OrderResource(ctx)),
        (f"{base}/orders/{{no}}/cancel", OrderCancelResource(ctx)),
        (f"{base}/orders/{{no}}/reorder", OrderReorderResource(ctx)),
    ]
