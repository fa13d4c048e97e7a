"""The ``customers`` feed -> dealers (core ``Customer``).

Keyed by ``code``; an existing customer with the same code is adopted. The
ERP owns the discount rate, credit limit, balance, auto-pay and the active
flag. A tombstone, or absence from a full read, deactivates the customer.

The balance also moves with ``ledger.entry`` events; the binding's memo
keeps the ERP time of the balance applied last (``balance_at``), so neither
path can put an older balance over a newer one.
"""

from __future__ import annotations

from typing import Any

from core.models import Customer
from plugins.erp_yidiantong.models import ErpBinding
from plugins.erp_yidiantong.sync import values
from plugins.erp_yidiantong.sync.feeds.base import RowFeed

MODEL = "customer"


class CustomersFeed(RowFeed):
    model = MODEL

    def key(self, item: dict[str, Any]) -> str:
        return values.text(item, "code", 32)

    def apply(self, item: dict[str, Any], binding: ErpBinding | None) -> tuple[int, dict]:
        code = item["code"]
        updated_at = values.timestamp(item.get("updated_at"), "updated_at")
        fields = {
            "name": values.text(item, "name", 120),
            "province": values.optional_text(item, "province", 32),
            "city": values.optional_text(item, "city", 32),
            "address": values.optional_text(item, "address", 255),
            "contact": values.optional_text(item, "contact", 64),
            "phone": values.optional_text(item, "phone", 32),
            "discount_rate": values.rate(item, "discount_rate"),
            "credit_limit": values.integer(item, "credit_limit_fen", minimum=0),
            "auto_pay": values.boolean(item, "auto_pay", False),
            "active": values.boolean(item, "active", True),
        }
        balance = values.integer(item, "balance_fen", minimum=-values.MAX_FEN)
        memo = dict(binding.memo) if binding is not None else {}
        at = values.utc_text(updated_at)
        if at >= memo.get("balance_at", ""):
            fields["balance"] = balance
            memo["balance_at"] = at
        customer = Customer.get_or_none(Customer.code == code)
        if customer is None:
            customer = Customer.create(code=code, **{**fields, "balance": balance})
        else:
            if customer.discount_rate != fields["discount_rate"]:
                self.report.prices_changed = True
            Customer.update(**fields).where(Customer.id == customer.id).execute()
        return customer.id, memo

    def tombstone(self, item: dict[str, Any], binding: ErpBinding | None) -> bool:
        return _deactivate(item["code"])

    def deactivate(self, binding: ErpBinding) -> bool:
        return _deactivate(binding.external_id)


def _deactivate(code: str) -> bool:
    return bool(
        Customer.update(active=False).where((Customer.code == code) & (Customer.active == True)).execute()  # noqa: E712
    )
