"""The demo orders are real orders: priced, numbered, stock taken, history kept."""

from __future__ import annotations

from types import SimpleNamespace

from demodata.dataset import Account, RepAssignment
from plugins.orders.demo import load_demo_orders
from plugins.orders.models import OrderEvent
from plugins.orders.tests.conftest import make_product
from plugins.orders.tests.helpers import stock_of


def test_demo_orders_of_the_first_dealer(app, shop):
    dataset = SimpleNamespace(
        accounts=(Account("dealer1", "x", "陈", "dealer", shop.customer1.code),),
        rep_assignments=(RepAssignment("rep1", shop.customer1.code),),
    )
    with app.ctx.activate():
        make_product("B-180", "实木床 1.8米", list_price=260000)
        orders = load_demo_orders(app.ctx, dataset)
        assert [(o.status, o.kind, o.created_by_id) for o in orders] == [
            ("awaiting_payment", "standard", shop.dealer1.id),
            ("pending_review", "nonstandard", shop.rep1.id),
            ("cancelled", "standard", shop.dealer1.id),
        ]
        assert all(o.customer_id == shop.customer1.id for o in orders)
        assert orders[0].total == 2 * 295200 + 151200  # sofa at FA × 0.9 twice, tea table × 0.9
        assert OrderEvent.select().where(OrderEvent.order == orders[2]).count() == 2
    assert stock_of(app, shop.sofa) == 3  # two taken by the open order; the cancelled one returned its own
