"""The inbox: ERP events stored by id before anything is done with them.

Pushed and pulled events land here alike (``source`` says how). The event
id is the unique key, so an event delivered twice (push and pull, a
duplicated push, a re-read page) is stored once. An envelope that breaks
EGP/1 §4.4, or whose ``data`` lacks what its type needs, is refused with
the reason (a push answers it as ``rejected``; a pulled one is kept as
``failed`` so the back office shows it).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from peewee import fn

from core.db import utcnow
from core.errors import ValidationFailed
from core.http import require_text
from plugins.erp_yidiantong.egp.shapes import MAX_SEQ, EventEnvelope, is_int
from plugins.erp_yidiantong.models import InboxEvent

# What each known type's ``data`` must hold: field -> "str" | "int" | "list".
REQUIRED_DATA: dict[str, dict[str, str]] = {
    "order.accepted": {"platform_order_no": "str"},
    "order.revised": {"platform_order_no": "str"},
    "production.progress": {"platform_order_no": "str", "stage": "str", "stage_seq": "int"},
    "shipment.dispatched": {
        "shipment_no": "str",
        "platform_order_no": "str",
        "packages": "list",
        "lines": "list",
    },
    "ledger.entry": {"entry_no": "str", "customer_code": "str", "kind": "str", "amount_fen": "int"},
    "stock.changed": {"sku": "str", "version": "int"},
    "price.changed": {"customer_code": "str", "sku": "str", "grade": "str", "version": "int"},
    "list_price.changed": {"sku": "str", "grade": "str", "list_price_fen": "int", "product_version": "int"},
    "customer.changed": {"code": "str", "version": "int"},
}
_CHECKS = {
    "str": lambda v: isinstance(v, str) and v != "",
    "int": is_int,
    "list": lambda v: isinstance(v, list),
}


class InvalidEvent(ValueError):
    """An envelope that cannot be stored or applied as it is."""


def check_envelope(raw: Any) -> EventEnvelope:
    """Parse and check one envelope; raises :class:`InvalidEvent` with the reason."""
    try:
        envelope = EventEnvelope.from_json(raw)
    except ValueError as ex:
        raise InvalidEvent(str(ex)) from ex
    if not is_text(raw):
        raise InvalidEvent("the event holds characters that are not valid text")
    for name, kind in REQUIRED_DATA.get(envelope.type, {}).items():
        if not _CHECKS[kind](envelope.data.get(name)):
            raise InvalidEvent(f"data.{name} missing or not a{'n' if kind == 'int' else ''} {kind}")
    return envelope


@dataclass(frozen=True)
class Stored:
    """What became of one envelope: ``accepted`` (new), ``duplicate`` or ``rejected``."""

    event_id: str
    status: str
    error: str = ""


def is_seq(value: Any) -> bool:
    """A ``seq`` the inbox can store: an integer from 1 to :data:`MAX_SEQ`."""
    return is_int(value) and 1 <= value <= MAX_SEQ


def is_text(value: Any) -> bool:
    """True unless ``value`` holds lone surrogates (they cannot be stored)."""
    try:
        require_text(value, allow_nul=True)
    except ValidationFailed:
        return False
    return True


def last_seq(stream: str) -> int:
    """The highest ``seq`` stored for a stream (0 when none)."""
    return InboxEvent.select(fn.MAX(InboxEvent.seq)).where(InboxEvent.stream == stream).scalar() or 0


def store(raw_events: Iterable[Any], source: str) -> list[Stored]:
    """Store envelopes by id (call inside a write transaction); one result per envelope.

    Invalid envelopes are not stored; the caller decides what to do with them
    (see :func:`store_failed`).
    """
    parsed: list[tuple[Any, EventEnvelope | None, str]] = []
    for raw in raw_events:
        try:
            parsed.append((raw, check_envelope(raw), ""))
        except InvalidEvent as ex:
            parsed.append((raw, None, str(ex)))
    ids = [envelope.id for _, envelope, _ in parsed if envelope is not None]
    known = set()
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        known.update(
            e
            for (e,) in InboxEvent.select(InboxEvent.event_id).where(InboxEvent.event_id.in_(chunk)).tuples()
        )
    results: list[Stored] = []
    now = utcnow()
    for raw, envelope, error in parsed:
        if envelope is None:
            results.append(Stored(_raw_id(raw), "rejected", error))
            continue
        if envelope.id in known:
            results.append(Stored(envelope.id, "duplicate"))
            continue
        known.add(envelope.id)
        InboxEvent.insert(
            event_id=envelope.id,
            stream=envelope.stream,
            seq=envelope.seq,
            type=envelope.type,
            payload=envelope.to_json(),
            source=source,
            received_at=now,
        ).on_conflict_ignore().execute()
        results.append(Stored(envelope.id, "accepted"))
    return results


def store_failed(raw: Any, error: str, source: str) -> bool:
    """Keep a pulled envelope that cannot be applied, as ``failed`` (needs a usable id)."""
    event_id = _raw_id(raw)
    if not event_id or len(event_id) > 64 or not is_text(raw):
        return False
    data = raw if isinstance(raw, dict) else {}
    seq = data.get("seq") if is_seq(data.get("seq")) else 0
    InboxEvent.insert(
        event_id=event_id,
        stream=str(data.get("stream") or "").replace("\x00", "")[:32],
        seq=seq,
        type=str(data.get("type") or "").replace("\x00", "")[:64],
        payload=data,
        source=source,
        status="failed",
        processed_at=utcnow(),
        note=error[:2000],
    ).on_conflict_ignore().execute()
    return True


def _raw_id(raw: Any) -> str:
    """The envelope's id, or "" when there is none that can be stored or reported."""
    event_id = raw.get("id") if isinstance(raw, dict) else None
    if isinstance(event_id, str) and "\x00" not in event_id and is_text(event_id):
        return event_id
    return ""
