"""``ydt catalog import``: products and categories from a CSV or XLSX file.

The contract:

* Columns are mapped to product fields (:data:`FIELDS`); by default a field
  reads the column of the same name. A field may join several columns
  (``name=name+short_description``).
* Every data row gets exactly one outcome. The first row of a product code
  is ``imported`` (a new product), ``updated`` (an existing one changed) or
  ``unchanged``; further rows of the same code list the product in more
  categories and are ``merged`` into it (``unchanged`` when the product did
  not change); a row that cannot be used is ``rejected`` with its reason.
  Running the same file twice therefore reports everything ``unchanged``.
* A product is linked to the categories of all its rows; its main category
  is the one of its first row. Category paths (``沙发 > 真皮沙发``) are
  created as needed; a value that is an existing category code means that
  category. Fields left empty keep the product's current value.
* New products are published unless ``publish=False``; the publication of
  existing products is left alone (the back office decides it).
* Prices go to other plugins through the ``catalog_list_price_imported``
  hook (see :mod:`plugins.catalog.hookspecs`); the catalog stores none.
* Everything happens in one transaction; ``dry_run`` rolls it back.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.db import current_database, is_postgres, utcnow, write_transaction
from plugins.catalog.import_rows import (
    FIELDS,
    ImportFailed,
    ImportOptions,
    ImportReport,
    Note,
    ParsedRow,
    parse_mapping,
    parse_price,
    parse_row,
    resolve_columns,
)
from plugins.catalog.models import (
    Category,
    OptionGroup,
    OptionValue,
    Product,
    ProductCategory,
    search_text_for,
)
from plugins.catalog.tabular import TableError, read_table

__all__ = [
    "FIELDS",
    "ImportFailed",
    "ImportOptions",
    "ImportReport",
    "import_file",
    "parse_mapping",
    "parse_price",
]

BATCH = 200  # rows per bulk statement: well inside SQLite's variable limit
IMPORT_LOCK = 0x59_44_54_43  # PostgreSQL advisory lock key ("YDTC") serializing imports


# -- categories ------------------------------------------------------------------


class CategoryResolver:
    """Finds or creates the category of a path, remembering what it made."""

    def __init__(self, report: ImportReport) -> None:
        self.report = report
        self.by_code: dict[str, Category] = {}
        self.by_name: dict[tuple[int | None, str], Category] = {}
        for category in Category.select().order_by(Category.id):
            self._remember(category)
        self.next_sort = max((c.sort for c in self.by_code.values()), default=0) + 10

    def _remember(self, category: Category) -> None:
        self.by_code[category.code] = category
        self.by_name.setdefault((category.parent_id, category.name.casefold()), category)

    def _new_code(self, path: list[str]) -> str:
        slug = re.sub(r"[^A-Za-z0-9]+", "-", "-".join(path)).strip("-").upper()
        if slug and "".join(path).isascii() and len(slug) <= 48 and slug not in self.by_code:
            return slug
        digest = hashlib.sha256("\x1f".join(path).encode("utf-8")).hexdigest().upper()
        for size in (8, 12, 64):
            code = f"CAT-{digest[:size]}"
            if code not in self.by_code:
                return code
        raise RuntimeError("category code collision")  # 256-bit collision: not in this universe

    def resolve(self, path: list[str]) -> Category:
        if len(path) == 1 and path[0] in self.by_code:
            return self.by_code[path[0]]
        parent: Category | None = None
        for depth, name in enumerate(path):
            key = (parent.id if parent else None, name.casefold())
            found = self.by_name.get(key)
            if found is None:
                found = Category.create(
                    code=self._new_code(path[: depth + 1]), name=name, parent=parent, sort=self.next_sort
                )
                self.next_sort += 10
                self._remember(found)
                self.report.categories_created.append(" > ".join(path[: depth + 1]))
            parent = found
        return parent


# -- products ----------------------------------------------------------------------

_PRODUCT_FIELDS = ("name", "spec", "unit", "description", "width_mm", "depth_mm", "height_mm", "packages")


@dataclass
class ProductPlan:
    """All rows of one product code and what they ask for."""

    code: str
    rows: list[ParsedRow]
    values: dict[str, Any] = field(default_factory=dict)
    category_ids: list[int] = field(default_factory=list)

    @property
    def first_row(self) -> int:
        return self.rows[0].row


def _merge_rows(code: str, rows: list[ParsedRow], report: ImportReport) -> ProductPlan:
    """The first value of each field wins; later rows only fill gaps."""
    plan = ProductPlan(code, rows)
    for row in rows:
        for key, value in row.values.items():
            if key not in plan.values:
                plan.values[key] = value
            elif plan.values[key] != value and key in ("name", "price"):
                report.warnings.append(
                    Note(
                        row.row,
                        f"{key} differs from row {rows[0].row} with the same code; kept row {rows[0].row}",
                    )
                )
    return plan


def _chunks(items: list, size: int = BATCH) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _existing_products(codes: list[str]) -> dict[str, Product]:
    found: dict[str, Product] = {}
    for chunk in _chunks(codes, 500):
        for product in Product.select().where(Product.code.in_(chunk)):
            found[product.code] = product
    return found


def _existing_links(product_ids: list[int]) -> dict[int, set[int]]:
    links: dict[int, set[int]] = {pid: set() for pid in product_ids}
    for chunk in _chunks(product_ids, 500):
        query = ProductCategory.select(ProductCategory.product, ProductCategory.category).where(
            ProductCategory.product.in_(chunk)
        )
        for link in query:
            links[link.product_id].add(link.category_id)
    return links


def _default_grades(product_ids: list[int]) -> dict[int, str]:
    """The first active value of each product's grade group (``""`` if none)."""
    grades: dict[int, str] = {}
    for chunk in _chunks(product_ids, 500):
        groups = (
            OptionGroup.select(OptionGroup.id, OptionGroup.product)
            .where(OptionGroup.product.in_(chunk) & (OptionGroup.kind == "grade"))
            .order_by(OptionGroup.sort.desc(), OptionGroup.id.desc())
        )
        first_group = {g.product_id: g.id for g in groups}  # last seen = first in order
        if not first_group:
            continue
        values = (
            OptionValue.select(OptionValue.group, OptionValue.code)
            .where(OptionValue.group.in_(list(first_group.values())) & (OptionValue.active == True))  # noqa: E712
            .order_by(OptionValue.sort.desc(), OptionValue.id.desc())
        )
        first_value = {v.group_id: v.code for v in values}
        for product_id, group_id in first_group.items():
            grades[product_id] = first_value.get(group_id, "")
    return grades


def import_file(ctx, path: Path, options: ImportOptions) -> ImportReport:
    """Import ``path`` (CSV or XLSX) into the catalog; see the module docstring.

    Raises ImportFailed when the file or the mapping cannot be used at all;
    problems of single rows are reported, not raised.
    """
    report = ImportReport(dry_run=options.dry_run)
    try:
        header, rows = read_table(Path(path), options.sheet)
        columns = resolve_columns(header, options.mapping)
        parsed: list[ParsedRow] = []
        for number, cells in rows:
            report.rows += 1
            row = parse_row(number, cells, columns, options, report)
            if row is not None:
                parsed.append(row)
    except TableError as ex:
        raise ImportFailed(str(ex)) from ex

    groups: dict[str, list[ParsedRow]] = {}
    for row in parsed:
        groups.setdefault(row.code, []).append(row)
    plans = [_merge_rows(code, rows_, report) for code, rows_ in groups.items()]

    with write_transaction() as transaction:
        if is_postgres():
            # Two imports at once would both insert the same new codes; SQLite's
            # BEGIN IMMEDIATE already makes the second one wait.
            current_database().execute_sql("SELECT pg_advisory_xact_lock(%s)", (IMPORT_LOCK,))
        _apply(ctx, plans, options, report)
        if options.dry_run:
            transaction.rollback()
    return report


def _apply(ctx, plans: list[ProductPlan], options: ImportOptions, report: ImportReport) -> None:
    existing = _existing_products([plan.code for plan in plans])
    categories = CategoryResolver(report)
    new_plans: list[ProductPlan] = []
    old_plans: list[ProductPlan] = []
    for plan in plans:
        is_new = plan.code not in existing
        missing = [name for name in ("name", "category") if is_new and not _has(plan, name)]
        if missing:
            for row in plan.rows:
                report.rejected.append(
                    Note(row.row, f"new product {plan.code!r} has no {' or '.join(missing)}")
                )
            continue
        for row in plan.rows:
            if row.category_path:
                category = categories.resolve(row.category_path)
                if category.id not in plan.category_ids:
                    plan.category_ids.append(category.id)
        (new_plans if is_new else old_plans).append(plan)

    now = utcnow()
    _insert_new(new_plans, options, now)
    created = _existing_products([plan.code for plan in new_plans])
    changed = _update_old(old_plans, existing, now)
    products = {**existing, **created}
    links = _existing_links([products[plan.code].id for plan in plans if plan.code in products])
    changed |= _sync_links([p for p in new_plans + old_plans], products, links)
    changed |= _send_prices(ctx, [p for p in new_plans + old_plans if "price" in p.values], products)

    for plan in new_plans:
        report.imported += 1
        report.merged += len(plan.rows) - 1
    for plan in old_plans:
        if products[plan.code].id in changed:
            report.updated += 1
            report.merged += len(plan.rows) - 1
        else:
            report.unchanged += len(plan.rows)


def _has(plan: ProductPlan, name: str) -> bool:
    if name == "category":
        return any(row.category_path for row in plan.rows)
    return name in plan.values


def _insert_new(plans: list[ProductPlan], options: ImportOptions, now) -> None:
    rows = []
    for plan in plans:
        values = plan.values
        rows.append(
            {
                "code": plan.code,
                "name": values["name"],
                "category": plan.category_ids[0],
                "spec": values.get("spec", ""),
                "unit": values.get("unit", "件"),
                "description": values.get("description", ""),
                "width_mm": values.get("width_mm"),
                "depth_mm": values.get("depth_mm"),
                "height_mm": values.get("height_mm"),
                "packages": values.get("packages", 1),
                "published": options.publish,
                "search_text": search_text_for(plan.code, values["name"], values.get("spec", "")),
                "created_at": now,
                "updated_at": now,
            }
        )
    for chunk in _chunks(rows):
        Product.insert_many(chunk).execute()


def _update_old(plans: list[ProductPlan], existing: dict[str, Product], now) -> set[int]:
    changed: set[int] = set()
    for plan in plans:
        product = existing[plan.code]
        updates = {
            name: plan.values[name]
            for name in _PRODUCT_FIELDS
            if name in plan.values and getattr(product, name) != plan.values[name]
        }
        if plan.category_ids and product.category_id != plan.category_ids[0]:
            updates["category"] = plan.category_ids[0]
        if not updates:
            continue
        for name, value in updates.items():
            setattr(product, name if name != "category" else "category_id", value)
        updates["search_text"] = search_text_for(product.code, product.name, product.spec)
        updates["updated_at"] = now
        Product.update(updates).where(Product.id == product.id).execute()
        changed.add(product.id)
    return changed


def _sync_links(
    plans: list[ProductPlan], products: dict[str, Product], links: dict[int, set[int]]
) -> set[int]:
    """Make each product's category links those of its rows; the ids changed."""
    changed: set[int] = set()
    to_add: list[dict[str, int]] = []
    to_remove: list[tuple[int, set[int]]] = []
    for plan in plans:
        if not plan.category_ids:
            continue
        product_id = products[plan.code].id
        wanted, current = set(plan.category_ids), links.get(product_id, set())
        if wanted == current:
            continue
        changed.add(product_id)
        to_add += [{"product": product_id, "category": c} for c in plan.category_ids if c not in current]
        if current - wanted:
            to_remove.append((product_id, current - wanted))
    for product_id, categories in to_remove:
        ProductCategory.delete().where(
            (ProductCategory.product == product_id) & ProductCategory.category.in_(list(categories))
        ).execute()
    for chunk in _chunks(to_add):
        ProductCategory.insert_many(chunk).execute()
    return changed


def _send_prices(ctx, plans: list[ProductPlan], products: dict[str, Product]) -> set[int]:
    """Hand list prices to the plugins that keep them; the ids whose price changed."""
    if not plans:
        return set()
    grades = _default_grades([products[plan.code].id for plan in plans])
    changed: set[int] = set()
    hook = ctx.pm.hook.catalog_list_price_imported
    for plan in plans:
        product = products[plan.code]
        results = hook(
            ctx=ctx, product=product, grade=grades.get(product.id, ""), list_price=plan.values["price"]
        )
        if any(result is True for result in results):
            changed.add(product.id)
    return changed
