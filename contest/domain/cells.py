"""Spreadsheet cells that stay text: what people typed never runs as a formula in Excel.

A text starting with = + - @ (or a tab or carriage return, which Excel skips first) is a
formula to Excel when it opens a CSV, and openpyxl stores a text starting with = as one. Every
row of every export, header rows included, goes through these two functions.
"""

from collections.abc import Iterable

from openpyxl.cell import WriteOnlyCell

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(value: object) -> bool:
    """Whether a spreadsheet would read `value` as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def csv_row(values: Iterable) -> list:
    """A CSV row whose formula-like texts are quoted with a leading apostrophe."""
    return ["'" + value if looks_like_formula(value) else value for value in values]


def xlsx_row(worksheet, values: Iterable) -> list:
    """A write-only XLSX row whose formula-like texts are cells typed as text."""
    return [
        _text_cell(worksheet, value) if looks_like_formula(value) else value for value in values
    ]


def _text_cell(worksheet, value: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(worksheet, value=value)
    cell.data_type = "s"
    return cell
