"""Request bodies of the gateway (EGP/1) and of the control API, validated.

EGP bodies ignore unknown fields (the protocol may grow within version 1);
control-API bodies reject them. Integers must be JSON integers (``true`` and
``2.0`` are not), money on the control API is a decimal CNY string, on the
gateway integer fen.
"""

from __future__ import annotations

from typing import Any

from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, validate, validates_schema

from core.money import parse_money, parse_rate
from plugins.erp_yidiantong.egp.shapes import CANCEL_REASONS, PAYMENT_CHANNELS, is_int
from plugins.erp_yidiantong.simulator.db import parse_rfc3339
from plugins.erp_yidiantong.simulator.errors import invalid

MAX_FEN = 10**13


class StrictInt(fields.Integer):
    """A JSON integer; booleans, floats and strings are refused."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not is_int(value):
            raise ValidationError("Not a valid integer.")
        return super()._deserialize(value, attr, data, **kwargs)


class Money(fields.String):
    """A non-negative decimal CNY string (``"3280.00"``), loaded as fen."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            fen = parse_money(text)
        except ValueError as ex:
            raise ValidationError('Not an amount of money such as "3280.00".') from ex
        if fen < 0:
            raise ValidationError("Must not be negative.")
        return fen


class Rate(fields.String):
    """A discount rate as a decimal string, ``"0.85"`` (0 < rate <= 1)."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            rate = parse_rate(text)
        except ValueError as ex:
            raise ValidationError('Not a rate such as "0.85".') from ex
        if rate > 1 or rate.as_tuple().exponent < -4:
            raise ValidationError("A rate is above 0, at most 1, with at most 4 decimals.")
        return rate


class Timestamp(fields.String):
    """An RFC 3339 time with an offset; kept as the string given."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            parse_rfc3339(text)
        except ValueError as ex:
            raise ValidationError("Not an RFC 3339 time with an offset.") from ex
        return text


def _code(max_length: int = 64) -> fields.String:
    return fields.String(required=True, validate=validate.Length(min=1, max=max_length))


def _fen(**kwargs) -> StrictInt:
    return StrictInt(validate=validate.Range(min=0, max=MAX_FEN), **kwargs)


_options = fields.Dict(
    keys=fields.String(validate=validate.Length(min=1, max=32)),
    values=fields.String(validate=validate.Length(min=1, max=32)),
    load_default=dict,
)


class _Gateway(Schema):
    class Meta:
        unknown = EXCLUDE


class _Control(Schema):
    class Meta:
        unknown = RAISE


# -- gateway ---------------------------------------------------------------------------------


class QuoteItem(_Gateway):
    sku = _code()
    options = _options
    qty = StrictInt(load_default=1, validate=validate.Range(min=1, max=100_000))


class QuoteBody(_Gateway):
    customer_code = _code(32)
    items = fields.List(fields.Nested(QuoteItem), required=True, validate=validate.Length(min=1, max=200))


class StockQueryBody(_Gateway):
    skus = fields.List(
        fields.String(validate=validate.Length(min=1, max=64)),
        required=True,
        validate=validate.Length(min=1, max=500),
    )


class OrderLine(_Gateway):
    line_no = StrictInt(required=True, validate=validate.Range(min=1, max=10_000))
    sku = _code()
    options = _options
    qty = StrictInt(required=True, validate=validate.Range(min=1, max=100_000))
    unit_price_fen = _fen(required=True)
    line_total_fen = _fen(required=True)
    price_list_version = fields.String(load_default="", validate=validate.Length(max=64))
    nonstandard = fields.Boolean(load_default=False)
    custom_spec = fields.String(load_default="", validate=validate.Length(max=2000))
    remark = fields.String(load_default="", validate=validate.Length(max=500))


class Delivery(_Gateway):
    contact = fields.String(load_default="", validate=validate.Length(max=64))
    phone = fields.String(load_default="", validate=validate.Length(max=32))
    address = fields.String(load_default="", validate=validate.Length(max=255))


# Order numbers and payment ids travel in URL paths: keep them to safe characters.
REFERENCE = validate.Regexp(r"^[A-Za-z0-9._-]{1,64}$", error="1-64 of A-Z a-z 0-9 . _ -")


class OrderBody(_Gateway):
    platform_order_no = fields.String(required=True, validate=REFERENCE)
    revision = StrictInt(required=True, validate=validate.Range(min=1, max=1_000_000))
    customer_code = _code(32)
    currency = fields.String(load_default="CNY", validate=validate.OneOf(["CNY"]))
    lines = fields.List(fields.Nested(OrderLine), required=True, validate=validate.Length(min=1, max=500))
    total_fen = _fen(required=True)
    paid_fen = _fen(load_default=0)
    payment_status = fields.String(
        load_default="unpaid", validate=validate.OneOf(["unpaid", "partially_paid", "paid"])
    )
    delivery = fields.Nested(Delivery, load_default=dict)
    remark = fields.String(load_default="", validate=validate.Length(max=500))
    created_at = Timestamp(required=True)

    @validates_schema
    def _arithmetic(self, data: dict[str, Any], **kwargs) -> None:
        numbers = [line["line_no"] for line in data["lines"]]
        if len(set(numbers)) != len(numbers):
            raise ValidationError("line_no must be unique", "lines")
        for line in data["lines"]:
            if line["line_total_fen"] != line["unit_price_fen"] * line["qty"]:
                raise ValidationError(
                    f"line {line['line_no']}: line_total_fen must be unit_price_fen × qty", "lines"
                )
        if data["total_fen"] != sum(line["line_total_fen"] for line in data["lines"]):
            raise ValidationError("total_fen must be the sum of line_total_fen", "total_fen")


class PaymentBody(_Gateway):
    amount_fen = StrictInt(required=True, validate=validate.Range(min=1, max=MAX_FEN))
    channel = fields.String(required=True, validate=validate.OneOf(PAYMENT_CHANNELS))
    transaction_id = fields.String(load_default="", validate=validate.Length(max=64))
    paid_at = Timestamp(required=True)


class CancelBody(_Gateway):
    reason = fields.String(required=True, validate=validate.OneOf(CANCEL_REASONS))
    note = fields.String(load_default="", validate=validate.Length(max=500))
    cancelled_at = Timestamp(required=True)


# -- control API -----------------------------------------------------------------------------


class EmptyBody(_Control):
    """No fields: ``{}`` or no body at all."""


class PriceChange(_Control):
    customer_code = _code(32)
    sku = _code()
    grade = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=32))
    unit_price = Money(required=True, allow_none=True)


class ListPriceChange(_Control):
    sku = _code()
    grade = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=32))
    list_price = Money(required=True)


class CustomerChange(_Control):
    discount_rate = Rate()
    credit_limit = Money()
    active = fields.Boolean()

    @validates_schema
    def _something(self, data: dict[str, Any], **kwargs) -> None:
        if not data:
            raise ValidationError("give discount_rate, credit_limit or active")


class StockChange(_Control):
    sku = _code()
    on_hand = StrictInt(required=True, validate=validate.Range(min=0, max=10_000_000))


class ProductChange(_Control):
    published = fields.Boolean()
    status = fields.String(validate=validate.OneOf(["active", "discontinued"]))
    deleted = fields.Boolean()

    @validates_schema
    def _something(self, data: dict[str, Any], **kwargs) -> None:
        if not data:
            raise ValidationError("give published, status or deleted")


class AssignmentChange(_Control):
    rep_username = _code()
    customer_code = _code(32)
    assigned = fields.Boolean(required=True)


class AccountChange(_Control):
    display_name = fields.String(validate=validate.Length(min=1, max=64))
    active = fields.Boolean()
    password = fields.String(validate=validate.Length(min=8, max=128))

    @validates_schema
    def _something(self, data: dict[str, Any], **kwargs) -> None:
        if not data:
            raise ValidationError("give display_name, active or password")


class AdvanceBody(_Control):
    platform_order_no = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(min=1, max=64)
    )
    steps = StrictInt(load_default=1, validate=validate.Range(min=1, max=8))


class EventsBody(_Control):
    events = fields.List(fields.Raw(), required=True, validate=validate.Length(min=1, max=1000))
    push = fields.Boolean(load_default=False)


class FaultsBody(_Control):
    delay_ms = StrictInt(validate=validate.Range(min=0, max=60_000))
    error_rate_5xx = fields.Decimal(validate=validate.Range(min=0, max=1), allow_nan=False)
    fail_next = StrictInt(validate=validate.Range(min=0, max=10_000))
    drop_after_commit_next = StrictInt(validate=validate.Range(min=0, max=10_000))
    clock_skew_s = StrictInt(validate=validate.Range(min=-86_400, max=86_400))
    push_duplicates = fields.Boolean()
    push_reverse = fields.Boolean()
    push_paused = fields.Boolean()


def load(schema: type[Schema], data: Any) -> dict[str, Any]:
    """Validate ``data`` with ``schema``; a 400 INVALID_REQUEST naming the fields otherwise."""
    if not isinstance(data, dict):
        raise invalid({"_schema": ["a JSON object is expected"]}, "the body must be a JSON object")
    try:
        return schema().load(data)
    except ValidationError as ex:
        messages = ex.messages if isinstance(ex.messages, dict) else {"_schema": ex.messages}
        raise invalid(messages) from ex
