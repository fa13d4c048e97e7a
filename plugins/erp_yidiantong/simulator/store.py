"""Write transactions, counters, versions and the event log of the simulator.

Every change goes through :func:`write_tx`, which serialises writers (SQLite:
``BEGIN IMMEDIATE``; PostgreSQL: a row lock on the ``change`` counter), so
the feed positions handed out by :func:`next_change_seq` commit in the order
they are taken and a reader paging by position never misses a row.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import peewee

from plugins.erp_yidiantong.egp.shapes import EVENT_TYPES, new_event_id
from plugins.erp_yidiantong.simulator.db import is_postgres, now_utc, sim_database, to_rfc3339
from plugins.erp_yidiantong.simulator.models import SimCounter, SimEvent

COUNTERS = ("change", "price_list", "erp_order", "shipment", "ledger")


def install_counters() -> None:
    """Create the counter rows (idempotent)."""
    existing = {c.name for c in SimCounter.select(SimCounter.name)}
    missing = [{"name": name, "value": 0} for name in COUNTERS if name not in existing]
    if missing:
        SimCounter.insert_many(missing).execute()
    if "price_list" not in existing:
        SimCounter.update(value=1).where(SimCounter.name == "price_list").execute()


@contextlib.contextmanager
def write_tx() -> Iterator[None]:
    """A write transaction that holds the simulator's single writer lock."""
    with sim_database.obj.atomic():
        if is_postgres():
            SimCounter.select().where(SimCounter.name == "change").for_update().execute()
        yield


def next_value(name: str, count: int = 1) -> int:
    """Add ``count`` to a counter (created at 0 when new) and return its new value.

    The ``count`` values ``new - count + 1 .. new`` are the caller's. Call
    inside :func:`write_tx`.
    """
    updated = SimCounter.update(value=SimCounter.value + count).where(SimCounter.name == name).execute()
    if not updated:
        SimCounter.insert(name=name, value=count).execute()
        return count
    return SimCounter.get_by_id(name).value


def current_value(name: str) -> int:
    row = SimCounter.get_or_none(SimCounter.name == name)
    return row.value if row else 0


def bulk_insert(model, rows: list[dict[str, Any]]) -> None:
    """Insert many rows with one prepared statement (peewee's ``insert_many``
    spends far longer building SQL than the database spends storing).

    Missing fields take their defaults; values pass through ``db_value``.
    """
    if not rows:
        return
    fields = [f for f in model._meta.sorted_fields if not isinstance(f, peewee.AutoField)]
    defaults = {}
    for f in fields:
        default = f.default
        defaults[f.name] = default() if callable(default) else default
    table = model._meta.table_name
    columns = ", ".join(f'"{f.column_name}"' for f in fields)
    values = [tuple(f.db_value(row.get(f.name, defaults[f.name])) for f in fields) for row in rows]
    db = sim_database.obj
    cursor = db.cursor()
    if is_postgres():
        from psycopg2.extras import execute_values

        execute_values(cursor, f'INSERT INTO "{table}" ({columns}) VALUES %s', values, page_size=1000)
    else:
        marks = ", ".join("?" for _ in fields)
        cursor.executemany(f'INSERT INTO "{table}" ({columns}) VALUES ({marks})', values)


def next_change_seq(count: int = 1) -> int:
    return next_value("change", count)


def price_list_version_text(number: int) -> str:
    return f"PL{number:06d}"


def current_price_list_version() -> str:
    return price_list_version_text(current_value("price_list"))


def new_price_list_version() -> str:
    """Start a new price-list version (any price, rate or list change does)."""
    return price_list_version_text(next_value("price_list"))


def touch(row, **changes: Any) -> None:
    """Apply ``changes`` to a versioned master row and move it to the feed's end."""
    for name, value in changes.items():
        setattr(row, name, value)
    row.version += 1
    row.change_seq = next_change_seq()
    row.updated_at = now_utc()
    row.save()


def business_date(at: dt.datetime) -> str:
    return to_rfc3339(at)[:10]


def append_event(event_type: str, data: dict[str, Any], *, push: bool = True) -> dict[str, Any]:
    """Append a new event of a known type with the next seq of its stream."""
    stream = EVENT_TYPES[event_type]
    now = now_utc()
    envelope = {
        "id": new_event_id(now.timestamp()),
        "type": event_type,
        "stream": stream,
        "seq": next_value(f"stream:{stream}"),
        "occurred_at": to_rfc3339(now),
        "data": data,
    }
    _store(envelope, push)
    return envelope


def append_given_event(envelope: dict[str, Any], *, push: bool) -> int:
    """Append an envelope exactly as given (control API); return its position."""
    return _store(envelope, push)


def _store(envelope: dict[str, Any], push: bool) -> int:
    return SimEvent.insert(
        event_id=envelope["id"],
        type=envelope["type"],
        stream=envelope["stream"],
        seq=envelope["seq"],
        envelope=json.dumps(envelope, ensure_ascii=False, separators=(",", ":")),
        push_state="pending" if push else "skipped",
    ).execute()
