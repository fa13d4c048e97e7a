"""Price records: list price per product grade and explicit customer prices."""

from __future__ import annotations

import peewee

from core.db import AwareDateTimeField, BaseModel, utcnow
from core.models import Customer
from plugins.catalog.models import Product

NO_GRADE = ""  # grade code of products without a grade option group


class GradePrice(BaseModel):
    """The list price of a product at one grade (fen, before discount)."""

    product = peewee.ForeignKeyField(Product, backref="grade_prices", on_delete="CASCADE")
    grade = peewee.CharField(max_length=32, default=NO_GRADE)
    list_price = peewee.BigIntegerField()
    version = peewee.IntegerField(default=1)
    updated_at = AwareDateTimeField(default=utcnow)

    class Meta:
        indexes = ((("product", "grade"), True),)


class CustomerPrice(BaseModel):
    """An explicit price of one customer for a product and grade (一客一价)."""

    customer = peewee.ForeignKeyField(Customer, backref="prices", on_delete="CASCADE")
    product = peewee.ForeignKeyField(Product, backref="customer_prices", on_delete="CASCADE")
    grade = peewee.CharField(max_length=32, default=NO_GRADE)
    unit_price = peewee.BigIntegerField()
    version = peewee.IntegerField(default=1)
    source = peewee.CharField(max_length=32, default="price_file")
    updated_at = AwareDateTimeField(default=utcnow)

    class Meta:
        indexes = ((("customer", "product", "grade"), True),)


MODELS = [GradePrice, CustomerPrice]
