"""Hook implementations of the orders plugin."""

from __future__ import annotations

from pathlib import Path

from core.jobs import PeriodicJob
from core.plugins import hookimpl
from core.web import NavItem
from plugins.orders import pages, resources
from plugins.orders.cart import cart_count
from plugins.orders.demo import load_demo_orders
from plugins.orders.lifecycle import cancel_overdue_orders
from plugins.orders.models import MODELS

PLUGIN_DIR = Path(__file__).parent


@hookimpl
def register_models():
    return MODELS


@hookimpl
def register_routes(ctx):
    return resources.routes(ctx) + pages.routes(ctx)


@hookimpl
def register_template_dirs():
    return [PLUGIN_DIR / "templates"]


@hookimpl
def register_static_dirs():
    return [("orders", PLUGIN_DIR / "static")]


@hookimpl
def register_nav_items(ctx):
    return [
        NavItem(key="cart", label="Cart", url="/cart", icon="cart", area="shop", order=30),
        NavItem(key="orders", label="Orders", url="/orders", icon="orders", area="shop", order=40),
    ]


@hookimpl
def register_jobs(ctx):
    return [PeriodicJob(name="orders.cancel_unpaid", func=cancel_overdue_orders, minutes=1)]


@hookimpl
def register_demo_data(ctx, dataset):
    """A few orders of the first demo dealer, so "My orders" is not empty."""
    load_demo_orders(ctx, dataset)


@hookimpl
def extra_page_context(ctx, request, area):
    """``cart_count`` for the tab bar badge: one COUNT, no acting-customer check
    (the count of a cart the user could not open is simply never shown)."""
    if area != "shop":
        return None
    user = request.context.user
    if user is None:
        return None
    if user.role == "dealer":
        customer_id = user.customer_id
    elif user.role == "rep" and request.context.session is not None:
        customer_id = request.context.session.acting_customer_id
    else:
        return None
    if customer_id is None:
        return None
    return {"cart_count": cart_count(user.id, customer_id)}
