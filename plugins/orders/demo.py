"""Demo orders: the first demo dealer's orders in the states a dealer meets first.

Made through :func:`plugins.orders.submit.submit_order` like real orders
(priced, numbered, stock taken, hooks called): one standard order waiting
for payment, one custom order a sales rep placed that waits for customer
service, and one the dealer cancelled.
"""

from __future__ import annotations

import logging

from core.errors import ApiError
from core.models import Customer, User
from plugins.catalog.models import Product
from plugins.inventory.models import StockItem
from plugins.orders.lifecycle import cancel_order
from plugins.orders.models import Order
from plugins.orders.submit import submit_order

log = logging.getLogger("ydt.orders")


def _orderable(limit: int, *, custom: bool) -> list[Product]:
    """Published products with enough stock, custom-capable when ``custom``."""
    short = StockItem.select(StockItem.product).where(
        (StockItem.mode != "unlimited") & (StockItem.quantity < 5)
    )
    query = Product.select().where((Product.published == True) & Product.id.not_in(short))  # noqa: E712
    if custom:
        query = query.where(Product.custom_allowed == True)  # noqa: E712
    else:
        query = query.where(Product.custom_only == False)  # noqa: E712
    return list(query.order_by(Product.sort, Product.id).limit(limit))


def _delivery(customer: Customer) -> dict[str, str]:
    address = (
        customer.address
        if len(customer.address) >= 5
        else f"{customer.province}{customer.city}{customer.address}"
    )
    return {"contact": customer.contact or customer.name, "phone": customer.phone, "address": address}


def load_demo_orders(ctx, dataset) -> list[Order]:
    """Place the demo orders of the first dealer account; returns them."""
    dealer_account = next((a for a in dataset.accounts if a.role == "dealer"), None)
    if dealer_account is None:
        return []
    dealer = User.get_or_none(User.username == dealer_account.username)
    if dealer is None or dealer.customer_id is None:
        return []
    customer = Customer.get_by_id(dealer.customer_id)
    rep_name = next(
        (a.rep_username for a in dataset.rep_assignments if a.customer_code == customer.code), None
    )
    rep = User.get_or_none(User.username == rep_name) if rep_name else None
    standard = _orderable(3, custom=False)
    custom = _orderable(1, custom=True)
    if len(standard) < 3 or not custom:
        return []
    plans = [
        (dealer, [(standard[0], 2, ""), (standard[1], 1, "")], "周六上午送货，需提前电话联系", False),
        (rep or dealer, [(custom[0], 1, "整体加长 200mm，皮色按客户提供的色卡 PANTONE 7527C")], "", False),
        (dealer, [(standard[2], 1, "")], "", True),
    ]
    orders = []
    for user, lines, remark, cancel in plans:
        body = {
            "from_cart": False,
            "items": [
                {"product_id": product.id, "options": {}, "qty": qty, "custom_request": request, "remark": ""}
                for product, qty, request in lines
            ],
            "delivery": _delivery(customer),
            "remark": remark,
        }
        try:
            order = submit_order(ctx, user, customer, body).order
            if cancel:
                cancel_order(ctx, order, user, note="规格选错了，重新下单")
        except ApiError as ex:  # a demo factory without prices or stock for these products
            log.warning("demo order of %s skipped: %s", customer.code, ex.message)
            continue
        orders.append(order)
    return orders
