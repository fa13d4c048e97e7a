"""The ``categories`` feed -> catalog categories (two levels in the demo).

Keyed by ``code`` (local codes are unique, so an existing category with the
same code is adopted). A ``parent_code`` the platform does not know yet is
remembered on the binding and linked as soon as the parent arrives. A
tombstone, or absence from a full read, makes the category inactive.
"""

from __future__ import annotations

from typing import Any

from plugins.catalog.models import Category
from plugins.erp_yidiantong.models import ErpBinding
from plugins.erp_yidiantong.sync import values
from plugins.erp_yidiantong.sync.feeds.base import RowFeed
from plugins.erp_yidiantong.sync.report import RunReport

MODEL = "category"


class CategoriesFeed(RowFeed):
    model = MODEL

    def key(self, item: dict[str, Any]) -> str:
        return values.text(item, "code", 64)

    def apply(self, item: dict[str, Any], binding: ErpBinding | None) -> tuple[int, dict]:
        code = item["code"]
        fields = {
            "name": values.text(item, "name", 64),
            "sort": values.optional_integer(item, "sort") or 0,
            "active": values.boolean(item, "active", True),
        }
        parent_code = values.text(item, "parent_code", 64, required=False) or None
        if parent_code == code:
            parent_code = None
        parent = Category.get_or_none(Category.code == parent_code) if parent_code else None
        fields["parent"] = parent.id if parent is not None else None
        category = Category.get_or_none(Category.code == code)
        if category is None:
            category = Category.create(code=code, **fields)
        else:
            Category.update(**fields).where(Category.id == category.id).execute()
        memo = {"parent_code": parent_code} if parent_code and parent is None else {}
        return category.id, memo

    def tombstone(self, item: dict[str, Any], binding: ErpBinding | None) -> bool:
        return _deactivate(item["code"])

    def deactivate(self, binding: ErpBinding) -> bool:
        return _deactivate(binding.external_id)

    def after_commit(self, report: RunReport) -> None:
        link_waiting_parents()


def _deactivate(code: str) -> bool:
    return bool(
        Category.update(active=False).where((Category.code == code) & (Category.active == True)).execute()  # noqa: E712
    )


def link_waiting_parents() -> int:
    """Link categories whose parent arrived after them; returns how many were linked."""
    from core.db import write_transaction

    linked = 0
    waiting = [b for b in ErpBinding.select().where(ErpBinding.model == MODEL) if b.memo.get("parent_code")]
    if not waiting:
        return 0
    with write_transaction():
        for binding in waiting:
            parent = Category.get_or_none(Category.code == binding.memo["parent_code"])
            if parent is None:
                continue
            Category.update(parent=parent.id).where(Category.code == binding.external_id).execute()
            ErpBinding.update(memo={}).where(ErpBinding.id == binding.id).execute()
            linked += 1
    return linked
