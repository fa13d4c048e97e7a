"""The ``accounts`` feed -> dealer and rep logins (core ``User``).

Passwords arrive as argon2id PHC hashes and are stored as they are (the
platform verifies any argon2id parameters). EGP/1 §5.2 rules:

* a new account takes the ERP's hash; ``password: null`` gives an account
  without a usable password (staff send an invite);
* afterwards the hash is applied only when ``password.set_at`` is later
  than the ``set_at`` applied last (kept on the binding's memo), so a
  dealer who changed the password on the platform keeps it until the ERP
  sets a new one;
* another scheme is refused (the row is reported and skipped).

Platform staff (support, finance, admin) are never in this feed: a row
naming a staff username is refused rather than turning staff into a dealer.
A tombstone, or absence from a full read, deactivates the login.
"""

from __future__ import annotations

from typing import Any

import argon2

from core.models import STAFF_ROLES, Customer, User
from plugins.erp_yidiantong.models import ErpBinding
from plugins.erp_yidiantong.sync import values
from plugins.erp_yidiantong.sync.feeds.base import RowFeed
from plugins.erp_yidiantong.sync.report import RowRejected

MODEL = "user"
ROLES = ("dealer", "rep")
# Not a PHC string: verify_password answers False for it, so nobody can log in.
NO_PASSWORD = "!erp-account-without-password"


def parse_password(item: dict[str, Any]) -> tuple[str, str] | None:
    """(hash, set_at as UTC text) of the item's password, ``None`` for ``password: null``."""
    password = item.get("password")
    if password is None:
        return None
    if not isinstance(password, dict):
        raise RowRejected("password must be an object or null")
    if password.get("scheme") != "argon2id":
        raise RowRejected(f"password scheme {password.get('scheme')!r} is not accepted (argon2id only)")
    phc = values.text(password, "hash", 255)
    try:
        if argon2.extract_parameters(phc).type is not argon2.Type.ID:
            raise RowRejected("password.hash is not an argon2id hash")
    except argon2.exceptions.InvalidHashError as ex:
        raise RowRejected("password.hash is not a valid argon2id PHC string") from ex
    set_at = values.timestamp(password.get("set_at"), "password.set_at")
    return phc, values.utc_text(set_at)


class AccountsFeed(RowFeed):
    model = MODEL

    def key(self, item: dict[str, Any]) -> str:
        return values.text(item, "username", 64)

    def apply(self, item: dict[str, Any], binding: ErpBinding | None) -> tuple[int, dict]:
        username = item["username"]
        role = values.text(item, "role", 16)
        if role not in ROLES:
            raise RowRejected(f"role must be one of {', '.join(ROLES)}")
        customer_id = None
        if role == "dealer":
            code = values.text(item, "customer_code", 32)
            customer = Customer.get_or_none(Customer.code == code)
            if customer is None:
                raise RowRejected(f"unknown customer {code}")
            customer_id = customer.id
        password = parse_password(item)
        fields = {
            "display_name": values.optional_text(item, "display_name", 64) or username,
            "role": role,
            "customer": customer_id,
            "phone": values.optional_text(item, "phone", 32),
            "active": values.boolean(item, "active", True),
        }
        memo = dict(binding.memo) if binding is not None else {}
        user = User.get_or_none(User.username == username)
        if user is not None and user.role in STAFF_ROLES:
            raise RowRejected(f"{username} is a platform {user.role} account, not an ERP login")
        if user is None:
            user = User.create(
                username=username, password_hash=password[0] if password else NO_PASSWORD, **fields
            )
            if password:
                memo["set_at"] = password[1]
            return user.id, memo
        if password is not None and password[1] > memo.get("set_at", ""):
            fields["password_hash"] = password[0]
            memo["set_at"] = password[1]
        User.update(**fields).where(User.id == user.id).execute()
        return user.id, memo

    def tombstone(self, item: dict[str, Any], binding: ErpBinding | None) -> bool:
        return _deactivate(item["username"])

    def deactivate(self, binding: ErpBinding) -> bool:
        return _deactivate(binding.external_id)


def _deactivate(username: str) -> bool:
    return bool(
        User.update(active=False)
        .where((User.username == username) & (User.active == True) & User.role.in_(ROLES))  # noqa: E712
        .execute()
    )
