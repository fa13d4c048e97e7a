"""Mobile pages: cart, checkout, my orders, order detail.

The pages render the same JSON shapes as the API (``views``) and act through
the API from the page script, so what a dealer sees is what an integrator
gets.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict

import falcon

from core.auth import acting_customer
from core.errors import ApiError, NotAuthenticated, ValidationFailed
from core.http import load
from core.money import fen_to_str, parse_money
from core.web import render
from plugins.catalog.models import Product
from plugins.inventory.services import stock_levels
from plugins.orders import cart as carts
from plugins.orders.lines import price_request
from plugins.orders.queries import customer_orders, get_customer_order, status_counts, statuses_of, tab_counts
from plugins.orders.schemas import LineBody
from plugins.orders.states import NONSTANDARD, TABS
from plugins.orders.views import cart_payload, image_urls, order_detail, order_summaries

PER_PAGE = 10
PAY_ROUTE = "/orders/{no}/pay"


class _Page:
    def __init__(self, ctx) -> None:
        self.ctx = ctx

    def shop_context(self, req):
        """``(user, customer, _)`` for a dealer or a rep acting for a customer."""
        if req.context.user is None:
            raise NotAuthenticated()
        return req.context.user, acting_customer(req), self.ctx.translator.bound(req.context.lang)

    def has_pay_page(self) -> bool:
        """True when a payments plugin serves ``/orders/{no}/pay``."""
        return any(path == PAY_ROUTE for path, _resource in self.ctx.routes)


def full_address(customer) -> str:
    """Province + city + street address, without repeating what the address already says."""
    address = customer.address or ""
    prefix = "".join(part for part in (customer.province, customer.city) if part and part not in address)
    return prefix + address


def group_cart_lines(lines: list[dict]) -> list[dict]:
    """Standard lines, non-standard lines, then lines that can no longer be ordered."""
    groups = [
        {"key": "standard", "title": "Standard products", "hint": "", "lines": []},
        {"key": NONSTANDARD, "title": "Custom orders", "hint": "Priced by customer service", "lines": []},
        {"key": "unavailable", "title": "Unavailable", "hint": "", "lines": []},
    ]
    by_key = {group["key"]: group for group in groups}
    for line in lines:
        key = "unavailable" if not line["available"] else line["kind"]
        by_key[key]["lines"].append(line)
    return [group for group in groups if group["lines"]]


class CartPage(_Page):
    def on_get(self, req, resp):
        user, customer, _ = self.shop_context(req)
        cart = cart_payload(self.ctx, carts.read_cart(self.ctx, user, customer), _)
        render(
            self.ctx,
            req,
            resp,
            "orders/cart.html",
            page_title=_("Cart"),
            active_nav="cart",
            cart=cart,
            groups=group_cart_lines(cart["lines"]),
            customer=customer,
        )


class CheckoutPage(_Page):
    """Checkout of the whole cart, or of ``?items=[{product_id, options, qty}]`` (buy now)."""

    def on_get(self, req, resp):
        user, customer, _ = self.shop_context(req)
        items_param = req.get_param("items")
        error = None
        if items_param:
            lines, items, error = self._direct_lines(customer, items_param, _)
            unavailable = []
        else:
            cart = cart_payload(self.ctx, carts.read_cart(self.ctx, user, customer), _)
            if not cart["lines"]:
                raise falcon.HTTPSeeOther("/cart")
            lines = [line for line in cart["lines"] if line["available"]]
            unavailable = [line for line in cart["lines"] if not line["available"]]
            items = None
        total = sum(parse_money(line["line_total"]) for line in lines)
        delivery = {"contact": customer.contact, "phone": customer.phone, "address": full_address(customer)}
        short = stock_shortages(self.ctx, lines)
        render(
            self.ctx,
            req,
            resp,
            "orders/checkout.html",
            page_title=_("Confirm order"),
            back_url="/cart" if items is None else "javascript:history.back()",
            lines=lines,
            unavailable=unavailable,
            short=short,
            items_json=json.dumps(items, ensure_ascii=False) if items is not None else "",
            total=total,
            qty=sum(line["qty"] for line in lines),
            nonstandard=any(line["kind"] == NONSTANDARD for line in lines),
            delivery=delivery,
            customer=customer,
            error=error,
        )

    def _direct_lines(self, customer, items_param: str, _):
        """Price the ``?items=`` lines; an error message instead when they cannot be ordered."""
        max_lines, max_qty = carts.limits(self.ctx)
        try:
            raw = json.loads(items_param)
            if not isinstance(raw, list) or not 1 <= len(raw) <= max_lines:
                raise ValueError("items must be a non-empty list")
            items = [load(LineBody(), item) for item in raw]
            priced = [price_request(self.ctx, customer, item, max_qty=max_qty) for item in items]
        except (ValueError, RecursionError, ValidationFailed):
            return [], None, _("This product can no longer be ordered as chosen. Go back and choose again.")
        except ApiError as ex:
            return [], None, _(ex.message, **ex.params)
        lines = []
        for item, line in zip(items, priced, strict=True):
            lines.append(
                {
                    "product_id": line.product.id,
                    "product_name": line.product.name,
                    "image_url": None,
                    "options_label": line.options_label,
                    "qty": line.qty,
                    "custom_request": line.custom_request,
                    "remark": line.remark,
                    "kind": line.kind,
                    "unit_price": fen_to_str(line.price.unit_price),
                    "line_total": fen_to_str(line.price.line_total),
                }
            )
            item["options"] = line.options
        images = image_urls(line["product_id"] for line in lines)
        for line in lines:
            line["image_url"] = images.get(line["product_id"])
        return lines, items, None


def stock_shortages(ctx, lines: list[dict]) -> dict[int, int]:
    """``{product_id: available}`` of each product the lines want more of than is left.

    The same check the submission makes, shown before the dealer taps: a
    standard order takes its stock when placed (summed per product over its
    lines); an order with custom lines takes it when customer service
    confirms it, so it cannot fail for stock now.
    """
    if not lines or any(line["kind"] == NONSTANDARD for line in lines):
        return {}
    wanted: dict[int, int] = defaultdict(int)
    for line in lines:
        wanted[line["product_id"]] += line["qty"]
    levels = stock_levels(ctx, Product.select().where(Product.id.in_(list(wanted))))
    return {
        product_id: level["available"]
        for product_id, level in levels.items()
        if level["available"] is not None and wanted[product_id] > level["available"]
    }


class OrdersPage(_Page):
    def on_get(self, req, resp):
        _user, customer, _ = self.shop_context(req)
        tab = req.get_param("status") or "all"
        if tab not in {key for key, _label, _statuses in TABS}:
            tab = "all"
        page = req.get_param_as_int("page", min_value=1, max_value=100000, default=1)
        query = customer_orders(customer, statuses_of(None if tab == "all" else tab))
        total = query.count()
        orders = order_summaries(self.ctx, list(query.paginate(page, PER_PAGE)), _)
        counts = status_counts(customer)
        # Every tab always shows, so they stay where the thumb expects them;
        # "all" and "closed" carry no number, like Taobao's.
        tabs = [
            {
                "key": key,
                "label": label,
                "url": f"/orders?status={key}" if key != "all" else "/orders",
                "count": n if key not in ("all", "closed") else 0,
            }
            for key, label, n in tab_counts(counts)
        ]
        pages = max(1, math.ceil(total / PER_PAGE))
        render(
            self.ctx,
            req,
            resp,
            "orders/orders.html",
            page_title=_("My orders"),
            active_nav="orders",
            orders=orders,
            tabs=tabs,
            tab=tab,
            page=page,
            next_url=f"/orders?status={tab}&page={page + 1}" if page < pages else None,
            pay_page=self.has_pay_page(),
            customer=customer,
        )


class OrderPage(_Page):
    def on_get(self, req, resp, no: str):
        _user, customer, _ = self.shop_context(req)
        order = order_detail(self.ctx, get_customer_order(customer, no), _)
        render(
            self.ctx,
            req,
            resp,
            "orders/order.html",
            page_title=_("Order details"),
            back_url="/orders",
            order=order,
            timeline=history_timeline(order, _),
            just_placed=req.get_param("placed") == "1",
            pay_page=self.has_pay_page(),
            customer=customer,
        )


def history_timeline(order: dict, _) -> list[dict]:
    """The order's history for the timeline macro, newest first."""
    entries = []
    for index, event in enumerate(reversed(order["history"])):
        who = event["actor"]["display_name"] if event["actor"] else _("System")
        note = " · ".join(part for part in (event["reason_label"], event["note"]) if part)
        entries.append(
            {
                "title": event["status_label"],
                "status": "current" if index == 0 else "done",
                "at": f"{event['at'][:16].replace('T', ' ')} · {who}",
                "note": note,
            }
        )
    return entries


def routes(ctx) -> list[tuple[str, object]]:
    return [
        ("/cart", CartPage(ctx)),
        ("/checkout", CheckoutPage(ctx)),
        ("/orders", OrdersPage(ctx)),
        ("/orders/{no}", OrderPage(ctx)),
    ]
