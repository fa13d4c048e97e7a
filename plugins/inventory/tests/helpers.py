"""Small builders of catalog and stock rows for the inventory tests."""

from __future__ import annotations

from plugins.catalog.models import Category, Product
from plugins.inventory.models import StockItem


def product(
    code: str,
    mode: str | None = None,
    quantity: int = 0,
    *,
    reserved: int = 0,
    published: bool = True,
    unit: str = "件",
) -> Product:
    """A product, with a stock row when ``mode`` is given."""
    cat = Category.get_or_none(Category.code == "CAT-T") or Category.create(code="CAT-T", name="测试")
    item = Product.create(code=code, name=f"{code} 产品", category=cat, published=published, unit=unit)
    if mode is not None:
        StockItem.create(product=item, mode=mode, quantity=quantity, reserved=reserved)
    return item


def stock(product_id: int) -> tuple[str, int, int]:
    item = StockItem.get_by_id(product_id)
    return item.mode, item.quantity, item.reserved
