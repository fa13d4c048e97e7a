"""A small catalog to test against, and a query counter."""

from __future__ import annotations

import contextlib
import logging

from plugins.catalog.models import Category, OptionGroup, OptionValue, Product, ProductCategory, ProductImage


def make_product(code, name, category, *, spec="", published=True, sort=0, links=(), **fields):
    product = Product.create(
        code=code, name=name, category=category, spec=spec, published=published, sort=sort, **fields
    )
    for linked in (category, *links):
        ProductCategory.create(product=product, category=linked)
    return product


def add_options(product):
    """A grade group (FA, FB, L1), a required colour and optional cushions."""
    cover = OptionGroup.create(
        product=product, code="COVER", name="面料", kind="grade", required=True, sort=0
    )
    for i, (code, name) in enumerate([("FA", "布A"), ("FB", "布B"), ("L1", "头层牛皮L1")]):
        OptionValue.create(group=cover, code=code, name=name, sort=i)
    OptionValue.create(group=cover, code="OLD", name="停产面料", sort=9, active=False)
    colour = OptionGroup.create(
        product=product, code="COLOR", name="颜色", kind="surcharge", required=True, sort=1
    )
    OptionValue.create(group=colour, code="NP-02", name="米白", sort=0)
    OptionValue.create(group=colour, code="NP-11", name="孔雀蓝", surcharge=15000, sort=1)
    cushion = OptionGroup.create(
        product=product, code="CUSHION", name="抱枕", kind="surcharge", required=False, sort=2
    )
    OptionValue.create(group=cushion, code="CU-2", name="加配抱枕2个", surcharge=16000)
    return product


def build_catalog() -> dict:
    """沙发 (真皮沙发, 布艺沙发), 床, an inactive 旧款 category; five products."""
    sofa = Category.create(code="SOFA", name="沙发", sort=10)
    leather = Category.create(code="SOFA-LEATHER", name="真皮沙发", parent=sofa, sort=11)
    fabric = Category.create(code="SOFA-FABRIC", name="布艺沙发", parent=sofa, sort=12)
    bed = Category.create(code="BED", name="床", sort=20, icon="bed")
    old = Category.create(code="OLD", name="旧款", sort=30, active=False)
    s801 = add_options(
        make_product(
            "S-801",
            "米兰模块沙发 L型组合",
            leather,
            spec="2800×1650×850mm",
            sort=1,
            width_mm=2800,
            depth_mm=1650,
            height_mm=850,
            description="实木框架",
            unit="套",
        )
    )
    ProductImage.create(product=s801, filename="S-801-second.jpg", sort=1)
    ProductImage.create(product=s801, filename="S-801-first.jpg", sort=0)
    s820 = make_product("S-820", "月白布艺沙发 三人位", fabric, spec="2190×970×800mm 100%棉麻", sort=2)
    # Listed in 床 too: a sofa bed.
    sb = make_product("SB-1", "Sofa Bed 沙发床", fabric, spec="1900×900", sort=3, links=(bed,))
    b1 = make_product("B-1201", "江南软包床 1.8米", bed, spec="1800×2000mm", sort=4)
    hidden = make_product("S-999", "未发布沙发", leather, published=False, sort=5)
    return {
        "sofa": sofa,
        "leather": leather,
        "fabric": fabric,
        "bed": bed,
        "old": old,
        "s801": s801,
        "s820": s820,
        "sofa_bed": sb,
        "b1": b1,
        "hidden": hidden,
    }


class QueryCounter(logging.Handler):
    """Counts the SQL statements peewee runs (it logs each at DEBUG)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.statements: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.statements.append(record.getMessage())


@contextlib.contextmanager
def count_queries():
    logger = logging.getLogger("peewee")
    counter = QueryCounter()
    old_level = logger.level
    logger.addHandler(counter)
    logger.setLevel(logging.DEBUG)
    try:
        yield counter
    finally:
        logger.removeHandler(counter)
        logger.setLevel(old_level)
