"""Request and answer schemas of the pricing API (validation + OpenAPI)."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate

from core.money import Money

MAX_QTY = 9999  # the largest quantity of one line, as for cart and orders
MAX_ROWS = 500  # price rows per admin request
CODE = validate.Length(min=1, max=32)
GRADE = validate.Length(min=0, max=32)


MAX_OPTIONS = 32
MSG_TOO_MANY_OPTIONS = "Too many options: a product has at most 32 option groups."


def _options_size(value: dict) -> None:
    if len(value) > MAX_OPTIONS:
        raise ValidationError(MSG_TOO_MANY_OPTIONS)


class QuoteBody(Schema):
    product_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=2**31 - 1))
    options = fields.Dict(
        keys=fields.String(validate=CODE),
        values=fields.String(allow_none=True, validate=validate.Length(max=32)),
        load_default=dict,
        validate=_options_size,
    )
    qty = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=MAX_QTY))


class BreakdownRow(Schema):
    label = fields.String()
    amount = fields.String(metadata={"example": "2200.00"})


class QuoteAnswer(Schema):
    product_id = fields.Integer()
    options = fields.Dict(keys=fields.String(), values=fields.String())
    qty = fields.Integer()
    grade = fields.String()
    unit_price = fields.String(metadata={"example": "2200.00"})
    line_total = fields.String(metadata={"example": "4400.00"})
    source = fields.String(
        metadata={"description": "customer_price | list_discount | what a resolver plugin says"}
    )
    breakdown = fields.List(fields.Nested(BreakdownRow))


class CustomerPriceRow(Schema):
    product_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=2**31 - 1))
    grade = fields.String(load_default="", validate=GRADE)
    unit_price = Money(required=True, allow_none=True, metadata={"description": "null removes the price"})


class CustomerPricesBody(Schema):
    prices = fields.List(
        fields.Nested(CustomerPriceRow), required=True, validate=validate.Length(min=1, max=MAX_ROWS)
    )


class CustomerPricesQuery(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=100))
    product_id = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))


class CustomerPriceItem(Schema):
    product_id = fields.Integer()
    product_code = fields.String()
    product_name = fields.String()
    grade = fields.String()
    grade_name = fields.String()
    unit_price = fields.String()
    version = fields.Integer()
    source = fields.String()
    updated_at = fields.String()


class CustomerInfo(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    discount_rate = fields.String()


class CustomerPricesAnswer(Schema):
    customer = fields.Nested(CustomerInfo)
    items = fields.List(fields.Nested(CustomerPriceItem))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


class CustomerPricesWritten(Schema):
    customer = fields.Nested(CustomerInfo)
    saved = fields.Integer()
    removed = fields.Integer()
    items = fields.List(fields.Nested(CustomerPriceItem))


class ListPriceRow(Schema):
    grade = fields.String(load_default="", validate=GRADE)
    list_price = Money(required=True)


class ListPricesBody(Schema):
    prices = fields.List(fields.Nested(ListPriceRow), required=True, validate=validate.Length(min=1, max=64))


class ListPriceItem(Schema):
    grade = fields.String()
    name = fields.String()
    list_price = fields.String()
    version = fields.Integer()
    updated_at = fields.String()


class ListPricesAnswer(Schema):
    product_id = fields.Integer()
    code = fields.String()
    prices = fields.List(fields.Nested(ListPriceItem))
