"""Typing a frame of text: one parser per column type, and the checks every column gets.

`type_frame` turns canonical-named text columns (plus ROW) into the typed columns of a
dataset. Each column type has its parser in `PARSERS` (text, numbers, booleans, dates,
timestamps); a parser returns the column's text as checked, its typed values (null where a
value is not readable) and its checks (bad-row mask, message). The required-value check is
the same for every type. A failing row is `parsed is null and text is not null`: everything is
vectorized, Python never loops over rows.

Rule checks are written here rather than with pandera's Polars backend: pandera validates a
frame that is already typed, while most problems here are values that cannot be typed at all,
and each problem needs its spreadsheet row and a message in the user's terms; the three rules
left (allowed values, non-negative, required) are one expression each, and pandera would add
half a second of import and four packages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import polars as pl

from smmkpi.datasets import ColType, Column, Dataset
from smmkpi.ingest.core import ROW, DateOrder, empty_as_null, strip
from smmkpi.ingest.numeric import clean_num, decimal_choice, to_float, to_int
from smmkpi.ingest.problems import Collector
from smmkpi.ingest.temporal import TemporalColumns

_TRUE = ("true", "t", "yes", "y", "1", "ja", "oui", "si", "sí", "wahr", "vrai", "x")
_FALSE = ("false", "f", "no", "n", "0", "nein", "non", "falsch", "faux")

EXPECT: dict[ColType, str] = {
    "int": "is not a whole number (expected e.g. 42)",
    "float": "is not a number (expected e.g. 12.50)",
    "date": "is not a date (expected e.g. 2026-03-01, 01/03/2026 or 20260301)",
    "datetime": "is not a date and time "
    "(expected e.g. 2026-03-01 14:05 or 2026-03-01T14:05:00+01:00)",
    "bool": "is not yes/no (expected TRUE/FALSE, yes/no or 1/0)",
}
REQUIRED = "no value (this column is required)"


@dataclass
class Ctx:
    """What the whole file says about its values, and where the typing reports back."""

    date_order: DateOrder | None  # given by the caller, else decided from the values
    decimal: str  # default decimal separator when the values do not tell
    notes: list[str]
    ambiguous: list[str]  # columns whose day/month order is undecided


@dataclass
class ParsedColumn:
    """One column typed: the text that was checked (the values shown in problems), the typed
    values (null where not readable) and the checks as (bad-row mask, message)."""

    text: pl.Series
    value: pl.Series
    checks: list[tuple[pl.Series, str]] = field(default_factory=list)


@dataclass
class FrameReading:
    """One frame being typed: its text, and what was learnt from all its columns before any
    one is parsed (decimal separators, the first pass over dates); see `survey`."""

    raw: pl.DataFrame
    ds: Dataset
    labels: dict[str, str]  # canonical column -> header shown in messages
    ctx: Ctx
    col: Collector
    numeric: dict[str, pl.Series]  # cleaned number text of the int and float columns
    decimals: dict[str, str]  # decimal separator of each of those columns
    temporal: TemporalColumns

    def text(self, name: str) -> pl.Series:
        """The column's text; all null when the frame does not have it."""
        return _text(self.raw, name)

    def label(self, name: str) -> str:
        """The column as the file names it, for messages."""
        return self.labels.get(name, name)


def _text(raw: pl.DataFrame, name: str) -> pl.Series:
    """The column's text; all null when the frame does not have it."""
    if name in raw.columns:
        return raw[name].cast(pl.String)
    return pl.repeat(None, raw.height, dtype=pl.String, eager=True).alias(name)


def survey(
    raw: pl.DataFrame, ds: Dataset, labels: dict[str, str], ctx: Ctx, col: Collector
) -> FrameReading:
    """The file-wide evidence, before any column is parsed: the numeric columns' decimal
    separators (with a note for decimal commas), then the temporal columns' first pass."""
    numeric = {
        c.name: empty_as_null(clean_num(_text(raw, c.name)))
        for c in ds.columns
        if c.type in ("int", "float")
    }
    decimals = decimal_choice(numeric, ctx.decimal, ctx.notes)
    temporal = TemporalColumns(
        [c for c in ds.columns if c.type in ("date", "datetime")],
        lambda name: _text(raw, name),
        ctx.date_order,
    )
    return FrameReading(raw, ds, labels, ctx, col, numeric, decimals, temporal)


def _parse_text(c: Column, r: FrameReading) -> ParsedColumn:
    """Text, stripped; categorical columns (allowed `values`) and platforms lower-cased and
    categorical values checked."""
    s = v = strip(r.text(c.name))
    if c.values is not None or c.name == r.ds.platform_column or c.name == "platform":
        v = s.str.to_lowercase()
    checks: list[tuple[pl.Series, str]] = []
    if c.values is not None:
        allowed = list(c.values)
        bad = v.is_not_null() & ~v.is_in(allowed)
        checks.append((bad, f"is not one of the allowed values: {', '.join(allowed)}"))
    return ParsedColumn(s, v, checks)


def _parse_number(c: Column, r: FrameReading) -> ParsedColumn:
    """Integers or floats with the column's decimal separator; negatives refused where the
    column is non-negative."""
    s = r.numeric[c.name]
    mode = r.decimals[c.name]
    v = to_int(s, mode) if c.type == "int" else to_float(s, mode)
    checks = [(v.is_null() & s.is_not_null(), EXPECT[c.type])]
    if c.nonnegative:
        checks.append(((v < 0).fill_null(False), "is negative (expected 0 or more)"))
    return ParsedColumn(s, v, checks)


def _parse_bool(c: Column, r: FrameReading) -> ParsedColumn:
    """true/false, yes/no, y/n, t/f, 1/0 and the German, French and Spanish words; a lone
    'x' (a ticked box) is true."""
    s = strip(r.text(c.name))
    low = s.str.to_lowercase()
    v = pl.select(
        pl.when(low.is_in(list(_TRUE))).then(True).when(low.is_in(list(_FALSE))).then(False)
    ).to_series()
    return ParsedColumn(s, v, [(v.is_null() & s.is_not_null(), EXPECT["bool"])])


def _parse_temporal(c: Column, r: FrameReading) -> ParsedColumn:
    """Dates or UTC timestamps (see `temporal`)."""
    s, v = r.temporal.parse(c, r.label(c.name), r.col, r.ctx.ambiguous)
    return ParsedColumn(s, v, [(v.is_null() & s.is_not_null(), EXPECT[c.type])])


Parser = Callable[[Column, FrameReading], ParsedColumn]

# The parser of each column type; a new type is one function and one entry here.
PARSERS: dict[ColType, Parser] = {
    "str": _parse_text,
    "int": _parse_number,
    "float": _parse_number,
    "bool": _parse_bool,
    "date": _parse_temporal,
    "datetime": _parse_temporal,
}


def type_frame(
    raw: pl.DataFrame, ds: Dataset, labels: dict[str, str], ctx: Ctx, col: Collector
) -> pl.DataFrame:
    """The canonical typed frame (plus ROW) from canonical-named text; problems to `col`,
    notes to `ctx`."""
    r = survey(raw, ds, labels, ctx, col)
    out: dict[str, pl.Series] = {ROW: raw[ROW]}
    checks: list[tuple[str, pl.Series, pl.Series, str]] = []  # (column, text, bad, message)
    for c in ds.columns:
        parsed = PARSERS[c.type](c, r)
        out[c.name] = parsed.value.cast(c.dtype).alias(c.name)
        checks += [(c.name, parsed.text, bad, message) for bad, message in parsed.checks]
        if c.required:
            checks.append((c.name, parsed.text, parsed.text.is_null(), REQUIRED))
    ctx.notes += r.temporal.notes()
    for name, text, mask, message in checks:
        count = int(mask.sum() or 0)
        if count:
            found = pl.DataFrame({ROW: raw[ROW].filter(mask), "value": text.filter(mask)})
            col.rows(found, r.label(name), message, count)
    return pl.DataFrame(out)
