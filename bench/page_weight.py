"""Budget: a dealer's shop page weighs under 60 KB on first load (DESIGN §7).

Starts the platform with the demo factory (the ERP connector disabled, as the
browser test does), logs in as ``dealer1`` in headless Chromium at a phone's
size (390×844, device pixel ratio 2), then loads ``/products``, ``/`` and
``/categories`` each with an empty browser cache and adds up the bytes that
came over the wire (``Network.loadingFinished.encodedDataLength``: gzip
bodies plus headers) until the network has been quiet for a moment. Nothing
is scrolled: below-the-fold pictures should not load. The budget is
60 KB = 60,000 bytes per page.

Usage: ``.venv/bin/python bench/page_weight.py [--show]`` (``--show`` lists
every request). Exits non-zero when a page is over budget.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import free_port

BUDGET_BYTES = 60_000
PAGES = ("/products", "/", "/categories")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
QUIET_SECONDS = 1.0


@dataclass
class PageWeight:
    """What one page load transferred: request id -> (url, type, bytes)."""

    path: str
    requests: dict[str, tuple[str, str, float]] = field(default_factory=dict)

    @property
    def total(self) -> float:
        return sum(size for _url, _type, size in self.requests.values())


def start_platform(data_dir: Path):
    """The app with the demo data, served on a free port; returns (server, url)."""
    from core.app import create_app
    from core.cli import serve_threaded
    from core.demo import load_demo_data
    from core.settings import load_settings

    settings = load_settings(
        environ={}, data_dir=data_dir, secret_key="page-weight", disabled_plugins=("erp_yidiantong",)
    )
    app = create_app(settings)
    load_demo_data(app.ctx)
    port = free_port()
    return serve_threaded(app, "127.0.0.1", port), f"http://127.0.0.1:{port}"


def measure(page, cdp, url: str, path: str) -> PageWeight:
    """Load ``path`` with an empty cache and record every finished request."""
    weight = PageWeight(path)
    started: dict[str, tuple[str, str]] = {}
    last_event = [time.monotonic()]

    def on_request(event: dict) -> None:
        started[event["requestId"]] = (event["request"]["url"], event.get("type", ""))
        last_event[0] = time.monotonic()

    def on_finished(event: dict) -> None:
        url_, type_ = started.get(event["requestId"], ("?", "?"))
        weight.requests[event["requestId"]] = (url_, type_, event["encodedDataLength"])
        last_event[0] = time.monotonic()

    cdp.send("Network.clearBrowserCache")
    cdp.on("Network.requestWillBeSent", on_request)
    cdp.on("Network.loadingFinished", on_finished)
    try:
        page.goto(url + path, wait_until="load")
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            pending = set(started) - set(weight.requests)
            if not pending and time.monotonic() - last_event[0] > QUIET_SECONDS:
                break
            page.wait_for_timeout(100)
    finally:
        cdp.remove_listener("Network.requestWillBeSent", on_request)
        cdp.remove_listener("Network.loadingFinished", on_finished)
    return weight


def report(weight: PageWeight, show: bool) -> bool:
    ok = weight.total < BUDGET_BYTES
    print(
        f"{weight.path:<12} {weight.total / 1000:6.1f} KB in {len(weight.requests):2d} requests "
        f"(budget {BUDGET_BYTES / 1000:.0f} KB) {'OK' if ok else 'OVER BUDGET'}"
    )
    if show:
        for url, type_, size in sorted(weight.requests.values(), key=lambda row: -row[2]):
            print(f"    {size / 1000:6.1f} KB  {type_:<10} {url.split('/', 3)[-1][:90]}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", action="store_true", help="list every request")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        server, url = start_platform(Path(tmp))
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2)
                page = context.new_page()
                page.goto(url + "/login")
                page.fill("input[name=username]", "dealer1")
                page.fill("input[name=password]", "demo1234")
                page.click("button[type=submit]")
                page.wait_for_url(url + "/")
                cdp = context.new_cdp_session(page)
                cdp.send("Network.enable")
                results = []
                for path in PAGES:
                    page.goto("about:blank")
                    results.append(report(measure(page, cdp, url, path), args.show))
                browser.close()
        finally:
            server.shutdown()
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
