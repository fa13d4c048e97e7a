"""Small builders of catalog and price rows for the pricing tests."""

from __future__ import annotations

import itertools

from plugins.catalog.models import Category, OptionGroup, OptionValue, Product
from plugins.pricing.models import CustomerPrice, GradePrice

_seq = itertools.count(1)

COVER = ("SOFA-COVER", "面料等级")
COVER_VALUES = (("FA", "布A"), ("FB", "布B"), ("L2", "头层牛皮L2"))
LEG = ("SOFA-LEG", "脚架")
LEG_VALUES = (("LG-01", "黑色碳钢脚", 0), ("LG-02", "拉丝香槟金脚", 8000))


def category() -> Category:
    n = next(_seq)
    return Category.create(code=f"CAT{n}", name=f"分类{n}")


def product(
    code: str,
    *,
    grades: dict[str, int] | None = None,
    grade_values=COVER_VALUES,
    surcharge_values=None,
    surcharge_required: bool = True,
    published: bool = True,
    cat: Category | None = None,
) -> Product:
    """A product with a cover-grade group (list prices in fen per grade code)
    and optionally a leg surcharge group. ``grades=None`` and
    ``grade_values=()`` make a product without grades (list price under '')."""
    cat = cat or Category.get_or_none(Category.code == "CAT-T") or Category.create(code="CAT-T", name="测试")
    item = Product.create(code=code, name=f"{code} 沙发", category=cat, published=published)
    if grade_values:
        group = OptionGroup.create(product=item, code=COVER[0], name=COVER[1], kind="grade", sort=1)
        for i, (value_code, name) in enumerate(grade_values):
            OptionValue.create(group=group, code=value_code, name=name, sort=i)
    if surcharge_values:
        group = OptionGroup.create(
            product=item, code=LEG[0], name=LEG[1], kind="surcharge", required=surcharge_required, sort=2
        )
        for i, (value_code, name, fen) in enumerate(surcharge_values):
            OptionValue.create(group=group, code=value_code, name=name, surcharge=fen, sort=i)
    for grade, fen in (grades or {}).items():
        GradePrice.create(product=item, grade=grade, list_price=fen)
    return item


def customer_price(customer, item: Product, grade: str, fen: int) -> CustomerPrice:
    return CustomerPrice.create(customer=customer, product=item, grade=grade, unit_price=fen)
