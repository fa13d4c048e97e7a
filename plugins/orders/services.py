"""What other plugins may call: the orders plugin's public functions.

* :func:`transition` — the only way an order changes status (state machine,
  conditional UPDATE, history, stock returned on cancel/reject, hook).
* :func:`cancel_order` — the customer's cancel (before production).
* :func:`release_order_stock` / :func:`reserve_order_stock` — return or
  take an order's stock exactly once, guarded by ``Order.stock_reserved``.
* :func:`get_customer_order` / :func:`get_visible_order` — look an order up
  for a customer or a user; 404 when it is not theirs.
* :func:`order_detail` / :func:`order_summaries` — the JSON shapes of orders.
* :func:`submit_order`, :func:`read_cart`, :func:`cancel_overdue_orders`.

Implementations live in small modules (``cart``, ``submit``, ``lifecycle``,
``queries``, ``views``); import from here.
"""

from __future__ import annotations

from plugins.orders.cart import add_line, cart_count, change_qty, read_cart, remove_line, reorder_into_cart
from plugins.orders.lifecycle import (
    cancel_order,
    cancel_overdue_orders,
    order_quantities,
    release_order_stock,
    reserve_order_stock,
    transition,
)
from plugins.orders.lines import price_request
from plugins.orders.queries import customer_orders, get_customer_order, get_visible_order, status_counts
from plugins.orders.submit import next_order_no, submit_order
from plugins.orders.views import cart_payload, order_detail, order_summaries

__all__ = [
    "add_line",
    "cancel_order",
    "cancel_overdue_orders",
    "cart_count",
    "cart_payload",
    "change_qty",
    "customer_orders",
    "get_customer_order",
    "get_visible_order",
    "next_order_no",
    "order_detail",
    "order_quantities",
    "order_summaries",
    "price_request",
    "read_cart",
    "release_order_stock",
    "remove_line",
    "reorder_into_cart",
    "reserve_order_stock",
    "status_counts",
    "submit_order",
    "transition",
]
