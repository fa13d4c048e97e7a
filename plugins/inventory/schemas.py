"""Request and answer schemas of the inventory API (validation + OpenAPI)."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from plugins.inventory.models import STOCK_MODES
from plugins.inventory.services import MAX_STOCK, UNLIMITED


class StockAnswer(Schema):
    product_id = fields.Integer()
    mode = fields.String(metadata={"description": "unlimited | quota (sales stock) | erp (live ERP stock)"})
    available = fields.Integer(allow_none=True, metadata={"description": "null when unlimited"})


class SetStockBody(Schema):
    mode = fields.String(required=True, validate=validate.OneOf(STOCK_MODES))
    quantity = fields.Integer(strict=True, validate=validate.Range(min=0, max=MAX_STOCK))

    @validates_schema
    def quantity_for_counted_modes(self, data, **kwargs):
        if data.get("mode") not in (None, UNLIMITED) and "quantity" not in data:
            raise ValidationError("Required for quota and erp stock.", field_name="quantity")


class MovementRow(Schema):
    delta = fields.Integer()
    reason = fields.String(metadata={"description": "order | release | set | upload | erp_sync"})
    ref = fields.String()
    at = fields.String()


class AdminStockRow(Schema):
    product_id = fields.Integer()
    code = fields.String()
    name = fields.String()
    published = fields.Boolean()
    mode = fields.String()
    quantity = fields.Integer(allow_none=True)
    reserved = fields.Integer()
    available = fields.Integer(allow_none=True)
    updated_at = fields.String(allow_none=True)


class AdminStockDetail(AdminStockRow):
    movements = fields.List(fields.Nested(MovementRow))


class AdminStockQuery(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=100))
    mode = fields.String(validate=validate.OneOf(STOCK_MODES))
    q = fields.String(validate=[validate.Length(min=1, max=64), validate.Regexp(r"^[^\x00-\x1f]*$")])
    low = fields.Integer(
        validate=validate.Range(min=0, max=MAX_STOCK),
        metadata={"description": "only counted products with at most this many available"},
    )


class UploadRow(Schema):
    line = fields.Integer()
    code = fields.String()
    quantity = fields.Integer()
    previous_mode = fields.String()
    previous_quantity = fields.Integer(allow_none=True)


class UploadError(Schema):
    line = fields.Integer()
    code = fields.String()
    message = fields.String()


class UploadAnswer(Schema):
    rows = fields.Integer()
    applied = fields.Integer()
    items = fields.List(fields.Nested(UploadRow))
    errors = fields.List(fields.Nested(UploadError))
