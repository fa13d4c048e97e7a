"""``ydt demo --port P``: the platform on P, the ERP simulator on P + 1, the data through the connector."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from plugins.erp_yidiantong.egp.client import EgpClient
from plugins.erp_yidiantong.tests.helpers import KEY_ID, SECRET
from plugins.erp_yidiantong.tests.outbox_fixtures import SimHttp

ROOT = Path(__file__).resolve().parents[3]
PORTS = range(18570, 18598, 2)  # this suite's share of the connector's port range


def free_pair() -> int:
    for port in PORTS:
        try:
            with socket.socket() as a, socket.socket() as b:
                a.bind(("127.0.0.1", port))
                b.bind(("127.0.0.1", port + 1))
            return port
        except OSError:
            continue
    pytest.skip("no free port pair in 18570-18598")


class Platform:
    """JSON calls to the demo platform over HTTP, logged in."""

    def __init__(self, base: str, username: str) -> None:
        self.base = base
        self.token = self.call("POST", "auth/login", {"username": username, "password": "demo1234"})["token"]

    def call(self, method: str, path: str, body=None):
        request = urllib.request.Request(
            f"{self.base}/api/v1/{path}",
            data=json.dumps(body).encode() if body is not None else None,
            method=method,
            headers={"Content-Type": "application/json", "Accept": "application/json"}
            | ({"Authorization": f"Bearer {self.token}"} if getattr(self, "token", None) else {}),
        )
        with urllib.request.urlopen(request, timeout=15) as response:
            return json.loads(response.read() or b"null")


def wait_for(predicate, timeout: float, what: str, process=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise AssertionError(f"the demo exited ({process.returncode}) before {what}")
        try:
            value = predicate()
        except OSError:
            value = None
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


@contextlib.contextmanager
def running_demo(settings, tmp_path, port: int, *extra: str):
    env = {k: v for k, v in os.environ.items() if not k.startswith("YDT_") and k != "DATABASE_URL"}
    env.update(
        YDT_DATA_DIR=str(settings.data_dir),
        DATABASE_URL=settings.effective_database_url,
        YDT_PLUGIN__CATALOG__DEMO_IMAGES="0",
    )
    log = tmp_path / "demo.log"
    process = subprocess.Popen(
        [sys.executable, "-c", "from core.cli import main; main()", "demo", "--port", str(port), *extra],
        cwd=ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_for(lambda: "press Ctrl-C to stop" in log.read_text(), 120, "the demo to start", process)
        yield log
    finally:
        os.killpg(process.pid, signal.SIGTERM)  # SIGINT would wait for a running sync
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)


@pytest.fixture
def demo(settings, tmp_path):
    port = free_pair()
    with running_demo(settings, tmp_path, port) as log:
        yield f"http://127.0.0.1:{port}", f"http://127.0.0.1:{port + 1}", log


def test_the_demo_serves_the_platform_and_the_simulator_with_data_from_the_erp(demo):
    base, sim_base, log = demo
    output = log.read_text()
    assert f"YDT demo running at {base}/" in output
    assert f"ERP simulator: {sim_base}" in output
    assert "the demo factory came through ERP simulator" in output
    sim = SimHttp(sim_base)
    assert sim.get("status")["online"] is True

    dealer = Platform(base, "dealer1")
    (product,) = [
        p for p in dealer.call("GET", "products?q=S-801&per_page=50")["items"] if p["code"] == "S-801"
    ]
    egp = EgpClient(sim_base, KEY_ID, SECRET)
    quote = egp.quote_prices("C0001", [{"sku": "S-801", "qty": 1}])["items"][0]
    assert product["price"] == f"{quote['unit_price_fen'] // 100}.{quote['unit_price_fen'] % 100:02d}"

    # The sample order went through the outbox into the ERP, once, priced the same.
    held = sim.get("orders")["items"]
    assert len(held) == 1 and held[0]["created_count"] == 1
    mine = dealer.call("GET", f"orders/{held[0]['platform_order_no']}")
    assert mine["erp"]["status"] == "imported" and mine["erp"]["erp_order_no"] == held[0]["erp_order_no"]
    assert held[0]["total_fen"] == int(mine["total"].replace(".", ""))

    # The factory changes the dealer's price; a sync later the dealer sees it.
    new_fen = quote["unit_price_fen"] - 12300
    new_price = f"{new_fen // 100}.{new_fen % 100:02d}"
    sim.post(
        "prices", {"customer_code": "C0001", "sku": "S-801", "grade": quote["grade"], "unit_price": new_price}
    )
    admin = Platform(base, "admin")
    assert admin.call("POST", "admin/erp/sync", {"streams": ["prices"]})["queued"] is True

    def dealer_price():
        items = dealer.call("GET", "products?q=S-801&per_page=50")["items"]
        return next(p["price"] for p in items if p["code"] == "S-801") == new_price

    wait_for(dealer_price, 60, "the new price to reach the dealer")
    status = admin.call("GET", "admin/erp/status")
    assert status["erp"]["online"] is True
    assert {s["name"] for s in status["streams"]} >= {"catalog", "customers", "accounts", "prices", "stock"}


def test_erp_port_moves_the_simulator(settings, tmp_path):
    port = free_pair()
    erp_port = next(p for p in range(18598, 18550, -1) if p not in (port, port + 1) and _free(p))
    with running_demo(settings, tmp_path, port, "--erp-port", str(erp_port)) as log:
        assert f"ERP simulator: http://127.0.0.1:{erp_port}" in log.read_text()
        assert SimHttp(f"http://127.0.0.1:{erp_port}").get("status")["online"] is True
        dealer = Platform(f"http://127.0.0.1:{port}", "dealer2")
        assert dealer.call("GET", "me")["customer"]["code"] == "C0002"


def _free(port: int) -> bool:
    try:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", port))
        return True
    except OSError:
        return False
