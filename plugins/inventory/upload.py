"""Stock upload: a CSV of ``code,quantity`` rows sets the products' sales stock.

Excel in China saves CSV as GB18030/GBK unless told otherwise, so the file
is read as UTF-8 (with or without BOM) and, failing that, as GB18030. A
header row is recognised by its words. Every good row is applied (mode
``quota``, quantity absolute) in one transaction; every bad row is reported
with its line number and skipped, as ERP batch imports do. Products whose
stock comes from the ERP are refused: switching them needs a deliberate
mode change.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from typing import Any

from core.db import write_transaction
from core.errors import ValidationFailed
from plugins.catalog.models import Product
from plugins.inventory.models import StockItem
from plugins.inventory.services import ERP, MAX_STOCK, QUOTA, UNLIMITED, available_of, set_stock

MAX_ROWS = 20_000
HEADER_WORDS = {
    "code",
    "product_code",
    "sku",
    "编码",
    "产品编码",
    "货号",
    "型号",
    "quantity",
    "qty",
    "数量",
    "库存",
}
_INT = re.compile(r"^\d{1,9}$")


@dataclass
class UploadReport:
    rows: int = 0
    applied: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"rows": self.rows, "applied": len(self.applied), "items": self.applied, "errors": self.errors}


def decode(data: bytes) -> str:
    """The text of an uploaded CSV (UTF-8, UTF-8 with BOM, or GB18030)."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationFailed("The file is not a UTF-8 or GBK text CSV.", code="invalid_file")


def parse_rows(text: str) -> list[tuple[int, list[str]]]:
    """``(line number, cells)`` of every non-blank row, the header left out."""
    if "\x00" in text:
        raise ValidationFailed("The file is not a UTF-8 or GBK text CSV.", code="invalid_file")
    numbered = []
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                numbered.append((reader.line_num, cells))
    except csv.Error as ex:
        raise ValidationFailed("The file is not a UTF-8 or GBK text CSV.", code="invalid_file") from ex
    if numbered and {cell.strip().lower() for cell in numbered[0][1]} & HEADER_WORDS:
        numbered = numbered[1:]
    if not numbered:
        raise ValidationFailed("The file has no rows.", code="empty_file")
    if len(numbered) > MAX_ROWS:
        raise ValidationFailed("The file has more than {limit} rows.", code="too_many_rows", limit=MAX_ROWS)
    return numbered


def upload_stock(data: bytes, _, ref: str = "") -> tuple[UploadReport, dict[int, int | None]]:
    """Apply a stock CSV; return the report and the changes to notify after commit.

    Line numbers are the file's own, header included, as a spreadsheet
    shows them.
    """
    rows = parse_rows(decode(data))
    report = UploadReport(rows=len(rows))
    codes = {cells[0].strip() for _line, cells in rows if cells}
    products = {p.code: p for p in Product.select().where(Product.code.in_(list(codes)))}
    stock = {
        i.product_id: i
        for i in StockItem.select().where(StockItem.product.in_([p.id for p in products.values()]))
    }
    seen: set[str] = set()
    good: list[tuple[int, Product, int]] = []
    for line, cells in rows:
        code = cells[0].strip()
        problem = _row_problem(cells, code, products, stock, seen)
        if problem:
            report.errors.append({"line": line, "code": code[:64], "message": _(problem)})
            continue
        seen.add(code)
        good.append((line, products[code], int(cells[1].strip())))
    changes: dict[int, int | None] = {}
    with write_transaction():
        for line, product, quantity in good:
            before = stock.get(product.id)
            item = set_stock(product, QUOTA, quantity, reason="upload", ref=ref)
            changes[product.id] = available_of(item)
            report.applied.append(
                {
                    "line": line,
                    "code": product.code,
                    "quantity": quantity,
                    "previous_mode": before.mode if before is not None else UNLIMITED,
                    "previous_quantity": before.quantity
                    if before is not None and before.mode == QUOTA
                    else None,
                }
            )
    return report, changes


def _row_problem(cells, code, products, stock, seen) -> str | None:
    if len(cells) < 2 or not code:
        return "Each row needs a product code and a quantity."
    if len([c for c in cells[2:] if c.strip()]):
        return "Each row needs a product code and a quantity."
    product = products.get(code)
    if product is None:
        return "No product has this code."
    if code in seen:
        return "This code appears more than once; only its first row was applied."
    raw = cells[1].strip()
    if not _INT.match(raw) or int(raw) > MAX_STOCK:
        return "The quantity must be a whole number from 0 to 10000000."
    item = stock.get(product.id)
    if item is not None and item.mode == ERP:
        return "This product's stock comes from the ERP; change its stock mode first."
    return None
