"""Reading spreadsheets: CSV (any common encoding and delimiter) and XLSX.

:func:`read_table` answers the header and the data rows as lists of
strings, numbered like spreadsheet rows (the header is row 1), whatever the
file format: so the importer checks values once, as text.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

XLSX_MAGIC = b"PK\x03\x04"


class TableError(ValueError):
    """The file cannot be read as a table."""


def _decode(raw: bytes) -> str:
    # Spreadsheet programs in China save CSV as GB18030 (GBK) unless told
    # otherwise; UTF-8 (with or without BOM) is tried first.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise TableError("the file is neither UTF-8 nor GB18030 text")


def _csv_rows(path: Path) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    text = _decode(path.read_bytes())
    # Only the delimiter is guessed, from the header line: csv.Sniffer also
    # guesses quoting and gets it wrong on real data (a quoted 37-55" breaks it).
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t|", key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), csv.excel, delimiter=delimiter)
    header = next(reader, None)
    if header is None:
        raise TableError("the file is empty")

    def rows() -> Iterator[tuple[int, list[str]]]:
        for number, row in enumerate(reader, start=2):
            if any(cell.strip() for cell in row):
                yield number, row

    return header, rows()


def cell_text(value) -> str:
    """An XLSX cell as the text a person sees (``90420332``, not ``90420332.0``)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return str(Decimal(repr(value)))
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _xlsx_rows(path: Path, sheet: str | None) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as ex:  # openpyxl raises many kinds for a broken file
        raise TableError(f"not a readable XLSX file ({ex.__class__.__name__})") from ex
    if sheet is not None and sheet not in book.sheetnames:
        raise TableError(f"no sheet {sheet!r}; sheets: {', '.join(book.sheetnames)}")
    rows_iter = book[sheet].iter_rows(values_only=True) if sheet else book.active.iter_rows(values_only=True)
    header_row = next(rows_iter, None)
    if header_row is None:
        raise TableError("the sheet is empty")
    header = [cell_text(cell) for cell in header_row]

    def rows() -> Iterator[tuple[int, list[str]]]:
        for number, row in enumerate(rows_iter, start=2):
            cells = [cell_text(cell) for cell in row]
            if any(cell.strip() for cell in cells):
                yield number, cells
        book.close()

    return header, rows()


def read_table(path: Path, sheet: str | None = None) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The header and ``(row number, cells)`` of a CSV or XLSX file.

    The format is told by content (an XLSX file is a zip), not by name.
    Blank rows are skipped; their numbers are not reused.
    """
    with open(path, "rb") as fh:
        magic = fh.read(4)
    if magic == XLSX_MAGIC:
        return _xlsx_rows(path, sheet)
    if sheet is not None:
        raise TableError("--sheet applies to XLSX files only")
    return _csv_rows(path)
