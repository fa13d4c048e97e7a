"""One requested line (product, options, qty, custom request) checked and priced.

The cart and order submission both go through :func:`price_request`, so a
line is validated and priced the same way wherever it is entered: the
product must be on sale, the options must be the product's own, a custom
request needs a product that allows one, and the price comes from the
pricing plugin's :func:`price_line`. Errors are ``ValidationFailed`` with
the details nested under the line's place in the request body
(``{"items": {"2": {"qty": [...]}}}``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from core.errors import ApiError, NotFound, ValidationFailed
from core.models import Customer
from plugins.catalog.models import Product
from plugins.catalog.services import get_published_product, options_label, validate_options
from plugins.orders.states import NONSTANDARD, STANDARD
from plugins.pricing.services import PriceResult, price_line

MSG_NOT_ON_SALE = "This product does not exist or is no longer on sale."
MSG_NOT_CUSTOMISABLE = "This product does not take custom requests."
MSG_QTY_TOO_LARGE = "The quantity is larger than one line allows."


@dataclass
class PricedLine:
    """A valid line with its current price."""

    product: Product
    options: dict[str, str]
    options_label: str
    qty: int
    custom_request: str
    remark: str
    price: PriceResult

    @property
    def nonstandard(self) -> bool:
        return is_nonstandard(self.product, self.custom_request)

    @property
    def kind(self) -> str:
        return NONSTANDARD if self.nonstandard else STANDARD


def is_nonstandard(product: Product, custom_request: str) -> bool:
    """A line is non-standard when it has a custom request or the product is custom-only."""
    return bool(custom_request.strip()) or bool(product.custom_only)


def line_key(product_id: int, options: Mapping[str, str], custom_request: str, remark: str) -> str:
    """The identity of a cart line's configuration (same key = merge quantities)."""
    raw = json.dumps([product_id, dict(options), custom_request, remark], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def nest(details: dict[str, Any], path: Sequence[str]) -> dict[str, Any]:
    """Put field errors under ``path`` (``("items", "2")``) of the request body."""
    for part in reversed(path):
        details = {part: details}
    return details


def price_request(
    ctx,
    customer: Customer,
    request: Mapping[str, Any],
    *,
    max_qty: int,
    path: Sequence[str] = (),
) -> PricedLine:
    """Check one requested line and price it, or raise a 400 naming the bad fields.

    ``request`` has ``product_id``, ``options``, ``qty`` and optionally
    ``custom_request`` and ``remark`` (already type-checked by the schema).
    A product that is not on sale is a field error on ``product_id``.
    """
    try:
        product = get_published_product(request["product_id"])
    except NotFound as ex:
        raise ValidationFailed(details=nest({"product_id": [MSG_NOT_ON_SALE]}, path)) from ex
    custom_request = request.get("custom_request") or ""
    remark = request.get("remark") or ""
    errors: dict[str, Any] = {}
    if custom_request and not product.custom_allowed and not product.custom_only:
        errors["custom_request"] = [MSG_NOT_CUSTOMISABLE]
    if request["qty"] > max_qty:
        errors["qty"] = [MSG_QTY_TOO_LARGE]
    try:
        options = validate_options(product, request.get("options") or {})
    except ValidationFailed as ex:
        errors.update(ex.details)
        options = {}
    if errors:
        raise ValidationFailed(details=nest(errors, path))
    try:
        price = price_line(ctx, customer, product, options, request["qty"])
    except ValidationFailed as ex:
        raise ValidationFailed(details=nest(ex.details, path)) from ex
    return PricedLine(
        product=product,
        options=dict(options),
        options_label=options_label(product, options),
        qty=request["qty"],
        custom_request=custom_request,
        remark=remark,
        price=price,
    )


@dataclass
class LineCheck:
    """The outcome of re-checking a stored cart line: priced, or why not."""

    line: PricedLine | None
    reason: str = ""  # unpublished | options_changed | not_customisable | no_price
    message: str = ""  # an English msgid explaining the reason (from the raising plugin)
    params: dict[str, Any] | None = None


UNAVAILABLE_REASONS = {
    "unpublished": "No longer on sale",
    "options_changed": "The configuration is no longer offered",
    "not_customisable": "Custom requests are no longer accepted for this product",
    "no_price": "No price yet; please contact customer service",
}


def check_stored_line(
    ctx,
    customer: Customer,
    product_id: int,
    options: Mapping[str, str],
    qty: int,
    custom_request: str,
    remark: str,
) -> LineCheck:
    """Re-check and re-price a line saved earlier (cart line, past order line).

    Never raises for a line that went bad meanwhile: the reason is returned
    so that the cart can show the line as unavailable.
    """
    request = {
        "product_id": product_id,
        "options": dict(options),
        "qty": qty,
        "custom_request": custom_request,
        "remark": remark,
    }
    try:
        return LineCheck(price_request(ctx, customer, request, max_qty=max(qty, 1)))
    except ValidationFailed as ex:
        return LineCheck(None, _reason_of(ex.details))
    except ApiError as ex:  # the price resolver could not price it
        return LineCheck(None, "no_price", ex.message, ex.params)


def _reason_of(details: Mapping[str, Any]) -> str:
    if "product_id" in details:
        return "unpublished"
    if "custom_request" in details:
        return "not_customisable"
    return "options_changed"
