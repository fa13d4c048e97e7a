"""Rows of an import file: column mapping, checks and cleaning, the report.

Everything here works on text, before the database is touched: a row either
becomes a :class:`ParsedRow` or is recorded as rejected with its reason.
See :mod:`plugins.catalog.importer` for what happens to the rows.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

TEXT_FIELDS = ("code", "name", "category", "spec", "unit", "description", "price")
DIMENSION_FIELDS = ("width_mm", "depth_mm", "height_mm", "width_cm", "depth_cm", "height_cm")
FIELDS = TEXT_FIELDS + DIMENSION_FIELDS + ("packages",)
MAX_LENGTHS = {"name": 200, "spec": 255, "unit": 8, "description": 4000}
MAX_CODE = 64
MAX_CATEGORY_NAME = 64
MAX_DIMENSION_MM = 100_000

_PRICE_RE = re.compile(
    r"^(?:(?:[A-Za-z]{1,4}\.?|[¥￥$€£])\s*)?"  # SR 1,234 / ¥3280 / RMB 12
    r"(?P<num>\d[\d,，]*(?:\.\d+)?)"
    r"\s*(?:元|[A-Za-z]{1,4})?$"  # 3280元 / 12 CNY
)
_NUMBER_RE = re.compile(r"\d+(?:\.\d+)?")
_SPACES_RE = re.compile(r"\s+")


class ImportFailed(ValueError):
    """The file or the mapping cannot be imported at all (nothing is read)."""


@dataclass
class ImportOptions:
    """How to read a file: column mapping and what to do with the rows."""

    mapping: dict[str, list[str]] = field(default_factory=dict)  # field -> source columns
    publish: bool = True
    dry_run: bool = False
    currency_rate: Decimal = Decimal(1)
    category_separator: str = ">"
    sheet: str | None = None


@dataclass
class Note:
    row: int
    text: str


@dataclass
class ImportReport:
    """What an import did (or, in a dry run, would do), row by row."""

    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    merged: int = 0
    rejected: list[Note] = field(default_factory=list)
    warnings: list[Note] = field(default_factory=list)
    categories_created: list[str] = field(default_factory=list)
    rows: int = 0
    dry_run: bool = False

    def summary(self) -> str:
        return (
            f"imported {self.imported}, updated {self.updated}, "
            f"unchanged {self.unchanged}, rejected {len(self.rejected)}"
        )

    def lines(self) -> list[str]:
        """The command's output; the last line is :meth:`summary`."""
        out = [f"row {n.row}: rejected: {n.text}" for n in sorted(self.rejected, key=lambda n: n.row)]
        out += [f"row {n.row}: warning: {n.text}" for n in sorted(self.warnings, key=lambda n: n.row)]
        if self.categories_created:
            out.append(
                f"created {len(self.categories_created)} categories: {', '.join(self.categories_created)}"
            )
        if self.merged:
            out.append(
                f"merged {self.merged} rows into the product of an earlier row with the same code "
                "(one product listed in several categories)"
            )
        out.append(f"read {self.rows} rows")
        if self.dry_run:
            out.append("dry run: nothing was saved")
        out.append(self.summary())
        return out


# -- mapping -------------------------------------------------------------------


def parse_mapping(specs: Iterable[str]) -> dict[str, list[str]]:
    """``["code=item_id,name=name+short_description"]`` -> ``{field: [columns]}``."""
    mapping: dict[str, list[str]] = {}
    for spec in specs:
        for part in spec.split(","):
            if not part.strip():
                continue
            target, sep, source = part.partition("=")
            target = target.strip().lower()
            sources = [s.strip() for s in source.split("+") if s.strip()]
            if not sep or not sources:
                raise ImportFailed(f"bad --map entry {part.strip()!r}; write field=column")
            if target not in FIELDS:
                raise ImportFailed(f"unknown field {target!r} in --map; fields: {', '.join(FIELDS)}")
            mapping[target] = sources
    return mapping


def _norm_header(name: str) -> str:
    return _SPACES_RE.sub(" ", name).strip().lower()


def resolve_columns(header: list[str], mapping: dict[str, list[str]]) -> dict[str, list[int]]:
    """Column indexes of each field. Explicit mappings must exist in the
    header; fields not mapped read the column of their own name, if any."""
    index = {}
    for i, name in enumerate(header):
        index.setdefault(_norm_header(name), i)
    columns: dict[str, list[int]] = {}
    for target, sources in mapping.items():
        missing = [s for s in sources if _norm_header(s) not in index]
        if missing:
            known = ", ".join(h for h in header if h.strip()) or "(none)"
            raise ImportFailed(f"column {missing[0]!r} (for {target}) is not in the file; columns: {known}")
        columns[target] = [index[_norm_header(s)] for s in sources]
    for target in FIELDS:
        if target not in columns and target in index:
            columns[target] = [index[target]]
    if "code" not in columns:
        raise ImportFailed("no code column: name one with --map code=COLUMN")
    return columns


# -- rows ------------------------------------------------------------------------


def clean_text(value: str) -> str:
    """One line of text: control characters dropped, runs of spaces collapsed."""
    value = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in value)
    return _SPACES_RE.sub(" ", value).strip()


def clean_paragraphs(value: str) -> str:
    lines = [clean_text(line) for line in value.replace("\r\n", "\n").split("\n")]
    return "\n".join(line for line in lines if line)


def parse_price(text: str, rate: Decimal) -> int:
    """A price as found in spreadsheets (``"SR 1,234"``, ``"¥3,280.00"``,
    ``"3280元"``) times ``rate``, in fen rounded half up. ValueError if it is
    not a positive amount."""
    match = _PRICE_RE.match(text.strip())
    if not match:
        raise ValueError(f"price {text.strip()!r} is not an amount")
    try:
        amount = Decimal(match.group("num").replace(",", "").replace("，", "")) * rate
    except InvalidOperation as ex:
        raise ValueError(f"price {text.strip()!r} is not an amount") from ex
    fen = int((amount * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if fen <= 0:
        raise ValueError(f"price {text.strip()!r} must be more than zero")
    if fen >= 10**12:
        raise ValueError(f"price {text.strip()!r} is too large")
    return fen


@dataclass
class ParsedRow:
    row: int
    code: str
    values: dict[str, Any]  # field -> cleaned value; absent when the file has none
    category_path: list[str] | None


def _shorten(value: str, limit: int, name: str, row: int, warnings: list[Note]) -> str:
    if len(value) <= limit:
        return value
    warnings.append(Note(row, f"{name} longer than {limit} characters, shortened"))
    return value[: limit - 1] + "…"


def _dimension(text: str, per_unit: int, name: str, row: int, warnings: list[Note]) -> int | None:
    """Millimetres from free text such as ``"51"``, ``"51.5 cm"`` or ``"约200"``."""
    if not text:
        return None
    match = _NUMBER_RE.search(text.replace(",", ""))
    if match is None:
        warnings.append(Note(row, f"{name} {text!r} is not a size, ignored"))
        return None
    mm = int((Decimal(match.group()) * per_unit).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if not 0 < mm <= MAX_DIMENSION_MM:
        warnings.append(Note(row, f"{name} {text!r} is out of range, ignored"))
        return None
    return mm


def parse_row(
    number: int, cells: list[str], columns: dict[str, list[int]], options: ImportOptions, report: ImportReport
) -> ParsedRow | None:
    """Check one row; on a problem record it as rejected and answer ``None``."""

    def raw(target: str) -> str | None:
        if target not in columns:
            return None
        parts = [cells[i] if i < len(cells) else "" for i in columns[target]]
        return " ".join(p for p in (part.strip() for part in parts) if p)

    warnings: list[Note] = []
    code = clean_text(raw("code") or "")
    if not code:
        report.rejected.append(Note(number, "missing code"))
        return None
    if len(code) > MAX_CODE:
        report.rejected.append(Note(number, f"code {code[:20]!r}… is longer than {MAX_CODE} characters"))
        return None
    values: dict[str, Any] = {}
    for target in ("name", "spec", "unit", "description"):
        text = raw(target)
        if text is None:
            continue
        text = clean_paragraphs(text) if target == "description" else clean_text(text)
        if text:
            values[target] = _shorten(text, MAX_LENGTHS[target], target, number, warnings)
    price = raw("price")
    if price:
        try:
            values["price"] = parse_price(price, options.currency_rate)
        except ValueError as ex:
            report.rejected.append(Note(number, str(ex)))
            return None
    for axis in ("width", "depth", "height"):
        for unit, factor in (("mm", 1), ("cm", 10)):
            text = raw(f"{axis}_{unit}")
            mm = _dimension(clean_text(text or ""), factor, f"{axis}_{unit}", number, warnings)
            if mm is not None:
                values[f"{axis}_mm"] = mm
    packages = raw("packages")
    if packages:
        if packages.strip().isdigit() and 0 < int(packages) <= 99:
            values["packages"] = int(packages)
        else:
            warnings.append(Note(number, f"packages {packages!r} is not a count from 1 to 99, ignored"))
    if "spec" not in values and any(f"{a}_mm" in values for a in ("width", "depth", "height")):
        values["spec"] = (
            "×".join(str(values.get(f"{a}_mm", "-")) for a in ("width", "depth", "height")) + "mm"
        )
    path = None
    category = clean_text(raw("category") or "")
    if category:
        parts = (
            [clean_text(p) for p in category.split(options.category_separator)]
            if options.category_separator
            else [category]
        )
        path = [_shorten(p, MAX_CATEGORY_NAME, "category", number, warnings) for p in parts if p]
    report.warnings.extend(warnings)
    return ParsedRow(number, code, values, path or None)
