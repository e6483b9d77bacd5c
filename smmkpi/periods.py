"""Periods: an inclusive range of days, the date range presets and comparison periods
(counted back from an anchor day: the last day with data, or today if the data is
current)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import polars as pl

Grain = Literal["day", "week", "month"]


@dataclass(frozen=True)
class Period:
    """An inclusive range of calendar days."""

    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        if self.start > self.end:
            raise ValueError(f"period start {self.start} is after its end {self.end}")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The same number of days immediately before."""
        end = self.start - dt.timedelta(days=1)
        return Period(end - dt.timedelta(days=self.days - 1), end)

    def last_year(self) -> Period:
        """The same calendar days one year earlier (29 February becomes 28 February)."""
        return Period(_minus_year(self.start), _minus_year(self.end))

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def __str__(self) -> str:
        return f"{self.start.isoformat()} – {self.end.isoformat()}"


def _minus_year(d: dt.date) -> dt.date:
    try:
        return d.replace(year=d.year - 1)
    except ValueError:  # 29 February
        return d.replace(year=d.year - 1, day=28)



PRESETS: dict[str, str] = {
    "last_7": "Last 7 days",
    "last_28": "Last 28 days",
    "last_90": "Last 90 days",
    "this_month": "This month",
    "last_month": "Last month",
    "this_quarter": "This quarter",
    "last_quarter": "Last quarter",
    "year_to_date": "Year to date",
    "custom": "Custom",
}
COMPARISONS: dict[str, str] = {
    "previous": "Previous period",
    "last_year": "Same period last year",
    "none": "No comparison",
}
DEFAULT_PRESET = "last_28"
DEFAULT_COMPARISON = "previous"


def anchor_day(last_data_day: dt.date | None, today: dt.date | None = None) -> dt.date:
    """The day presets count back from: the last day with data, never after today."""
    today = today or dt.date.today()
    if last_data_day is None:
        return today
    return min(last_data_day, today)


def _quarter_start(d: dt.date) -> dt.date:
    return dt.date(d.year, 3 * ((d.month - 1) // 3) + 1, 1)


def preset_period(preset: str, anchor: dt.date) -> Period:
    """The period a preset names, ending at the anchor (or the last complete month/quarter)."""
    if preset.startswith("last_") and preset[5:].isdigit():
        n = int(preset[5:])
        return Period(anchor - dt.timedelta(days=n - 1), anchor)
    if preset == "this_month":
        return Period(anchor.replace(day=1), anchor)
    if preset == "last_month":
        end = anchor.replace(day=1) - dt.timedelta(days=1)
        return Period(end.replace(day=1), end)
    if preset == "this_quarter":
        return Period(_quarter_start(anchor), anchor)
    if preset == "last_quarter":
        end = _quarter_start(anchor) - dt.timedelta(days=1)
        return Period(_quarter_start(end), end)
    if preset == "year_to_date":
        return Period(dt.date(anchor.year, 1, 1), anchor)
    raise ValueError(f"unknown preset {preset!r}; known: {', '.join(PRESETS)}")


def comparison_period(period: Period, comparison: str) -> Period | None:
    """The period to compare with, or None for no comparison."""
    if comparison == "previous":
        return period.previous()
    if comparison == "last_year":
        return period.last_year()
    if comparison == "none":
        return None
    raise ValueError(f"unknown comparison {comparison!r}; known: {', '.join(COMPARISONS)}")


# --- buckets on charts and tables -------------------------------------------------------
# One definition of a week everywhere: 7 days counted back from the period's last day, so
# every week but the earliest is complete and a 28-day period is exactly four weeks
# (calendar weeks would cut both ends of most periods short). Days and months are calendar
# days and months; a month at either end of a period may be partial.


def bucket(date: pl.Expr, grain: Grain, end: dt.date | None) -> pl.Expr:
    """The first day of the bucket `date` falls in: the day, the 7-day week ending on a
    multiple of 7 days before `end` (the period's last day; None: the last date present),
    or the calendar month."""
    if grain == "day":
        return date.dt.truncate("1d")
    if grain == "month":
        return date.dt.truncate("1mo")
    if grain != "week":
        raise ValueError(f"unknown grain {grain!r}; known: day, week, month")
    last = date.max() if end is None else pl.lit(end)
    back = (last - date).dt.total_days() // 7
    return (last - pl.duration(days=back * 7 + 6)).alias(date.meta.output_name())


def bucket_days(first_day: dt.date, grain: Grain, period: Period) -> int:
    """How many days of `period` the bucket starting on `first_day` holds (below a full
    week or month only at the period's ends: a partial bucket, marked on charts)."""
    if grain == "day":
        last = first_day
    elif grain == "week":
        last = first_day + dt.timedelta(days=6)
    else:
        nxt = (first_day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        last = nxt - dt.timedelta(days=1)
    lo, hi = max(first_day, period.start), min(last, period.end)
    return max(0, (hi - lo).days + 1)


def is_partial(first_day: dt.date, grain: Grain, period: Period) -> bool:
    """The bucket starting on `first_day` does not lie wholly inside `period`."""
    if grain == "day":
        return False
    if grain == "week":
        full = 7
    else:
        nxt = (first_day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        full = (nxt - first_day).days
    return bucket_days(first_day, grain, period) < full


# --- periods for people ---------------------------------------------------------------


def _day(d: dt.date, year: bool = False) -> str:
    return f"{d.day} {d:%b}" + (f" {d.year}" if year else "")


def span_label(start: dt.date, end: dt.date) -> str:
    """1 Oct – 31 Dec 2026; 3 – 9 Nov 2026; 28 Dec 2025 – 3 Jan 2026."""
    if start == end:
        return _day(start, True)
    if start.year != end.year:
        return f"{_day(start, True)} – {_day(end, True)}"
    if start.month == end.month:
        return f"{start.day} – {_day(end, True)}"
    return f"{_day(start)} – {_day(end, True)}"


def period_name(start: dt.date, end: dt.date) -> str | None:
    """The calendar name of a period when it has one: "Q4 2026", "November 2026", "2026";
    None for any other span."""
    month_end = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(
        days=1)
    if start.day == 1 and end == month_end:
        return f"{start:%B %Y}"
    if start == dt.date(start.year, 1, 1) and end == dt.date(start.year, 12, 31):
        return str(start.year)
    if start.day == 1 and start.month in (1, 4, 7, 10) and start == _quarter_start(start):
        q_end = _quarter_start(start + dt.timedelta(days=95)) - dt.timedelta(days=1)
        if end == q_end:
            return f"Q{(start.month - 1) // 3 + 1} {start.year}"
    return None


def target_period_parts(start: dt.date, end: dt.date) -> tuple[str, str]:
    """How a target's own period is named next to a figure: ("Q4 2026 target", "1 Oct –
    31 Dec") for a calendar quarter, month or year, else ("Target", "3 – 23 Nov 2026")."""
    name = period_name(start, end)
    span = span_label(start, end)
    if name is None:
        return "Target", span
    if span.endswith(str(end.year)) and str(end.year) in name:
        span = span[: -len(str(end.year))].rstrip()
    return f"{name} target", span


def partial_buckets(starts: Sequence[dt.date], grain: Grain,
                    period: Period) -> list[tuple[dt.date, int, int]]:
    """The buckets among `starts` that lie partly outside `period`, as (first day, days in
    the period, days in the whole bucket), for charts to mark."""
    out = []
    for start in dict.fromkeys(starts):
        if start is None or not is_partial(start, grain, period):
            continue
        full = 7 if grain == "week" else (
            (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - start).days
        out.append((start, bucket_days(start, grain, period), full))
    return out


# Running numbers of calendar months and Monday weeks: the cohort and activity periods of
# the retention KPIs (kpis.retention) and of the summaries the store keeps (summaries).
EPOCH_MONDAY_SHIFT = 3  # 1970-01-01 was a Thursday; epoch day + 3 counts from Monday 1969-12-29


def month_index(day: pl.Expr) -> pl.Expr:
    """year * 12 + month - 1 of a Date expression."""
    return day.dt.year().cast(pl.Int32) * 12 + day.dt.month().cast(pl.Int32) - 1


def week_index(day: pl.Expr) -> pl.Expr:
    """The running number of the Monday-starting week of a Date expression."""
    return (day.cast(pl.Int32) + EPOCH_MONDAY_SHIFT) // 7
