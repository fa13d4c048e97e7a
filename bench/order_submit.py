"""Budget: order submission on PostgreSQL, 16 concurrent clients, contended
stock, >= 0.25 x ``pgbench -N`` transactions/s on the same machine, with
zero oversell and zero lost orders.

Every client orders one unit of the same quota product (so all of them
contend for one stock row) with its own ``Idempotency-Key``; the stock is
smaller than what they try to buy, so the run also checks that exactly the
stock was sold. Usage::

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test .venv/bin/python bench/order_submit.py
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from http.client import HTTPConnection
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Gunicorn, post_json, report, wait_http  # noqa: E402

CLIENTS = 16
SECONDS = 10
STOCK = 1500


def pgbench_tps(url: str) -> float:
    from urllib.parse import urlparse

    parsed = urlparse(url)
    args = [
        "-h",
        parsed.hostname or "127.0.0.1",
        "-p",
        str(parsed.port or 5432),
        "-U",
        parsed.username or "postgres",
    ]
    db = parsed.path.lstrip("/") or "postgres"
    subprocess.run(["pgbench", *args, "-i", "-q", "-s", "4", db], check=True, capture_output=True)
    out = subprocess.run(
        ["pgbench", *args, "-N", "-c", str(CLIENTS), "-j", "2", "-T", str(SECONDS), db],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    subprocess.run(["pgbench", *args, "-i", "-I", "d", db], check=False, capture_output=True)
    return float(re.search(r"tps = ([\d.]+)", out).group(1))


def prepare(url: str, data_dir: Path) -> tuple[int, str]:
    from core.app import create_app
    from core.demo import load_demo_data
    from core.settings import load_settings
    from plugins.catalog.models import Product
    from plugins.inventory.services import set_stock

    app = create_app(
        load_settings(
            environ={},
            data_dir=data_dir,
            database_url=url,
            disabled_plugins=("erp_yidiantong",),
            plugin_settings={"catalog": {"demo_images": 0}},
        )
    )
    load_demo_data(app.ctx)
    with app.ctx.activate(), app.ctx.db.atomic():
        product = Product.get(Product.code == "S-801-M")
        set_stock(product, "quota", STOCK, reason="set", ref="bench")
    return product.id, product.code


def main() -> int:
    base_url = os.environ.get("DATABASE_URL") or "postgresql://postgres@127.0.0.1:5432/test"
    if not base_url.startswith("postgres"):
        print("order submission budget is measured on PostgreSQL: set DATABASE_URL")
        return 2
    import psycopg2

    schema = "bench_" + uuid.uuid4().hex[:8]
    conn = psycopg2.connect(base_url)
    conn.autocommit = True
    conn.cursor().execute(f"CREATE SCHEMA {schema}")
    url = f"{base_url}{'&' if '?' in base_url else '?'}schema={schema}"
    try:
        with tempfile.TemporaryDirectory() as tmp:
            product_id, _ = prepare(url, Path(tmp))
            server = Gunicorn(
                "core.wsgi:application",
                workers=4,
                env={"YDT_DATA_DIR": tmp, "DATABASE_URL": url, "YDT_DISABLED_PLUGINS": "erp_yidiantong"},
            )
            try:
                wait_http(server.url + "/api/v1/health")
                token = post_json(
                    server.url + "/api/v1/auth/login", {"username": "dealer1", "password": "demo1234"}
                )["token"]
                created, refused, failed = _hammer(server.port, token, product_id)
            finally:
                server.stop()
            sold, orders, stock = _count(conn, schema, product_id)
    finally:
        conn.cursor().execute(f"DROP SCHEMA {schema} CASCADE")
    baseline = pgbench_tps(base_url)
    print(f"orders created {created}, refused out_of_stock {refused}, other failures {failed}")
    print(f"database: {orders} orders, {sold} units sold of {STOCK}, stock left {stock}")
    correct = failed == 0 and orders == created and sold == created and stock == STOCK - sold and stock >= 0
    print("zero oversell, zero lost orders:", "OK" if correct else "FAILED")
    ok = report(
        "order submission (16 clients, one contended product)", created / SECONDS, baseline, 0.25, "orders/s"
    )
    return 0 if ok and correct else 1


def _hammer(port: int, token: str, product_id: int) -> tuple[int, int, int]:
    counts = {"created": 0, "refused": 0, "failed": 0}
    lock = threading.Lock()
    stop = time.monotonic() + SECONDS
    body = {
        "items": [{"product_id": product_id, "options": {}, "qty": 1}],
        "delivery": {"contact": "陈志强", "phone": "13800138000", "address": "广东省佛山市顺德区乐从镇 1 号"},
    }

    def client() -> None:
        conn = HTTPConnection("127.0.0.1", port, timeout=60)
        while time.monotonic() < stop:
            conn.request(
                "POST",
                "/api/v1/orders",
                body=json.dumps(body),
                headers={
                    "Authorization": f"Bearer {token}",
                    "Content-Type": "application/json",
                    "Idempotency-Key": uuid.uuid4().hex,
                },
            )
            resp = conn.getresponse()
            resp.read()
            key = "created" if resp.status == 201 else "refused" if resp.status == 409 else "failed"
            with lock:
                counts[key] += 1

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return counts["created"], counts["refused"], counts["failed"]


def _count(conn, schema: str, product_id: int) -> tuple[int, int, int]:
    cur = conn.cursor()
    cur.execute(
        f"SELECT coalesce(sum(qty), 0), count(DISTINCT order_id) FROM {schema}.order_line WHERE product_id = %s",
        (product_id,),
    )
    sold, orders = cur.fetchone()
    cur.execute(f"SELECT quantity FROM {schema}.stock_item WHERE product_id = %s", (product_id,))
    return int(sold), int(orders), cur.fetchone()[0]


if __name__ == "__main__":
    sys.exit(main())
