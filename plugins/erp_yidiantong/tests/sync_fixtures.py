"""Fixtures of the sync tests: a platform app wired to a served ERP simulator.

Import them into a test module with
``from plugins.erp_yidiantong.tests.sync_fixtures import *  # noqa: F403``.
The simulator fixtures (``sim``, ``sim_url``, ``control``, ``serve``...) come
from this package's conftest; the platform's ``settings`` from core.testing.
"""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass

import pytest

import core.testing as core_testing
from core.app import create_app
from core.cli import serve_threaded
from core.settings import load_settings
from core.testing import ApiClient
from plugins.catalog.models import Product
from plugins.erp_yidiantong.egp.client import EgpClient
from plugins.erp_yidiantong.models import SyncRun
from plugins.erp_yidiantong.simulator import load_dataset, make_simulator_app
from plugins.erp_yidiantong.simulator.pusher import Pusher
from plugins.erp_yidiantong.sync import run_sync
from plugins.erp_yidiantong.tests.helpers import KEY_ID, SECRET
from plugins.orders.models import Order
from plugins.orders.services import transition

DEMO_PASSWORD = "demo1234"
DELIVERY = {"contact": "陈志强", "phone": "18286292226", "address": "广东省佛山市顺德区乐从镇家具大道366号"}


def connector_settings(settings, base_url: str, **extra):
    """``settings`` with the connector pointed at ``base_url`` (pictures off unless asked)."""
    plugin = {"base_url": base_url, "images_per_product": 0, **extra}
    return dataclasses.replace(
        settings, plugin_settings={**settings.plugin_settings, "erp_yidiantong": plugin}
    )


def close_app(app) -> None:
    db = app.ctx.db
    if hasattr(db, "close_all"):
        db.close_all()
    else:
        db.close()


@pytest.fixture
def erp_app(settings, sim_url):
    """The platform, connector configured, database empty (nothing synced yet)."""
    app = create_app(connector_settings(settings, sim_url))
    yield app
    close_app(app)


@pytest.fixture
def erp_ctx(erp_app):
    with erp_app.ctx.activate() as ctx:
        yield ctx


def sync(ctx, streams=None, **kw) -> list[SyncRun]:
    """Run the sync and insist that every stream succeeded."""
    runs = run_sync(ctx, streams, **kw)
    assert runs and all(r.status == "ok" for r in runs), [(r.stream, r.status, r.error) for r in runs]
    return runs


@pytest.fixture
def synced(erp_ctx):
    """The platform after a first full sync of the demo factory."""
    return sync(erp_ctx)


def start_pusher(sim, url: str) -> Pusher:
    """Make the simulator push its events to ``url`` (stopped when the simulator closes)."""
    pusher = Pusher(sim.sim.db, url, KEY_ID, SECRET, sim.sim.faults, timeout=10)
    sim.sim.pusher = pusher
    pusher.start()
    return pusher


def erp_client(url: str) -> EgpClient:
    return EgpClient(url, KEY_ID, SECRET, timeout=10)


def place_order(
    app,
    control,
    dataset,
    username: str = "dealer1",
    qty: int = 2,
    *,
    mode: str = "unlimited",
    imported: bool = True,
) -> Order:
    """A standard order placed through the API, imported into the ERP by the outbox (unless offline)."""
    sku = next(p.code for p in dataset.products if p.published and not p.custom_only and p.stock_mode == mode)
    product = Product.get(Product.code == sku)
    dealer = ApiClient(app).login(username, DEMO_PASSWORD)
    answer = dealer.post(
        "orders",
        {"items": [{"product_id": product.id, "options": {}, "qty": qty}], "delivery": DELIVERY},
        headers={"Idempotency-Key": uuid.uuid4().hex},
    )
    assert answer.status_code == 201, answer.text
    number = answer.json["no"]
    if imported:
        erp = control.get(f"orders/{number}")
        assert erp.status_code == 200, f"the outbox did not import {number}: {erp.text}"
    return Order.get(Order.no == number)


def pay(ctx, order: Order) -> Order:
    """Mark an awaiting order paid (the payment plugins are not part of these tests)."""
    order = Order.get_by_id(order.id)
    if order.status == "awaiting_payment":
        transition(ctx, order, "paid")
    return Order.get_by_id(order.id)


def stage_events(control, number: str) -> list[dict]:
    """The ERP's production.progress envelopes of one order, as its feed holds them."""
    items = control.ok("GET", "events?type=production.progress")["items"]
    return [e for e in items if e["data"]["platform_order_no"] == number]


@dataclass
class Shared:
    """A simulator and a platform synced once, shared by the tests of a module."""

    app: object
    sim: object
    url: str
    runs: list


@pytest.fixture(scope="module")
def shared(tmp_path_factory, dataset, session_hasher):
    """One demo factory in the simulator, synced once into one platform (tests only read it)."""
    base = tmp_path_factory.mktemp("shared")
    url = core_testing.test_database_url()
    schemas = []
    if url and url.startswith("postgres"):
        sim_schema = core_testing._postgres_schema(url)
        platform_schema = core_testing._postgres_schema(url)
        schemas = [sim_schema, platform_schema]
        sim_db, platform_db = sim_schema[1], platform_schema[1]
    else:
        sim_db, platform_db = f"sqlite:///{base / 'erp-sim.sqlite3'}", ""
    sim = make_simulator_app(database_url=sim_db)
    load_dataset(sim, dataset, password_hasher=session_hasher)
    server = serve_threaded(sim, "127.0.0.1", 0)
    sim_url = f"http://127.0.0.1:{server.server_port}"
    settings = load_settings(
        environ={},
        data_dir=base / "data",
        database_url=platform_db,
        secret_key="test-secret",
        jobs_backend="immediate",
    )
    app = create_app(connector_settings(settings, sim_url))
    with app.ctx.activate() as ctx:
        runs = sync(ctx)
    yield Shared(app, sim, sim_url, runs)
    server.shutdown()
    server.server_close()
    close_app(app)
    sim.close()
    for name, _, conn in schemas:
        with conn.cursor() as cur:
            cur.execute(f"DROP SCHEMA {name} CASCADE")
        conn.close()


@pytest.fixture
def shared_ctx(shared):
    with shared.app.ctx.activate() as ctx:
        yield ctx


__all__ = ["DEMO_PASSWORD", "erp_app", "erp_ctx", "shared", "shared_ctx", "synced"]
