"""The ``catalog`` feed -> products with options, list prices, stock mode and pictures.

Per item (keyed by ``sku``; an existing product with the same code is
adopted): the product fields, its main category link, option groups and
values (:mod:`.options`), the list price of every grade
(``pricing.price_file.set_list_prices``), the stock mode (``inventory.set_stock``
when it changes, with the ERP's last known figure) and the image keys
wanted (:mod:`..images` fetches them after the commit, and only when the
keys changed).

Dealers see a product when the ERP publishes it *and* it is ``active``: a
``discontinued`` product can no longer be ordered (the ERP would answer
``DISCONTINUED``), so the platform takes it off sale. A tombstone, or
absence from a full read, unpublishes the product; nothing is deleted.
"""

from __future__ import annotations

import re
from typing import Any

from core.db import utcnow
from plugins.catalog.models import Category, Product, ProductCategory
from plugins.erp_yidiantong.models import ErpBinding, ProductImageSync
from plugins.erp_yidiantong.sync import values
from plugins.erp_yidiantong.sync.feeds.base import RowFeed
from plugins.erp_yidiantong.sync.feeds.options import OptionWriter, grade_codes, parse_groups
from plugins.erp_yidiantong.sync.feeds.stock import MODEL as STOCK_MODEL
from plugins.erp_yidiantong.sync.feeds.stock import apply_erp_stock, unacknowledged_quantities
from plugins.erp_yidiantong.sync.report import RowRejected
from plugins.inventory.models import STOCK_MODES, StockItem
from plugins.inventory.services import UNLIMITED, available_of, set_stock
from plugins.pricing.models import NO_GRADE, GradePrice
from plugins.pricing.price_file import set_list_prices

MODEL = "product"
STATUSES = ("active", "discontinued")
_IMAGE_KEY_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,190}$")


def parse_list_prices(item: dict[str, Any], grades: set[str] | None) -> dict[str, int]:
    """``list_prices`` as {grade: fen}; grades must be the grade group's values ('' without grades)."""
    raw = item.get("list_prices")
    if not isinstance(raw, list) or not raw:
        raise RowRejected("list_prices must be a non-empty list")
    prices: dict[str, int] = {}
    for index, row in enumerate(raw):
        if not isinstance(row, dict):
            raise RowRejected(f"list_prices[{index}] must be an object")
        grade = row.get("grade")
        if not isinstance(grade, str):
            raise RowRejected(f"list_prices[{index}].grade must be a string")
        if grades is None and grade != NO_GRADE:
            raise RowRejected(f"list_prices[{index}]: the product has no grades, grade must be empty")
        if grades is not None and grade not in grades:
            raise RowRejected(f"list_prices[{index}]: {grade!r} is not a grade of the product")
        if grade in prices:
            raise RowRejected(f"list_prices: grade {grade!r} is listed twice")
        try:
            prices[grade] = values.integer(row, "list_price_fen", minimum=0)
        except RowRejected as ex:
            raise RowRejected(f"list_prices[{index}].{ex.reason}") from ex
    return prices


def parse_image_keys(item: dict[str, Any]) -> list[str]:
    raw = item.get("image_keys") or []
    if not isinstance(raw, list) or not all(isinstance(k, str) and _IMAGE_KEY_RE.match(k) for k in raw):
        raise RowRejected("image_keys must be a list of media keys")
    return list(dict.fromkeys(raw))


def _dimension(item: dict[str, Any], name: str) -> int | None:
    value = values.optional_integer(item, name, minimum=0)
    if value is not None and value > 100_000:
        raise RowRejected(f"{name} is larger than 100 m")
    return value


class CatalogFeed(RowFeed):
    model = MODEL

    def key(self, item: dict[str, Any]) -> str:
        return values.text(item, "sku", 64)

    def begin(self, ctx, full: bool) -> None:
        super().begin(ctx, full)
        self.images_per_product = max(0, int(ctx.config("erp_yidiantong")["images_per_product"]))

    def prepare(self, items: list[dict[str, Any]]) -> None:
        skus = [item["sku"] for item in items]
        self.products = {p.code: p for p in Product.select().where(Product.code.in_(skus))} if skus else {}
        ids = [p.id for p in self.products.values()]
        self.options = OptionWriter(ids)
        self.modes = (
            {s.product_id: s.mode for s in StockItem.select().where(StockItem.product.in_(ids))}
            if ids
            else {}
        )
        codes = {item.get("category_code") for item in items if isinstance(item.get("category_code"), str)}
        self.categories = {c.code: c.id for c in Category.select().where(Category.code.in_(list(codes)))}
        self.list_prices = {
            (g.product_id, g.grade): g.list_price
            for g in GradePrice.select().where(GradePrice.product.in_(ids))
        }
        self.images = {
            r.product_id: r for r in ProductImageSync.select().where(ProductImageSync.product.in_(ids))
        }
        self.held = unacknowledged_quantities(ids)
        self.stock_memos = {
            b.external_id: b.memo
            for b in ErpBinding.select().where(
                (ErpBinding.model == STOCK_MODEL)
                & ErpBinding.external_id.in_(skus)
                & (ErpBinding.deleted == False)  # noqa: E712
            )
        }

    def apply(self, item: dict[str, Any], binding: ErpBinding | None) -> tuple[int, dict]:
        sku = item["sku"]
        category_code = values.text(item, "category_code", 64)
        category_id = self.categories.get(category_code)
        if category_id is None:
            raise RowRejected(f"unknown category {category_code}")
        status = values.text(item, "status", 16)
        if status not in STATUSES:
            raise RowRejected(f"status must be one of {', '.join(STATUSES)}")
        stock_mode = values.text(item, "stock_mode", 16)
        if stock_mode not in STOCK_MODES:
            raise RowRejected(f"stock_mode must be one of {', '.join(STOCK_MODES)}")
        packages = item.get("packages") or []
        if not isinstance(packages, list):
            raise RowRejected("packages must be a list")
        groups = parse_groups(item)
        list_prices = parse_list_prices(item, grade_codes(groups))
        image_keys = parse_image_keys(item)
        fields = {
            "name": values.text(item, "name", 200),
            "category": category_id,
            "spec": values.optional_text(item, "spec", 255),
            "width_mm": _dimension(item, "width_mm"),
            "depth_mm": _dimension(item, "depth_mm"),
            "height_mm": _dimension(item, "height_mm"),
            "unit": values.optional_text(item, "uom", 8) or "件",
            "description": values.optional_text(item, "description", 20_000),
            "custom_only": values.boolean(item, "custom_only", False),
            "published": values.boolean(item, "published", True) and status == "active",
            "packages": max(1, len(packages)),
            "updated_at": utcnow(),
        }
        product = self.products.get(sku)
        old_category = product.category_id if product is not None else None
        if product is None:
            product = Product(code=sku, **fields)
        else:
            for name, value in fields.items():
                setattr(product, name, value)
        product.save()  # save() keeps search_text in step
        self._link_category(product.id, old_category, category_id)
        self.options.write(product.id, groups)
        self._write_list_prices(product.id, list_prices)
        self._write_stock_mode(product, stock_mode)
        self._want_images(product.id, image_keys[: self.images_per_product])
        self.report.prices_changed = True
        return product.id, {}

    def _link_category(self, product_id: int, old_category: int | None, category_id: int) -> None:
        if old_category is not None and old_category != category_id:
            ProductCategory.delete().where(
                (ProductCategory.product == product_id) & (ProductCategory.category == old_category)
            ).execute()
        ProductCategory.insert(product=product_id, category=category_id).on_conflict_ignore().execute()

    def _write_list_prices(self, product_id: int, prices: dict[str, int]) -> None:
        set_list_prices(
            product_id,
            {grade: fen for grade, fen in prices.items() if self.list_prices.get((product_id, grade)) != fen},
        )
        held = {grade for (pid, grade) in self.list_prices if pid == product_id}
        if held - set(prices):
            GradePrice.delete().where(
                (GradePrice.product == product_id) & GradePrice.grade.not_in(list(prices))
            ).execute()

    def _write_stock_mode(self, product: Product, mode: str) -> None:
        if self.modes.get(product.id, UNLIMITED) == mode:
            return
        if mode == UNLIMITED:
            item = set_stock(product, UNLIMITED, None, reason="erp_sync", ref=f"{product.code} mode")
            self.report.stock_changes[product.id] = available_of(item)
        else:
            available = int(self.stock_memos.get(product.code, {}).get("available", 0))
            held = self.held.get(product.id, 0)
            changed = apply_erp_stock(product, mode, available, f"{product.code} mode", held)
            self.report.stock_changes[product.id] = changed
        self.modes[product.id] = mode

    def _want_images(self, product_id: int, keys: list[str]) -> None:
        row = self.images.get(product_id)
        if row is None:
            if keys:
                ProductImageSync.create(product=product_id, wanted=keys, pending=True)
            return
        if row.wanted != keys:
            ProductImageSync.update(
                wanted=keys, pending=keys != row.applied, last_error="", updated_at=utcnow()
            ).where(ProductImageSync.product == product_id).execute()

    def tombstone(self, item: dict[str, Any], binding: ErpBinding | None) -> bool:
        return _unpublish(item["sku"])

    def deactivate(self, binding: ErpBinding) -> bool:
        return _unpublish(binding.external_id)


def _unpublish(sku: str) -> bool:
    return bool(
        Product.update(published=False, updated_at=utcnow())
        .where((Product.code == sku) & (Product.published == True))  # noqa: E712
        .execute()
    )
