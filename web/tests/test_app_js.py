"""app.js in a real browser: the API helper, data-api forms, steppers, live
quotes, sheets, confirmations and the cart badge, against a stubbed API.

Skipped when Playwright or Chromium is missing (set YDT_CHROMIUM to point at
another Chromium binary)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from jinja2 import DictLoader

from web import STATIC_DIR
from web.tests.test_shell import NAV, make_env, mark, static_url

sync_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = os.environ.get("YDT_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
if not Path(CHROMIUM).exists():
    pytest.skip("no Chromium to run app.js in", allow_module_level=True)

ORIGIN = "http://shell.test"
PAGE = """{% extends "base.html" %}
{% import "macros.html" as m with context %}
{% block content %}
<div id="near">{{ m.thumb("/img/near.webp", "pcard__img") }}</div>
<div style="height:3000px"></div>
<div id="far">{{ m.thumb("/img/far.webp", "pcard__img") }}</div>
<a id="danger" href="/deleted" data-confirm="真的删除吗？">删除</a>
<button id="open" data-sheet-open="config">选择配置</button>
<div class="cells">
  {{ m.stepper("qty", 4, max=5, api="/cart/items/9") }}
</div>
<form id="order" data-api="/orders" data-idempotent data-redirect="/orders/{no}">
  {{ m.field("delivery.contact", "Contact", "陈伟") }}
  {{ m.field("delivery.phone", "Phone", "123") }}
  <input type="checkbox" name="urgent" checked>
  <input type="checkbox" name="tags[]" value="a" checked><input type="checkbox" name="tags[]" value="b">
  <button id="submit" type="submit">提交</button>
</form>
{% endblock %}
{% block sheets %}
<div class="sheet" id="config" aria-hidden="true">
  <div class="sheet__mask" data-sheet-close></div>
  <form class="sheet__panel" tabindex="-1" data-live="/quotes" data-live-fields="product_id,options,qty">
    <input type="hidden" name="product_id" value="1" data-type="number">
    <div id="unit" data-bind="unit_price" data-format="price">{{ m.price("3280.00", "price--lg") }}</div>
    <span id="source" data-bind="source"></span>
    {{ m.chips("options.grade", [{"code": "A", "name": "A"}, {"code": "B", "name": "B"}], selected="A") }}
    <textarea name="custom_request">加高</textarea>
    {{ m.stepper("qty", 1) }}
  </form>
</div>
{% endblock %}
"""


class FakeApi:
    """Answers /api/v1/* from queued (status, body, headers), else 200 {}; records requests."""

    def __init__(self) -> None:
        self.answers: dict[str, list[tuple[int, dict | None, dict]]] = {}
        self.requests: list[dict] = []

    def answer(self, method: str, path: str, status: int, body: dict | None = None, headers=None) -> None:
        self.answers.setdefault(f"{method} {path}", []).append((status, body, headers or {}))

    def handle(self, route) -> None:
        request = route.request
        path = request.url.removeprefix(ORIGIN + "/api/v1")
        key = f"{request.method} {path}"
        self.requests.append(
            {
                "key": key,
                "headers": request.headers,
                "body": json.loads(request.post_data) if request.post_data else None,
            }
        )
        queue = self.answers.get(key)
        status, body, headers = queue.pop(0) if queue else (200, {}, {})
        if status == 0:
            route.abort()
            return
        route.fulfill(status=status, body=json.dumps(body), content_type="application/json", headers=headers)

    def sent(self, key: str) -> list[dict]:
        return [r for r in self.requests if r["key"] == key]


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def fake_api() -> FakeApi:
    return FakeApi()


# A 1×1 WebP picture.
TINY_WEBP = bytes.fromhex("524946461c000000574542505650384c0f0000002f000000000710458efe0722a2ff0100")


@pytest.fixture
def loaded() -> list[str]:
    """Paths of the pictures the page fetched."""
    return []


@pytest.fixture
def page(browser, fake_api, loaded):
    html = (
        make_env(DictLoader({"page.html": PAGE}))
        .get_template("page.html")
        .render(
            {
                "_": mark,
                "static_url": static_url,
                "csrf_token": "csrf-abc",
                "nav_items": NAV,
                "active_nav": "cart",
                "cart_count": 2,
            }
        )
    )

    def serve(route):
        path = route.request.url.removeprefix(ORIGIN).split("?")[0]
        if path.startswith("/static/web/"):
            file = STATIC_DIR / path.removeprefix("/static/web/")
            types = {".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml"}
            route.fulfill(body=file.read_bytes(), content_type=types[file.suffix])
        elif path.startswith("/img/"):
            loaded.append(path)
            route.fulfill(body=TINY_WEBP, content_type="image/webp")
        elif path == "/":
            route.fulfill(body=html, content_type="text/html; charset=utf-8")
        else:
            route.fulfill(body=f"<title>{path}</title>", content_type="text/html")

    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.route(f"{ORIGIN}/**", serve)
    page.route(f"{ORIGIN}/api/**", fake_api.handle)  # the route added last is tried first
    page.goto(f"{ORIGIN}/")
    page.wait_for_function("window.ydt")
    yield page
    context.close()


def test_api_sends_json_with_csrf_and_toasts_the_error_message(page, fake_api):
    fake_api.answer(
        "POST",
        "/cart/items",
        409,
        {
            "error": {
                "code": "insufficient_stock",
                "message": "库存不足：S-801 仅剩 2 件",
                "details": {"available": 2},
            }
        },
    )
    result = page.evaluate(
        """ydt.api("post", "/cart/items", {product_id: 1, qty: 3})
             .catch((e) => ({status: e.status, code: e.code, message: e.message, details: e.details}))"""
    )
    assert result == {
        "status": 409,
        "code": "insufficient_stock",
        "message": "库存不足：S-801 仅剩 2 件",
        "details": {"available": 2},
    }
    [sent] = fake_api.sent("POST /cart/items")
    assert sent["headers"]["x-csrf-token"] == "csrf-abc"
    assert sent["headers"]["content-type"] == "application/json"
    assert sent["body"] == {"product_id": 1, "qty": 3}
    assert page.locator(".toast.is-shown").inner_text() == "库存不足：S-801 仅剩 2 件"


def test_api_returns_data_and_updates_the_cart_badge_from_the_header(page, fake_api):
    fake_api.answer("GET", "/cart", 200, {"total": "3280.00"}, {"X-Cart-Count": "5"})
    assert page.evaluate('ydt.api("GET", "/cart")') == {"total": "3280.00"}
    assert page.locator(".tabbar .badge").inner_text() == "5"
    page.evaluate("ydt.setCartCount(0)")
    assert page.locator(".tabbar .badge").get_attribute("data-cart-count") == "0"
    assert page.locator(".tabbar .badge").is_hidden()


def test_network_failure_toasts_the_page_message(page, fake_api):
    fake_api.answer("GET", "/me", 0)
    status = page.evaluate('ydt.api("GET", "/me").catch((e) => e.status)')
    assert status == 0
    assert (
        page.locator(".toast").inner_text() == "«Network error, please check your connection and try again»"
    )


def test_form_posts_nested_json_and_shows_field_errors(page, fake_api):
    fake_api.answer(
        "POST",
        "/orders",
        400,
        {
            "error": {
                "code": "invalid",
                "message": "请检查填写内容",
                "details": {"delivery": {"phone": ["手机号格式不正确"]}},
            }
        },
    )
    page.click("#submit")
    page.wait_for_selector(".field.is-error")
    [first] = fake_api.sent("POST /orders")
    assert first["body"] == {
        "delivery": {"contact": "陈伟", "phone": "123"},
        "urgent": True,
        "tags": ["a"],
    }
    assert page.locator(".field.is-error .field__error").inner_text() == "手机号格式不正确"
    assert page.locator(".field.is-error input").get_attribute("name") == "delivery.phone"
    assert not page.locator("#submit").is_disabled()

    fake_api.answer("POST", "/orders", 201, {"no": "SO2612050012"})
    page.fill("[name='delivery.phone']", "13800138000")
    with page.expect_navigation():
        page.click("#submit")
    assert page.url == f"{ORIGIN}/orders/SO2612050012"
    second = fake_api.sent("POST /orders")[1]
    assert second["body"]["delivery"]["phone"] == "13800138000"
    # the 400 made nothing, so the corrected order is a new submission
    assert second["headers"]["idempotency-key"] != first["headers"]["idempotency-key"]


def test_a_retry_after_a_network_failure_reuses_the_idempotency_key(page, fake_api):
    fake_api.answer("POST", "/orders", 0)
    fake_api.answer("POST", "/orders", 201, {"no": "SO1"})
    page.click("#submit")
    page.wait_for_selector(".toast.is-shown")
    with page.expect_navigation():
        page.click("#submit")
    keys = [r["headers"]["idempotency-key"] for r in fake_api.sent("POST /orders")]
    assert len(keys) == 2 and keys[0] == keys[1]


def test_stepper_clamps_to_max_and_saves_the_quantity_once(page, fake_api):
    stepper = page.locator(".cells .stepper")
    plus = stepper.locator("[data-step='1']")
    plus.click()
    assert stepper.locator("input").input_value() == "5"
    assert plus.is_disabled()
    page.wait_for_timeout(500)
    assert [r["body"] for r in fake_api.sent("PATCH /cart/items/9")] == [{"qty": 5}]
    stepper.locator("input").fill("0")
    stepper.locator("input").press("Tab")  # a typed value counts on change
    assert stepper.locator("input").input_value() == "1"
    assert stepper.locator("[data-step='-1']").is_disabled()


def test_sheet_opens_requotes_on_each_tap_and_closes_on_escape(page, fake_api):
    page.click("#open")
    assert page.locator("#config").get_attribute("class") == "sheet is-open"
    assert "is-locked" in page.evaluate("document.documentElement.className")
    fake_api.answer(
        "POST", "/quotes", 200, {"unit_price": "3560.00", "line_total": "3560.00", "source": "一客一价"}
    )
    page.click("text=B")
    page.wait_for_function("document.querySelector('#unit .price__int').textContent === '3560'")
    # The new price keeps the size of the one it replaced.
    assert page.locator("#unit > .price").get_attribute("class") == "price price--lg"
    assert page.locator("#source").inner_text() == "一客一价"
    [quote] = fake_api.sent("POST /quotes")
    assert quote["body"] == {"product_id": 1, "options": {"grade": "B"}, "qty": 1}
    page.keyboard.press("Escape")
    assert page.locator("#config").get_attribute("class") == "sheet"
    assert "is-locked" not in page.evaluate("document.documentElement.className")


def test_confirmation_can_stop_a_link(page):
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.click("#danger")
    page.wait_for_timeout(200)
    assert page.url == f"{ORIGIN}/"
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.click("#danger")
    assert page.url == f"{ORIGIN}/deleted"


def test_price_helper_matches_the_macro(page):
    assert page.evaluate('ydt.price("-12.50")') == (
        '<span class="price">-<span class="price__sym">¥</span>'
        '<span class="price__int">12</span><span class="price__dec">.50</span></span>'
    )


LOADED = (
    "(img => img.hasAttribute('src') && img.complete && img.naturalWidth > 0)(document.querySelector('%s'))"
)


def test_list_pictures_load_only_near_the_screen(page, loaded):
    page.wait_for_function(LOADED % "#near img")
    assert loaded == ["/img/near.webp"]
    assert page.locator("#far img").get_attribute("src") is None
    page.locator("#far").scroll_into_view_if_needed()
    page.wait_for_function(LOADED % "#far img")
    assert loaded == ["/img/near.webp", "/img/far.webp"]


def test_pictures_added_later_are_watched_too(page, loaded):
    page.evaluate(
        """() => {
        const box = document.createElement("div");
        box.id = "added";
        box.innerHTML = '<img data-src="/img/added.webp" width="10" height="10">';
        document.querySelector("#near").append(box);
        ydt.lazy(box);
    }"""
    )
    page.wait_for_function(LOADED % "#added img")
    assert "/img/added.webp" in loaded
