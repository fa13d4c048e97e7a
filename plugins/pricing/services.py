"""Price resolution: the one function that prices every configured line.

Quote, product lists, cart, order, payment and ERP import all take their
figure from :func:`price_line` (or :func:`default_prices`, which computes the
very same figure for a page of products), so the numbers cannot disagree.

The rule (DESIGN §3) for customer ``c``, product ``p``, options ``o``:

* base = ``c``'s explicit price for ``p`` at the chosen grade (一客一价) if the
  price file has one, else the grade's list price × ``c.discount_rate``;
* plus the surcharge of every chosen value of a ``surcharge`` group ×
  ``c.discount_rate`` (the rate applies to surcharges even when the base is
  an explicit price);
* the base and the surcharges are exact Decimals; their sum is rounded half
  up to the fen **once** — that is the unit price (DESIGN §3 rounds the
  unit price, not its parts; rounding parts first would make the same
  configuration differ by a fen depending on how it is split);
* line total = unit price × qty, exactly.

The breakdown shows each part rounded for display; when those displayed parts
do not add up to the unit price, a "Rounding" entry holds the difference, so
the breakdown always sums to the unit price.

Other plugins (an ERP connector) answer first through the ``resolve_price``
hook; the built-in answer (``hooks.resolve_price``, ``trylast``) is
:func:`builtin_price`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from core.errors import Conflict, ValidationFailed
from core.models import Customer
from core.money import fen_to_str, round_fen
from plugins.catalog.models import OptionGroup, OptionValue, Product
from plugins.catalog.services import (
    MSG_UNKNOWN_GROUP,
    MSG_UNKNOWN_VALUE,
    grade_group,
    option_groups_of,
    prefetch_options,
    validate_options,
    values_of,
)
from plugins.pricing.models import NO_GRADE, CustomerPrice, GradePrice

SOURCE_CUSTOMER_PRICE = "customer_price"
SOURCE_LIST_DISCOUNT = "list_discount"
BUILTIN_PLUGIN = "pricing"  # the name the built-in resolve_price impl is registered under

Translate = Callable[..., str]


class PriceUnavailable(Conflict):
    """The product cannot be priced for this configuration (no price on file)."""

    code = "price_unavailable"
    message = "{product} has no price for this configuration yet; please contact customer service."


# -- results ------------------------------------------------------------------------


@dataclass(frozen=True)
class BreakdownItem:
    """One part of a unit price: an English label msgid, its params, fen."""

    label: str
    amount: int
    params: dict[str, str] = field(default_factory=dict)

    def render(self, _: Translate | None = None) -> str:
        """The label in the caller's language (English msgid when ``_`` is None)."""
        if _ is not None:
            return _(self.label, **self.params)
        return self.label.format(**self.params) if self.params else self.label


@dataclass(frozen=True)
class PriceResult:
    """The price of one configured line. Money in integer fen."""

    unit_price: int
    qty: int
    line_total: int
    source: str  # customer_price | list_discount | erp_live | support ...
    version: str  # cp:<id>:v<version> | gp:<id>:v<version>@<rate> | set by the resolver
    breakdown: list[BreakdownItem]
    grade: str = NO_GRADE

    def breakdown_json(self, _: Translate | None = None) -> list[dict[str, str]]:
        return [{"label": item.render(_), "amount": fen_to_str(item.amount)} for item in self.breakdown]

    def to_json(self, _: Translate | None = None) -> dict[str, Any]:
        """The API shape: money as two-decimal strings, labels translated by ``_``."""
        return {
            "unit_price": fen_to_str(self.unit_price),
            "qty": self.qty,
            "line_total": fen_to_str(self.line_total),
            "source": self.source,
            "grade": self.grade,
            "breakdown": self.breakdown_json(_),
        }

    def to_record(self) -> dict[str, Any]:
        """A language-neutral JSON-ready record, for freezing on an order line.

        Amounts stay integer fen and labels stay msgids with their params;
        :func:`render_breakdown` turns the stored breakdown into API rows.
        """
        return {
            "unit_price": self.unit_price,
            "qty": self.qty,
            "line_total": self.line_total,
            "source": self.source,
            "version": self.version,
            "grade": self.grade,
            "breakdown": [
                {"label": item.label, "params": dict(item.params), "amount": item.amount}
                for item in self.breakdown
            ],
        }

    @classmethod
    def with_qty(cls, result: PriceResult, qty: int) -> PriceResult:
        """The same unit price for another quantity (line total recomputed exactly)."""
        return cls(
            unit_price=result.unit_price,
            qty=qty,
            line_total=result.unit_price * qty,
            source=result.source,
            version=result.version,
            breakdown=list(result.breakdown),
            grade=result.grade,
        )


def render_breakdown(
    records: Iterable[Mapping[str, Any]], _: Translate | None = None
) -> list[dict[str, str]]:
    """Turn stored breakdown records (``to_record()["breakdown"]``) into API rows."""
    rows = []
    for record in records:
        item = BreakdownItem(str(record["label"]), int(record["amount"]), dict(record.get("params") or {}))
        rows.append({"label": item.render(_), "amount": fen_to_str(item.amount)})
    return rows


# -- the computation --------------------------------------------------------------------


def rate_text(rate: Decimal) -> str:
    """A discount rate for people: Decimal('0.8500') -> '0.85', Decimal('1') -> '1'."""
    return format(rate.normalize(), "f")


class PriceBook:
    """Everything needed to price some products for one customer, loaded at once.

    A fixed number of queries whatever the number of products: option groups
    and values (none when the catalog already prefetched them, as it does for
    ``extend_product_data``), list prices, and this customer's explicit prices.
    """

    def __init__(self, customer: Customer | None, products: Iterable[Product]) -> None:
        self.customer_id = customer.id if customer is not None else None
        self.rate = Decimal(customer.discount_rate) if customer is not None else Decimal(1)
        products = list(products)
        prefetch_options(products)
        ids = list({p.id for p in products})
        self.list_prices: dict[tuple[int, str], GradePrice] = {}
        self.customer_prices: dict[tuple[int, str], CustomerPrice] = {}
        if not ids:
            return
        for row in GradePrice.select().where(GradePrice.product.in_(ids)):
            self.list_prices[(row.product_id, row.grade)] = row
        if customer is not None:
            query = CustomerPrice.select().where(
                (CustomerPrice.customer == customer.id) & CustomerPrice.product.in_(ids)
            )
            for row in query:
                self.customer_prices[(row.product_id, row.grade)] = row

    @contextlib.contextmanager
    def attached_to(self, products: list[Product]) -> Iterator[PriceBook]:
        """Let :func:`builtin_price` reuse this book for these product objects.

        For batches that must go through the ``resolve_price`` hook: the
        built-in answer then costs no query per product. Detached on exit so
        no later price change can be hidden by it.
        """
        for product in products:
            product.__dict__["_price_book"] = self
        try:
            yield self
        finally:
            for product in products:
                product.__dict__.pop("_price_book", None)

    def price(self, product: Product, options: Mapping[str, str], qty: int) -> PriceResult | None:
        """Price one configuration; ``None`` when neither price file nor list has it.

        Required groups left out take their default value (the first active
        one). Raises :class:`ValidationFailed` for a group or value the
        product does not have (callers validate first, so this is a guard).
        """
        grade_value, surcharges = chosen_values(product, options)
        grade = grade_value.code if grade_value is not None else NO_GRADE
        grade_name = grade_value.name if grade_value is not None else ""
        explicit = self.customer_prices.get((product.id, grade))
        rate = self.rate
        parts: list[tuple[BreakdownItem, Decimal]] = []
        if explicit is not None:
            source = SOURCE_CUSTOMER_PRICE
            version = f"cp:{explicit.id}:v{explicit.version}"
            if grade_name:
                parts.append(
                    (
                        BreakdownItem("{grade} (customer price)", 0, {"grade": grade_name}),
                        Decimal(explicit.unit_price),
                    )
                )
            else:
                parts.append((BreakdownItem("Customer price", 0), Decimal(explicit.unit_price)))
        else:
            listed = self.list_prices.get((product.id, grade))
            if listed is None:
                return None
            source = SOURCE_LIST_DISCOUNT
            version = f"gp:{listed.id}:v{listed.version}@{rate_text(rate)}"
            params = {"list_price": fen_to_str(listed.list_price), "rate": rate_text(rate)}
            label = "List price {list_price} × {rate}"
            if grade_name:
                params["grade"] = grade_name
                label = "{grade}: list price {list_price} × {rate}"
            parts.append((BreakdownItem(label, 0, params), Decimal(listed.list_price) * rate))
        for group, value in surcharges:
            if not value.surcharge:
                continue
            params = {"group": group.name, "value": value.name, "surcharge": fen_to_str(value.surcharge)}
            label = "{group}: {value} (surcharge)"
            if rate != 1:
                label = "{group}: {value} (surcharge {surcharge} × {rate})"
                params["rate"] = rate_text(rate)
            parts.append((BreakdownItem(label, 0, params), Decimal(value.surcharge) * rate))
        # The one rounding: exact parts summed, then half up to the fen.
        unit_price = round_fen(sum((exact for _item, exact in parts), Decimal(0)))
        breakdown = [BreakdownItem(item.label, round_fen(exact), item.params) for item, exact in parts]
        difference = unit_price - sum(item.amount for item in breakdown)
        if difference:
            breakdown.append(BreakdownItem("Rounding", difference))
        return PriceResult(
            unit_price=unit_price,
            qty=qty,
            line_total=unit_price * qty,
            source=source,
            version=version,
            breakdown=breakdown,
            grade=grade,
        )


def chosen_values(
    product: Product, options: Mapping[str, str]
) -> tuple[OptionValue | None, list[tuple[OptionGroup, OptionValue]]]:
    """The chosen grade value and surcharge values of a configuration."""
    zone = grade_group(product)
    grade_value: OptionValue | None = None
    surcharges: list[tuple[OptionGroup, OptionValue]] = []
    bad: dict[str, list[str]] = {}
    groups = option_groups_of(product)
    for group in groups:
        values = values_of(group)
        code = options.get(group.code)
        if code in (None, ""):
            value = values[0] if group.required and values else None
        else:
            value = next((v for v in values if v.code == code), None)
            if value is None:
                bad[group.code] = [MSG_UNKNOWN_VALUE]
                continue
        if value is None:
            continue
        if zone is not None and group.id == zone.id:
            grade_value = value
        elif group.kind == "surcharge":
            surcharges.append((group, value))
    for code in sorted(set(options) - {g.code for g in groups}):
        bad[code] = [MSG_UNKNOWN_GROUP]
    if bad:
        raise ValidationFailed(details={"options": bad})
    return grade_value, surcharges


# -- public entry points ------------------------------------------------------------------


def builtin_price(
    customer: Customer | None, product: Product, options: Mapping[str, str], qty: int
) -> PriceResult | None:
    """The price file's answer (explicit price or list × rate), or ``None``.

    Uses the :class:`PriceBook` a batch caller attached to the product (see
    :meth:`PriceBook.attach`) when it is for the same customer, so a list
    priced through the hook does not load prices product by product.
    """
    book = product.__dict__.get("_price_book")
    if book is None or book.customer_id != (customer.id if customer is not None else None):
        book = PriceBook(customer, [product])
    return book.price(product, options, qty)


def price_line(
    ctx, customer: Customer | None, product: Product, options: Mapping[str, str], qty: int
) -> PriceResult:
    """Price a configured line: the ``resolve_price`` hook, first answer wins.

    ``options`` should come from ``catalog.services.validate_options``
    (defaults filled in). Raises :class:`PriceUnavailable` (409
    ``price_unavailable``) when no plugin can price it. This is the only
    pricing entry point for quote, cart and order.
    """
    result = ctx.pm.hook.resolve_price(
        ctx=ctx, customer=customer, product=product, options=dict(options), qty=qty
    )
    if result is None:
        raise PriceUnavailable(product=product.code)
    return result


def has_price_overrides(ctx) -> bool:
    """True when a plugin other than this one implements ``resolve_price``."""
    return any(impl.plugin_name != BUILTIN_PLUGIN for impl in ctx.pm.hook.resolve_price.get_hookimpls())


def default_prices(ctx, customer: Customer | None, products: Iterable[Product]) -> dict[int, int | None]:
    """This customer's unit price of each product's default configuration (fen).

    ``None`` for a product that cannot be priced; ``customer=None`` (staff
    browsing without a customer) gives list prices. With only the built-in
    resolver this costs a fixed number of queries per page and equals
    ``price_line(default options, qty=1).unit_price`` by construction (same
    :class:`PriceBook` computation). When another plugin implements
    ``resolve_price`` (an ERP connector answering live prices), lists must
    show what the quote will say, so each product goes through
    :func:`price_line` instead — one resolver call per product.
    """
    products = list(products)
    book = PriceBook(customer, products)
    if has_price_overrides(ctx):
        with book.attached_to(products):
            return {p.id: _unit_or_none(ctx, customer, p, None) for p in products}
    out: dict[int, int | None] = {}
    for product in products:
        result = book.price(product, {}, 1)
        out[product.id] = result.unit_price if result is not None else None
    return out


def grade_prices(ctx, customer: Customer | None, product: Product) -> list[dict[str, Any]]:
    """This customer's price of the default configuration at every grade.

    ``[{grade, name, price}]`` in grade order, ``price`` in fen or ``None``;
    the product page shows them side by side. Empty for products without a
    grade group.
    """
    zone = grade_group(product)
    if zone is None:
        return []
    book = PriceBook(customer, [product])
    overrides = has_price_overrides(ctx)
    rows = []
    with book.attached_to([product] if overrides else []):
        for value in values_of(zone):
            if overrides:
                price = _unit_or_none(ctx, customer, product, {zone.code: value.code})
            else:
                result = book.price(product, {zone.code: value.code}, 1)
                price = result.unit_price if result is not None else None
            rows.append({"grade": value.code, "name": value.name, "price": price})
    return rows


def _unit_or_none(ctx, customer, product, choice: dict[str, str] | None) -> int | None:
    """The unit price of the default configuration (with ``choice`` applied)."""
    try:
        options = validate_options(product, choice or {})
        return price_line(ctx, customer, product, options, 1).unit_price
    except (PriceUnavailable, ValidationFailed):
        return None
