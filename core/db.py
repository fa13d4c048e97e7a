"""Database binding: one peewee database per app, chosen per request.

Every model in every plugin binds to :data:`database`, a proxy that resolves
to the database of the app currently serving the thread (a context variable
set by the app around each request, CLI command or job). Two apps with
different databases can therefore live in one process, as tests need.

SQLite (default, a file in the data dir, WAL mode) starts write transactions
with ``BEGIN IMMEDIATE`` and waits on a busy timeout, so concurrent writers
queue instead of failing with "database is locked". PostgreSQL is used when
``DATABASE_URL`` starts with ``postgres``.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

import peewee
from playhouse.pool import PooledPostgresqlDatabase

_current: contextvars.ContextVar[peewee.Database | None] = contextvars.ContextVar(
    "ydt_database", default=None
)


class ContextDatabase(peewee.DatabaseProxy):
    """A database proxy that resolves to the app database of this context.

    By default it reads this module's context variable (the platform's
    binding, :func:`use_database`). A separate application with its own
    models and database (the ERP simulator) passes its own variable, so the
    two bindings never mix; it binds with :meth:`bound`.
    """

    __slots__ = ("_var",)

    def __init__(self, var: contextvars.ContextVar[peewee.Database | None] | None = None) -> None:
        object.__setattr__(self, "_var", var if var is not None else _current)
        super().__init__()

    def __setattr__(self, attr: str, value) -> None:
        object.__setattr__(self, attr, value)

    @property
    def obj(self) -> peewee.Database | None:  # type: ignore[override]
        return self._var.get()

    @obj.setter
    def obj(self, value: peewee.Database | None) -> None:
        # Proxy.__init__ assigns None; the real target comes from the context.
        if value is not None:
            raise AttributeError("bind a database with core.db.use_database()")

    @contextlib.contextmanager
    def bound(self, db: peewee.Database) -> Iterator[peewee.Database]:
        """Make ``db`` the target of this proxy for the duration of the block."""
        token = self._var.set(db)
        try:
            yield db
        finally:
            self._var.reset(token)


database = ContextDatabase()


class BaseModel(peewee.Model):
    """Base of every model: bound to the context database."""

    class Meta:
        database = database
        legacy_table_names = False


@contextlib.contextmanager
def use_database(db: peewee.Database) -> Iterator[peewee.Database]:
    """Make ``db`` the database of models for the duration of the block."""
    token = _current.set(db)
    try:
        yield db
    finally:
        _current.reset(token)


def current_database() -> peewee.Database:
    db = _current.get()
    if db is None:
        raise RuntimeError("no database bound; use core.db.use_database()")
    return db


def is_postgres(db: peewee.Database | None = None) -> bool:
    return isinstance(db or current_database(), peewee.PostgresqlDatabase)


def write_transaction() -> peewee._atomic:
    """Open a write transaction (``BEGIN IMMEDIATE`` on SQLite).

    Nested calls become savepoints, as with ``atomic()``.
    """
    return current_database().atomic()


def open_database(url: str, *, schema: str | None = None) -> peewee.Database:
    """Open the database named by ``url`` (``sqlite:///path`` or ``postgresql://``)."""
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        path = unquote(parsed.path[1:] if parsed.path.startswith("//") else parsed.path)
        if url.startswith("sqlite:///"):
            path = url[len("sqlite:///") :]
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        return peewee.SqliteDatabase(
            path,
            lock_type="IMMEDIATE",
            timeout=30,
            check_same_thread=False,
            pragmas={
                "journal_mode": "wal",
                "busy_timeout": 30000,
                "foreign_keys": 1,
                "synchronous": "normal",
                "cache_size": -16000,
            },
        )
    if parsed.scheme in ("postgres", "postgresql"):
        query = {k: v[-1] for k, v in parse_qs(parsed.query).items()}
        schema = schema or query.pop("schema", None)
        options = f"-c search_path={schema}" if schema else None
        kwargs = {
            "user": unquote(parsed.username) if parsed.username else None,
            "password": unquote(parsed.password) if parsed.password else None,
            "host": parsed.hostname or "127.0.0.1",
            "port": parsed.port or 5432,
            "max_connections": int(query.pop("max_connections", 32)),
            "stale_timeout": 300,
            "timeout": 30,
        }
        if options:
            kwargs["options"] = options
        database = _SchemaPostgresqlDatabase(
            parsed.path.lstrip("/") or "postgres",
            **{k: v for k, v in kwargs.items() if v is not None},
        )
        database.schema = schema
        return database
    raise ValueError(f"unsupported DATABASE_URL {url!r}: use sqlite:///path or postgresql://")


class _SchemaPostgresqlDatabase(PooledPostgresqlDatabase):
    """Creates the URL's ``?schema=`` on its first connection (search_path names it)."""

    schema: str | None = None
    _schema_ready = False

    def _connect(self):
        conn = super()._connect()
        if self.schema and not self._schema_ready:
            from psycopg2 import sql

            with conn.cursor() as cursor:
                cursor.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(self.schema)))
            conn.commit()
            self._schema_ready = True
        return conn


class AwareDateTimeField(peewee.Field):
    """A timestamp stored in UTC and returned as an aware datetime.

    Stored as ISO 8601 text on SQLite and ``timestamptz`` on PostgreSQL.
    """

    field_type = "TIMESTAMPTZ"

    def db_value(self, value):
        if value is None:
            return None
        if isinstance(value, str):
            value = dt.datetime.fromisoformat(value)
        if value.tzinfo is None:
            raise ValueError("naive datetime given; times must carry an offset")
        value = value.astimezone(dt.UTC)
        if is_postgres():
            return value
        return value.strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")

    def python_value(self, value):
        if value is None:
            return None
        if isinstance(value, str):
            value = dt.datetime.fromisoformat(value)
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
