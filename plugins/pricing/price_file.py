"""Writing the price file: grade list prices and customer prices (一客一价).

Admin endpoints, catalog imports, the demo loader and ERP sync all write
through these functions. Each write is an upsert keyed by its natural key
(product + grade, customer + product + grade), so two writers racing on the
same row cannot collide; the row's ``version`` goes up by one only when the
amount really changes, which is what quote and order versions refer to.
Call them inside a write transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from peewee import EXCLUDED

from core.db import utcnow
from plugins.catalog.models import OptionGroup, OptionValue, Product
from plugins.pricing.models import NO_GRADE, CustomerPrice, GradePrice

CHUNK = 500  # rows per bulk statement: 3,500 parameters, well inside SQLite's limit


def grade_codes(product_id: int) -> list[str] | None:
    """Value codes of the product's grade group, or ``None`` if it has none.

    Inactive values are included: a retired grade may still carry prices.
    """
    group = (
        OptionGroup.select()
        .where((OptionGroup.product == product_id) & (OptionGroup.kind == "grade"))
        .order_by(OptionGroup.sort, OptionGroup.id)
        .first()
    )
    if group is None:
        return None
    return [v.code for v in OptionValue.select(OptionValue.code).where(OptionValue.group == group)]


def grade_problem(codes: list[str] | None, grade: str) -> str | None:
    """English message id of what is wrong with ``grade``, given :func:`grade_codes`."""
    if codes is None:
        return None if grade == NO_GRADE else "This product has no grades; leave grade empty."
    if grade not in codes:
        return "Not a grade of this product."
    return None


def set_list_price(product_id: int, grade: str, list_price: int) -> bool:
    """Set the list price of a product at a grade (fen); bump the version on change.

    Returns whether the stored price changed (a new row counts as a change).
    """
    before = GradePrice.get_or_none((GradePrice.product == product_id) & (GradePrice.grade == grade))
    set_list_prices(product_id, {grade: list_price})
    return before is None or before.list_price != list_price


def set_list_prices(product_id: int, prices: dict[str, int]) -> None:
    """Set several grades' list prices of a product in one statement (see :func:`set_list_price`)."""
    if not prices:
        return
    now = utcnow()
    rows = [
        {"product": product_id, "grade": grade, "list_price": fen, "version": 1, "updated_at": now}
        for grade, fen in prices.items()
    ]
    (
        GradePrice.insert_many(rows)
        .on_conflict(
            conflict_target=[GradePrice.product, GradePrice.grade],
            update={
                GradePrice.list_price: EXCLUDED.list_price,
                GradePrice.version: GradePrice.version + 1,
                GradePrice.updated_at: EXCLUDED.updated_at,
            },
            where=(GradePrice.list_price != EXCLUDED.list_price),
        )
        .execute()
    )


def set_customer_price(
    customer_id: int, product_id: int, grade: str, unit_price: int | None, source: str = "price_file"
) -> None:
    """Set (or with ``None`` remove) a customer's explicit price; bump version on change."""
    if unit_price is None:
        CustomerPrice.delete().where(
            (CustomerPrice.customer == customer_id)
            & (CustomerPrice.product == product_id)
            & (CustomerPrice.grade == grade)
        ).execute()
        return
    upsert_customer_prices([(customer_id, product_id, grade, unit_price)], source)


def upsert_customer_prices(rows: Iterable[tuple[int, int, str, int]], source: str = "price_file") -> int:
    """Bulk-set explicit prices ``(customer_id, product_id, grade, fen)``, in chunks.

    For price-file syncs of many rows: one statement per :data:`CHUNK` rows;
    a row whose amount did not change keeps its version. Rows must be valid
    (existing ids, grade codes of the product). Returns the rows sent.
    """
    now = utcnow()
    sent = 0
    for chunk in _chunks(rows):
        (
            CustomerPrice.insert_many(
                [
                    {
                        "customer": customer_id,
                        "product": product_id,
                        "grade": grade,
                        "unit_price": fen,
                        "version": 1,
                        "source": source,
                        "updated_at": now,
                    }
                    for customer_id, product_id, grade, fen in chunk
                ]
            )
            .on_conflict(
                conflict_target=[CustomerPrice.customer, CustomerPrice.product, CustomerPrice.grade],
                update={
                    CustomerPrice.unit_price: EXCLUDED.unit_price,
                    CustomerPrice.source: EXCLUDED.source,
                    CustomerPrice.version: CustomerPrice.version + 1,
                    CustomerPrice.updated_at: EXCLUDED.updated_at,
                },
                where=(CustomerPrice.unit_price != EXCLUDED.unit_price),
            )
            .execute()
        )
        sent += len(chunk)
    return sent


def _chunks(rows: Iterable, size: int | None = None) -> Iterator[list]:
    size = size or CHUNK
    chunk: list = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def grade_names(product_ids: Iterable[int]) -> dict[tuple[int, str], str]:
    """``{(product_id, grade code): grade name}`` for the products' grade groups."""
    ids = list(product_ids)
    if not ids:
        return {}
    query = (
        OptionValue.select(OptionValue.code, OptionValue.name, OptionGroup.product)
        .join(OptionGroup)
        .where(OptionGroup.product.in_(ids) & (OptionGroup.kind == "grade"))
    )
    return {(row.group.product_id, row.code): row.name for row in query}


def list_price_rows(product: Product) -> list[dict]:
    """The product's list prices in grade order, for the admin API (fen)."""
    names = grade_names([product.id])
    order = {code: i for i, code in enumerate(grade_codes(product.id) or [NO_GRADE])}
    rows = sorted(
        GradePrice.select().where(GradePrice.product == product.id),
        key=lambda r: (order.get(r.grade, len(order)), r.grade),
    )
    return [
        {
            "grade": row.grade,
            "name": names.get((product.id, row.grade), ""),
            "list_price": row.list_price,
            "version": row.version,
            "updated_at": row.updated_at,
        }
        for row in rows
    ]
