"""Dates written without a year: "July 16", "Jul 16, 14:05", "16 de julio", "16 juil.".

Some exports leave the year out (TikTok Studio's "Post time", its Overview's "Date"): the
year is not in the file, so it must come from the person who downloaded it. They give the
year of the export's last day (`parse_file(year=2026)`, the Upload page's field, the CLI's
`--year 2026`), or that day itself (`year=date(2026, 1, 5)`, `--year 2026-01-05`). A value
whose month and day come after the last day in the calendar belongs to the year before:
an export from 20 December to 5 January read with the year 2026 gives December 2025 and
January 2026.

When only the year is given, the export's last day is the newest date in the column: the
day before the longest stretch of the calendar without any date, going round the year
(an export covers less than a year, so the stretch from its last day round to its first
is the longest one). An export with a longer gap inside than around its ends (a full year
of posts with none from March to September) needs the last day itself.

Month names come from the CLDR data that Babel ships: wide and abbreviated, in formatting
and stand-alone forms, for `LOCALES` (a trailing dot is optional), case-insensitive. A name
that two locales give to different months is left out.

Everything is vectorized: the names are one lookup table, the layouts two regular
expressions.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

import polars as pl

from smmkpi.ingest.core import LOCALES, frame_select

YearHint = int | dt.date  # the year of the export's last day, or that day

_TIME = r"(?:,?\s+(?:at\s+|a las\s+)?(?P<H>[0-9]{1,2}):(?P<M>[0-9]{2})(?::(?P<S>[0-9]{2}))?)?"
_MON = r"(?P<mon>\p{L}[\p{L}.]{2,11})"
# "July 16", "Jul. 16th", "July 16, 14:05"
MONTH_DAY = r"^" + _MON + r"\s+(?P<d>[0-9]{1,2})(?:st|nd|rd|th)?" + _TIME + r"$"
# "16 July", "16 de julio", "16. Juli", "16 juil."
DAY_MONTH = (r"^(?P<d>[0-9]{1,2})(?:\.|º|er)?\s+(?:de\s+)?" + _MON + _TIME + r"$")


@lru_cache(maxsize=1)
def month_names() -> dict[str, int]:
    """Lower-case month name (without a trailing dot) -> month number, for `LOCALES`."""
    from babel.dates import get_month_names

    seen: dict[str, set[int]] = {}
    for loc in LOCALES:
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                for month, name in get_month_names(width, context, locale=loc).items():
                    key = name.lower().rstrip(".")
                    seen.setdefault(key, set()).add(int(month))
    return {k: next(iter(v)) for k, v in seen.items() if len(v) == 1}


def is_yearless(s: pl.Series) -> pl.Series:
    """Whether each text looks like a day and a month name without a year."""
    x = pl.col("s").str.strip_chars()
    return frame_select(s, x.str.contains(MONTH_DAY) | x.str.contains(DAY_MONTH)).fill_null(False)


def is_month_day(s: pl.Series) -> pl.Series:
    """Whether each text is a known month name and a day that exists in a leap year (so a
    null reading means the day does not exist in its year: 29 February)."""
    p = _parts(s)
    return p.select(_valid_in_leap_year(p)).to_series()


@dataclass(frozen=True)
class Reading:
    """The year-less values of a column, read: `value` (null where not readable), the last
    day used, and the first and last date read."""

    value: pl.Series
    last_day: dt.date | None
    first: dt.date | None
    newest: dt.date | None


def _parts(s: pl.Series) -> pl.DataFrame:
    """month, day, hour, minute, second of each text (null where not a year-less date)."""
    names = month_names()
    x = pl.col("s").str.strip_chars()
    md, dm = x.str.extract_groups(MONTH_DAY), x.str.extract_groups(DAY_MONTH)

    def field(name: str) -> pl.Expr:
        return pl.coalesce(md.struct.field(name), dm.struct.field(name))

    month = (field("mon").str.to_lowercase().str.strip_chars_end(".")
             .replace_strict(list(names), list(names.values()), default=None,
                             return_dtype=pl.Int32))
    return s.to_frame("s").select(
        month.alias("m"),
        field("d").cast(pl.Int32, strict=False).alias("d"),
        field("H").cast(pl.Int32, strict=False).fill_null(0).alias("H"),
        field("M").cast(pl.Int32, strict=False).fill_null(0).alias("M"),
        field("S").cast(pl.Int32, strict=False).fill_null(0).alias("S"),
    )


def _valid_in_leap_year(p: pl.DataFrame) -> pl.Expr:
    """Month and day form a date in some year (29 February included)."""
    dim = (pl.when(pl.col("m").is_in([4, 6, 9, 11])).then(30)
           .when(pl.col("m") == 2).then(29).otherwise(31))
    return (pl.col("m").is_between(1, 12) & pl.col("d").is_between(1, dim)
            & pl.col("H").is_between(0, 23) & pl.col("M").is_between(0, 59)
            & pl.col("S").is_between(0, 59)).fill_null(False)


def newest_day_of_year(ordinals: pl.Series) -> int | None:
    """The ordinal day (in a leap year, 1-366) of the newest date of a set that covers less
    than a year: the one before the longest gap going round the calendar."""
    days = ordinals.drop_nulls().unique().sort()
    if days.len() == 0:
        return None
    nxt = days.shift(-1).fill_null(days.first() + 366)  # the gap from the last round to the first
    gaps = nxt - days
    return int(days[int(gaps.arg_max())])  # type: ignore[arg-type]


def read(s: pl.Series, kind: str, hint: YearHint) -> Reading:
    """The year-less texts of `s` as dates (`kind` "date") or UTC timestamps ("datetime"),
    the year from `hint` (see the module doc). Values that are no year-less date, or no
    date in the year they fall in (29 February of a common year), are null."""
    p = _parts(s)
    p = p.with_columns(ok=_valid_in_leap_year(p))
    p = p.with_columns(o=pl.when("ok").then(pl.date(2000, pl.col("m"), pl.col("d")))
                       .dt.ordinal_day())
    if isinstance(hint, dt.date):
        last = hint
        last_ord = dt.date(2000, last.month, last.day).timetuple().tm_yday
    else:
        o = newest_day_of_year(p["o"])
        if o is None:
            empty = pl.repeat(None, s.len(), dtype=pl.Date, eager=True)
            return Reading(_as_kind(empty, p, kind), None, None, None)
        newest = dt.date(2000, 1, 1) + dt.timedelta(days=o - 1)
        last_ord = o
        last = _in_year(hint, newest.month, newest.day)
    year = pl.when(pl.col("o") > last_ord).then(last.year - 1).otherwise(last.year)
    dates = _dates(p, year)
    first, newest_d = dates.min(), dates.max()
    return Reading(_as_kind(dates, p, kind), last, first, newest_d)  # type: ignore[arg-type]


def _in_year(year: int, month: int, day: int) -> dt.date:
    """The date in `year`, 29 February taken as the 28th in a common year."""
    try:
        return dt.date(year, month, day)
    except ValueError:
        return dt.date(year, month, day - 1)


def _dates(p: pl.DataFrame, year: pl.Expr) -> pl.Series:
    """Dates from month, day and the year expression; null where the day does not exist in
    that year (29 February of a common year) or the parts are not a date."""
    y = year
    leap = ((y % 4 == 0) & (y % 100 != 0)) | (y % 400 == 0)
    exists = pl.col("ok") & ~((pl.col("m") == 2) & (pl.col("d") == 29) & ~leap)
    return p.select(
        pl.when(exists).then(pl.date(y, pl.col("m"), pl.col("d"))).alias("v")
    ).to_series()


def _as_kind(dates: pl.Series, p: pl.DataFrame, kind: str) -> pl.Series:
    """Dates as they are, or as UTC timestamps with the texts' times of day."""
    if kind == "date":
        return dates
    stamp = (pl.col("v").cast(pl.Datetime("us"))
             + pl.duration(hours=pl.col("H"), minutes=pl.col("M"), seconds=pl.col("S")))
    return p.with_columns(v=dates).select(stamp.dt.replace_time_zone("UTC")).to_series()
