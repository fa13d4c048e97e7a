"""Filling the simulator: the demo factory, and a large synthetic price file.

:func:`load_dataset` moves a :class:`demodata.dataset.Dataset` into the ERP
(categories, product master with option groups, list prices, package
templates and image keys, dealers with their price file, dealer and rep
accounts with argon2id password hashes, rep assignments, stock, and an
opening-balance ledger entry per dealer). Staff accounts (support, finance,
admin) are not ERP data and stay out. :func:`add_synthetic_prices` grows the
price file to any size for benchmarks.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from argon2 import PasswordHasher

from plugins.erp_yidiantong.egp.shapes import ACCOUNT_ROLES
from plugins.erp_yidiantong.simulator.db import now_utc, use_sim_database
from plugins.erp_yidiantong.simulator.ledger import post_entry
from plugins.erp_yidiantong.simulator.models import (
    SimAccount,
    SimCategory,
    SimCustomer,
    SimCustomerPrice,
    SimProduct,
    SimRepAssignment,
    SimStock,
)
from plugins.erp_yidiantong.simulator.price_json import price_item_json
from plugins.erp_yidiantong.simulator.store import (
    bulk_insert,
    current_price_list_version,
    next_change_seq,
    write_tx,
)

# The OWASP minimum for argon2id (19 MiB, 2 passes), as the platform uses.
_hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)


def hash_password(password: str) -> str:
    """An argon2id PHC string with its own salt."""
    return _hasher.hash(password)


def _insert(model, rows: list[dict[str, Any]]) -> None:
    """Insert rows in chunks, handing out feed positions in order."""
    if not rows:
        return
    last = next_change_seq(len(rows))
    first = last - len(rows) + 1
    for offset, row in enumerate(rows):
        row["change_seq"] = first + offset
    bulk_insert(model, rows)


def _option_groups(product) -> list[dict[str, Any]]:
    return [
        {
            "code": group.code,
            "name": group.name,
            "kind": group.kind,
            "required": group.required,
            "sort": index,
            "values": [
                {"code": v.code, "name": v.name, "surcharge_fen": v.surcharge_fen, "active": True}
                for v in group.values
            ],
        }
        for index, group in enumerate(product.option_groups, start=1)
    ]


def _packages(product) -> list[dict[str, Any]]:
    count = max(1, product.packages)
    weight = (Decimal(product.weight_kg) / count).quantize(Decimal("0.01"), ROUND_HALF_UP)
    volume = (Decimal(product.volume_m3) / count).quantize(Decimal("0.001"), ROUND_HALF_UP)
    return [
        {
            "no": n,
            "name": f"{product.code} 第{n}/{count}件",
            "weight_kg": str(weight),
            "volume_m3": str(volume),
        }
        for n in range(1, count + 1)
    ]


def load_dataset(
    sim_app,
    dataset=None,
    *,
    password_hasher: Callable[[str], str] = hash_password,
) -> bool:
    """Load the demo factory into an empty simulator; False if it has products already.

    Args:
        sim_app: the app from ``make_simulator_app``.
        dataset: a ``demodata`` Dataset (``build_dataset()`` when omitted).
        password_hasher: turns an account's password into an argon2id hash.
    """
    if dataset is None:
        from demodata import build_dataset

        dataset = build_dataset()
    with use_sim_database(sim_app.sim.db), write_tx():
        if SimProduct.select().exists():
            return False
        now = now_utc()
        version = current_price_list_version()
        _insert(
            SimCategory,
            [
                {
                    "code": c.code,
                    "name": c.name,
                    "parent_code": c.parent_code,
                    "sort": c.sort,
                    "updated_at": now,
                }
                for c in dataset.categories
            ],
        )
        _insert(
            SimProduct,
            [
                {
                    "sku": p.code,
                    "name": p.name,
                    "category_code": p.category_code,
                    "spec": p.spec,
                    "width_mm": p.width_mm,
                    "depth_mm": p.depth_mm,
                    "height_mm": p.height_mm,
                    "uom": p.unit,
                    "description": p.description,
                    "custom_only": p.custom_only,
                    "published": p.published,
                    "grade_group_code": p.grade_group_code,
                    "option_groups": _option_groups(p),
                    "list_prices": dict(p.list_prices),
                    "price_list_version": version,
                    "packages": _packages(p),
                    "stock_mode": p.stock_mode,
                    "image_keys": list(p.image_keys),
                    "weight_kg": str(p.weight_kg),
                    "volume_m3": str(p.volume_m3),
                    "updated_at": now,
                }
                for p in dataset.products
            ],
        )
        _insert(
            SimCustomer,
            [
                {
                    "code": c.code,
                    "name": c.name,
                    "province": c.province,
                    "city": c.city,
                    "address": c.address,
                    "contact": c.contact,
                    "phone": c.phone,
                    "discount_rate": c.discount_rate,
                    "credit_limit_fen": c.credit_limit_fen,
                    "balance_fen": 0,
                    "auto_pay": c.auto_pay,
                    "updated_at": now,
                }
                for c in dataset.customers
            ],
        )
        _insert(
            SimAccount,
            [
                {
                    "username": a.username,
                    "display_name": a.display_name,
                    "role": a.role,
                    "customer_code": a.customer_code,
                    "password_hash": password_hasher(a.password),
                    "password_set_at": now,
                    "updated_at": now,
                }
                for a in dataset.accounts
                if a.role in ACCOUNT_ROLES
            ],
        )
        _insert(
            SimRepAssignment,
            [
                {"rep_username": r.rep_username, "customer_code": r.customer_code, "updated_at": now}
                for r in dataset.rep_assignments
            ],
        )
        _insert(
            SimCustomerPrice,
            [
                _price_row(cp.customer_code, cp.product_code, cp.grade_code, cp.unit_price_fen, version, now)
                for cp in dataset.customer_prices
            ],
        )
        _insert(
            SimStock,
            [
                {"sku": p.code, "on_hand": p.stock_qty, "reserved": 0, "updated_at": now}
                for p in dataset.products
                if p.stock_qty is not None
            ],
        )
        for c in dataset.customers:
            if c.balance_fen:
                customer = SimCustomer.get(SimCustomer.code == c.code)
                post_entry(customer, "opening", c.balance_fen, memo="期初余额")
    sim_app.sim.wake_pusher()
    return True


def _price_row(
    customer_code: str, sku: str, grade: str, unit_price_fen: int, version: str, now
) -> dict[str, Any]:
    """A new price-file row for a bulk insert, its feed item text included."""
    row = {
        "customer_code": customer_code,
        "sku": sku,
        "grade": grade,
        "unit_price_fen": unit_price_fen,
        "price_list_version": version,
        "version": 1,
        "updated_at": now,
        "deleted": False,
    }
    row["item_json"] = price_item_json(**row)
    return row


def add_synthetic_prices(sim_app, rows: int, *, seed: int = 1, customer_prefix: str = "B") -> int:
    """Grow the price file by ``rows`` explicit prices (for benchmarks and tests).

    Creates dealers ``B00001``... (discount 0.80) as needed, one price per
    (dealer, product, grade) over the loaded product master, at 70-95 % of
    the list price. Returns the number of rows added.
    """
    rng = random.Random(seed)
    with use_sim_database(sim_app.sim.db), write_tx():
        combos = [
            (p.sku, grade, fen)
            for p in SimProduct.select(SimProduct.sku, SimProduct.list_prices).order_by(SimProduct.sku)
            for grade, fen in p.list_prices.items()
        ]
        if not combos:
            raise ValueError("load the product master first")
        dealers = -(-rows // len(combos))
        start = SimCustomer.select().where(SimCustomer.code.startswith(customer_prefix)).count() + 1
        now = now_utc()
        codes = [f"{customer_prefix}{n:05d}" for n in range(start, start + dealers)]
        _insert(
            SimCustomer,
            [
                {
                    "code": code,
                    "name": f"批量经销商 {code}",
                    "discount_rate": Decimal("0.80"),
                    "updated_at": now,
                }
                for code in codes
            ],
        )
        version = current_price_list_version()
        out: list[dict[str, Any]] = []
        for code in codes:
            for sku, grade, fen in combos:
                if len(out) == rows:
                    break
                unit = fen * rng.randint(70, 95) // 10000 * 100  # whole yuan
                out.append(_price_row(code, sku, grade, unit, version, now))
        _insert(SimCustomerPrice, out)
        return len(out)
