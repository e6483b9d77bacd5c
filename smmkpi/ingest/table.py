"""A file's table as text, the common result of the CSV and XLSX readers."""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from smmkpi.ingest.core import ROW


@dataclass
class Table:
    """A file's table as text: header names, records (ROW first) and what was found."""

    headers: list[str]
    raw: pl.DataFrame  # ROW + one String column per header (unique names), blank rows removed
    preamble: list[str]  # the blank and '#' lines before the header
    encoding: str
    delimiter: str  # "" for XLSX
    notes: list[str] = field(default_factory=list)
    no_data: bool = False  # the export said "No data available." instead of rows


def unique_names(headers: list[str]) -> list[str]:
    """Column names for the frame: the headers made unique ('Name (2)'), an empty header
    named after its spreadsheet column letter, none equal to ROW, and none that Polars reads
    as more than one column (`*` is every column, `^...$` a pattern): those get their column
    letter ('* (column B)')."""
    out: list[str] = []
    seen: set[str] = set()
    for i, h in enumerate(headers):
        base = h if h else f"(unnamed column {_letter(i)})"
        if _selects_many(base):
            base = f"{base} (column {_letter(i)})"
        cand, k = base, 2
        while cand in seen or cand == ROW:
            cand, k = f"{base} ({k})", k + 1
        seen.add(cand)
        out.append(cand)
    return out


def _selects_many(name: str) -> bool:
    """Whether pl.col(name) is a wildcard or a pattern rather than the column of that name."""
    return name == "*" or (name.startswith("^") and name.endswith("$"))


def _letter(i: int) -> str:
    """The spreadsheet column letter of the 0-based column `i` (A, B, ..., Z, AA, ...)."""
    s, i = "", i + 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s
