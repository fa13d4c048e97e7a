"""The ``stock`` feed -> inventory quantities of ``quota`` and ``erp`` products.

The catalog feed decides a product's stock mode; this feed brings the
ERP's figures (kept on the binding's memo, so a later mode change can use
them). The quantity the platform stores is the ERP's ``available`` seen
from the platform:

* ``erp`` mode: ``quantity`` = ERP available; inventory keeps its own
  ``reserved`` for platform orders the ERP has not acknowledged yet.
* ``quota`` mode: ``quantity`` = ERP available minus what platform orders
  the ERP has not acknowledged yet took (their stock is still flagged
  ``stock_reserved``): the ERP's figure does not include them yet, and the
  platform already deducted them.

Every change goes through ``inventory.set_stock`` with reason ``erp_sync``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from peewee import fn

from plugins.catalog.models import Product
from plugins.erp_yidiantong.models import ErpBinding
from plugins.erp_yidiantong.sync import values
from plugins.erp_yidiantong.sync.feeds.base import RowFeed
from plugins.erp_yidiantong.sync.report import RowRejected
from plugins.inventory.models import StockItem
from plugins.inventory.services import ERP, QUOTA, UNLIMITED, available_of, set_stock
from plugins.orders.models import Order, OrderLine

MODEL = "stock"
REASON = "erp_sync"


def unacknowledged_quantities(product_ids: Iterable[int]) -> dict[int, int]:
    """Stock held by platform orders whose reservation the ERP has not taken over yet."""
    ids = list(product_ids)
    if not ids:
        return {}
    query = (
        OrderLine.select(OrderLine.product, fn.SUM(OrderLine.qty).alias("held"))
        .join(Order)
        .where((Order.stock_reserved == True) & OrderLine.product.in_(ids))  # noqa: E712
        .group_by(OrderLine.product)
    )
    return {row.product_id: int(row.held) for row in query}


def local_quantity(mode: str, available: int, unacknowledged: int) -> int:
    """The quantity to store for ``mode`` given the ERP's available stock."""
    if mode == QUOTA:
        return max(0, available - unacknowledged)
    return available


def apply_erp_stock(
    product: Product, mode: str, available: int, ref: str, held: int | None = None
) -> int | None:
    """Store the ERP's stock figure for a ``quota``/``erp`` product; returns the new availability."""
    if mode not in (QUOTA, ERP):
        return None
    if held is None:
        held = unacknowledged_quantities([product.id]).get(product.id, 0)
    try:
        item = set_stock(product, mode, local_quantity(mode, available, held), reason=REASON, ref=ref)
    except ValueError as ex:
        raise RowRejected(str(ex)) from ex
    return available_of(item)


class StockFeed(RowFeed):
    model = MODEL

    def key(self, item: dict[str, Any]) -> str:
        return values.text(item, "sku", 64)

    def prepare(self, items: list[dict[str, Any]]) -> None:
        skus = [item["sku"] for item in items]
        self.products = {p.code: p for p in Product.select().where(Product.code.in_(skus))} if skus else {}
        ids = [p.id for p in self.products.values()]
        self.modes = (
            {s.product_id: s.mode for s in StockItem.select().where(StockItem.product.in_(ids))}
            if ids
            else {}
        )
        self.held = unacknowledged_quantities(ids)

    def apply(self, item: dict[str, Any], binding: ErpBinding | None) -> tuple[int, dict]:
        product = self.products.get(item["sku"])
        if product is None:
            raise RowRejected(f"no product {item['sku']} on the platform")
        on_hand = values.integer(item, "on_hand", minimum=0)
        reserved = values.integer(item, "reserved", minimum=0) if item.get("reserved") is not None else 0
        if item.get("available") is not None:
            available = values.integer(item, "available", minimum=0)
        else:
            available = max(0, on_hand - reserved)
        mode = self.modes.get(product.id, UNLIMITED)
        if mode in (QUOTA, ERP):
            ref = f"erp v{item['version']}"
            self.report.stock_changes[product.id] = apply_erp_stock(
                product, mode, available, ref, self.held.get(product.id, 0)
            )
        return product.id, {"on_hand": on_hand, "reserved": reserved, "available": available}

    def tombstone(self, item: dict[str, Any], binding: ErpBinding | None) -> bool:
        # The ERP stopped counting this product; its mode comes from the catalog.
        return False

    def deactivate(self, binding: ErpBinding) -> bool:
        return False
