"""Fixtures of the orders tests: a small shop built from the models directly."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest

from core.models import Customer, RepAssignment
from plugins.catalog.models import Category, OptionGroup, OptionValue, Product
from plugins.inventory.models import StockItem
from plugins.pricing.models import GradePrice

DELIVERY = {"contact": "陈伟", "phone": "13800138000", "address": "广东省佛山市顺德区乐从镇家具城 A 区 18 号"}


def make_product(
    code: str,
    name: str,
    *,
    grades: dict[str, int] | None = None,
    list_price: int | None = None,
    legs: bool = False,
    stock: int | None = None,
    custom_only: bool = False,
    custom_allowed: bool = True,
    published: bool = True,
) -> Product:
    """A product with an optional cover-grade group (list price per grade, fen),
    an optional leg surcharge group, and quota stock (``None`` = unlimited)."""
    category = Category.get_or_none(Category.code == "SOFA") or Category.create(code="SOFA", name="沙发")
    product = Product.create(
        code=code,
        name=name,
        category=category,
        spec="2880×980×850mm",
        unit="套",
        custom_only=custom_only,
        custom_allowed=custom_allowed,
        published=published,
    )
    if grades:
        group = OptionGroup.create(product=product, code="COVER", name="面料", kind="grade", sort=1)
        for sort, grade in enumerate(grades):
            OptionValue.create(group=group, code=grade, name=f"等级{grade}", sort=sort)
        for grade, fen in grades.items():
            GradePrice.create(product=product, grade=grade, list_price=fen)
    else:
        GradePrice.create(product=product, grade="", list_price=list_price or 100000)
    if legs:
        group = OptionGroup.create(
            product=product, code="LEG", name="脚架", kind="surcharge", required=False, sort=2
        )
        OptionValue.create(group=group, code="BLACK", name="黑色碳钢脚", surcharge=0, sort=0)
        OptionValue.create(group=group, code="GOLD", name="香槟金脚", surcharge=8000, sort=1)
    if stock is not None:
        StockItem.create(product=product, mode="quota", quantity=stock)
    return product


@pytest.fixture
def shop(app, db, make_user):
    """Two dealers (discount 0.9 and 1), a rep assigned to the first, a rep
    with nobody, and products: a sofa with grades and legs (quota 5), a tea
    table (unlimited), a custom-only wardrobe and an unpublished chair."""
    dealer1 = make_user(
        "dealer1",
        discount_rate="0.9",
        contact="陈伟",
        phone="13800138000",
        province="广东省",
        city="佛山市",
        address="顺德区乐从镇家具城 A 区 18 号",
    )
    dealer2 = make_user("dealer2")
    customer1 = Customer.get_by_id(dealer1.customer_id)
    customer2 = Customer.get_by_id(dealer2.customer_id)
    rep1 = make_user("rep1", role="rep", customers=[customer1])
    rep2 = make_user("rep2", role="rep")
    other = Customer.create(code="C-OTHER", name="别家家居", discount_rate=Decimal("1"))
    RepAssignment.create(rep=rep2, customer=other)
    sofa = make_product("S-801", "意式真皮沙发", grades={"FA": 328000, "L2": 458000}, legs=True, stock=5)
    table = make_product("T-220", "岩板茶几", list_price=168000)
    wardrobe = make_product("W-900", "定制衣柜", list_price=500000, custom_only=True, stock=3)
    chair = make_product("C-100", "休闲椅", list_price=50000, published=False)
    return SimpleNamespace(
        dealer1=dealer1,
        dealer2=dealer2,
        customer1=customer1,
        customer2=customer2,
        rep1=rep1,
        rep2=rep2,
        other=other,
        sofa=sofa,
        table=table,
        wardrobe=wardrobe,
        chair=chair,
    )
