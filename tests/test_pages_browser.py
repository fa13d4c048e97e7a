"""The shop pages in a real headless Chromium at a phone's size.

Logs in through the form and walks a dealer's path: home, categories, a
product with the configuration sheet, cart, checkout, orders, order detail,
me. Fails on any JavaScript error, failed request or 5xx. Skipped when
Chromium or Playwright is not installed.
"""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

import pytest

from core.app import create_app
from core.cli import serve_threaded
from core.demo import load_demo_data
from core.settings import load_settings

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
playwright = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium is not installed")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def shop_url(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("browser")
    # The sqlite embedded default: this test checks pages, not databases.
    app = create_app(
        load_settings(
            environ={},
            data_dir=data_dir,
            secret_key="browser",
            disabled_plugins=("erp_yidiantong",),
            plugin_settings={"catalog": {"demo_images": 1}},
        )
    )
    load_demo_data(app.ctx)
    port = _free_port()
    server = serve_threaded(app, "127.0.0.1", port)
    yield f"http://127.0.0.1:{port}"
    server.shutdown()


def test_a_dealer_walks_the_shop_without_errors(shop_url, tmp_path):
    problems: list[str] = []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2)
        page.on("pageerror", lambda ex: problems.append(f"js error: {ex}"))
        page.on(
            "console", lambda msg: problems.append(f"console: {msg.text}") if msg.type == "error" else None
        )
        page.on(
            "response",
            lambda r: (
                problems.append(f"{r.status} {r.url} {r.request.resource_type}") if r.status >= 400 else None
            ),
        )

        page.goto(shop_url + "/")
        assert "/login" in page.url
        page.fill("input[name=username]", "dealer1")
        page.fill("input[name=password]", "demo1234")
        page.click("button[type=submit]")
        page.wait_for_url(shop_url + "/")
        assert page.locator(".tabbar").is_visible()

        page.goto(shop_url + "/categories")
        page.goto(shop_url + "/products?q=S-801")
        page.locator("a[href^='/products/']").first.click()
        page.wait_for_load_state("networkidle")
        price_before = page.locator(".price").first.inner_text()
        assert "¥" in price_before or price_before.strip()
        page.screenshot(path=str(tmp_path / "product.png"))

        for path in ("/cart", "/checkout", "/orders", "/me", "/me?lang=en", "/me?lang=zh-CN"):
            response = page.goto(shop_url + path)
            assert response.status < 400, (path, response.status)
        page.goto(shop_url + "/orders")
        links = page.locator("a[href^='/orders/SO']")
        if links.count():
            links.first.click()
            page.wait_for_load_state("networkidle")
        browser.close()
    assert problems == [], problems
