"""Product pictures from the ERP (EGP/1 §5.8), fetched only when a product's image keys change.

The catalog feed records the keys it wants per product
(:class:`ProductImageSync`, ``pending``). After the catalog pages commit,
the pictures of pending products are downloaded a few at a time in
threads (no database work there) and stored in this thread through
``catalog.media.store_product_image``; the pictures the connector made
earlier for that product are then removed. Pictures staff uploaded on the
platform are never touched. If the ERP goes offline midway, the rest stays
pending for the next sync.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from peewee import Value

from core.db import utcnow, write_transaction
from core.errors import ApiError
from plugins.catalog.media import store_product_image
from plugins.catalog.models import Product, ProductImage
from plugins.erp_yidiantong.egp.client import EgpClient, ErpNotFound, ErpOffline, ErpServerError
from plugins.erp_yidiantong.models import ProductImageSync

log = logging.getLogger("ydt.erp.images")
BATCH = 24  # products per round: bounds the pictures held in memory
THREADS = 4


@dataclass
class ImageTally:
    products: int = 0
    stored: int = 0
    missing: int = 0
    error: str = ""


def fetch_pending_images(ctx, client: EgpClient, limit: int | None = None) -> ImageTally:
    """Store the pictures of products whose ERP image keys changed; stops when the ERP is offline."""
    tally = ImageTally()
    done: set[int] = set()
    while limit is None or tally.products < limit:
        rows = list(
            ProductImageSync.select()
            .where((ProductImageSync.pending == True) & ProductImageSync.product.not_in(list(done) or [0]))  # noqa: E712
            .order_by(ProductImageSync.product)
            .limit(BATCH)
        )
        if not rows:
            break
        pairs = [(row, index, key) for row in rows for index, key in enumerate(row.wanted)]
        try:
            with ThreadPoolExecutor(THREADS) as pool:
                fetched = list(pool.map(lambda pair: _download(client, pair[2]), pairs))
        except (ErpOffline, ErpServerError) as ex:
            tally.error = f"pictures left pending: {ex}"
            break
        by_product: dict[int, list[tuple[int, str, bytes | None]]] = {}
        for (row, index, key), data in zip(pairs, fetched, strict=True):
            by_product.setdefault(row.product_id, []).append((index, key, data))
        for row in rows:
            done.add(row.product_id)
            tally.products += 1
            _store(ctx, row, by_product.get(row.product_id, []), tally)
    return tally


def _download(client: EgpClient, key: str) -> bytes | None:
    try:
        return client.media(key)
    except ErpNotFound:
        return None


def _store(
    ctx, row: ProductImageSync, pictures: list[tuple[int, str, bytes | None]], tally: ImageTally
) -> None:
    product = Product.get_or_none(Product.id == row.product_id)
    if product is None:
        return
    made: list[int] = []
    problems: list[str] = []
    for index, key, data in pictures:
        if data is None:
            tally.missing += 1
            problems.append(f"{key}: not found")
            continue
        try:
            made.append(store_product_image(ctx, product, data, sort=index).id)
            tally.stored += 1
        except ApiError as ex:  # not a picture the catalog accepts
            problems.append(f"{key}: {ex.code}")
    with write_transaction():
        old = [i for i in row.image_ids if i not in made]
        if old:
            ProductImage.delete().where(
                (ProductImage.id.in_(old)) & (ProductImage.product == product.id)
            ).execute()
        ProductImageSync.update(
            applied=row.wanted, image_ids=made, last_error="; ".join(problems)[:2000], updated_at=utcnow()
        ).where(ProductImageSync.product == product.id).execute()
        # Done, unless the catalog asked for other keys meanwhile.
        ProductImageSync.update(pending=False).where(
            (ProductImageSync.product == product.id)
            & (ProductImageSync.wanted == Value(row.wanted, unpack=False))
        ).execute()
    if problems:
        log.warning("pictures of %s: %s", product.code, "; ".join(problems))
