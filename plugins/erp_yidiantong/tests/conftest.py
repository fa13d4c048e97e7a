"""Fixtures: an ERP simulator on its own database, served on a real port.

The simulator database is a SQLite file in the test's tmp dir, or a fresh
PostgreSQL schema when ``YDT_TEST_DATABASE_URL`` names PostgreSQL (as for
the platform's own tests). Demo accounts get one argon2id hash of
``demo1234`` per session, so loading the demo factory stays fast.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest

import core.testing as core_testing
from demodata import build_dataset
from plugins.erp_yidiantong.egp.client import EgpClient
from plugins.erp_yidiantong.simulator import load_dataset, make_simulator_app
from plugins.erp_yidiantong.simulator.loader import hash_password
from plugins.erp_yidiantong.tests.helpers import KEY_ID, SECRET, Control


@pytest.fixture(scope="session")
def dataset():
    return build_dataset()


@pytest.fixture(scope="session")
def session_hasher():
    """One real argon2id hash per password for the whole session."""
    cache: dict[str, str] = {}

    def hasher(password: str) -> str:
        if password not in cache:
            cache[password] = hash_password(password)
        return cache[password]

    return hasher


@pytest.fixture
def sim_database_url(tmp_path) -> Iterator[str]:
    url = core_testing.test_database_url()
    if url and url.startswith("postgres"):
        schema, schema_url, conn = core_testing._postgres_schema(url)
        yield schema_url
        with conn.cursor() as cur:
            cur.execute(f"DROP SCHEMA {schema} CASCADE")
        conn.close()
    else:
        yield f"sqlite:///{tmp_path / 'erp-sim.sqlite3'}"


@pytest.fixture
def make_sim(sim_database_url):
    """Build simulators on the test database (several may share it); closed at the end."""
    built = []

    def make(**kwargs):
        app = make_simulator_app(database_url=sim_database_url, **kwargs)
        built.append(app)
        return app

    yield make
    for app in reversed(built):
        app.close()


@pytest.fixture
def empty_sim(make_sim):
    return make_sim()


@pytest.fixture
def sim(empty_sim, dataset, session_hasher):
    """A simulator holding the demo factory."""
    assert load_dataset(empty_sim, dataset, password_hasher=session_hasher)
    return empty_sim


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture
def serve():
    """Serve a WSGI app on a free port (threaded, like ``core.cli.serve_threaded``,
    but polling for shutdown every 50 ms so tests end fast); returns its URL."""
    servers = []

    def start(app) -> str:
        server = make_server("127.0.0.1", 0, app, server_class=_ThreadingServer, handler_class=_QuietHandler)
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_port}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def sim_url(sim, serve) -> str:
    return serve(sim)


@pytest.fixture
def egp(sim_url) -> Iterator[EgpClient]:
    client = EgpClient(sim_url, KEY_ID, SECRET, timeout=10, verify_responses=True)
    yield client
    client.close()


@pytest.fixture
def control(sim) -> Control:
    return Control(sim)


# The outbox tests' fixtures (a platform wired to the served simulator).
from plugins.erp_yidiantong.tests.outbox_fixtures import (  # noqa: E402, F401
    connector_app,
    connector_settings,
    shop,
    sim_http,
)
