"""Connector records: bindings, sync state, inbox, outbox, ERP side of orders.

All of them belong to the connector; the records it fills (products, prices,
customers...) belong to their own plugins and are reached through bindings.
"""

from __future__ import annotations

import peewee

from core.db import AwareDateTimeField, BaseModel, utcnow
from core.models import Customer
from plugins.catalog.models import Product
from plugins.orders.models import JSONField, Order


class ErpBinding(BaseModel):
    """Which local record an ERP record became, and at which ERP version.

    ``model`` is a short name (``product``, ``category``, ``customer``,
    ``user``, ``customer_price``, ``rep_assignment``...). Older versions never
    overwrite newer ones; a tombstone keeps the binding with ``deleted``.
    """

    model = peewee.CharField(max_length=32)
    external_id = peewee.CharField(max_length=191)
    local_id = peewee.BigIntegerField(null=True)
    external_version = peewee.BigIntegerField(default=0)
    deleted = peewee.BooleanField(default=False)
    synced_at = AwareDateTimeField(default=utcnow)
    # What the sync must remember about the record besides its version:
    # the password ``set_at`` applied (users), list-price versions per grade
    # (products), a parent code still to link (categories), stock figures.
    memo = JSONField(default=dict)

    class Meta:
        indexes = ((("model", "external_id"), True), (("model", "local_id"), False))


class SyncStream(BaseModel):
    """State of one pull feed: the cursor and how the last runs went."""

    name = peewee.CharField(max_length=32, primary_key=True)
    cursor = peewee.TextField(null=True)
    last_run_at = AwareDateTimeField(null=True)
    last_success_at = AwareDateTimeField(null=True)
    last_full_at = AwareDateTimeField(null=True)
    last_error = peewee.TextField(default="")
    # Newest ERP ``updated_at`` applied; lag = now - this.
    last_item_at = AwareDateTimeField(null=True)
    # One sync of a stream at a time across processes: a lease renewed per page.
    locked_until = AwareDateTimeField(null=True)
    lock_token = peewee.CharField(max_length=32, default="")


class SyncRun(BaseModel):
    """One run of one stream: counts and errors, for the back office."""

    stream = peewee.CharField(max_length=32, index=True)
    full = peewee.BooleanField(default=False)
    started_at = AwareDateTimeField(default=utcnow, index=True)
    finished_at = AwareDateTimeField(null=True)
    status = peewee.CharField(max_length=16, default="running")  # running | ok | failed
    fetched = peewee.IntegerField(default=0)
    applied = peewee.IntegerField(default=0)
    unchanged = peewee.IntegerField(default=0)
    rejected = peewee.IntegerField(default=0)
    tombstoned = peewee.IntegerField(default=0)
    error = peewee.TextField(default="")


class SyncRejection(BaseModel):
    """A row of a feed that could not be applied, and why."""

    run = peewee.ForeignKeyField(SyncRun, backref="rejections", on_delete="CASCADE")
    external_id = peewee.CharField(max_length=191)
    reason = peewee.TextField()
    at = AwareDateTimeField(default=utcnow)


class InboxEvent(BaseModel):
    """An ERP event received (pushed or pulled), deduplicated by its id."""

    event_id = peewee.CharField(max_length=64, unique=True)
    stream = peewee.CharField(max_length=32)
    seq = peewee.BigIntegerField()
    type = peewee.CharField(max_length=64)
    payload = JSONField()
    source = peewee.CharField(max_length=8, default="push")  # push | pull
    received_at = AwareDateTimeField(default=utcnow)
    processed_at = AwareDateTimeField(null=True)
    status = peewee.CharField(max_length=16, default="pending", index=True)  # pending|applied|ignored|failed|mismatch (another order under this number)
    note = peewee.TextField(default="")

    class Meta:
        indexes = ((("stream", "seq"), False),)


class OutboxMessage(BaseModel):
    """Work for the ERP written in the same transaction as the business change.

    A dispatcher claims a due row by setting ``status`` to ``in_flight``,
    ``locked_until`` (the lease) and a fresh ``lease_token``; it finishes the
    row only while the token is still its own, so a worker that stalled past
    its lease cannot overwrite the outcome of the worker that took over.
    """

    kind = peewee.CharField(max_length=32)  # import_order | notify_payment
    aggregate = peewee.CharField(max_length=64, index=True)  # e.g. the order number
    payload = JSONField()
    idempotency_key = peewee.CharField(max_length=191)
    status = peewee.CharField(max_length=16, default="pending", index=True)  # pending|in_flight|done|dead
    attempts = peewee.IntegerField(default=0)
    next_attempt_at = AwareDateTimeField(default=utcnow, index=True)
    locked_until = AwareDateTimeField(null=True)
    lease_token = peewee.CharField(max_length=32, default="")
    last_error = peewee.TextField(default="")
    # How a done row ended: imported | rejected | withdrawn (cancelled before it was sent).
    outcome = peewee.CharField(max_length=16, default="")
    created_at = AwareDateTimeField(default=utcnow)
    sent_at = AwareDateTimeField(null=True)  # first time a worker took it to send
    done_at = AwareDateTimeField(null=True)


class ErpOrder(BaseModel):
    """The ERP side of a platform order: import state, ERP number, stage.

    ``status``: ``queued`` (in the outbox), ``imported``, ``rejected`` (a 422:
    ``reason_code`` and ``details`` say why; the order was cancelled),
    ``dead`` (dead-lettered; staff must act), ``withdrawn`` (cancelled on
    the platform before it was sent). Production events move ``stage`` and
    ``stage_seq`` forward only.
    """

    order = peewee.ForeignKeyField(Order, primary_key=True, backref="erp", on_delete="CASCADE")
    status = peewee.CharField(max_length=16, default="queued")
    erp_order_no = peewee.CharField(max_length=64, default="")
    revision = peewee.IntegerField(default=1)
    reason_code = peewee.CharField(max_length=64, default="")
    reason = peewee.TextField(default="")
    details = JSONField(default=dict)
    stage = peewee.CharField(max_length=32, default="")
    stage_seq = peewee.IntegerField(default=0)
    imported_at = AwareDateTimeField(null=True)
    updated_at = AwareDateTimeField(default=utcnow)


class ErpGatewayState(BaseModel):
    """Shared state of the connection to the gateway (one row, ``name='erp'``).

    ``offline_since`` is set while the dispatcher considers the ERP offline;
    it then sends nothing and probes health once ``next_probe_at`` passes.
    ``runner_token`` / ``runner_until`` is the lease of the one dispatcher
    that may send at a time, so orders reach the ERP in outbox order.
    """

    name = peewee.CharField(max_length=16, primary_key=True)
    offline_since = AwareDateTimeField(null=True)
    next_probe_at = AwareDateTimeField(null=True)
    last_probe_at = AwareDateTimeField(null=True)
    last_error = peewee.TextField(default="")
    runner_token = peewee.CharField(max_length=32, default="")
    runner_until = AwareDateTimeField(null=True)
    last_dispatch_at = AwareDateTimeField(null=True)


class ProgressEvent(BaseModel):
    """A production or delivery milestone of an order, as the ERP reported it."""

    order = peewee.ForeignKeyField(Order, backref="erp_progress", on_delete="CASCADE")
    event_id = peewee.CharField(max_length=64, unique=True)
    stage = peewee.CharField(max_length=32)
    stage_seq = peewee.IntegerField()
    label = peewee.CharField(max_length=64, default="")
    note = peewee.TextField(default="")
    at = AwareDateTimeField()
    progress_pct = peewee.IntegerField(default=0)
    line_no = peewee.IntegerField(null=True)  # set when the ERP tracks lines separately


class Shipment(BaseModel):
    """A delivery note from the ERP with its package barcodes (JSON)."""

    shipment_no = peewee.CharField(max_length=64, unique=True)
    order = peewee.ForeignKeyField(Order, backref="erp_shipments", on_delete="CASCADE")
    carrier = peewee.CharField(max_length=64, default="")
    waybill_no = peewee.CharField(max_length=64, default="")
    packages = JSONField(default=list)
    shipped_at = AwareDateTimeField()
    erp_order_no = peewee.CharField(max_length=64, default="")
    lines = JSONField(default=list)  # [{line_no, sku, qty}] carried by this shipment


class LedgerEntry(BaseModel):
    """A customer ledger entry from the ERP (orders, payments, shipments)."""

    entry_id = peewee.CharField(max_length=64, unique=True)
    customer = peewee.ForeignKeyField(Customer, backref="erp_ledger", on_delete="CASCADE")
    kind = peewee.CharField(max_length=24)
    ref = peewee.CharField(max_length=64, default="")
    memo = peewee.TextField(default="")
    debit = peewee.BigIntegerField(default=0)
    credit = peewee.BigIntegerField(default=0)
    business_date = peewee.DateField()
    at = AwareDateTimeField()
    voided = peewee.BooleanField(default=False)
    goods = peewee.BigIntegerField(default=0)  # value of goods ordered or shipped (fen)
    balance = peewee.BigIntegerField(null=True)  # the dealer's balance after the entry (fen)
    order_no = peewee.CharField(max_length=64, default="")  # the platform order it concerns


class SeenNonce(BaseModel):
    """A push signature nonce seen in the last 600 s (replay protection).

    A table, so every web process shares it: the unique key makes "first
    time seen" atomic (EGP/1 §3.3 step 5).
    """

    key_id = peewee.CharField(max_length=64)
    nonce = peewee.CharField(max_length=32)
    expires_at = peewee.BigIntegerField(index=True)  # Unix seconds

    class Meta:
        indexes = ((("key_id", "nonce"), True),)


class ProductImageSync(BaseModel):
    """The ERP image keys of a product: wanted now, stored, and the images made from them.

    Pictures are fetched after the catalog page commits; ``pending`` marks a
    product whose ``wanted`` keys are not stored yet (retried on every sync).
    """

    product = peewee.ForeignKeyField(Product, primary_key=True, on_delete="CASCADE")
    wanted = JSONField(default=list)
    applied = JSONField(default=list)
    image_ids = JSONField(default=list)  # ProductImage ids the connector created
    pending = peewee.BooleanField(default=False, index=True)
    last_error = peewee.TextField(default="")
    updated_at = AwareDateTimeField(default=utcnow)


MODELS = [ErpBinding, SyncStream, SyncRun, SyncRejection, InboxEvent, OutboxMessage, ErpOrder, ProgressEvent,
          Shipment, LedgerEntry, ErpGatewayState,
          SeenNonce, ProductImageSync]
