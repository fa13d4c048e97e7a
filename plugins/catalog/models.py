"""Catalog records. Prices live in the pricing plugin, stock in inventory."""

from __future__ import annotations

import peewee

from core.db import AwareDateTimeField, BaseModel, utcnow

OPTION_KINDS = ("grade", "surcharge")


def search_text_for(code: str, name: str, spec: str) -> str:
    """The lower-cased text ``?q=`` searches: code, name and spec."""
    return " ".join(part for part in (code, name, spec) if part).lower()


class Category(BaseModel):
    code = peewee.CharField(max_length=64, unique=True)
    name = peewee.CharField(max_length=64)
    parent = peewee.ForeignKeyField("self", null=True, backref="children", on_delete="SET NULL")
    sort = peewee.IntegerField(default=0)
    active = peewee.BooleanField(default=True)
    icon = peewee.CharField(max_length=32, default="")  # symbol in static/catalog-icons.svg; "" = guess


class Product(BaseModel):
    code = peewee.CharField(max_length=64, unique=True)  # model number / ERP item code
    name = peewee.CharField(max_length=200)
    category = peewee.ForeignKeyField(Category, backref="products", on_delete="RESTRICT")
    spec = peewee.CharField(max_length=255, default="")  # free-text size and spec
    width_mm = peewee.IntegerField(null=True)
    depth_mm = peewee.IntegerField(null=True)
    height_mm = peewee.IntegerField(null=True)
    unit = peewee.CharField(max_length=8, default="件")
    description = peewee.TextField(default="")
    custom_only = peewee.BooleanField(default=False)  # every order line is non-standard
    custom_allowed = peewee.BooleanField(default=True)  # dealer may write a custom request
    published = peewee.BooleanField(default=True, index=True)
    packages = peewee.IntegerField(default=1)  # cartons per unit
    search_text = peewee.TextField(default="")  # lower-cased code, name, spec for ?q=
    sort = peewee.IntegerField(default=0)
    created_at = AwareDateTimeField(default=utcnow)
    updated_at = AwareDateTimeField(default=utcnow)

    def save(self, *args, **kwargs):
        # Whoever saves a product (admin, ERP sync) keeps its search text right;
        # bulk inserts and updates compute it with search_text_for themselves.
        if self.code is not None and self.name is not None:
            self.search_text = search_text_for(self.code, self.name, self.spec or "")
        return super().save(*args, **kwargs)


class ProductCategory(BaseModel):
    """Every category a product is listed in (its main one included)."""

    product = peewee.ForeignKeyField(Product, backref="category_links", on_delete="CASCADE")
    category = peewee.ForeignKeyField(Category, backref="product_links", on_delete="CASCADE")

    class Meta:
        indexes = ((("category", "product"), True),)


class ProductImage(BaseModel):
    product = peewee.ForeignKeyField(Product, backref="images", on_delete="CASCADE")
    filename = peewee.CharField(max_length=255, index=True)  # under <data dir>/media/products/
    sort = peewee.IntegerField(default=0)
    width = peewee.IntegerField(default=0)
    height = peewee.IntegerField(default=0)


class OptionGroup(BaseModel):
    """A configuration choice of one product (fabric grade, colour, legs...)."""

    product = peewee.ForeignKeyField(Product, backref="option_groups", on_delete="CASCADE")
    code = peewee.CharField(max_length=32)
    name = peewee.CharField(max_length=64)
    kind = peewee.CharField(max_length=16, default="surcharge")  # grade | surcharge
    required = peewee.BooleanField(default=True)
    sort = peewee.IntegerField(default=0)

    class Meta:
        indexes = ((("product", "code"), True),)


class OptionValue(BaseModel):
    group = peewee.ForeignKeyField(OptionGroup, backref="values", on_delete="CASCADE")
    code = peewee.CharField(max_length=32)
    name = peewee.CharField(max_length=64)
    surcharge = peewee.BigIntegerField(default=0)  # fen, list; only for surcharge groups
    sort = peewee.IntegerField(default=0)
    active = peewee.BooleanField(default=True)

    class Meta:
        indexes = ((("group", "code"), True),)


MODELS = [Category, Product, ProductCategory, ProductImage, OptionGroup, OptionValue]
