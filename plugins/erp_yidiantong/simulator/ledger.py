"""The dealer ledger: every posting moves the balance and becomes an event.

``amount_fen`` is signed in the dealer's favour (a payment is +, an order
is -), ``balance_fen`` is the balance after the entry, ``goods_fen`` the
value of goods ordered or shipped (a shipment moves no money).
"""

from __future__ import annotations

from typing import Any

from plugins.erp_yidiantong.simulator.db import now_utc, to_rfc3339
from plugins.erp_yidiantong.simulator.models import SimCustomer, SimLedgerEntry
from plugins.erp_yidiantong.simulator.store import append_event, business_date, next_value, touch


def entry_item(entry: SimLedgerEntry) -> dict[str, Any]:
    """The ``ledger.entry`` event data of an entry."""
    return {
        "entry_no": entry.entry_no,
        "customer_code": entry.customer_code,
        "kind": entry.kind,
        "amount_fen": entry.amount_fen,
        "goods_fen": entry.goods_fen,
        "balance_fen": entry.balance_fen,
        "platform_order_no": entry.platform_order_no or None,
        "erp_order_no": entry.erp_order_no or None,
        "payment_id": entry.payment_id or None,
        "shipment_no": entry.shipment_no or None,
        "memo": entry.memo,
        "business_date": business_date(entry.occurred_at),
        "occurred_at": to_rfc3339(entry.occurred_at),
    }


def post_entry(
    customer: SimCustomer,
    kind: str,
    amount_fen: int,
    *,
    goods_fen: int = 0,
    memo: str = "",
    push: bool = True,
    **refs: str,
) -> SimLedgerEntry:
    """Post one entry for ``customer`` (inside a write transaction).

    ``refs``: platform_order_no, erp_order_no, payment_id, shipment_no.
    """
    now = now_utc()
    number = next_value("ledger")
    balance = customer.balance_fen + amount_fen
    if amount_fen:
        touch(customer, balance_fen=balance)
    entry = SimLedgerEntry.create(
        entry_no=f"AR{number:08d}",
        customer_code=customer.code,
        kind=kind,
        amount_fen=amount_fen,
        goods_fen=goods_fen,
        balance_fen=balance,
        memo=memo,
        occurred_at=now,
        **refs,
    )
    append_event("ledger.entry", entry_item(entry), push=push)
    return entry
