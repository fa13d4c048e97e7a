"""Request and answer schemas of the cart and order API.

The request schemas validate (unknown fields are rejected by
:func:`core.http.api`); the answer schemas document the JSON in the OpenAPI
document. Field error messages are English msgids, translated with the
plugin's catalogue.
"""

from __future__ import annotations

import re

from marshmallow import Schema, ValidationError, fields, validate, validates, validates_schema

from core.http import PageQuery
from core.money import parse_money
from plugins.orders.states import TABS, OrderStatus

MOBILE_RE = re.compile(r"^(?:\+?86)?1[3-9]\d{9}$")
LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}(?:-\d{1,6})?$")
SERVICE_RE = re.compile(r"^[48]00-?\d{3}-?\d{4}$")
MSG_PHONE = "Enter a mobile number (11 digits) or a landline with area code, such as 0757-22345678."
MSG_ONE_SOURCE = "Send either from_cart: true or items, not both."
MSG_MONEY = "Enter an amount such as 3280.00."
MSG_BLANK = "This field cannot be blank."
MSG_TOO_LONG = "At most {max} characters."
MSG_CONTROL = "Control characters are not allowed."
MSG_ADDRESS = "Enter the full address: province, city, district and street."
MSG_MIN_QTY = "Must be at least 1."


class Text(fields.String):
    """A string with surrounding whitespace removed and no control characters.

    ``required_text`` refuses a blank string; length errors name the limit
    (``"At most 64 characters."``, translated per limit).
    """

    def __init__(self, *, max_length: int, required_text: bool = False, **kwargs):
        super().__init__(validate=validate.Length(max=max_length, error=MSG_TOO_LONG), **kwargs)
        self.required_text = required_text

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if any(ord(ch) < 32 and ch not in "\n\t" for ch in text):
            raise ValidationError(MSG_CONTROL)
        if self.required_text and not text:
            raise ValidationError(MSG_BLANK)
        return text


class StrictBoolean(fields.Boolean):
    """Only JSON ``true`` / ``false``."""

    def __init__(self, **kwargs):
        super().__init__(truthy={True}, falsy={False}, **kwargs)


class Phone(Text):
    """A China mobile or landline number; spaces are dropped."""

    def __init__(self, **kwargs):
        super().__init__(max_length=32, required_text=True, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).replace(" ", "")
        if not (MOBILE_RE.match(text) or LANDLINE_RE.match(text) or SERVICE_RE.match(text)):
            raise ValidationError(MSG_PHONE)
        return text


class LineBody(Schema):
    """One configured product: in the cart or in ``POST /orders`` items."""

    product_id = fields.Integer(strict=True, required=True, validate=validate.Range(min=1, max=2**31 - 1))
    options = fields.Dict(
        keys=fields.String(validate=validate.Length(min=1, max=32)),
        values=fields.String(validate=validate.Length(min=1, max=32)),
        load_default=dict,
        validate=validate.Length(max=20),
    )
    qty = fields.Integer(strict=True, required=True, validate=validate.Range(min=1, error=MSG_MIN_QTY))
    custom_request = Text(max_length=500, load_default="")
    remark = Text(max_length=200, load_default="")


class QtyBody(Schema):
    qty = fields.Integer(strict=True, required=True, validate=validate.Range(min=1, error=MSG_MIN_QTY))


class DeliveryBody(Schema):
    contact = Text(max_length=64, required_text=True, required=True)
    phone = Phone(required=True)
    address = Text(max_length=255, required_text=True, required=True)

    @validates("address")
    def _full_address(self, value: str, **_kwargs) -> None:
        if len(value) < 5:
            raise ValidationError(MSG_ADDRESS)


class OrderBody(Schema):
    """``POST /orders``: exactly one of ``from_cart: true`` or ``items``."""

    from_cart = StrictBoolean(load_default=False)
    items = fields.List(fields.Nested(LineBody), validate=validate.Length(min=1, max=100))
    delivery = fields.Nested(DeliveryBody, required=True)
    remark = Text(max_length=500, load_default="")
    expected_total = fields.String(
        validate=validate.Length(max=20),
        metadata={"description": "The total the customer saw; 409 price_changed if it differs"},
    )

    @validates("expected_total")
    def _money(self, value: str, **_kwargs) -> None:
        try:
            parse_money(value)
        except ValueError as ex:
            raise ValidationError(MSG_MONEY) from ex

    @validates_schema
    def _one_source(self, data, **_kwargs) -> None:
        if data.get("from_cart") == bool(data.get("items")):
            raise ValidationError(MSG_ONE_SOURCE, "from_cart")


class CancelBody(Schema):
    reason = Text(max_length=200, load_default="", metadata={"description": "why, for the history"})


class ReorderBody(Schema):
    """No fields: an empty object or no body at all. Anything else is refused,
    so a client that means something we do not do hears about it."""


def _status_filter(value: str) -> None:
    tabs = {key for key, _label, _statuses in TABS}
    if value in tabs:
        return
    statuses = {status.value for status in OrderStatus}
    if not all(part.strip() in statuses for part in value.split(",")):
        raise ValidationError("Unknown status.")


class OrdersQuery(PageQuery):
    status = fields.String(
        validate=[validate.Length(max=200), _status_filter],
        metadata={
            "description": "a status, a comma list of statuses, or a tab key (production, shipping...)"
        },
    )


# -- answers (documentation) ------------------------------------------------------------


class BreakdownRow(Schema):
    label = fields.String()
    amount = fields.String()


class StockAnswer(Schema):
    mode = fields.String(metadata={"description": "unlimited | quota | erp"})
    available = fields.Integer(allow_none=True, metadata={"description": "null when unlimited"})


class CartLineAnswer(Schema):
    id = fields.Integer()
    product_id = fields.Integer()
    product_code = fields.String()
    product_name = fields.String()
    spec = fields.String()
    unit = fields.String()
    image_url = fields.String(allow_none=True)
    options = fields.Dict(keys=fields.String(), values=fields.String())
    options_label = fields.String()
    qty = fields.Integer()
    custom_request = fields.String()
    remark = fields.String()
    kind = fields.String(metadata={"description": "standard | nonstandard"})
    stock = fields.Nested(StockAnswer, metadata={"description": "what can be ordered now"})
    available = fields.Boolean()
    unavailable_reason = fields.String(
        allow_none=True,
        metadata={"description": "unpublished | options_changed | not_customisable | no_price"},
    )
    unavailable_text = fields.String(allow_none=True)
    unit_price = fields.String(allow_none=True)
    line_total = fields.String(allow_none=True)
    price_source = fields.String(allow_none=True)
    price_source_label = fields.String(allow_none=True)
    breakdown = fields.List(fields.Nested(BreakdownRow))
    added_unit_price = fields.String(allow_none=True, metadata={"description": "unit price when added"})
    price_changed = fields.Boolean(metadata={"description": "the unit price differs from when it was added"})


class CartTotals(Schema):
    total = fields.String()
    qty = fields.Integer()
    lines = fields.Integer()
    nonstandard_lines = fields.Integer()
    unavailable_lines = fields.Integer()


class CartAnswer(Schema):
    lines = fields.List(fields.Nested(CartLineAnswer))
    totals = fields.Nested(CartTotals)
    count = fields.Integer()
    price_changed = fields.Boolean()
    max_line_qty = fields.Integer()


class CartAddAnswer(CartAnswer):
    item = fields.Nested(CartLineAnswer)


class OrderLineAnswer(Schema):
    id = fields.Integer()
    line_no = fields.Integer()
    product_id = fields.Integer()
    product_code = fields.String()
    product_name = fields.String()
    spec = fields.String()
    unit = fields.String()
    image_url = fields.String(allow_none=True)
    options = fields.Dict(keys=fields.String(), values=fields.String())
    options_label = fields.String()
    qty = fields.Integer()
    unit_price = fields.String()
    line_total = fields.String()
    price_source = fields.String()
    price_source_label = fields.String()
    price_version = fields.String()
    breakdown = fields.List(fields.Nested(BreakdownRow))
    custom_request = fields.String()
    remark = fields.String()
    kind = fields.String()


class ActorAnswer(Schema):
    id = fields.Integer()
    display_name = fields.String()
    role = fields.String()


class HistoryAnswer(Schema):
    from_status = fields.String(allow_none=True)
    to_status = fields.String()
    status_label = fields.String()
    at = fields.DateTime()
    actor = fields.Nested(ActorAnswer, allow_none=True)
    reason = fields.String(allow_none=True)
    reason_label = fields.String(allow_none=True)
    note = fields.String()


class DeliveryAnswer(Schema):
    contact = fields.String()
    phone = fields.String()
    address = fields.String()


class CustomerAnswer(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()


class OrderSummaryLine(Schema):
    product_id = fields.Integer()
    product_name = fields.String()
    options_label = fields.String()
    image_url = fields.String(allow_none=True)
    qty = fields.Integer()
    unit_price = fields.String()
    kind = fields.String()


class OrderSummary(Schema):
    no = fields.String()
    kind = fields.String(metadata={"description": "standard | nonstandard"})
    kind_label = fields.String()
    status = fields.String()
    status_label = fields.String()
    total = fields.String()
    line_count = fields.Integer()
    item_count = fields.Integer()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    payment_due_at = fields.DateTime(allow_none=True)
    cancel_reason = fields.String(allow_none=True)
    cancel_reason_label = fields.String(allow_none=True)
    can_cancel = fields.Boolean()
    lines = fields.List(fields.Nested(OrderSummaryLine), metadata={"description": "the first three lines"})


class OrderAnswer(OrderSummary):
    customer = fields.Nested(CustomerAnswer)
    created_by = fields.Nested(ActorAnswer, allow_none=True)
    delivery = fields.Nested(DeliveryAnswer)
    remark = fields.String()
    stock_reserved = fields.Boolean()
    lines = fields.List(fields.Nested(OrderLineAnswer))
    history = fields.List(fields.Nested(HistoryAnswer))
    payments = fields.List(
        fields.Dict(),
        metadata={"description": "payment attempts, added by the payments plugin; [] without it"},
    )


class OrderTab(Schema):
    key = fields.String()
    label = fields.String()
    count = fields.Integer()


class OrderListAnswer(Schema):
    items = fields.List(fields.Nested(OrderSummary))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()
    counts = fields.Dict(
        keys=fields.String(), values=fields.Integer(), metadata={"description": "per status"}
    )
    tabs = fields.List(fields.Nested(OrderTab))


class SkippedLine(Schema):
    product_id = fields.Integer()
    product_code = fields.String()
    product_name = fields.String()
    reason = fields.String()
    reason_text = fields.String()


class ReorderAnswer(Schema):
    added = fields.Integer(metadata={"description": "lines put in the cart"})
    skipped = fields.List(fields.Nested(SkippedLine))
    cart = fields.Nested(CartAnswer)
