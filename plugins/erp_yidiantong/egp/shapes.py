"""EGP/1 vocabulary shared by the agent and the platform: codes and envelopes.

Everything here mirrors ``docs/erp-gateway.md``: the production stages, the
event streams and types, the feeds, the error codes with their HTTP status
and retry rule, and small dataclasses for a feed page, an error body and an
event envelope. Money is always integer fen; ``is_int`` checks a JSON amount.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from typing import Any

PROTOCOL = "EGP/1"
API_PREFIX = "/egp/v1"
PUSH_PATH = "/api/v1/erp/events"
PUSH_BATCH_MAX = 100
FEED_LIMIT_DEFAULT = 500
FEED_LIMIT_MAX = 5000
MAX_BODY_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Stage:
    """A production stage: its code, order, ERP label and progress."""

    code: str
    seq: int
    name: str
    progress_pct: int


STAGES: tuple[Stage, ...] = (
    Stage("review", 1, "审单", 5),
    Stage("scheduled", 2, "排产", 10),
    Stage("cutting", 3, "开料", 25),
    Stage("woodwork", 4, "木工", 45),
    Stage("finishing", 5, "油漆/软包", 65),
    Stage("packing", 6, "包装", 80),
    Stage("warehoused", 7, "入库", 90),
    Stage("shipped", 8, "发货", 100),
)
STAGE_BY_CODE = {s.code: s for s in STAGES}
STAGE_BY_SEQ = {s.seq: s for s in STAGES}
# An accepted order may get a new revision only before cutting starts.
LAST_REVISABLE_STAGE_SEQ = STAGE_BY_CODE["scheduled"].seq

# Event type -> the stream it belongs to (sequence numbers count per stream).
EVENT_TYPES: dict[str, str] = {
    "order.accepted": "orders",
    "order.revised": "orders",
    "order.cancelled": "orders",
    "production.progress": "production",
    "shipment.dispatched": "shipments",
    "ledger.entry": "ledger",
    "stock.changed": "stock",
    "price.changed": "prices",
    "list_price.changed": "prices",
    "customer.changed": "customers",
}
STREAMS: tuple[str, ...] = tuple(dict.fromkeys(EVENT_TYPES.values()))

# Pull feeds: GET {API_PREFIX}/feeds/{name}
FEEDS: tuple[str, ...] = (
    "categories",
    "catalog",
    "customers",
    "accounts",
    "rep-assignments",
    "prices",
    "stock",
    "events",
)

LEDGER_KINDS = ("opening", "order", "order_adjustment", "order_cancelled", "payment", "shipment")
# Reasons a platform gives when it cancels an order (EGP §5.9).
CANCEL_REASONS = ("customer_cancelled", "payment_timeout", "rejected", "other")
PAYMENT_CHANNELS = ("wechat", "alipay", "bank_transfer", "balance", "credit", "offline")
# Channels that bring new money: they credit the ledger. Paying from the
# balance or on credit moves no money; the order entry already charged it.
MONEY_IN_CHANNELS = ("wechat", "alipay", "bank_transfer", "offline")
ACCOUNT_ROLES = ("dealer", "rep")


@dataclass(frozen=True)
class ErrorCode:
    status: int
    retryable: bool
    meaning: str


ERROR_CODES: dict[str, ErrorCode] = {
    "INVALID_REQUEST": ErrorCode(400, False, "malformed JSON, a missing or wrong field (see details)"),
    "INVALID_CURSOR": ErrorCode(400, False, "the cursor was not issued by this feed"),
    "UNSIGNED": ErrorCode(401, False, "signature headers missing or malformed"),
    "UNKNOWN_KEY": ErrorCode(401, False, "the key id is not configured"),
    "BAD_SIGNATURE": ErrorCode(401, False, "the signature does not match"),
    "STALE": ErrorCode(401, False, "the timestamp is more than 300 s from the receiver's clock"),
    "REPLAY": ErrorCode(401, False, "the nonce was used in the last 600 s"),
    "NOT_FOUND": ErrorCode(404, False, "no such path or media key"),
    "ORDER_UNKNOWN": ErrorCode(404, False, "no ERP order for this platform order number"),
    "METHOD_NOT_ALLOWED": ErrorCode(405, False, "the path does not support the method"),
    "REVISION_CONFLICT": ErrorCode(409, False, "same Idempotency-Key, different body"),
    "REVISION_STALE": ErrorCode(409, False, "an older revision than the one the ERP holds"),
    "ORDER_LOCKED": ErrorCode(409, False, "production has started; the order cannot be revised or cancelled"),
    "ORDER_CANCELLED": ErrorCode(409, False, "the order was cancelled; it cannot be revised"),
    "PAYMENT_CONFLICT": ErrorCode(409, False, "same payment id, different body"),
    "CURSOR_EXPIRED": ErrorCode(410, False, "the cursor points before the retained history"),
    "PAYLOAD_TOO_LARGE": ErrorCode(413, False, "the body is larger than 1 MiB"),
    "UNSUPPORTED_MEDIA_TYPE": ErrorCode(415, False, "the body is not application/json"),
    "DEALER_UNKNOWN": ErrorCode(422, False, "no dealer (customer) with this code"),
    "SKU_UNKNOWN": ErrorCode(422, False, "no product with this SKU"),
    "OPTION_UNKNOWN": ErrorCode(422, False, "an option group or value the product does not have"),
    "DISCONTINUED": ErrorCode(422, False, "the product can no longer be ordered"),
    "PRICE_MISMATCH": ErrorCode(422, False, "a unit price differs from the ERP's current price"),
    "CREDIT_LIMIT": ErrorCode(422, False, "the unpaid amount exceeds the dealer's available credit"),
    "RATE_LIMITED": ErrorCode(429, True, "too many requests; wait retry_after seconds"),
    "INTERNAL_ERROR": ErrorCode(500, True, "the agent failed; the outcome of a write is unknown"),
    "ERP_OFFLINE": ErrorCode(503, True, "the ERP behind the agent is unreachable; nothing was done"),
}
BUSINESS_REJECTIONS = tuple(code for code, spec in ERROR_CODES.items() if spec.status == 422)


def is_int(value: Any) -> bool:
    """True for a JSON integer (amounts of fen, seq); ``bool`` is not one here."""
    return isinstance(value, int) and not isinstance(value, bool)


def canonical_json(value: Any) -> bytes:
    """The JSON bytes used to compare bodies: sorted keys, no spaces, UTF-8."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def dump_json(value: Any) -> bytes:
    """Compact UTF-8 JSON for the wire."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_event_id(now: float | None = None) -> str:
    """A ULID: 26 Crockford base-32 characters, sortable by creation time."""
    millis = int((time.time() if now is None else now) * 1000)
    value = (millis << 80) | int.from_bytes(os.urandom(10), "big")
    chars = []
    for _ in range(26):
        chars.append(_CROCKFORD[value & 31])
        value >>= 5
    return "".join(reversed(chars))


@dataclass(frozen=True)
class ErrorBody:
    """``{"code", "message", "retryable", "retry_after"?, "details"?}``."""

    code: str
    message: str
    retryable: bool = False
    retry_after: int | None = None
    details: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "message": self.message, "retryable": self.retryable}
        if self.retry_after is not None:
            out["retry_after"] = self.retry_after
        if self.details:
            out["details"] = self.details
        return out

    @classmethod
    def from_json(cls, data: Any) -> ErrorBody | None:
        """Parse an error body; ``None`` when ``data`` is not one."""
        if not isinstance(data, dict) or not isinstance(data.get("code"), str):
            return None
        retry_after = data.get("retry_after")
        details = data.get("details")
        return cls(
            code=data["code"],
            message=str(data.get("message", "")),
            retryable=bool(data.get("retryable", False)),
            retry_after=retry_after if is_int(retry_after) else None,
            details=details if isinstance(details, dict) else {},
        )


@dataclass(frozen=True)
class Page:
    """One page of a feed: ``{"items", "next_cursor", "has_more"}``.

    ``next_cursor`` is opaque; keep it even when ``has_more`` is false, it is
    where the next incremental read starts.
    """

    items: list[dict[str, Any]]
    next_cursor: str
    has_more: bool

    def to_json(self) -> dict[str, Any]:
        return {"items": self.items, "next_cursor": self.next_cursor, "has_more": self.has_more}

    @classmethod
    def from_json(cls, data: Any) -> Page:
        """Parse a page; raises ValueError when the shape is wrong."""
        if not isinstance(data, dict):
            raise ValueError("a page must be a JSON object")
        items, cursor, has_more = data.get("items"), data.get("next_cursor"), data.get("has_more")
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise ValueError("page.items must be a list of objects")
        if not isinstance(cursor, str) or not cursor:
            raise ValueError("page.next_cursor must be a non-empty string")
        if not isinstance(has_more, bool):
            raise ValueError("page.has_more must be a boolean")
        return cls(items, cursor, has_more)


# What an envelope's fields may hold (§4.4): seq is a signed 64-bit integer.
MAX_SEQ = 2**63 - 1
MAX_EVENT_TYPE = 64
MAX_EVENT_STREAM = 32


@dataclass(frozen=True)
class EventEnvelope:
    """``{"id", "type", "stream", "seq", "occurred_at", "data"}``."""

    id: str
    type: str
    stream: str
    seq: int
    occurred_at: str
    data: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": self.type,
            "stream": self.stream,
            "seq": self.seq,
            "occurred_at": self.occurred_at,
            "data": self.data,
        }

    @classmethod
    def from_json(cls, data: Any) -> EventEnvelope:
        """Parse an envelope; raises ValueError naming the first bad field."""
        if not isinstance(data, dict):
            raise ValueError("an event must be a JSON object")
        for name in ("id", "type", "stream", "occurred_at"):
            if not isinstance(data.get(name), str) or not data[name]:
                raise ValueError(f"event.{name} must be a non-empty string")
        for name, longest in (("id", 64), ("type", MAX_EVENT_TYPE), ("stream", MAX_EVENT_STREAM)):
            if len(data[name]) > longest:
                raise ValueError(f"event.{name} must be at most {longest} characters")
            if "\x00" in data[name]:  # stored in text columns; PostgreSQL refuses NUL
                raise ValueError(f"event.{name} must not contain NUL characters")
        seq = data.get("seq")
        if not is_int(seq) or seq < 1:
            raise ValueError("event.seq must be a positive integer")
        if seq > MAX_SEQ:
            raise ValueError(f"event.seq must be at most {MAX_SEQ}")
        if not isinstance(data.get("data"), dict):
            raise ValueError("event.data must be an object")
        return cls(data["id"], data["type"], data["stream"], seq, data["occurred_at"], data["data"])
