"""Budget: syncing 100,000 customer-price rows >= 0.5 x a raw bulk insert of the same rows (DESIGN §7).

The ERP simulator holds the demo factory plus 100,000 synthetic dealer
prices and runs in its own process (``ydt erp-sim``, a real HTTP server).
The platform first syncs categories, catalog and customers (not timed);
then, in the same run and on the same database, into the same empty
``customer_price`` table:

* the **sync**: ``run_sync(ctx, ["prices"])`` — signed HTTP pages of 5,000
  rows from the simulator, checking, version-aware bulk upsert, cursor
  saved per page;
* the **raw bulk insert** of exactly the rows the sync wrote, already
  mapped to ids, in one transaction: ``executemany`` of one prepared INSERT
  on SQLite, ``execute_values`` (multi-row INSERT, 1,000 rows a statement)
  on PostgreSQL. Faster raw inserts are printed too, for information:
  PostgreSQL's ``COPY``, and on SQLite a multi-row INSERT of 199 rows a
  statement (what the sync itself uses).

Each is run :data:`ROUNDS` times and the best time counts. The ratio is the
sync's rows/s over the raw insert's rows/s.

Usage: ``.venv/bin/python bench/price_sync.py`` (SQLite) or with
``DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test`` (a scratch
schema is created and dropped).
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import BIN, ROOT, free_port, report, wait_http

ROWS = 100_000
ROUNDS = 5
BUDGET = 0.5


def build_simulator(data_dir: Path) -> None:
    from plugins.erp_yidiantong.simulator import add_synthetic_prices, load_dataset, make_simulator_app

    sim = make_simulator_app(data_dir)
    try:
        load_dataset(
            sim, password_hasher=lambda password: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g"
        )
        add_synthetic_prices(sim, ROWS)
    finally:
        sim.close()


def scratch_database(url: str):
    """A fresh PostgreSQL schema (dropped at the end), or SQLite when ``url`` is empty."""
    if not url.startswith("postgres"):
        return "", lambda: None
    from core.testing import _postgres_schema

    name, schema_url, conn = _postgres_schema(url)

    def drop() -> None:
        with conn.cursor() as cur:
            cur.execute(f"DROP SCHEMA {name} CASCADE")
        conn.close()

    return schema_url, drop


def raw_rows(ctx) -> list[tuple]:
    """The rows of the simulator's price file as the platform stores them (ids resolved)."""
    from core.models import Customer
    from plugins.catalog.models import Product
    from plugins.erp_yidiantong.sync.streams import new_client

    customers = dict(Customer.select(Customer.code, Customer.id).tuples())
    products = dict(Product.select(Product.code, Product.id).tuples())
    client = new_client(ctx)
    rows = []
    for page in client.iter_feed("prices", limit=5000):
        for item in page.items:
            rows.append(
                (
                    customers[item["customer_code"]],
                    products[item["sku"]],
                    item["grade"],
                    item["unit_price_fen"],
                    item["version"],
                )
            )
    client.close()
    return rows


def empty_price_file(ctx) -> None:
    from plugins.erp_yidiantong.models import SyncStream
    from plugins.pricing.models import CustomerPrice

    with ctx.db.atomic():
        CustomerPrice.delete().execute()
        SyncStream.update(cursor=None).where(SyncStream.name == "prices").execute()


def raw_insert(ctx, rows: list[tuple], *, copy: bool = False, multirow: bool = False) -> float:
    from core.db import is_postgres, utcnow
    from plugins.pricing.models import CustomerPrice

    stamp = CustomerPrice.updated_at.db_value(utcnow())
    values = [(c, p, g, fen, v, "erp", stamp) for c, p, g, fen, v in rows]
    columns = '"customer_id", "product_id", "grade", "unit_price", "version", "source", "updated_at"'
    db = ctx.db
    started = time.perf_counter()
    with db.atomic():
        cursor = db.cursor()
        if not is_postgres() and multirow:
            one = "(?, ?, ?, ?, ?, ?, ?)"
            for start in range(0, len(values), 199):
                chunk = values[start : start + 199]
                cursor.execute(
                    f'INSERT INTO "customer_price" ({columns}) VALUES {", ".join([one] * len(chunk))}',
                    [x for row in chunk for x in row],
                )
        elif not is_postgres():
            cursor.executemany(
                f'INSERT INTO "customer_price" ({columns}) VALUES (?, ?, ?, ?, ?, ?, ?)', values
            )
        elif copy:
            buffer = io.StringIO("".join("\t".join(str(x) for x in row) + "\n" for row in values))
            cursor.copy_expert(f'COPY "customer_price" ({columns}) FROM STDIN', buffer)
        else:
            from psycopg2.extras import execute_values

            execute_values(
                cursor, f'INSERT INTO "customer_price" ({columns}) VALUES %s', values, page_size=1000
            )
    return time.perf_counter() - started


def timed_sync(ctx) -> tuple[float, int]:
    from plugins.erp_yidiantong.sync import run_sync

    started = time.perf_counter()
    run = run_sync(ctx, ["prices"])[0]
    elapsed = time.perf_counter() - started
    if run.status != "ok" or run.rejected:
        raise RuntimeError(f"the prices sync failed: {run.status} {run.error} rejected={run.rejected}")
    return elapsed, run.applied


def main() -> int:
    from core.app import create_app
    from core.settings import load_settings
    from plugins.erp_yidiantong.sync import run_sync
    from plugins.pricing.models import CustomerPrice

    database_url, drop = scratch_database(os.environ.get("DATABASE_URL", ""))
    with tempfile.TemporaryDirectory() as tmp:
        sim_dir = Path(tmp) / "sim"
        started = time.perf_counter()
        build_simulator(sim_dir)
        print(
            f"simulator loaded: demo factory + {ROWS:,} synthetic prices in {time.perf_counter() - started:.1f} s"
        )
        port = free_port()
        simulator = subprocess.Popen(
            [str(BIN / "ydt"), "erp-sim", "--port", str(port), "--data-dir", str(sim_dir), "--no-demo-data"],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
        )
        try:
            base_url = f"http://127.0.0.1:{port}"
            wait_http(base_url + "/_sim/status")
            settings = load_settings(
                environ={},
                data_dir=Path(tmp) / "platform",
                database_url=database_url,
                secret_key=uuid.uuid4().hex,
                jobs_backend="immediate",
                plugin_settings={"erp_yidiantong": {"base_url": base_url, "images_per_product": 0}},
            )
            app = create_app(settings)
            with app.ctx.activate() as ctx:
                engine = "PostgreSQL" if database_url else "SQLite"
                run_sync(ctx, ["categories", "catalog", "customers"])
                rows = raw_rows(ctx)
                print(f"{engine}: {len(rows):,} price rows, best of {ROUNDS} rounds")
                sync_times, raw_times, copy_times = [], [], []
                for _ in range(ROUNDS):
                    empty_price_file(ctx)
                    raw_times.append(raw_insert(ctx, rows))
                    empty_price_file(ctx)
                    if database_url:
                        copy_times.append(raw_insert(ctx, rows, copy=True))
                    else:
                        copy_times.append(raw_insert(ctx, rows, multirow=True))
                    empty_price_file(ctx)
                    elapsed, applied = timed_sync(ctx)
                    assert applied == len(rows) == CustomerPrice.select().count(), (applied, len(rows))
                    sync_times.append(elapsed)
                sync_rate = len(rows) / min(sync_times)
                raw_rate = len(rows) / min(raw_times)
                print(
                    f"  sync      {min(sync_times):6.2f} s  {sync_rate:>10,.0f} rows/s   (rounds: {', '.join(f'{t:.2f}' for t in sync_times)})"
                )
                print(
                    f"  raw bulk  {min(raw_times):6.2f} s  {raw_rate:>10,.0f} rows/s   (rounds: {', '.join(f'{t:.2f}' for t in raw_times)})"
                )
                label = "COPY     " if database_url else "multi-row"
                print(
                    f"  ({label} {min(copy_times):6.2f} s  {len(rows) / min(copy_times):>10,.0f} rows/s, for information)"
                )
                ok = report(f"price sync on {engine}", sync_rate, raw_rate, BUDGET, unit="rows/s")
            db = app.ctx.db
            db.close_all() if hasattr(db, "close_all") else db.close()
        finally:
            simulator.terminate()
            simulator.wait(timeout=30)
            drop()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
