"""Finding orders the caller may see; an order that is not theirs is a 404.

Customer-scoped calls (dealers, reps acting for a customer) look orders up
through :func:`get_customer_order`; back-office code uses
:func:`get_visible_order`, which applies :func:`core.auth.visible_customer_ids`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import peewee

from core.auth import visible_customer_ids
from core.errors import NotFound
from core.models import Customer, User
from plugins.orders.models import Order
from plugins.orders.states import TABS, OrderStatus

# Order numbers are SO20261203-0001; anything else cannot be one (and a NUL
# byte would not even reach PostgreSQL).
ORDER_NO_RE = re.compile(r"[A-Za-z0-9-]{1,32}")


def get_customer_order(customer: Customer, no: str) -> Order:
    """The order ``no`` of ``customer``, or 404 (also for other customers' orders)."""
    if not ORDER_NO_RE.fullmatch(no or ""):
        raise NotFound()
    order = Order.get_or_none((Order.no == no) & (Order.customer == customer.id))
    if order is None:
        raise NotFound()
    return order


def get_visible_order(user: User, no: str) -> Order:
    """The order ``no`` if ``user`` may see it (staff: all), else 404."""
    if not ORDER_NO_RE.fullmatch(no or ""):
        raise NotFound()
    query = Order.select().where(Order.no == no)
    visible = visible_customer_ids(user)
    if visible is not None:
        query = query.where(Order.customer.in_(visible))
    order = query.first()
    if order is None:
        raise NotFound()
    return order


def statuses_of(filter_value: str | None) -> tuple[str, ...]:
    """The statuses a ``?status=`` filter means: a tab key, a status, or a comma list of statuses."""
    if not filter_value:
        return ()
    tabs = {key: statuses for key, _label, statuses in TABS}
    if filter_value in tabs:
        return tuple(status.value for status in tabs[filter_value])
    return tuple(OrderStatus(part.strip()).value for part in filter_value.split(","))


def customer_orders(customer: Customer, statuses: Iterable[str] = ()) -> peewee.ModelSelect:
    """This customer's orders, newest first, optionally of some statuses."""
    query = Order.select().where(Order.customer == customer.id)
    statuses = list(statuses)
    if statuses:
        query = query.where(Order.status.in_(statuses))
    return query.order_by(Order.created_at.desc(), Order.id.desc())


def status_counts(customer: Customer) -> dict[str, int]:
    """This customer's orders per status, plus ``all``, in one query."""
    per_status = {status.value: 0 for status in OrderStatus}
    rows = (
        Order.select(Order.status, peewee.fn.COUNT(Order.id).alias("n"))
        .where(Order.customer == customer.id)
        .group_by(Order.status)
        .tuples()
    )
    for status, count in rows:
        per_status[status] = count
    per_status["all"] = sum(per_status.values())
    return per_status


def tab_counts(counts: dict[str, int]) -> list[tuple[str, str, int]]:
    """``(key, label msgid, count)`` of each order list tab, from :func:`status_counts`."""
    return [
        (key, label, counts["all"] if not statuses else sum(counts[status.value] for status in statuses))
        for key, label, statuses in TABS
    ]
