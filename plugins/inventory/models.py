"""Stock per product and the movements that changed it."""

from __future__ import annotations

import peewee

from core.db import AwareDateTimeField, BaseModel, utcnow
from plugins.catalog.models import Product

STOCK_MODES = ("unlimited", "quota", "erp")


class StockItem(BaseModel):
    """Stock of one product.

    ``quota``: ``quantity`` is the sales stock the factory set; orders take
    from it. ``erp``: ``quantity`` is the last live ERP stock and ``reserved``
    what platform orders took that the ERP has not yet acknowledged;
    available = quantity - reserved. ``unlimited``: no limit.
    """

    product = peewee.ForeignKeyField(Product, primary_key=True, backref="stock", on_delete="CASCADE")
    mode = peewee.CharField(max_length=16, default="unlimited")
    quantity = peewee.IntegerField(default=0)
    reserved = peewee.IntegerField(default=0)
    updated_at = AwareDateTimeField(default=utcnow)


class StockMovement(BaseModel):
    """Every change of stock, for audit: who took or returned how much, why."""

    product = peewee.ForeignKeyField(Product, backref="stock_movements", on_delete="CASCADE")
    delta = peewee.IntegerField()
    reason = peewee.CharField(max_length=32)  # order, release, set, upload, erp_sync
    ref = peewee.CharField(max_length=64, default="")
    at = AwareDateTimeField(default=utcnow, index=True)


MODELS = [StockItem, StockMovement]
