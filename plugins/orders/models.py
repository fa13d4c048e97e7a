"""Cart lines, orders, order lines and the status history."""

from __future__ import annotations

import json

import peewee

from core.db import AwareDateTimeField, BaseModel, utcnow
from core.models import Customer, User
from plugins.catalog.models import Product


class JSONField(peewee.TextField):
    """JSON stored as text (portable between SQLite and PostgreSQL)."""

    def db_value(self, value):
        return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)

    def python_value(self, value):
        return None if value is None else json.loads(value)


class CartItem(BaseModel):
    """A line in the cart of one user acting for one customer.

    ``line_key`` identifies the configuration (product, options, custom
    request, remark): adding the same configuration again raises the
    quantity of the existing line, and the unique index keeps two
    concurrent adds from making two lines. ``added_unit_price`` is the unit
    price when the line was added, so the cart can show a price change.
    """

    customer = peewee.ForeignKeyField(Customer, on_delete="CASCADE")
    user = peewee.ForeignKeyField(User, on_delete="CASCADE")
    product = peewee.ForeignKeyField(Product, on_delete="CASCADE")
    line_key = peewee.CharField(max_length=64)
    options = JSONField(default=dict)
    qty = peewee.IntegerField()
    custom_request = peewee.TextField(default="")
    remark = peewee.CharField(max_length=500, default="")
    added_unit_price = peewee.BigIntegerField(null=True)  # fen
    created_at = AwareDateTimeField(default=utcnow)
    updated_at = AwareDateTimeField(default=utcnow)

    class Meta:
        indexes = ((("customer", "user", "line_key"), True),)


class Order(BaseModel):
    """An order of one customer; ``total`` is the sum of its line totals."""

    no = peewee.CharField(max_length=32, unique=True)
    customer = peewee.ForeignKeyField(Customer, backref="orders", on_delete="RESTRICT")
    created_by = peewee.ForeignKeyField(User, on_delete="RESTRICT")
    kind = peewee.CharField(max_length=16)  # states.STANDARD | states.NONSTANDARD
    status = peewee.CharField(max_length=24, index=True)
    total = peewee.BigIntegerField()  # fen
    stock_reserved = peewee.BooleanField(default=False)
    delivery_contact = peewee.CharField(max_length=64)
    delivery_phone = peewee.CharField(max_length=32)
    delivery_address = peewee.CharField(max_length=255)
    remark = peewee.CharField(max_length=500, default="")
    cancel_reason = peewee.CharField(max_length=64, default="")  # a reason code: payment_timeout...
    payment_due_at = AwareDateTimeField(null=True)
    created_at = AwareDateTimeField(default=utcnow, index=True)
    updated_at = AwareDateTimeField(default=utcnow)

    class Meta:
        indexes = ((("customer", "created_at"), False),)


class OrderLine(BaseModel):
    """One configured product of an order, priced and frozen at order time."""

    order = peewee.ForeignKeyField(Order, backref="lines", on_delete="CASCADE")
    line_no = peewee.IntegerField()
    product = peewee.ForeignKeyField(Product, on_delete="RESTRICT")
    product_code = peewee.CharField(max_length=64)
    product_name = peewee.CharField(max_length=200)
    spec = peewee.CharField(max_length=255, default="")
    unit = peewee.CharField(max_length=8, default="件")
    options = JSONField(default=dict)  # {group_code: value_code}
    options_label = peewee.CharField(max_length=255, default="")  # 面料: 头层牛皮L2 / 颜色: 米白
    qty = peewee.IntegerField()
    unit_price = peewee.BigIntegerField()  # fen
    line_total = peewee.BigIntegerField()  # fen
    price_source = peewee.CharField(max_length=32)
    price_version = peewee.CharField(max_length=64, default="")
    breakdown = JSONField(default=list)  # [{label, amount(fen)}]
    custom_request = peewee.TextField(default="")
    remark = peewee.CharField(max_length=500, default="")
    nonstandard = peewee.BooleanField(default=False)


class OrderEvent(BaseModel):
    """Status history: every transition with who, when and why."""

    order = peewee.ForeignKeyField(Order, backref="events", on_delete="CASCADE")
    from_status = peewee.CharField(max_length=24, null=True)
    to_status = peewee.CharField(max_length=24)
    actor = peewee.ForeignKeyField(User, null=True, on_delete="SET NULL")
    reason = peewee.CharField(max_length=64, default="")
    note = peewee.TextField(default="")
    at = AwareDateTimeField(default=utcnow)


class OrderSequence(BaseModel):
    """Daily counter for order numbers (SO20261203-0001)."""

    day = peewee.CharField(max_length=8, primary_key=True)
    last = peewee.IntegerField(default=0)


MODELS = [CartItem, Order, OrderLine, OrderEvent, OrderSequence]
