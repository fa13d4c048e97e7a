"""The demo catalog, and the catalog answers with the price and stock other plugins add."""

import dataclasses
import re

import pytest

from core.demo import load_demo_data
from demodata import DEMO_PASSWORD, build_dataset
from plugins.catalog.demo import load_demo_catalog
from plugins.catalog.media import media_dir, thumb_dir, thumb_name
from plugins.catalog.models import Category, OptionGroup, OptionValue, Product, ProductCategory, ProductImage

MONEY = re.compile(r"^\d+\.\d{2}$")


@pytest.fixture
def settings(settings):
    # Drawing 900 pictures is the demo's business, not these tests'.
    return dataclasses.replace(settings, plugin_settings={"catalog": {"demo_images": 0}})


@pytest.fixture
def demo(app):
    assert load_demo_data(app.ctx) is True
    return build_dataset()


def test_the_demo_catalog_is_loaded_whole(app, demo):
    with app.ctx.activate():
        assert Category.select().count() == len(demo.categories)
        assert Product.select().count() == len(demo.products)
        assert ProductCategory.select().count() == len(demo.products)
        assert OptionGroup.select().count() == sum(len(p.option_groups) for p in demo.products)
        assert OptionValue.select().count() == sum(
            len(g.values) for p in demo.products for g in p.option_groups
        )
        s801 = Product.get(Product.code == "S-801")
        assert s801.category.code == "SOFA-MODULAR"
        assert s801.category.parent.code == "SOFA"
        assert "米兰模块沙发" in s801.search_text
        assert Product.select().where(Product.published == False).count() == sum(  # noqa: E712
            1 for p in demo.products if not p.published
        )
        assert ProductImage.select().count() == 0  # demo_images = 0


def test_list_items_carry_this_customers_price_and_stock(client, demo):
    dealer = client.login("dealer1", DEMO_PASSWORD)
    result = dealer.get("products", params={"per_page": 100})
    assert result.json["total"] == sum(1 for p in demo.products if p.published)
    items = result.json["items"]
    assert len(items) == 100
    for item in items:
        assert MONEY.match(item["price"]), item
        assert item["stock"]["mode"] in ("unlimited", "quota", "erp")
    for item in items[:: len(items) // 8]:
        quote = dealer.post("quotes", {"product_id": item["id"], "options": {}, "qty": 1})
        assert quote.status_code == 200, quote.text
        assert quote.json["unit_price"] == item["price"]
        stock = dealer.get(f"stock/{item['id']}").json
        assert {"mode": stock["mode"], "available": stock["available"]} == {
            "mode": item["stock"]["mode"],
            "available": item["stock"]["available"],
        }


def test_the_product_answer_carries_a_price_for_every_grade(client, demo):
    dealer = client.login("dealer1", DEMO_PASSWORD)
    product = dealer.get("products", params={"q": "S-801"}).json["items"][0]
    detail = dealer.get(f"products/{product['id']}").json
    grades = [v["code"] for v in detail["option_groups"][0]["values"]]
    assert [row["grade"] for row in detail["grade_prices"]] == grades
    default_grade = detail["default_options"][detail["option_groups"][0]["code"]]
    by_grade = {row["grade"]: row["price"] for row in detail["grade_prices"]}
    assert by_grade[default_grade] == detail["price"] == product["price"]


def test_demo_pictures_are_drawn_with_thumbnails(app):
    small = dataclasses.replace(build_dataset(), products=build_dataset().products[:4])
    app.ctx.plugin_config["catalog"]["demo_images"] = 3
    with app.ctx.activate(), app.ctx.db.atomic():
        load_demo_catalog(app.ctx, small)
    with app.ctx.activate():
        rows = list(
            ProductImage.select(ProductImage, Product).join(Product).order_by(Product.id, ProductImage.sort)
        )
    assert len(rows) == sum(len(p.image_keys) for p in small.products)
    first = rows[0]
    assert first.product.code == small.products[0].code
    assert re.match(r"^S-801-[0-9a-f]{10}\.jpg$", first.filename)
    assert (media_dir(app.ctx) / first.filename).read_bytes()[:2] == b"\xff\xd8"
    assert (thumb_dir(app.ctx) / thumb_name(first.filename)).stat().st_size < (
        media_dir(app.ctx) / first.filename
    ).stat().st_size
    assert [row.sort for row in rows if row.product_id == first.product_id] == list(
        range(len(small.products[0].image_keys))
    )
