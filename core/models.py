"""Core records: customers (dealer companies), users, rep assignments, sessions.

Plus the bookkeeping tables of the framework itself: plugin schema state,
applied migrations and idempotency keys.
"""

from __future__ import annotations

from decimal import Decimal

import peewee

from core.db import AwareDateTimeField, BaseModel, utcnow

ROLES = ("dealer", "rep", "support", "finance", "admin")
STAFF_ROLES = ("support", "finance", "admin")


class Customer(BaseModel):
    """A dealer company: the party that orders, pays and gets a statement."""

    code = peewee.CharField(max_length=32, unique=True)  # the ERP customer code
    name = peewee.CharField(max_length=120)
    province = peewee.CharField(max_length=32, default="")
    city = peewee.CharField(max_length=32, default="")
    address = peewee.CharField(max_length=255, default="")
    contact = peewee.CharField(max_length=64, default="")
    phone = peewee.CharField(max_length=32, default="")
    discount_rate = peewee.DecimalField(max_digits=6, decimal_places=4, default=Decimal("1"))
    credit_limit = peewee.BigIntegerField(default=0)  # fen
    balance = peewee.BigIntegerField(default=0)  # fen, prepaid balance (positive = credit to the dealer)
    auto_pay = peewee.BooleanField(default=False)
    active = peewee.BooleanField(default=True)
    created_at = AwareDateTimeField(default=utcnow)

    def summary(self) -> dict:
        return {"id": self.id, "code": self.code, "name": self.name}


class User(BaseModel):
    username = peewee.CharField(max_length=64, unique=True)
    password_hash = peewee.CharField(max_length=255)
    display_name = peewee.CharField(max_length=64, default="")
    role = peewee.CharField(max_length=16, index=True)
    customer = peewee.ForeignKeyField(Customer, null=True, backref="users", on_delete="RESTRICT")
    phone = peewee.CharField(max_length=32, default="")
    active = peewee.BooleanField(default=True)
    created_at = AwareDateTimeField(default=utcnow)

    def public(self) -> dict:
        return {
            "id": self.id,
            "username": self.username,
            "display_name": self.display_name,
            "role": self.role,
            "customer_id": self.customer_id,
        }


class RepAssignment(BaseModel):
    rep = peewee.ForeignKeyField(User, backref="assignments", on_delete="CASCADE")
    customer = peewee.ForeignKeyField(Customer, backref="reps", on_delete="CASCADE")

    class Meta:
        indexes = ((("rep", "customer"), True),)


class Session(BaseModel):
    """A login: a bearer token (stored hashed) and the cookie's CSRF token."""

    token_hash = peewee.CharField(max_length=64, unique=True)
    user = peewee.ForeignKeyField(User, backref="sessions", on_delete="CASCADE")
    csrf_token = peewee.CharField(max_length=64)
    acting_customer = peewee.ForeignKeyField(Customer, null=True, on_delete="SET NULL")
    created_at = AwareDateTimeField(default=utcnow)
    expires_at = AwareDateTimeField()
    last_seen_at = AwareDateTimeField(default=utcnow)


class LoginAttempt(BaseModel):
    """Failed logins, counted per username and per client address."""

    username = peewee.CharField(max_length=64, index=True)
    remote_addr = peewee.CharField(max_length=64, index=True)
    at = AwareDateTimeField(default=utcnow, index=True)


class IdempotencyKey(BaseModel):
    """The answer given to a request carrying an ``Idempotency-Key`` header.

    Scoped by user and operation; ``request_hash`` detects a reused key with
    a different body (409).
    """

    scope = peewee.CharField(max_length=64)
    user = peewee.ForeignKeyField(User, on_delete="CASCADE")
    key = peewee.CharField(max_length=128)
    request_hash = peewee.CharField(max_length=64)
    resource_ref = peewee.CharField(max_length=64)
    created_at = AwareDateTimeField(default=utcnow)

    class Meta:
        indexes = ((("scope", "user", "key"), True),)


class PluginState(BaseModel):
    """Which plugins are installed in this database, at which version."""

    name = peewee.CharField(max_length=64, primary_key=True)
    version = peewee.CharField(max_length=32)
    installed_at = AwareDateTimeField(default=utcnow)
    updated_at = AwareDateTimeField(default=utcnow)


class AppliedMigration(BaseModel):
    plugin = peewee.CharField(max_length=64)
    name = peewee.CharField(max_length=128)
    applied_at = AwareDateTimeField(default=utcnow)

    class Meta:
        indexes = ((("plugin", "name"), True),)


CORE_MODELS = [Customer, User, RepAssignment, Session, LoginAttempt, IdempotencyKey]
FRAMEWORK_MODELS = [PluginState, AppliedMigration]
