"""Hook implementations of the inventory plugin."""

from __future__ import annotations

from core.plugins import hookimpl
from plugins.catalog.models import Product
from plugins.inventory.models import MODELS, StockItem
from plugins.inventory.resources import (
    AdminStockListResource,
    AdminStockResource,
    AdminStockUploadResource,
    StockResource,
)
from plugins.inventory.services import UNLIMITED, stock_levels


@hookimpl
def register_models():
    return MODELS


@hookimpl
def register_routes(ctx):
    return [
        ("/api/v1/stock/{product_id:int}", StockResource(ctx)),
        ("/api/v1/admin/stock", AdminStockListResource(ctx)),
        ("/api/v1/admin/stock/upload", AdminStockUploadResource(ctx)),
        ("/api/v1/admin/stock/{product_id:int}", AdminStockResource(ctx)),
    ]


@hookimpl
def extend_product_data(ctx, customer, products, detail):
    """``stock: {mode, available}`` on every product answer (one query per page)."""
    return {pid: {"stock": level} for pid, level in stock_levels(ctx, products).items()}


@hookimpl
def register_demo_data(ctx, dataset):
    """Stock mode and quantity of every demo product that is counted."""
    products = {p.code: p.id for p in Product.select(Product.id, Product.code)}
    rows = [
        {"product": products[p.code], "mode": p.stock_mode, "quantity": p.stock_qty or 0, "reserved": 0}
        for p in dataset.products
        if p.code in products and p.stock_mode != UNLIMITED
    ]
    for start in range(0, len(rows), 200):
        StockItem.insert_many(rows[start : start + 200]).execute()
