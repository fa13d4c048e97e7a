"""Helpers shared by the simulator tests: control-API calls and order bodies."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import falcon.testing

from plugins.erp_yidiantong.egp.client import EgpClient

KEY_ID = "demo"
SECRET = "demo-egp-secret"


class Control:
    """JSON calls to the simulator's control API, in-process."""

    def __init__(self, app) -> None:
        self._client = falcon.testing.TestClient(app)

    def request(self, method: str, path: str, body: Any = None, raw: str | bytes | None = None, **kw):
        headers = kw.pop("headers", {})
        if body is not None or raw is not None:
            headers.setdefault("Content-Type", "application/json")
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        return self._client.simulate_request(method, "/_sim/" + path, body=data, headers=headers, **kw)

    def get(self, path: str, **kw):
        return self.request("GET", path, **kw)

    def post(self, path: str, body: Any = None, **kw):
        return self.request("POST", path, body, **kw)

    def delete(self, path: str, **kw):
        return self.request("DELETE", path, **kw)

    def ok(self, method: str, path: str, body: Any = None) -> Any:
        result = self.request(method, path, body)
        assert 200 <= result.status_code < 300, result.text
        return result.json


def order_body(
    egp: EgpClient, number: str, items: list[dict], *, customer: str = "C0001", revision: int = 1, **extra
) -> dict:
    """An import body priced by a live quote, as the platform would send it."""
    quote = egp.quote_prices(customer, items)
    lines = []
    for line_no, item in enumerate(quote["items"], start=1):
        lines.append(
            {
                "line_no": line_no,
                "sku": item["sku"],
                "options": item["options"],
                "qty": item["qty"],
                "unit_price_fen": item["unit_price_fen"],
                "line_total_fen": item["line_total_fen"],
                "price_list_version": quote["price_list_version"],
            }
        )
    body = {
        "platform_order_no": number,
        "revision": revision,
        "customer_code": customer,
        "currency": "CNY",
        "lines": lines,
        "total_fen": sum(line["line_total_fen"] for line in lines),
        "paid_fen": 0,
        "payment_status": "unpaid",
        "delivery": {"contact": "陈志强", "phone": "18286292226", "address": "佛山市顺德区乐从镇"},
        "remark": "",
        "created_at": "2026-03-02T10:00:00+08:00",
    }
    body.update(extra)
    return body


def list_priced(dataset, sku: str) -> tuple[str, str]:
    """A (dealer code, grade) of ``sku`` without an explicit price: priced from the list."""
    product = dataset.product(sku)
    for customer in dataset.customers:
        for grade in product.list_prices:
            if dataset.customer_price(customer.code, sku, grade) is None:
                return customer.code, grade
    raise AssertionError(f"every dealer has an explicit price for every grade of {sku}")


def explicitly_priced(dataset, sku: str) -> tuple[str, str, int]:
    """A (dealer code, grade, unit price) of ``sku`` from the price file."""
    for price in dataset.customer_prices:
        if price.product_code == sku:
            return price.customer_code, price.grade_code, price.unit_price_fen
    raise AssertionError(f"no explicit price for {sku}")


def wait_until(condition: Callable[[], Any], timeout: float = 20.0) -> None:
    """Poll ``condition`` every 50 ms until it is true; AssertionError after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"condition not met within {timeout} s")
