"""The vocabulary every part of `smmkpi.ingest` shares, and the interface of a known format.

This module imports no other part of the package, so that the readers, the value parsers and
every format module in `formats/` can import it without a cycle: a format module imports only
this one (never the core importing back from a format).

What it holds:
- `ROW`, the column that carries each record's spreadsheet row, and `norm`, the header
  comparison used by column mapping and format detection alike;
- small text-column helpers (`empty_as_null`, `strip`, `frame_select`);
- `Format` and `Prepared`, the detect/prepare/finish interface of a known export format, and
  the helpers formats use to build their frames (`pick`, `text_or_null`, `ignored`,
  `sum_by_key`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import polars as pl

ROW = "__row"  # the spreadsheet row number of a record (header = row 1 in a plain file)

DateOrder = Literal["dmy", "mdy"]

# A problem found while converting a known format: (row, column, value, message); row None
# means the whole file.
RawProblem = tuple[int | None, str | None, str | None, str]


def norm(name: str) -> str:
    """A header name for comparison: lower case, BOM removed, runs of space/_/-/. as one space."""
    s = name.replace("\ufeff", "").strip().lower()
    return re.sub(r"[\s_.\-]+", " ", s).strip()


# --- text columns --------------------------------------------------------------------------------


def empty_as_null(s: pl.Series) -> pl.Series:
    """`s` with empty strings as null (the series itself when it has none)."""
    if (s == "").any():
        s = pl.select(pl.when(s != "").then(s)).to_series().alias(s.name)
    return s


def strip(s: pl.Series) -> pl.Series:
    """Surrounding white space removed; empty text is null."""
    if s.str.contains(r"^\s|\s$").any():
        s = empty_as_null(s.str.strip_chars())
    return s


def frame_select(s: pl.Series, expr: pl.Expr) -> pl.Series:
    """Evaluate an expression over pl.col('s') = `s`."""
    return s.to_frame("s").select(expr.alias("s")).to_series()


# --- the interface of a known export format ------------------------------------------------------


@dataclass
class Prepared:
    """A known-format file turned into canonical-named text frames, ready for validation."""

    frames: dict[str, pl.DataFrame]  # dataset -> text frame with canonical names and ROW
    labels: dict[str, dict[str, str]]  # dataset -> canonical column -> header shown in messages
    mapping: dict[str, str | None]  # source header -> canonical column (None = ignored)
    notes: list[str] = field(default_factory=list)
    problems: list[RawProblem] = field(default_factory=list)


# (normalized header -> the file's header, preamble lines) -> whether the file is this format
Detect = Callable[[dict[str, str], list[str]], bool]
# (text records with ROW, normalized header -> header, preamble lines) -> canonical text frames
Prepare = Callable[[pl.DataFrame, dict[str, str], list[str]], Prepared]
# (typed frames, notes to append to) -> the final frames per dataset (still with ROW)
Finish = Callable[[dict[str, pl.DataFrame], list[str]], dict[str, pl.DataFrame]]


@dataclass(frozen=True)
class Format:
    """A known export format: how to recognize it, convert it and finish the typed frames.

    `prepare` renames and reshapes the file's text columns into the canonical columns of
    `dataset` (the values stay text: the common value parsers type and check them, with the
    file's own headers in the messages); `finish` derives or aggregates from the typed frames.
    """

    name: str
    dataset: str  # the main dataset it produces
    detect: Detect
    prepare: Prepare
    finish: Finish
    cut_at_blank: bool = False  # the table ends at the first blank or '#' line
    sheets: tuple[str, ...] = ()  # in a workbook, the sheet that holds the table


def pick(cols: dict[str, str], *names: str) -> str | None:
    """The file's header for the first of `names` (normalized) that it has."""
    for n in names:
        if n in cols:
            return cols[n]
    return None


def text_or_null(col: str | None) -> pl.Expr:
    """The column `col`, or a null text column when the file does not have it."""
    return pl.col(col) if col is not None else pl.lit(None, dtype=pl.String)


def ignored(raw: pl.DataFrame, used: dict[str, str]) -> dict[str, str | None]:
    """Every header of the file (in file order) -> what it became (None = not used)."""
    return {h: used.get(h) for h in raw.columns if h != ROW}


def sum_by_key(
    df: pl.DataFrame, key: list[str], first: tuple[str, ...] = ()
) -> tuple[pl.DataFrame, int]:
    """Rows summed per key; a column empty on every merged row stays empty; the text columns
    `first` (a currency code) keep their first value. Returns the frame and the number of
    rows merged away."""
    measures = [c for c in df.columns if c not in key and c != ROW and c not in first]
    out = (
        df.group_by(key, maintain_order=True)
        .agg(
            pl.col(ROW).min(),
            *[
                pl.when(pl.col(m).is_not_null().any()).then(pl.col(m).sum()).alias(m)
                for m in measures
            ],
            *[pl.col(c).drop_nulls().first() for c in first],
        )
        .sort(ROW)
    )
    return out.select(df.columns), df.height - out.height
