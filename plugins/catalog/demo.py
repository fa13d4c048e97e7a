"""The catalog part of the demo factory: categories, products, options, images.

Called through ``register_demo_data`` on an empty database, inside the demo
transaction. Product pictures are drawn by :mod:`demodata.images` in worker
processes (the drawing is pure CPU) and kept in memory for the life of the
process, so loading the demo again (tests do) only writes files. The
``demo_images`` setting caps the pictures per product (0 draws none).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import multiprocessing
import os
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor

from core.db import utcnow
from plugins.catalog.media import image_filename, make_thumbnail, write_image_files
from plugins.catalog.models import (
    Category,
    OptionGroup,
    OptionValue,
    Product,
    ProductCategory,
    ProductImage,
    search_text_for,
)

log = logging.getLogger("ydt.catalog")

IMAGE_SIZE = 600
BATCH = 200
CATEGORY_ICONS = {
    "SOFA": "sofa",
    "BED": "bed",
    "MATTRESS": "mattress",
    "DINING": "dining",
    "CABINET": "cabinet",
    "LIVING": "tv",
    "OFFICE": "desk",
}

# (product code, image index) -> (jpeg, thumbnail); see the module docstring.
_drawn: dict[tuple[str, int], tuple[bytes, bytes]] = {}


def load_demo_catalog(ctx, dataset) -> None:
    """Create the demo catalog from ``dataset`` (a :class:`demodata.Dataset`)."""
    category_ids = _load_categories(dataset.categories)
    product_ids = _load_products(dataset.products, category_ids)
    _load_options(dataset.products, product_ids)
    per_product = max(0, min(3, ctx.config("catalog")["demo_images"]))
    _load_images(ctx, dataset.products, product_ids, per_product)


def _load_categories(categories) -> dict[str, int]:
    ids: dict[str, int] = {}
    for category in categories:  # parents come before their children
        row = Category.create(
            code=category.code,
            name=category.name,
            parent=ids.get(category.parent_code),
            sort=category.sort,
            icon=CATEGORY_ICONS.get(category.code, ""),
        )
        ids[category.code] = row.id
    return ids


def _days_old(code: str) -> int:
    """A stable age in days for a demo product, so "new arrivals" vary."""
    return int(hashlib.sha256(code.encode()).hexdigest()[:4], 16) % 120


def _load_products(products, category_ids: dict[str, int]) -> dict[str, int]:
    now = utcnow()
    # Sort so that the first page of "recommended" mixes every category: the
    # n-th product of each category comes before the (n+1)-th of any.
    rank_in_category: dict[str, int] = {}
    category_order = {code: i for i, code in enumerate(category_ids)}
    rows = []
    for product in products:
        rank = rank_in_category.get(product.category_code, 0)
        rank_in_category[product.category_code] = rank + 1
        created = now - dt.timedelta(days=_days_old(product.code), minutes=len(rows))
        rows.append(
            {
                "code": product.code,
                "name": product.name,
                "category": category_ids[product.category_code],
                "spec": product.spec,
                "width_mm": product.width_mm,
                "depth_mm": product.depth_mm,
                "height_mm": product.height_mm,
                "unit": product.unit,
                "description": product.description,
                "custom_only": product.custom_only,
                "custom_allowed": True,
                "published": product.published,
                "packages": product.packages,
                "search_text": search_text_for(product.code, product.name, product.spec),
                "sort": rank * 100 + category_order[product.category_code],
                "created_at": created,
                "updated_at": created,
            }
        )
    _insert(Product, rows)
    ids = {row.code: row.id for row in Product.select(Product.id, Product.code)}
    _insert(
        ProductCategory,
        [{"product": ids[p.code], "category": category_ids[p.category_code]} for p in products],
    )
    return ids


def _load_options(products, product_ids: dict[str, int]) -> None:
    groups = [
        {
            "product": product_ids[p.code],
            "code": g.code,
            "name": g.name,
            "kind": g.kind,
            "required": g.required,
            "sort": i,
        }
        for p in products
        for i, g in enumerate(p.option_groups)
    ]
    _insert(OptionGroup, groups)
    group_ids = {(row.product_id, row.code): row.id for row in OptionGroup.select()}
    values = [
        {
            "group": group_ids[(product_ids[p.code], g.code)],
            "code": v.code,
            "name": v.name,
            "surcharge": v.surcharge_fen,
            "sort": j,
        }
        for p in products
        for g in p.option_groups
        for j, v in enumerate(g.values)
    ]
    _insert(OptionValue, values)


def _load_images(ctx, products, product_ids: dict[str, int], per_product: int) -> None:
    from demodata import image_index

    wanted = [(p, image_index(key)) for p in products for key in p.image_keys[:per_product]]
    pictures = _draw(wanted)
    rows = []
    for product, index in wanted:
        jpeg, thumb = pictures[(product.code, index)]
        filename = image_filename(product.code, jpeg)
        write_image_files(ctx, filename, jpeg, thumb)
        rows.append(
            {
                "product": product_ids[product.code],
                "filename": filename,
                "sort": index,
                "width": IMAGE_SIZE,
                "height": IMAGE_SIZE,
            }
        )
    _insert(ProductImage, rows)


def _draw(wanted: list) -> dict[tuple[str, int], tuple[bytes, bytes]]:
    missing = [(p, i) for p, i in wanted if (p.code, i) not in _drawn]
    if missing:
        workers = min(4, os.cpu_count() or 1)
        if workers > 1 and len(missing) > 20 and "fork" in multiprocessing.get_all_start_methods():
            # fork: the children only draw; they never touch the database.
            with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
                drawn = list(pool.map(_draw_one, missing, chunksize=16))
        else:
            drawn = [_draw_one(item) for item in missing]
        for (product, index), pictures in zip(missing, drawn, strict=True):
            _drawn[(product.code, index)] = pictures
        log.info("drew %d demo product pictures", len(missing))
    return {(p.code, i): _drawn[(p.code, i)] for p, i in wanted}


def _draw_one(item) -> tuple[bytes, bytes]:
    from demodata import render_product_image

    product, index = item
    jpeg = render_product_image(product, index, size=(IMAGE_SIZE, IMAGE_SIZE))
    return jpeg, make_thumbnail(jpeg)


def _insert(model, rows: Iterable[dict]) -> None:
    rows = list(rows)
    for start in range(0, len(rows), BATCH):
        model.insert_many(rows[start : start + BATCH]).execute()
