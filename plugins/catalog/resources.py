"""Catalog API: the category tree, published product lists and product details.

All three are customer-scoped: a dealer sees the catalog with their own
prices and stock, a rep with those of the customer they act for. Prices and
stock come from other plugins through the ``extend_product_data`` hook.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from core.http import PageQuery, api
from plugins.catalog import services


class CategoryNode(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    icon = fields.String(metadata={"description": "symbol of /static/catalog/catalog-icons.svg"})
    children = fields.List(fields.Nested(lambda: CategoryNode()))


class ProductListQuery(PageQuery):
    category_id = fields.Integer(
        strict=False,
        validate=validate.Range(min=1, max=2**31 - 1),
        metadata={"description": "a category; its sub-categories are included"},
    )
    q = fields.String(
        validate=validate.Length(max=100),
        metadata={"description": "words to find in code, name or spec (case-insensitive)"},
    )


class StockInfo(Schema):
    mode = fields.String()
    available = fields.Integer(allow_none=True)


class ProductItem(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    spec = fields.String()
    category_id = fields.Integer()
    unit = fields.String()
    image_url = fields.String(allow_none=True, metadata={"description": "thumbnail of the first image"})
    custom_only = fields.Boolean()
    custom_allowed = fields.Boolean()
    price = fields.String(metadata={"description": "this customer's price of the default configuration"})
    stock = fields.Nested(StockInfo)


class OptionValueItem(Schema):
    code = fields.String()
    name = fields.String()


class OptionGroupItem(Schema):
    code = fields.String()
    name = fields.String()
    required = fields.Boolean()
    kind = fields.String(metadata={"description": "grade (price zone) or surcharge"})
    values = fields.List(fields.Nested(OptionValueItem))


class Crumb(Schema):
    id = fields.Integer()
    name = fields.String()


class ProductDetail(ProductItem):
    images = fields.List(fields.String())
    description = fields.String()
    width_mm = fields.Integer(allow_none=True)
    depth_mm = fields.Integer(allow_none=True)
    height_mm = fields.Integer(allow_none=True)
    packages = fields.Integer()
    category_ids = fields.List(fields.Integer())
    breadcrumb = fields.List(fields.Nested(Crumb))
    option_groups = fields.List(fields.Nested(OptionGroupItem))
    default_options = fields.Dict(keys=fields.String(), values=fields.String())
    default_options_label = fields.String()
    grade_prices = fields.Raw(metadata={"description": "this customer's price per grade (pricing plugin)"})


class CategoryTreeResource:
    def __init__(self, ctx) -> None:
        self.ctx = ctx

    @api("The category tree", response=CategoryNode, response_many=True, customer=True, tags=["catalog"])
    def on_get(self, req, resp):
        resp.media = services.category_tree()


class ProductListResource:
    def __init__(self, ctx) -> None:
        self.ctx = ctx

    @api(
        "Published products, by category and search, with this customer's price and stock",
        query=ProductListQuery,
        response=ProductItem,
        paginated=True,
        customer=True,
        tags=["catalog"],
    )
    def on_get(self, req, resp):
        params = req.context.query
        query = services.published_products(params.get("category_id"), params.get("q"))
        page, per_page = params["page"], params["per_page"]
        products = list(query.paginate(page, per_page))
        resp.media = {
            "items": services.describe_products(self.ctx, req.context.customer, products),
            "total": query.count(),
            "page": page,
            "per_page": per_page,
        }


class ProductResource:
    def __init__(self, ctx) -> None:
        self.ctx = ctx

    @api(
        "A published product with its options, images and prices",
        response=ProductDetail,
        customer=True,
        tags=["catalog"],
    )
    def on_get(self, req, resp, product_id: int):
        product = services.get_published_product(product_id)
        resp.media = services.describe_product(self.ctx, req.context.customer, product)
