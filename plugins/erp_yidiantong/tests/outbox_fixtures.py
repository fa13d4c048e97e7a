"""Fixtures of the outbox tests: a platform wired to a served ERP simulator.

``connector_app`` is the platform with the connector pointed at the
simulator of ``sim_url`` (both holding the demo factory: the platform's own
loaders fill it from the same dataset, so codes and prices agree without the
sync). Health probes are not rate-limited and leases are short, so outages
and crashes play out in seconds.
"""

from __future__ import annotations

import json
import os
import urllib.request
from typing import Any

import pytest

from core.app import create_app
from core.testing import ApiClient

DEMO_PASSWORD = "demo1234"
PLATFORM_LOADERS_SKIPPED = ("orders", "erp_yidiantong")


def connector_overrides(sim_url: str, **erp: Any) -> dict[str, dict[str, Any]]:
    return {
        "erp_yidiantong": {
            "base_url": sim_url,
            "offline_probe_seconds": 0,
            "outbox_lease_seconds": 5,
            "timeout_seconds": 5,
            **erp,
        },
        "catalog": {"demo_images": 0},
    }


def load_platform_factory(app, dataset) -> None:
    """The demo factory through the platform's own loaders, without sample orders."""
    ctx = app.ctx
    with ctx.activate(), ctx.db.atomic():
        for plugin in ctx.plugins:
            loader = getattr(plugin.hooks, "register_demo_data", None)
            if loader is not None and plugin.name not in PLATFORM_LOADERS_SKIPPED:
                loader(ctx=ctx, dataset=dataset)


def platform_env(app, sim_url: str, jobs_backend: str = "immediate", **erp: str) -> dict[str, str]:
    """Environment for a ``ydt`` process on the same data dir and database as ``app``."""
    settings = app.ctx.settings
    env = {k: v for k, v in os.environ.items() if not k.startswith("YDT_") and k != "DATABASE_URL"}
    env.update(
        YDT_DATA_DIR=str(settings.data_dir),
        DATABASE_URL=settings.effective_database_url,
        YDT_SECRET_KEY=settings.secret_key,
        YDT_JOBS_BACKEND=jobs_backend,
        YDT_PLUGIN__ERP_YIDIANTONG__BASE_URL=sim_url,
        YDT_PLUGIN__CATALOG__DEMO_IMAGES="0",
    )
    env.update({f"YDT_PLUGIN__ERP_YIDIANTONG__{key.upper()}": str(value) for key, value in erp.items()})
    return env


def close_app(app) -> None:
    db = app.ctx.db
    if hasattr(db, "close_all"):
        db.close_all()
    else:
        db.close()


@pytest.fixture
def connector_settings(settings, sim_url):
    return settings.with_overrides(plugin_settings=connector_overrides(sim_url))


@pytest.fixture
def connector_app(connector_settings, dataset):
    app = create_app(connector_settings)
    load_platform_factory(app, dataset)
    yield app
    close_app(app)


@pytest.fixture
def shop(connector_app):
    """Log in demo accounts: ``shop("dealer1")`` -> ApiClient."""
    anonymous = ApiClient(connector_app)
    return lambda username: anonymous.login(username, DEMO_PASSWORD)


class SimHttp:
    """The simulator's control API over HTTP (as outside checks use it)."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            self.base_url + "/_sim/" + path.lstrip("/"),
            data=data,
            method=method,
            headers={"Content-Type": "application/json"} if data is not None else {},
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                raw = response.read()
                return response.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as ex:
            raw = ex.read()
            return ex.code, json.loads(raw) if raw else None

    def get(self, path: str) -> Any:
        status, body = self.call("GET", path)
        assert status == 200, (status, body)
        return body

    def post(self, path: str, body: Any = None) -> Any:
        status, answer = self.call("POST", path, body if body is not None else {})
        assert 200 <= status < 300, (status, answer)
        return answer

    def order(self, number: str) -> dict | None:
        status, body = self.call("GET", f"orders/{number}")
        return body if status == 200 else None


@pytest.fixture
def sim_http(sim_url) -> SimHttp:
    return SimHttp(sim_url)
