"""Pytest fixtures for the platform and for plugin authors.

Enable them with ``pytest_plugins = ["core.testing"]`` in a conftest.

* ``settings`` — settings on a temporary data dir; SQLite by default, a fresh
  PostgreSQL schema per test when ``YDT_TEST_DATABASE_URL`` (or
  ``DATABASE_URL``) names a PostgreSQL database. Jobs run ``immediate``.
* ``app`` — the WSGI app built from those settings, schema installed.
* ``db`` — the app database bound for code run directly in the test.
* ``client`` — an anonymous :class:`ApiClient`; ``client.login(user)``
  returns a logged-in one.
* ``make_user`` — create a user (and a customer for dealers).
* ``jobs`` — a :class:`JobTrap` that runs periodic jobs on demand.
"""

from __future__ import annotations

import json
import os
import uuid
from decimal import Decimal
from typing import Any

import falcon.testing
import pytest

from core.app import create_app
from core.settings import load_settings

TEST_PASSWORD = "secret-pass-1"


def test_database_url() -> str | None:
    return os.environ.get("YDT_TEST_DATABASE_URL") or os.environ.get("DATABASE_URL") or None


class ApiClient:
    """A JSON client for the app, optionally logged in with a bearer token."""

    def __init__(self, app, token: str | None = None, user: dict | None = None) -> None:
        self.app = app
        self.token = token
        self.user = user
        self._client = falcon.testing.TestClient(app)

    def request(
        self,
        method: str,
        path: str,
        json_body: Any = None,
        *,
        raw: bytes | str | None = None,
        headers: dict[str, str] | None = None,
        params: dict | None = None,
    ) -> falcon.testing.Result:
        hdrs = {"Accept": "application/json"}
        if self.token:
            hdrs["Authorization"] = f"Bearer {self.token}"
        if json_body is not None or raw is not None:
            hdrs["Content-Type"] = "application/json"
        hdrs.update(headers or {})
        body = raw if raw is not None else (json.dumps(json_body) if json_body is not None else None)
        if not path.startswith("/"):
            path = "/api/v1/" + path
        return self._client.simulate_request(method, path, body=body, headers=hdrs, params=params)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, json_body=None, **kw):
        return self.request("POST", path, json_body, **kw)

    def put(self, path, json_body=None, **kw):
        return self.request("PUT", path, json_body, **kw)

    def patch(self, path, json_body=None, **kw):
        return self.request("PATCH", path, json_body, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)

    def login(self, username: str, password: str = TEST_PASSWORD) -> ApiClient:
        result = self.post("auth/login", {"username": username, "password": password})
        assert result.status_code == 200, result.text
        return ApiClient(self.app, result.json["token"], result.json["user"])


class JobTrap:
    """Run the app's periodic jobs on demand, like a worker tick."""

    def __init__(self, app) -> None:
        self.app = app

    def run_all(self) -> dict[str, str]:
        from core.jobs import run_periodic_jobs_once

        return run_periodic_jobs_once(self.app.ctx)


def _postgres_schema(url: str):
    import psycopg2

    from core.db import open_database

    name = "t_" + uuid.uuid4().hex[:12]
    probe = open_database(url)
    conn = psycopg2.connect(
        **{k: v for k, v in probe.connect_params.items() if k != "options"}, dbname=probe.database
    )
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f"CREATE SCHEMA {name}")
    sep = "&" if "?" in url else "?"
    return name, f"{url}{sep}schema={name}", conn


@pytest.fixture
def settings(tmp_path):
    url = test_database_url()
    cleanup = None
    if url and url.startswith("postgres"):
        schema, url, conn = _postgres_schema(url)

        def cleanup():
            with conn.cursor() as cur:
                cur.execute(f"DROP SCHEMA {schema} CASCADE")
            conn.close()

    settings = load_settings(
        environ={},
        data_dir=tmp_path / "data",
        database_url=url or "",
        secret_key="test-secret",
        jobs_backend="immediate",
    )
    yield settings
    if cleanup:
        cleanup()


@pytest.fixture
def app(settings):
    application = create_app(settings)
    yield application
    db = application.ctx.db
    if hasattr(db, "close_all"):
        db.close_all()
    else:
        db.close()


@pytest.fixture
def db(app):
    with app.ctx.activate() as ctx:
        yield ctx.db


@pytest.fixture
def client(app) -> ApiClient:
    return ApiClient(app)


@pytest.fixture
def jobs(app) -> JobTrap:
    return JobTrap(app)


@pytest.fixture
def make_user(app):
    """Create a user; dealers get a customer of their own unless one is given."""
    from core.auth import create_user
    from core.models import Customer, RepAssignment

    counter = {"n": 0}

    def make(
        username: str,
        role: str = "dealer",
        *,
        customer=None,
        customers=(),
        discount_rate="1",
        password: str = TEST_PASSWORD,
        **customer_fields,
    ):
        with app.ctx.activate(), app.ctx.db.atomic():
            if role == "dealer" and customer is None:
                counter["n"] += 1
                customer = Customer.create(
                    code=f"T{counter['n']:04d}-{username}"[:32],
                    name=f"{username} 家居",
                    discount_rate=Decimal(discount_rate),
                    **customer_fields,
                )
            user = create_user(username, password, role, customer=customer if role == "dealer" else None)
            for assigned in customers:
                RepAssignment.create(rep=user, customer=assigned)
            return user

    return make
