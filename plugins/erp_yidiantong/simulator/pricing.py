"""The ERP's price of a configured item for one dealer (the DESIGN §3 rule).

base = the dealer's explicit price for the product at the chosen grade
(一客一价) if the price file has one, else the grade's list price × the
dealer's discount rate; plus every chosen surcharge × the discount rate. The
exact sum is rounded half up to the fen once: that is the unit price. The
platform's pricing plugin computes the same figure; an import whose unit
price differs is rejected with ``PRICE_MISMATCH``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from core.money import round_fen
from plugins.erp_yidiantong.simulator.feeds import rate_text
from plugins.erp_yidiantong.simulator.models import SimCustomer, SimCustomerPrice, SimProduct

SOURCE_CUSTOMER_PRICE = "customer_price"
SOURCE_LIST_DISCOUNT = "list_discount"


class OptionProblem(Exception):
    """An option group or value the product does not have."""

    def __init__(self, group: str, value: str | None, reason: str) -> None:
        super().__init__(f"{group}: {reason}")
        self.group = group
        self.value = value
        self.reason = reason

    def details(self) -> dict[str, Any]:
        return {"group": self.group, "value": self.value, "reason": self.reason}


@dataclass
class Priced:
    """One configured item, priced."""

    sku: str
    grade: str
    options: dict[str, str]
    unit_price_fen: int
    list_price_fen: int
    source: str
    discount_rate: str
    surcharges: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self, qty: int) -> dict[str, Any]:
        return {
            "sku": self.sku,
            "grade": self.grade,
            "options": self.options,
            "qty": qty,
            "unit_price_fen": self.unit_price_fen,
            "line_total_fen": self.unit_price_fen * qty,
            "list_price_fen": self.list_price_fen,
            "source": self.source,
            "discount_rate": self.discount_rate,
            "surcharges": self.surcharges,
        }


def resolve_options(product: SimProduct, options: Mapping[str, str]) -> tuple[str, dict[str, str], list]:
    """Check ``options`` against the product and fill defaults of required groups.

    Returns (grade code or '', the full choice, [(group, value) of surcharge
    groups]). Raises :class:`OptionProblem`.
    """
    groups = {g["code"]: g for g in product.option_groups}
    for code in options:
        if code not in groups:
            raise OptionProblem(code, options[code], "no such option group")
    grade = ""
    chosen: dict[str, str] = {}
    surcharges: list[tuple[dict, dict]] = []
    for group in product.option_groups:
        values = {v["code"]: v for v in group["values"] if v.get("active", True)}
        code = options.get(group["code"])
        if code is None:
            if not group["required"]:
                continue
            value = next(iter(values.values()), None)
            if value is None:
                raise OptionProblem(group["code"], None, "no value available")
        else:
            value = values.get(code)
            if value is None:
                raise OptionProblem(group["code"], code, "no such value")
        chosen[group["code"]] = value["code"]
        if group["code"] == product.grade_group_code:
            grade = value["code"]
        elif group["kind"] == "surcharge":
            surcharges.append((group, value))
    return grade, chosen, surcharges


def price_item(product: SimProduct, customer: SimCustomer, options: Mapping[str, str]) -> Priced:
    """The unit price of ``product`` configured with ``options`` for ``customer``."""
    grade, chosen, surcharges = resolve_options(product, options)
    if grade not in product.list_prices:
        raise OptionProblem(product.grade_group_code or "", grade, "no list price for this grade")
    list_price = int(product.list_prices[grade])
    rate = Decimal(customer.discount_rate)
    explicit = SimCustomerPrice.get_or_none(
        (SimCustomerPrice.customer_code == customer.code)
        & (SimCustomerPrice.sku == product.sku)
        & (SimCustomerPrice.grade == grade)
        & (SimCustomerPrice.deleted == False)  # noqa: E712
    )
    if explicit is not None:
        exact = Decimal(explicit.unit_price_fen)
        source = SOURCE_CUSTOMER_PRICE
    else:
        exact = Decimal(list_price) * rate
        source = SOURCE_LIST_DISCOUNT
    lines = []
    for group, value in surcharges:
        surcharge = int(value.get("surcharge_fen", 0))
        if surcharge:
            exact += Decimal(surcharge) * rate
            lines.append({"group": group["code"], "value": value["code"], "surcharge_fen": surcharge})
    return Priced(
        sku=product.sku,
        grade=grade,
        options=chosen,
        unit_price_fen=round_fen(exact),
        list_price_fen=list_price,
        source=source,
        discount_rate=rate_text(rate),
        surcharges=lines,
    )
