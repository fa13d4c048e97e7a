"""``ledger.entry`` events -> the dealer's ERP ledger (:class:`LedgerEntry`).

Entries are keyed by ``entry_no`` and never change (a correction is a new
entry), so a duplicate is ignored. ``amount_fen`` is signed in the dealer's
favour: a payment is a credit, an order a debit; a shipment moves no money
(``goods`` holds the value shipped). The entry's ``balance_fen`` also
updates the customer's balance, but only when it is newer than the balance
applied last (the customers feed brings balances too; the binding's memo
keeps the ERP time of the latest one).

The entry is always its dealer's (``customer_code``). It names a platform
order (``order_no``) only when the ERP order it concerns is that order:
:mod:`..events` checks that and applies an entry of another ERP order under
the same number with ``linked=False`` — in its dealer's ledger, referenced
by the ERP's order number, not by the platform's.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from core.models import Customer
from plugins.erp_yidiantong.models import LedgerEntry
from plugins.erp_yidiantong.sync import bindings, values
from plugins.erp_yidiantong.sync.feeds.customers import MODEL as CUSTOMER_MODEL
from plugins.erp_yidiantong.sync.report import RowRejected, RunReport

APPLIED, IGNORED = "applied", "ignored"


class RetryLater(Exception):
    """The event needs something the platform does not have yet; keep it pending."""


def _business_date(data: dict[str, Any], occurred: dt.datetime) -> dt.date:
    text = data.get("business_date")
    if text is None:
        return occurred.date()
    try:
        return dt.date.fromisoformat(text)
    except (TypeError, ValueError) as ex:
        raise RowRejected("business_date must be YYYY-MM-DD") from ex


def apply_ledger_entry(
    ctx, envelope: dict[str, Any], report: RunReport, *, linked: bool = True
) -> tuple[str, str]:
    """Record the entry (once, by ``entry_no``); ``linked=False`` leaves out its platform order."""
    data = envelope["data"]
    entry_no = values.text(data, "entry_no", 64)
    customer = Customer.get_or_none(Customer.code == data["customer_code"])
    if customer is None:
        raise RetryLater(f"unknown customer {data['customer_code']} (waiting for the customers feed)")
    if LedgerEntry.select().where(LedgerEntry.entry_id == entry_no).exists():
        return IGNORED, f"entry {entry_no} already recorded"
    amount = values.integer(data, "amount_fen", minimum=-values.MAX_FEN)
    occurred = values.timestamp(data.get("occurred_at") or envelope["occurred_at"], "occurred_at")
    balance = values.optional_integer(data, "balance_fen", minimum=-values.MAX_FEN)
    order_no = values.optional_text(data, "platform_order_no", 64) if linked else ""
    ref = (
        values.optional_text(data, "payment_id", 64)
        or values.optional_text(data, "shipment_no", 64)
        or order_no
        or ("" if linked else values.optional_text(data, "erp_order_no", 64))
        or entry_no
    )
    LedgerEntry.insert(
        entry_id=entry_no,
        customer=customer.id,
        kind=values.text(data, "kind", 24),
        ref=ref,
        memo=values.optional_text(data, "memo", 2000),
        debit=max(0, -amount),
        credit=max(0, amount),
        goods=values.optional_integer(data, "goods_fen") or 0,
        balance=balance,
        order_no=order_no,
        business_date=_business_date(data, occurred),
        at=occurred,
    ).on_conflict_ignore().execute()
    if balance is not None:
        _apply_balance(customer, balance, occurred)
    return APPLIED, ""


def _apply_balance(customer: Customer, balance: int, occurred: dt.datetime) -> None:
    binding = bindings.get(CUSTOMER_MODEL, customer.code)
    if binding is None:
        return  # a customer the ERP feed never listed: its balance is the platform's
    at = values.utc_text(occurred)
    if at <= binding.memo.get("balance_at", ""):
        return
    Customer.update(balance=balance).where(Customer.id == customer.id).execute()
    binding.memo = {**binding.memo, "balance_at": at}
    binding.save()
