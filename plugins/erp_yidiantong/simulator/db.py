"""The simulator's own database binding, separate from the platform's.

The simulator models bind to :data:`sim_database`, a
:class:`core.db.ContextDatabase` with its own context variable: a simulator
and a platform app can live in one process (tests, ``ydt demo``) and each
request sees only its own database. Tables are prefixed ``sim_``.

Times are stored as fixed-width UTC text (``2026-03-02T02:00:00.000000Z``),
which sorts correctly and reads the same on SQLite and PostgreSQL; the
gateway shows them in the ERP's local time (``+08:00``).
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import json
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import peewee

from core.db import ContextDatabase

_sim_current: contextvars.ContextVar[peewee.Database | None] = contextvars.ContextVar(
    "ydt_erp_sim_database", default=None
)
sim_database = ContextDatabase(_sim_current)

ERP_TZ = ZoneInfo("Asia/Shanghai")
_STORED_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def to_rfc3339(value: dt.datetime) -> str:
    """An aware time as RFC 3339 in the ERP's zone: ``2026-03-02T10:00:00+08:00``."""
    return value.astimezone(ERP_TZ).isoformat(timespec="seconds")


def parse_rfc3339(text: str) -> dt.datetime:
    """Parse an RFC 3339 time that carries an offset; ValueError otherwise."""
    value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        raise ValueError("time without an offset")
    return value


class TimestampField(peewee.CharField):
    """An aware datetime stored as fixed-width UTC text."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("max_length", 27)
        super().__init__(*args, **kwargs)

    def db_value(self, value):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; times must carry an offset")
        return value.astimezone(dt.UTC).strftime(_STORED_FORMAT)

    def python_value(self, value):
        if value is None:
            return None
        return dt.datetime.fromisoformat(value)  # reads the trailing Z as UTC


class JSONField(peewee.TextField):
    """A JSON value stored as text."""

    def db_value(self, value):
        return None if value is None else json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    def python_value(self, value):
        return None if value is None else json.loads(value)


def _table_name(model_class) -> str:
    return "sim_" + peewee.make_snake_case(model_class.__name__.removeprefix("Sim"))


class SimModel(peewee.Model):
    """Base of the simulator's models (bound to :data:`sim_database`)."""

    class Meta:
        database = sim_database
        table_function = _table_name


@contextlib.contextmanager
def use_sim_database(db: peewee.Database) -> Iterator[peewee.Database]:
    """Bind ``db`` as the simulator database for the block; close a pooled
    PostgreSQL connection afterwards so connections go back to the pool."""
    with sim_database.bound(db):
        try:
            yield db
        finally:
            if isinstance(db, peewee.PostgresqlDatabase) and not db.in_transaction():
                db.close()


def is_postgres() -> bool:
    return isinstance(sim_database.obj, peewee.PostgresqlDatabase)
