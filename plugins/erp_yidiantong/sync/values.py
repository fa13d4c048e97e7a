"""Reading fields of ERP feed items and event data, strictly.

The ERP is another system: every field is checked for type and size before
it reaches a model, and a bad one raises :class:`RowRejected` naming the
field, so the row is reported and skipped instead of failing the page.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from plugins.erp_yidiantong.egp.shapes import is_int
from plugins.erp_yidiantong.sync.report import RowRejected

MAX_FEN = 10**13  # a hundred billion yuan: beyond any real amount, inside BIGINT


def text(
    item: Mapping[str, Any], name: str, max_len: int, *, required: bool = True, default: str = ""
) -> str:
    """A string field of at most ``max_len`` characters (``None`` is the default when optional)."""
    value = item.get(name)
    if value is None and not required:
        return default
    if not isinstance(value, str) or (required and not value):
        raise RowRejected(f"{name} must be a non-empty string" if required else f"{name} must be a string")
    if len(value) > max_len:
        raise RowRejected(f"{name} is longer than {max_len} characters")
    if "\x00" in value:
        raise RowRejected(f"{name} contains a NUL character")
    return value


def optional_text(item: Mapping[str, Any], name: str, max_len: int) -> str:
    """A string field that may be missing, null or empty."""
    return text(item, name, max_len, required=False)


def integer(
    item: Mapping[str, Any], name: str, *, minimum: int | None = None, maximum: int | None = MAX_FEN
) -> int:
    value = item.get(name)
    if not is_int(value):
        raise RowRejected(f"{name} must be an integer")
    if minimum is not None and value < minimum:
        raise RowRejected(f"{name} must be at least {minimum}")
    if maximum is not None and value > maximum:
        raise RowRejected(f"{name} must be at most {maximum}")
    return value


def optional_integer(item: Mapping[str, Any], name: str, *, minimum: int | None = None) -> int | None:
    if item.get(name) is None:
        return None
    return integer(item, name, minimum=minimum)


def boolean(item: Mapping[str, Any], name: str, default: bool | None = None) -> bool:
    value = item.get(name, default)
    if not isinstance(value, bool):
        raise RowRejected(f"{name} must be true or false")
    return value


def rate(item: Mapping[str, Any], name: str) -> Decimal:
    """A discount rate: a decimal string with 0 < rate <= 1 and at most 4 decimals."""
    value = item.get(name)
    if not isinstance(value, str):
        raise RowRejected(f'{name} must be a decimal string such as "0.85"')
    try:
        number = Decimal(value)
    except InvalidOperation as ex:
        raise RowRejected(f"{name} is not a decimal: {value!r}") from ex
    if not number.is_finite() or not Decimal(0) < number <= Decimal(1):
        raise RowRejected(f"{name} must be above 0 and at most 1")
    if number != number.quantize(Decimal("0.0001")):
        raise RowRejected(f"{name} has more than 4 decimals")
    return number


def timestamp(value: Any, name: str) -> dt.datetime:
    """An RFC 3339 time with an offset."""
    if not isinstance(value, str):
        raise RowRejected(f"{name} must be an RFC 3339 time")
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as ex:
        raise RowRejected(f"{name} is not an RFC 3339 time: {value!r}") from ex
    if parsed.tzinfo is None:
        raise RowRejected(f"{name} has no UTC offset")
    return parsed


def utc_text(at: dt.datetime) -> str:
    """A fixed-width UTC text of an aware time: such texts compare in time order."""
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def version(item: Mapping[str, Any]) -> int:
    return integer(item, "version", minimum=1, maximum=2**62)


def deleted(item: Mapping[str, Any]) -> bool:
    return boolean(item, "deleted", False)


def key_of(*parts: str) -> str:
    """An external id made of several codes (unambiguous whatever the codes hold)."""
    return json.dumps(list(parts), ensure_ascii=False, separators=(",", ":"))
