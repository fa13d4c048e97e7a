"""The ``rep-assignments`` feed -> which dealers a rep serves (core ``RepAssignment``).

Keyed by (``rep_username``, ``customer_code``). An unassignment arrives as a
tombstone and removes the assignment (an assignment is a relation, not a
record with a history: the binding keeps the tombstone's version).
"""

from __future__ import annotations

import json
from typing import Any

from core.models import Customer, RepAssignment, User
from plugins.erp_yidiantong.models import ErpBinding
from plugins.erp_yidiantong.sync import values
from plugins.erp_yidiantong.sync.feeds.base import RowFeed
from plugins.erp_yidiantong.sync.report import RowRejected

MODEL = "rep_assignment"


def _parts(key: str) -> tuple[str, str]:
    rep, customer = json.loads(key)
    return rep, customer


class AssignmentsFeed(RowFeed):
    model = MODEL

    def key(self, item: dict[str, Any]) -> str:
        return values.key_of(values.text(item, "rep_username", 64), values.text(item, "customer_code", 32))

    def apply(self, item: dict[str, Any], binding: ErpBinding | None) -> tuple[int, None]:
        rep = User.get_or_none((User.username == item["rep_username"]) & (User.role == "rep"))
        if rep is None:
            raise RowRejected(f"no rep {item['rep_username']} on the platform")
        customer = Customer.get_or_none(Customer.code == item["customer_code"])
        if customer is None:
            raise RowRejected(f"unknown customer {item['customer_code']}")
        RepAssignment.insert(rep=rep.id, customer=customer.id).on_conflict_ignore().execute()
        row = RepAssignment.get((RepAssignment.rep == rep.id) & (RepAssignment.customer == customer.id))
        return row.id, None

    def tombstone(self, item: dict[str, Any], binding: ErpBinding | None) -> bool:
        return _unassign(item["rep_username"], item["customer_code"])

    def deactivate(self, binding: ErpBinding) -> bool:
        return _unassign(*_parts(binding.external_id))


def _unassign(rep_username: str, customer_code: str) -> bool:
    rep = User.get_or_none(User.username == rep_username)
    customer = Customer.get_or_none(Customer.code == customer_code)
    if rep is None or customer is None:
        return False
    return bool(
        RepAssignment.delete()
        .where((RepAssignment.rep == rep.id) & (RepAssignment.customer == customer.id))
        .execute()
    )
