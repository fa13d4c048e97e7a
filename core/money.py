"""Money: integer fen inside, two-decimal CNY strings at the edges.

Every amount in the database and in Python code is an ``int`` of fen
(1/100 CNY). The API shows amounts as strings with exactly two decimals
(``"3280.00"``). Rates (discounts) are ``Decimal``. Rounding is half up to
the fen, done once per unit price; line and order totals are exact sums.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

_MONEY_RE = re.compile(r"^-?\d{1,12}(\.\d{1,2})?$")
MAX_FEN = 10**14  # a hundred trillion yuan; anything larger is an input error


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
