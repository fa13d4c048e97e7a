"""The pull feeds: item shapes and keyset pagination by opaque cursor.

A master-data feed lists rows by ``change_seq``: a row appears once, at the
position of its latest change, so reading from the start gives the full
current state (tombstones included) and reading from a saved cursor gives
what changed since. The cursor is ``base64url({"f": feed, "p": position})``
— opaque to clients, checked here. Pages are one indexed range scan
(``change_seq > p ORDER BY change_seq LIMIT n+1``), so page cost does not
grow with the feed's length.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import peewee

from plugins.erp_yidiantong.egp.shapes import FEED_LIMIT_DEFAULT, FEED_LIMIT_MAX, Page, dump_json
from plugins.erp_yidiantong.simulator.db import sim_database, to_rfc3339
from plugins.erp_yidiantong.simulator.errors import SimError
from plugins.erp_yidiantong.simulator.models import (
    FEED_MODELS,
    SimAccount,
    SimCategory,
    SimCustomer,
    SimCustomerPrice,
    SimEvent,
    SimProduct,
    SimRepAssignment,
    SimStock,
)

_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*(\.\*)?$")


def rate_text(rate: Decimal) -> str:
    """A discount rate as a plain decimal string: Decimal('0.8500') -> '0.85'."""
    text = format(Decimal(rate).normalize(), "f")
    return text if "." in text else f"{text}.0"


def _common(row: dict[str, Any]) -> dict[str, Any]:
    return {"version": row["version"], "updated_at": to_rfc3339(row["updated_at"]), "deleted": row["deleted"]}


def category_item(row: dict[str, Any]) -> dict[str, Any]:
    item = {"code": row["code"]}
    if not row["deleted"]:
        item.update(name=row["name"], parent_code=row["parent_code"], sort=row["sort"], active=row["active"])
    return {**item, **_common(row)}


def product_item(row: dict[str, Any]) -> dict[str, Any]:
    item: dict[str, Any] = {"sku": row["sku"]}
    if not row["deleted"]:
        grade_group = row["grade_group_code"]
        item.update(
            name=row["name"],
            category_code=row["category_code"],
            spec=row["spec"],
            width_mm=row["width_mm"],
            depth_mm=row["depth_mm"],
            height_mm=row["height_mm"],
            uom=row["uom"],
            description=row["description"],
            status=row["status"],
            published=row["published"],
            custom_only=row["custom_only"],
            grade_group_code=grade_group,
            option_groups=row["option_groups"],
            list_prices=[
                {"grade": grade, "list_price_fen": fen} for grade, fen in row["list_prices"].items()
            ],
            price_list_version=row["price_list_version"],
            packages=row["packages"],
            stock_mode=row["stock_mode"],
            image_keys=row["image_keys"],
            weight_kg=row["weight_kg"],
            volume_m3=row["volume_m3"],
        )
    return {**item, **_common(row)}


def customer_item(row: dict[str, Any]) -> dict[str, Any]:
    item: dict[str, Any] = {"code": row["code"]}
    if not row["deleted"]:
        item.update(
            name=row["name"],
            province=row["province"],
            city=row["city"],
            address=row["address"],
            contact=row["contact"],
            phone=row["phone"],
            discount_rate=rate_text(row["discount_rate"]),
            credit_limit_fen=row["credit_limit_fen"],
            balance_fen=row["balance_fen"],
            auto_pay=row["auto_pay"],
            active=row["active"],
        )
    return {**item, **_common(row)}


def account_item(row: dict[str, Any]) -> dict[str, Any]:
    item: dict[str, Any] = {"username": row["username"]}
    if not row["deleted"]:
        password = None
        if row["password_hash"]:
            password = {
                "scheme": "argon2id",
                "hash": row["password_hash"],
                "set_at": to_rfc3339(row["password_set_at"]),
            }
        item.update(
            display_name=row["display_name"],
            role=row["role"],
            customer_code=row["customer_code"],
            phone=row["phone"],
            active=row["active"],
            password=password,
        )
    return {**item, **_common(row)}


def assignment_item(row: dict[str, Any]) -> dict[str, Any]:
    return {"rep_username": row["rep_username"], "customer_code": row["customer_code"], **_common(row)}


def price_item(row: dict[str, Any]) -> dict[str, Any]:
    return json.loads(row["item_json"])


def stock_item(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "sku": row["sku"],
        "on_hand": row["on_hand"],
        "reserved": row["reserved"],
        "available": max(0, row["on_hand"] - row["reserved"]),
        **_common(row),
    }


SERIALIZERS: dict[type[peewee.Model], Callable[[dict[str, Any]], dict[str, Any]]] = {
    SimCategory: category_item,
    SimProduct: product_item,
    SimCustomer: customer_item,
    SimAccount: account_item,
    SimRepAssignment: assignment_item,
    SimCustomerPrice: price_item,
    SimStock: stock_item,
}


def serialize(row: peewee.Model) -> dict[str, Any]:
    """The feed item of one model instance (as served by its feed)."""
    return SERIALIZERS[type(row)](row.__data__)


def encode_cursor(feed: str, position: int) -> str:
    raw = json.dumps({"f": feed, "p": position}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(feed: str, cursor: str | None) -> int:
    """The position a cursor points at (0 without a cursor); 400 INVALID_CURSOR otherwise."""
    if not cursor:
        return 0
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        position = data["p"]
        if data["f"] != feed or not isinstance(position, int) or isinstance(position, bool) or position < 0:
            raise ValueError("cursor of another feed")
    except (ValueError, TypeError, KeyError, binascii.Error, UnicodeEncodeError) as ex:
        raise SimError(400, "INVALID_CURSOR", f"this cursor was not issued by the {feed} feed") from ex
    return position


def parse_limit(text: str | None) -> int:
    if text is None or text == "":
        return FEED_LIMIT_DEFAULT
    if not text.isdigit() or not 1 <= int(text) <= FEED_LIMIT_MAX:
        raise SimError(
            400,
            "INVALID_REQUEST",
            f"limit must be a whole number from 1 to {FEED_LIMIT_MAX}",
            details={"limit": [f"1..{FEED_LIMIT_MAX}"]},
        )
    return int(text)


def _names(text: str | None, field: str) -> list[str]:
    if not text:
        return []
    names = [n.strip() for n in text.split(",") if n.strip()]
    bad = [n for n in names if not _NAME_RE.match(n)]
    if bad or len(names) > 50:
        raise SimError(
            400,
            "INVALID_REQUEST",
            f"{field} must be a comma-separated list of names",
            details={field: [f"bad name: {n}" for n in bad] or ["at most 50 names"]},
        )
    return names


def price_page_json(cursor: str | None, limit: int) -> bytes:
    """The price feed page as JSON bytes, joined from the rows' stored item text.

    This is the large feed (100,000+ rows, read by the sync benchmark), so
    it reads two columns per row instead of building items (``price_json``).
    """
    position = decode_cursor("prices", cursor)
    m = SimCustomerPrice
    query = (
        m.select(m.item_json, m.change_seq)
        .where(m.change_seq > position)
        .order_by(m.change_seq)
        .limit(limit + 1)
    )
    rows = sim_database.obj.execute(query).fetchall()
    has_more = len(rows) > limit
    rows = rows[:limit]
    last = rows[-1][1] if rows else position
    items = ",".join([item for item, _ in rows])
    more = "true" if has_more else "false"
    return f'{{"items":[{items}],"next_cursor":"{encode_cursor("prices", last)}","has_more":{more}}}'.encode()


def master_page(feed: str, cursor: str | None, limit: int) -> Page:
    model = FEED_MODELS[feed]
    position = decode_cursor(feed, cursor)
    rows = list(
        model.select().where(model.change_seq > position).order_by(model.change_seq).limit(limit + 1).dicts()
    )
    has_more = len(rows) > limit
    rows = rows[:limit]
    last = rows[-1]["change_seq"] if rows else position
    serializer = SERIALIZERS[model]
    return Page([serializer(r) for r in rows], encode_cursor(feed, last), has_more)


def event_page(cursor: str | None, limit: int, streams: str | None, types: str | None) -> Page:
    position = decode_cursor("events", cursor)
    query = SimEvent.select(SimEvent.id, SimEvent.envelope).where(SimEvent.id > position)
    stream_names = _names(streams, "streams")
    if stream_names:
        query = query.where(SimEvent.stream.in_(stream_names))
    type_names = _names(types, "types")
    if type_names:
        condition = None
        for name in type_names:
            clause = SimEvent.type.startswith(name[:-1]) if name.endswith(".*") else SimEvent.type == name
            condition = clause if condition is None else condition | clause
        query = query.where(condition)
    rows = list(query.order_by(SimEvent.id).limit(limit + 1).tuples())
    has_more = len(rows) > limit
    rows = rows[:limit]
    last = rows[-1][0] if rows else position
    return Page([json.loads(envelope) for _, envelope in rows], encode_cursor("events", last), has_more)


def page_json(
    feed: str, cursor: str | None, limit: int, streams: str | None = None, types: str | None = None
) -> bytes:
    """One page of ``feed`` as the JSON bytes of ``{"items", "next_cursor", "has_more"}``."""
    if feed == "events":
        return dump_json(event_page(cursor, limit, streams, types).to_json())
    if feed not in FEED_MODELS:
        raise SimError(404, "NOT_FOUND", f"no feed named {feed!r}")
    if streams or types:
        raise SimError(
            400,
            "INVALID_REQUEST",
            "streams and types filter only the events feed",
            details={"streams": ["events only"]},
        )
    if feed == "prices":
        return price_page_json(cursor, limit)
    return dump_json(master_page(feed, cursor, limit).to_json())
