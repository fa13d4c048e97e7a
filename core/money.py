"""Money: integer fen inside, two-decimal CNY strings at the edges.

Every amount in the database and in Python code is an ``int`` of fen
(1/100 CNY). The API shows amounts as strings with exactly two decimals
(``"3280.00"``). Rates (discounts) are ``Decimal``. Rounding is half up to
the fen, done once per unit price; line and order totals are exact sums.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from marshmallow import fields

_MONEY_RE = re.compile(r"^-?\d{1,15}(\.\d{1,2})?$")
# The largest price the platform accepts: ¥99,999,999.99. With at most 100
# lines of 9999 units an order total stays far inside a 64-bit integer.
MAX_FEN = 10**10


def fen_to_str(fen: int) -> str:
    """Format fen as a CNY string with two decimals: 328000 -> '3280.00'."""
    sign = "-" if fen < 0 else ""
    fen = abs(int(fen))
    return f"{sign}{fen // 100}.{fen % 100:02d}"


def parse_money(text: str) -> int:
    """Parse a CNY string ('3280', '3280.5', '3280.00') into fen.

    Raises ValueError for anything else, including floats and more than two
    decimals, so that money never silently loses precision.
    """
    if not isinstance(text, str) or not _MONEY_RE.match(text.strip()):
        raise ValueError(f"not a money amount: {text!r}")
    return int((Decimal(text.strip()) * 100).to_integral_value())


def round_fen(amount: Decimal) -> int:
    """Round a Decimal amount of fen half up to whole fen."""
    return int(amount.quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def apply_rate(fen: int, rate: Decimal) -> int:
    """Multiply an amount in fen by a rate, rounding half up to the fen."""
    return round_fen(Decimal(fen) * rate)


def parse_rate(text: str | Decimal) -> Decimal:
    """Parse a discount rate such as '0.85' (0 < rate <= 10)."""
    try:
        rate = Decimal(str(text))
    except InvalidOperation as ex:
        raise ValueError(f"not a rate: {text!r}") from ex
    if not rate.is_finite() or rate <= 0 or rate > 10:
        raise ValueError(f"rate out of range: {text!r}")
    return rate


def yuan(fen: int) -> str:
    """Format fen for people: '¥3,280.00'."""
    sign = "-" if fen < 0 else ""
    fen = abs(int(fen))
    return f"{sign}¥{fen // 100:,}.{fen % 100:02d}"


class Money(fields.String):
    """A CNY amount as a two-decimal string ("3280.00") in, integer fen out.

    Numbers are refused on purpose: a JSON float cannot carry money exactly.
    Accepts 0.01 .. 99999999.99 (``MAX_FEN``); ``allow_zero`` admits 0.00.
    """

    default_error_messages = {
        "invalid": 'Not a money amount; send a string such as "3280.00".',
        "range": "Must be between 0.01 and 99999999.99.",
    }

    def __init__(self, *args, allow_zero: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.allow_zero = allow_zero

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str):
            raise self.make_error("invalid")
        try:
            fen = parse_money(value)
        except ValueError as ex:
            raise self.make_error("invalid") from ex
        if fen < 0 or (fen == 0 and not self.allow_zero) or fen >= MAX_FEN:
            raise self.make_error("range")
        return fen

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else fen_to_str(value)
