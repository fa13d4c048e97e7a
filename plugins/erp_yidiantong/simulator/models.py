"""The ERP side's records: master data, price file, stock, orders, ledger, events.

Master-data rows (categories, products, customers, accounts, assignments,
customer prices, stock) carry the three fields every EGP feed needs:
``version`` (bumped on each change of the row), ``change_seq`` (its position
in the feed: a global counter taken under the write lock, so a feed read by
``change_seq`` never skips a row committed later) and ``deleted``
(tombstones; nothing is ever deleted). Codes are the keys, as in an ERP.
"""

from __future__ import annotations

import peewee

from plugins.erp_yidiantong.simulator.db import JSONField, SimModel, TimestampField, now_utc
from plugins.erp_yidiantong.simulator.price_json import price_item_json


class SimCounter(SimModel):
    """Named counters: ``change`` (feed positions), ``price_list`` (price-list
    version), ``erp_order``, ``shipment``, ``ledger``, ``stream:<name>`` (event seq)."""

    name = peewee.CharField(max_length=64, primary_key=True)
    value = peewee.BigIntegerField(default=0)


class _Versioned(SimModel):
    version = peewee.IntegerField(default=1)
    change_seq = peewee.BigIntegerField(index=True)
    deleted = peewee.BooleanField(default=False)
    updated_at = TimestampField(default=now_utc)


class SimCategory(_Versioned):
    code = peewee.CharField(max_length=64, unique=True)
    name = peewee.CharField(max_length=64)
    parent_code = peewee.CharField(max_length=64, null=True)
    sort = peewee.IntegerField(default=0)
    active = peewee.BooleanField(default=True)


class SimProduct(_Versioned):
    """The product master. ``option_groups`` and ``packages`` are the feed's
    JSON shapes; ``list_prices`` maps a grade code ('' without grades) to fen."""

    sku = peewee.CharField(max_length=64, unique=True)
    name = peewee.CharField(max_length=200)
    category_code = peewee.CharField(max_length=64)
    spec = peewee.CharField(max_length=255, default="")
    width_mm = peewee.IntegerField(null=True)
    depth_mm = peewee.IntegerField(null=True)
    height_mm = peewee.IntegerField(null=True)
    uom = peewee.CharField(max_length=8, default="件")
    description = peewee.TextField(default="")
    custom_only = peewee.BooleanField(default=False)
    published = peewee.BooleanField(default=True)
    status = peewee.CharField(max_length=16, default="active")  # active | discontinued
    grade_group_code = peewee.CharField(max_length=32, null=True)
    option_groups = JSONField(default=list)
    list_prices = JSONField(default=dict)
    price_list_version = peewee.CharField(max_length=32, default="")
    packages = JSONField(default=list)
    stock_mode = peewee.CharField(max_length=16, default="unlimited")
    image_keys = JSONField(default=list)
    weight_kg = peewee.CharField(max_length=16, default="0")
    volume_m3 = peewee.CharField(max_length=16, default="0")


class SimCustomer(_Versioned):
    code = peewee.CharField(max_length=32, unique=True)
    name = peewee.CharField(max_length=120)
    province = peewee.CharField(max_length=32, default="")
    city = peewee.CharField(max_length=32, default="")
    address = peewee.CharField(max_length=255, default="")
    contact = peewee.CharField(max_length=64, default="")
    phone = peewee.CharField(max_length=32, default="")
    discount_rate = peewee.DecimalField(max_digits=6, decimal_places=4)
    credit_limit_fen = peewee.BigIntegerField(default=0)
    balance_fen = peewee.BigIntegerField(default=0)
    auto_pay = peewee.BooleanField(default=False)
    active = peewee.BooleanField(default=True)


class SimAccount(_Versioned):
    """A dealer or rep login. ``password_hash`` is an argon2id PHC string."""

    username = peewee.CharField(max_length=64, unique=True)
    display_name = peewee.CharField(max_length=64, default="")
    role = peewee.CharField(max_length=16)
    customer_code = peewee.CharField(max_length=32, null=True)
    phone = peewee.CharField(max_length=32, default="")
    active = peewee.BooleanField(default=True)
    password_hash = peewee.CharField(max_length=255, null=True)
    password_set_at = TimestampField(null=True)


class SimRepAssignment(_Versioned):
    rep_username = peewee.CharField(max_length=64)
    customer_code = peewee.CharField(max_length=32)

    class Meta:
        indexes = ((("rep_username", "customer_code"), True),)


class SimCustomerPrice(_Versioned):
    """一客一价: one dealer's explicit unit price for a product at a grade.

    ``item_json`` is the row's finished feed item, rewritten on every save
    (see ``price_json``); bulk inserts fill it themselves.
    """

    customer_code = peewee.CharField(max_length=32)
    sku = peewee.CharField(max_length=64)
    grade = peewee.CharField(max_length=32, default="")
    unit_price_fen = peewee.BigIntegerField()
    price_list_version = peewee.CharField(max_length=32)
    item_json = peewee.TextField(default="")

    class Meta:
        indexes = ((("customer_code", "sku", "grade"), True),)

    def save(self, *args, **kwargs):
        self.item_json = price_item_json(
            customer_code=self.customer_code,
            sku=self.sku,
            grade=self.grade,
            unit_price_fen=self.unit_price_fen,
            price_list_version=self.price_list_version,
            version=self.version,
            updated_at=self.updated_at,
            deleted=self.deleted,
        )
        return super().save(*args, **kwargs)


class SimStock(_Versioned):
    sku = peewee.CharField(max_length=64, unique=True)
    on_hand = peewee.IntegerField(default=0)
    reserved = peewee.IntegerField(default=0)


class SimOrder(SimModel):
    """A sales order imported from the platform (one per platform order)."""

    platform_order_no = peewee.CharField(max_length=64, unique=True)
    erp_order_no = peewee.CharField(max_length=32, unique=True)
    customer_code = peewee.CharField(max_length=32, index=True)
    revision = peewee.IntegerField()
    lines = JSONField()
    total_fen = peewee.BigIntegerField()
    paid_fen = peewee.BigIntegerField(default=0)
    payment_status = peewee.CharField(max_length=16, default="unpaid")
    delivery = JSONField(default=dict)
    remark = peewee.TextField(default="")
    platform_created_at = peewee.CharField(max_length=40, default="")
    created_count = peewee.IntegerField(default=1)
    stage_seq = peewee.IntegerField(default=1)
    created_at = TimestampField(default=now_utc, index=True)
    updated_at = TimestampField(default=now_utc)


class SimImportRequest(SimModel):
    """Every order-import request that reached the ERP, replays included."""

    platform_order_no = peewee.CharField(max_length=64, index=True)
    idempotency_key = peewee.CharField(max_length=255)
    status = peewee.IntegerField()
    code = peewee.CharField(max_length=32, default="")
    replayed = peewee.BooleanField(default=False)
    at = TimestampField(default=now_utc)


class SimIdempotency(SimModel):
    """The first answer to an idempotency key, replayed for repeats."""

    scope = peewee.CharField(max_length=32)
    key = peewee.CharField(max_length=255)
    request_hash = peewee.CharField(max_length=64)
    status = peewee.IntegerField()
    body = JSONField()
    created_at = TimestampField(default=now_utc)

    class Meta:
        indexes = ((("scope", "key"), True),)


class SimCancellation(SimModel):
    """A cancelled order (its own table, so a simulator database made before cancels existed
    gets it from ``create_tables``)."""

    platform_order_no = peewee.CharField(max_length=64, unique=True)
    reason = peewee.CharField(max_length=32)
    note = peewee.TextField(default="")
    answer = JSONField()
    cancelled_at = TimestampField(default=now_utc)


class SimPayment(SimModel):
    payment_id = peewee.CharField(max_length=64, unique=True)
    platform_order_no = peewee.CharField(max_length=64, index=True)
    amount_fen = peewee.BigIntegerField()
    channel = peewee.CharField(max_length=16)
    transaction_id = peewee.CharField(max_length=64, default="")
    paid_at = peewee.CharField(max_length=40)
    created_at = TimestampField(default=now_utc)


class SimShipment(SimModel):
    shipment_no = peewee.CharField(max_length=32, unique=True)
    platform_order_no = peewee.CharField(max_length=64, index=True)
    carrier = peewee.CharField(max_length=32)
    waybill_no = peewee.CharField(max_length=32)
    lines = JSONField()
    packages = JSONField()
    shipped_at = TimestampField(default=now_utc)


class SimLedgerEntry(SimModel):
    """One line of a dealer's account. ``amount_fen`` is signed in the
    dealer's favour (payment +, order -); ``balance_fen`` is after it."""

    entry_no = peewee.CharField(max_length=32, unique=True)
    customer_code = peewee.CharField(max_length=32, index=True)
    kind = peewee.CharField(max_length=24)
    amount_fen = peewee.BigIntegerField()
    goods_fen = peewee.BigIntegerField(default=0)
    balance_fen = peewee.BigIntegerField()
    platform_order_no = peewee.CharField(max_length=64, default="")
    erp_order_no = peewee.CharField(max_length=32, default="")
    payment_id = peewee.CharField(max_length=64, default="")
    shipment_no = peewee.CharField(max_length=32, default="")
    memo = peewee.CharField(max_length=255, default="")
    occurred_at = TimestampField(default=now_utc)


class SimEvent(SimModel):
    """The event feed. ``id`` is the feed position; ``envelope`` is served
    verbatim (control-API events are stored exactly as given, duplicates
    and out-of-order sequences included). ``push_state``: pending, pushed,
    rejected (the platform refused it), skipped (not to be pushed)."""

    id = peewee.BigAutoField()
    event_id = peewee.CharField(max_length=64, index=True)
    type = peewee.CharField(max_length=64)
    stream = peewee.CharField(max_length=32, index=True)
    seq = peewee.BigIntegerField()
    envelope = peewee.TextField()
    push_state = peewee.CharField(max_length=16, default="pending", index=True)
    pushed_at = TimestampField(null=True)


MODELS = [
    SimCounter,
    SimCategory,
    SimProduct,
    SimCustomer,
    SimAccount,
    SimRepAssignment,
    SimCustomerPrice,
    SimStock,
    SimOrder,
    SimImportRequest,
    SimIdempotency,
    SimPayment,
    SimCancellation,
    SimShipment,
    SimLedgerEntry,
    SimEvent,
]
FEED_MODELS = {
    "categories": SimCategory,
    "catalog": SimProduct,
    "customers": SimCustomer,
    "accounts": SimAccount,
    "rep-assignments": SimRepAssignment,
    "prices": SimCustomerPrice,
    "stock": SimStock,
}
