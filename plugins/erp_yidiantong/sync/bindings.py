"""Bindings: which local record an ERP record became, at which ERP version.

One :class:`ErpBinding` row per ERP record (``model`` + ``external_id``).
An item is applied only when its ``version`` is greater than the binding's
(:func:`is_newer`); a tombstone keeps its binding with ``deleted`` so an
older copy arriving late cannot bring the record back.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from core.db import utcnow
from plugins.erp_yidiantong.models import ErpBinding

CHUNK = 400


def load(model: str, external_ids: Iterable[str]) -> dict[str, ErpBinding]:
    """The bindings of these ERP records, by external id (a query per 400 ids)."""
    ids = list(dict.fromkeys(external_ids))
    found: dict[str, ErpBinding] = {}
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        query = ErpBinding.select().where((ErpBinding.model == model) & ErpBinding.external_id.in_(chunk))
        found.update({row.external_id: row for row in query})
    return found


def get(model: str, external_id: str) -> ErpBinding | None:
    return ErpBinding.get_or_none((ErpBinding.model == model) & (ErpBinding.external_id == external_id))


def is_newer(binding: ErpBinding | None, version: int) -> bool:
    """True when ``version`` is newer than what the binding applied (older or equal never wins)."""
    return binding is None or version > binding.external_version


def save(
    binding: ErpBinding | None,
    model: str,
    external_id: str,
    *,
    local_id: int | None,
    version: int,
    deleted: bool,
    memo: dict[str, Any] | None = None,
) -> ErpBinding:
    """Record that ``external_id`` at ``version`` is applied (call inside the row's transaction)."""
    now = utcnow()
    if binding is None:
        return ErpBinding.create(
            model=model,
            external_id=external_id,
            local_id=local_id,
            external_version=version,
            deleted=deleted,
            synced_at=now,
            memo=memo or {},
        )
    binding.local_id = local_id
    binding.external_version = version
    binding.deleted = deleted
    binding.synced_at = now
    if memo is not None:
        binding.memo = memo
    binding.save()
    return binding


def active_bindings(model: str) -> Iterable[ErpBinding]:
    """Every binding of ``model`` that is not a tombstone (for a full reconcile)."""
    return ErpBinding.select().where((ErpBinding.model == model) & (ErpBinding.deleted == False))  # noqa: E712


def mark_deleted(binding: ErpBinding) -> None:
    ErpBinding.update(deleted=True, synced_at=utcnow()).where(ErpBinding.id == binding.id).execute()
