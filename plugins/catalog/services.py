"""Catalog queries and the product shapes the API and the pages answer.

What other plugins may rely on:

* Lists hold published products only; :func:`get_published_product` raises
  ``NotFound`` for a product that does not exist or is not published.
* :func:`validate_options` is the one check of a configuration: it returns
  ``{group_code: value_code}`` with defaults filled in (the first active value
  of each required group left out) or raises ``ValidationFailed`` naming each
  bad group under ``details["options"]``.
* Option groups of a batch of products are loaded in bulk
  (:func:`prefetch_options`); products handed to the ``extend_product_data``
  hook already carry them, so :func:`option_groups_of`,
  :func:`default_options` and :func:`grade_group` cost no query there.
  Serializing a page of products therefore takes a fixed number of queries.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

from peewee import Case, fn

from core.db import is_postgres
from core.errors import NotFound, ValidationFailed
from plugins.catalog.media import thumb_name
from plugins.catalog.models import (
    Category,
    OptionGroup,
    OptionValue,
    Product,
    ProductCategory,
    ProductImage,
)

# Field messages of option and category checks: fixed English msgids, so the
# core translates them (the detail's key already names the group).
MSG_UNKNOWN_CATEGORY = "Unknown category."
MSG_OPTIONS_NOT_AN_OBJECT = "Must be an object of option group code to value code."
MSG_UNKNOWN_GROUP = "This product has no such option group."
MSG_UNKNOWN_VALUE = "This option has no such value."
MSG_VALUE_REQUIRED = "Choose a value."
MSG_NOT_A_CODE = "Must be a value code (a string)."
MSG_NO_VALUE_AVAILABLE = "No value is available."

MEDIA_URL = "/media/products/"
THUMB_URL = "/media/products/thumbs/"
MAX_SEARCH_TERMS = 8


# -- categories ----------------------------------------------------------------


def active_categories() -> dict[int, Category]:
    """Every active category by id, in display order (one query)."""
    rows = Category.select().where(Category.active == True).order_by(Category.sort, Category.id)  # noqa: E712
    return {row.id: row for row in rows}


def _children(categories: dict[int, Category]) -> dict[int | None, list[Category]]:
    children: dict[int | None, list[Category]] = {}
    for category in categories.values():
        parent = category.parent_id if category.parent_id in categories else None
        if category.parent_id is not None and parent is None:
            continue  # under an inactive parent: hidden with it
        children.setdefault(parent, []).append(category)
    return children


def subtree_ids(categories: dict[int, Category], root_id: int) -> list[int]:
    """``root_id`` and the ids of every active category below it."""
    children = _children(categories)
    found, stack = [], [root_id]
    while stack:
        current = stack.pop()
        found.append(current)
        stack.extend(child.id for child in children.get(current, []))
    return found


def category_tree(categories: dict[int, Category] | None = None) -> list[dict[str, Any]]:
    """Active categories as a tree: ``[{id, code, name, icon, children}]``."""
    categories = active_categories() if categories is None else categories
    children = _children(categories)

    def node(category: Category) -> dict[str, Any]:
        return {
            "id": category.id,
            "code": category.code,
            "name": category.name,
            "icon": category_icon(category),
            "children": [node(child) for child in children.get(category.id, [])],
        }

    return [node(category) for category in children.get(None, [])]


def category_path(categories: dict[int, Category], category_id: int | None) -> list[Category]:
    """The category and its ancestors, root first (for breadcrumbs)."""
    path: list[Category] = []
    seen: set[int] = set()
    while category_id in categories and category_id not in seen:
        seen.add(category_id)
        path.append(categories[category_id])
        category_id = categories[category_id].parent_id
    return list(reversed(path))


# Symbols of static/catalog-icons.svg, guessed from a category's name when
# it has none of its own: imported and ERP categories come without icons.
_ICON_WORDS = (
    ("sofa", ("沙发", "sofa", "armchair")),
    ("mattress", ("床垫", "mattress")),
    ("bed", ("床", "bed", "nursery", "children", "儿童")),
    ("dining", ("餐", "dining", "bar ", "bar furniture", "café", "cafe")),
    ("chair", ("椅", "chair", "stool")),
    ("desk", ("办公", "desk", "office")),
    ("tv", ("电视", "tv", "media")),
    ("table", ("桌", "几", "table")),
    ("wardrobe", ("衣柜", "wardrobe")),
    ("shelf", ("书架", "shelf", "shelving", "bookcase", "divider")),
    ("cabinet", ("柜", "cabinet", "cupboard", "drawer", "sideboard", "chest", "trolley")),
    ("outdoor", ("户外", "outdoor", "garden")),
)


def category_icon(category: Category) -> str:
    """The icon symbol of a category: its own, or one guessed from its name."""
    if category.icon:
        return category.icon
    name = category.name.lower()
    for icon, words in _ICON_WORDS:
        if any(word in name for word in words):
            return icon
    return "furniture"


# -- product queries ---------------------------------------------------------------


def _contains(field, term: str):
    # A literal substring test: LIKE would treat % and _ in the query as
    # wildcards. search_text is stored lower-cased, so this is case-blind.
    if is_postgres():
        return fn.strpos(field, term) > 0
    return fn.instr(field, term) > 0


def search_terms(q: str | None) -> list[str]:
    """The lower-cased words of a search, at most :data:`MAX_SEARCH_TERMS`.

    Control characters count as spaces (PostgreSQL refuses a NUL in text).
    """
    text = "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in (q or "").lower())
    return text.split()[:MAX_SEARCH_TERMS]


def published_products(category_id: int | None = None, q: str | None = None, *, categories=None):
    """Published products, optionally in a category (and its sub-categories)
    and matching every word of ``q`` in code, name or spec (best matches first).

    Raises ValidationFailed for an unknown or inactive ``category_id``.
    """
    query = Product.select().where(Product.published == True)  # noqa: E712
    if category_id is not None:
        categories = active_categories() if categories is None else categories
        if category_id not in categories:
            raise ValidationFailed(details={"category_id": [MSG_UNKNOWN_CATEGORY]})
        ids = subtree_ids(categories, category_id)
        linked = ProductCategory.select(ProductCategory.product).where(ProductCategory.category.in_(ids))
        query = query.where(Product.category.in_(ids) | Product.id.in_(linked))
    terms = search_terms(q)
    for term in terms:
        query = query.where(_contains(Product.search_text, term))
    if not terms:
        return query.order_by(Product.sort, Product.id)
    # Most relevant first: the exact model number, then names with the first
    # word, then products that only mention it in their spec.
    relevance = Case(
        None,
        [(fn.lower(Product.code) == terms[0], 0), (_contains(fn.lower(Product.name), terms[0]), 1)],
        2,
    )
    return query.order_by(relevance, Product.sort, Product.id)


def newest_products(limit: int):
    """The most recently added published products."""
    return (
        Product.select()
        .where(Product.published == True)  # noqa: E712
        .order_by(Product.created_at.desc(), Product.id.desc())
        .limit(limit)
    )


def get_published_product(product_id: Any) -> Product:
    """The published product with this id, or NotFound."""
    if isinstance(product_id, bool) or not isinstance(product_id, int) or not 0 < product_id < 2**31:
        raise NotFound()
    product = Product.get_or_none((Product.id == product_id) & (Product.published == True))  # noqa: E712
    if product is None:
        raise NotFound()
    return product


# -- option groups -------------------------------------------------------------


def prefetch_options(products: Iterable[Product]) -> None:
    """Load the option groups and active values of ``products`` (two queries).

    Afterwards :func:`option_groups_of` and :func:`values_of` answer from
    memory for these products.
    """
    pending = {p.id: p for p in products if "_option_groups" not in p.__dict__}
    if not pending:
        return
    groups = list(
        OptionGroup.select()
        .where(OptionGroup.product.in_(list(pending)))
        .order_by(OptionGroup.sort, OptionGroup.id)
    )
    values: dict[int, list[OptionValue]] = {group.id: [] for group in groups}
    if groups:
        rows = (
            OptionValue.select()
            .where(OptionValue.group.in_(list(values)) & (OptionValue.active == True))  # noqa: E712
            .order_by(OptionValue.sort, OptionValue.id)
        )
        for value in rows:
            values[value.group_id].append(value)
    for product in pending.values():
        product._option_groups = []
    for group in groups:
        group._values = values[group.id]
        pending[group.product_id]._option_groups.append(group)


def option_groups_of(product: Product) -> list[OptionGroup]:
    """The product's option groups in display order (loaded once)."""
    if "_option_groups" not in product.__dict__:
        prefetch_options([product])
    return product._option_groups


def values_of(group: OptionGroup) -> list[OptionValue]:
    """The active values of an option group, in display order."""
    if "_values" not in group.__dict__:
        group._values = list(
            OptionValue.select()
            .where((OptionValue.group == group.id) & (OptionValue.active == True))  # noqa: E712
            .order_by(OptionValue.sort, OptionValue.id)
        )
    return group._values


def grade_group(product: Product) -> OptionGroup | None:
    """The product's ``grade`` option group (its price zones), if any."""
    return next((g for g in option_groups_of(product) if g.kind == "grade"), None)


def validate_options(product: Product, options: Any) -> dict[str, str]:
    """Check a configuration of ``product`` and fill in the defaults.

    ``options`` maps option group codes to value codes. A required group left
    out gets its first active value; an optional group left out (or given
    ``None`` or ``""``) stays unset. Unknown groups, unknown or inactive
    values and values that are not strings raise ValidationFailed with
    ``details={"options": {group_code: [reason]}}``. The answer lists the
    groups in display order.
    """
    if options is None:
        options = {}
    if not isinstance(options, dict):
        raise ValidationFailed(details={"options": [MSG_OPTIONS_NOT_AN_OBJECT]})
    groups = option_groups_of(product)
    by_code = {group.code: group for group in groups}
    errors: dict[str, list[str]] = {}
    chosen: dict[str, str] = {}
    for code, value in options.items():
        group = by_code.get(code)
        if group is None:
            errors[str(code)] = [MSG_UNKNOWN_GROUP]
        elif value is None or value == "":
            if group.required:
                errors[code] = [MSG_VALUE_REQUIRED]
        elif not isinstance(value, str):
            errors[code] = [MSG_NOT_A_CODE]
        elif value not in {v.code for v in values_of(group)}:
            errors[code] = [MSG_UNKNOWN_VALUE]
        else:
            chosen[code] = value
    answer: dict[str, str] = {}
    for group in groups:
        if group.code in chosen:
            answer[group.code] = chosen[group.code]
        elif group.required and group.code not in options:
            values = values_of(group)
            if values:
                answer[group.code] = values[0].code
            else:
                errors[group.code] = [MSG_NO_VALUE_AVAILABLE]
    if errors:
        raise ValidationFailed(details={"options": errors})
    return answer


def default_options(product: Product) -> dict[str, str]:
    """The default configuration: the first active value of every required group.

    Unlike :func:`validate_options` it never raises: a required group with no
    active value left is simply missing (the product cannot be ordered until
    the factory fixes it, but it can still be shown).
    """
    return {
        group.code: values_of(group)[0].code
        for group in option_groups_of(product)
        if group.required and values_of(group)
    }


def options_label(product: Product, options: dict[str, str]) -> str:
    """A configuration for people: ``"面料: 头层牛皮L2 / 颜色: 米白"``.

    Groups in display order; codes the product does not know are skipped.
    """
    parts = []
    for group in option_groups_of(product):
        code = options.get(group.code)
        value = next((v for v in values_of(group) if v.code == code), None)
        if value is not None:
            parts.append(f"{group.name}: {value.name}")
    return " / ".join(parts)


# -- images ----------------------------------------------------------------------


def image_url(filename: str) -> str:
    return MEDIA_URL + filename


def thumb_url(filename: str) -> str:
    """The list thumbnail of the image ``filename`` (see ``media.thumb_name``)."""
    return THUMB_URL + thumb_name(filename)


def first_images(product_ids: Sequence[int]) -> dict[int, ProductImage]:
    """The first image of each product (one query)."""
    if not product_ids:
        return {}
    rows = (
        ProductImage.select()
        .where(ProductImage.product.in_(list(product_ids)))
        .order_by(ProductImage.product, ProductImage.sort.desc(), ProductImage.id.desc())
    )
    # Ordered so that the last row seen per product is its first image.
    return {row.product_id: row for row in rows}


def images_of(product: Product) -> list[ProductImage]:
    """The product's images in display order."""
    return list(
        ProductImage.select()
        .where(ProductImage.product == product)
        .order_by(ProductImage.sort, ProductImage.id)
    )


def image_urls(product: Product) -> list[str]:
    """URLs of every image of the product, in display order."""
    return [image_url(row.filename) for row in images_of(product)]


# -- answers ---------------------------------------------------------------------


_UNKNOWN: Any = object()


def product_summary(product: Product, image: ProductImage | None = _UNKNOWN) -> dict[str, Any]:
    """The catalog's part of a list item.

    Pass the product's first ``image`` (``None`` for none) when it is known,
    to save a query.
    """
    if image is _UNKNOWN:
        image = first_images([product.id]).get(product.id)
    return {
        "id": product.id,
        "code": product.code,
        "name": product.name,
        "spec": product.spec,
        "category_id": product.category_id,
        "unit": product.unit,
        "image_url": thumb_url(image.filename) if image else None,
        "custom_only": product.custom_only,
        "custom_allowed": product.custom_allowed,
    }


def product_summaries(products: Sequence[Product]) -> list[dict[str, Any]]:
    """Summaries of a batch of products with one query for their images."""
    images = first_images([p.id for p in products])
    return [product_summary(product, images.get(product.id)) for product in products]


def product_detail(product: Product, categories: dict[int, Category] | None = None) -> dict[str, Any]:
    """Everything the product page needs from the catalog."""
    categories = active_categories() if categories is None else categories
    images = images_of(product)
    linked = [
        row.category_id
        for row in ProductCategory.select(ProductCategory.category).where(ProductCategory.product == product)
    ]
    category_ids = [product.category_id] + sorted(set(linked) - {product.category_id})
    defaults = default_options(product)
    data = product_summary(product, images[0] if images else None)
    data.update(
        {
            "images": [image_url(row.filename) for row in images],
            "description": product.description,
            "width_mm": product.width_mm,
            "depth_mm": product.depth_mm,
            "height_mm": product.height_mm,
            "packages": product.packages,
            "category_ids": category_ids,
            "breadcrumb": [
                {"id": c.id, "name": c.name} for c in category_path(categories, product.category_id)
            ],
            "option_groups": [
                {
                    "code": group.code,
                    "name": group.name,
                    "required": group.required,
                    "kind": group.kind,
                    "values": [{"code": v.code, "name": v.name} for v in values_of(group)],
                }
                for group in option_groups_of(product)
            ],
            "default_options": defaults,
            "default_options_label": options_label(product, defaults),
        }
    )
    return data


def extend(ctx, customer, products: Sequence[Product], items: list[dict], *, detail: bool) -> list[dict]:
    """Merge what other plugins add (price, stock...) into product answers.

    Calls ``extend_product_data`` once for the whole batch, with option
    groups preloaded, and updates ``items`` (matched by ``id``) in place.
    """
    if not products:
        return items
    prefetch_options(products)
    by_id = {item["id"]: item for item in items}
    results = ctx.pm.hook.extend_product_data(
        ctx=ctx, customer=customer, products=list(products), detail=detail
    )
    for extra in reversed(results):  # base plugin first, dependents may refine
        for product_id, fields in (extra or {}).items():
            if product_id in by_id and fields:
                by_id[product_id].update(fields)
    return items


def describe_products(ctx, customer, products: Sequence[Product]) -> list[dict[str, Any]]:
    """List items for ``customer``: catalog summary plus hook data."""
    products = list(products)
    return extend(ctx, customer, products, product_summaries(products), detail=False)


def describe_product(ctx, customer, product: Product) -> dict[str, Any]:
    """The product page/API answer for ``customer``: detail plus hook data."""
    return extend(ctx, customer, [product], [product_detail(product)], detail=True)[0]
