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

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import polars as pl

from smmkpi import config
from smmkpi.datasets import ColType, Column, Dataset
from smmkpi.ingest.core import ROW, DateOrder, empty_as_null, strip
from smmkpi.ingest.numeric import clean_num, decimal_choice, to_float, to_int
from smmkpi.ingest.problems import Collector
from smmkpi.ingest.temporal import TemporalColumns
from smmkpi.ingest.yearless import YearHint

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
ZONE = (
    "has a time-zone offset outside -12:00 to +14:00 (or minutes of 60 or more); "
    "check the zone (e.g. +01:00, -05:00, Z)"
)
NONFINITE = (
    "is not a finite number (infinity, NaN or beyond 1.8e308); write the number itself, "
    "e.g. 12.50"
)


@dataclass
class Ctx:
    """What the whole file says about its values, and where the typing reports back."""

    date_order: DateOrder | None  # given by the caller, else decided from the values
    decimal: str  # default decimal separator when the values do not tell
    notes: list[str]
    ambiguous: list[str]  # columns whose day/month order is undecided
    year: YearHint | None = None  # the year of the export's last day (dates without one)
    needs_year: list[str] = field(default_factory=list)  # columns with dates without a year


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
        ctx.year,
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
    """Integers or floats with the column's decimal separator. Refused, with the value left
    empty in the frame: non-finite numbers (inf, nan, literals beyond Float64 such as 1e309),
    negatives where the column is non-negative, and values outside the column's bounds."""
    s = r.numeric[c.name]
    mode = r.decimals[c.name]
    if c.type == "int":
        v = to_int(s, mode)
        reading = v.cast(pl.Float64)  # what the text says, also where it is no whole number
        if v.null_count() > s.null_count():
            reading = pl.select(pl.coalesce(reading, to_float(s, mode))).to_series()
    else:
        v = reading = to_float(s, mode)
    checks = [(reading.is_null() & s.is_not_null(), EXPECT[c.type])]
    lo, hi = c.bounds if c.bounds is not None else (-math.inf, math.inf)
    if c.nonnegative:
        lo = max(lo, 0)
    finite = bool(reading.is_finite().fill_null(True).all())
    low, high = reading.min(), reading.max()
    if finite and (low is None or lo <= low) and (high is None or high <= hi):  # type: ignore[operator]
        if c.type == "int":  # fractions: read as numbers, not whole
            checks.append((v.is_null() & reading.is_not_null(), EXPECT["int"]))
        return ParsedColumn(s, v, checks)
    ok = reading.is_finite()
    nonfinite = reading.is_not_null() & ~ok
    below = (ok & (reading < lo)).fill_null(False)
    above = (ok & (reading > hi)).fill_null(False)
    if c.type == "int":
        checks.append((v.is_null() & reading.is_not_null() & ok & ~below & ~above, EXPECT["int"]))
    checks.append((nonfinite, NONFINITE))
    if c.nonnegative and lo == 0:
        checks.append((below, "is negative (expected 0 or more)"))
    elif below.any():
        checks.append((below, f"is below {_bound(lo)}, the smallest value this column takes"))
    checks.append(
        (
            above,
            f"is too large for this column (at most {_bound(hi)}); check the value and its "
            "unit (thousands separators, decimal comma)",
        )
    )
    v = pl.select(pl.when(~(nonfinite | below | above)).then(v)).to_series().alias(c.name)
    return ParsedColumn(s, v, checks)


def _bound(x: float) -> str:
    """A bound as people read it: 1,000,000,000,000 or 0.5."""
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,}"


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
    """Dates or UTC timestamps (see `temporal`). Refused, with the value left empty in the
    frame: time-zone offsets outside -12:00 ... +14:00, and years (in UTC) outside the
    settings' range, so that every stored value is one every reader handles. Dates without a
    year are read with the year given, else refused (`temporal`, `yearless`)."""
    s, v, zone, own = r.temporal.parse(c, r.label(c.name), r.col, r.ctx.ambiguous,
                                       r.ctx.needs_year)
    unread = v.is_null() & s.is_not_null()
    for mask, _ in own:  # those rows get their own message
        unread = unread & ~mask
    checks = [(unread if zone is None else unread & ~zone, EXPECT[c.type]), *own]
    if zone is not None:
        checks.append((zone, ZONE))
    outside = _outside_years(v)
    if outside is not None:
        lo, hi = _years()
        checks.append(
            (
                outside,
                f"is outside the years {lo} to {hi}{' (in UTC)' if c.type == 'datetime' else ''}"
                "; check the year (the range is a setting: SMMKPI_YEAR_MIN, SMMKPI_YEAR_MAX)",
            )
        )
        v = pl.select(pl.when(~outside).then(v)).to_series().alias(c.name)
    return ParsedColumn(s, v, checks)


def _years() -> tuple[int, int]:
    """The first and last year a stored date or timestamp may have (settings)."""
    settings = config.get_settings()
    return settings.year_min, settings.year_max


def _year_range_physical(dtype: pl.DataType) -> tuple[int, int]:
    """[first, past the last) allowed instant as the physical integer of `dtype` (days for
    Date, microseconds for Datetime("us")), to compare without building Python dates (a
    year-10000 value cannot be one)."""
    lo, hi = _years()
    first = (dt.date(lo, 1, 1) - dt.date(1970, 1, 1)).days
    past = (dt.date(hi + 1, 1, 1) - dt.date(1970, 1, 1)).days
    if dtype == pl.Date:
        return first, past
    return first * 86_400_000_000, past * 86_400_000_000


def _outside_years(v: pl.Series) -> pl.Series | None:
    """Where a date or timestamp falls outside the allowed years; None when none does
    (decided from the minimum and maximum first)."""
    phys = v.to_physical()
    first, past = _year_range_physical(v.dtype)
    low, high = phys.min(), phys.max()
    if low is None or (first <= low and high < past):  # type: ignore[operator]
        return None
    return ((phys < first) | (phys >= past)).fill_null(False)


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
    if ds.ordered:  # e.g. an annotation's end_date before its date
        first, last = ds.ordered
        before = (out[last] < out[first]).fill_null(False)
        checks.append((last, r.text(last), before,
                       f"is before {r.label(first)}: the range would end before it starts"))
    for name, text, mask, message in checks:
        count = int(mask.sum() or 0)
        if count:
            found = pl.DataFrame({ROW: raw[ROW].filter(mask), "value": text.filter(mask)})
            col.rows(found, r.label(name), message, count)
    return pl.DataFrame(out)
