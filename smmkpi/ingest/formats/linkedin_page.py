"""LinkedIn Page visitors and followers exports (`fmt="linkedin_visitors"`,
`fmt="linkedin_followers"`): recognized and refused with what to import instead.

Made on the LinkedIn Page: Analytics, *Visitors*, Export (`<page>_visitors_<time>.xls`,
sheet "Visitor metrics") and Analytics, *Followers*, Export (`<page>_followers_<time>.xls`,
sheet "New followers", then one sheet per demographic). XLS or XLSX, a one-cell
description line above the header (left out by the reader), `Date` as `MM/DD/YYYY` text or
an Excel date.

- Visitors: `Date`, `Overview page views (desktop)`, `... (mobile)`, `... (total)`, the
  same for `Overview unique visitors`, `Life ...`, `Jobs ...`, `Total page views ...`,
  `Total unique visitors ...`: visits to the Page itself, which no social_daily column
  holds (social_daily counts what posts and ads get). Recognized by `Date` and a `Total
  page views` or `Overview page views` column.
- Followers: `Date`, `Sponsored followers`, `Organic followers`, `Auto-invited
  followers`, `Total followers`, where **`Total followers` is the followers gained that
  day**, not the follower count at the end of the day that social_daily keeps (and follower
  growth is measured from). Recognized by `Date`, `Sponsored followers` and `Organic
  followers`.

Neither can become social_daily rows without a figure the file does not hold, so each file
is refused with one sentence that says what it is and what to import instead (never "no
dataset recognized").
"""

from __future__ import annotations

import polars as pl

from smmkpi.ingest.core import Format, Prepared, ignored, social_frame

_VISITORS = ("total page views (total)", "overview page views (total)", "total page views",
             "overview page views")


def detect_visitors(cols: dict[str, str], preamble: list[str]) -> bool:
    """Date and a Total (or Overview) page views column."""
    return "date" in cols and any(c in cols for c in _VISITORS)


def detect_followers(cols: dict[str, str], preamble: list[str]) -> bool:
    """Date, Sponsored followers and Organic followers."""
    return all(c in cols for c in ("date", "sponsored followers", "organic followers"))


def _refused(raw: pl.DataFrame, cols: dict[str, str], header: str, message: str,
             note: str) -> Prepared:
    """The file recognized and refused: one whole-file problem on `header`."""
    date = cols["date"]
    frame = social_frame(raw, {"date": pl.col(date), "platform": pl.lit("linkedin")})
    return Prepared({"social_daily": frame}, {"social_daily": {"date": date}},
                    ignored(raw, {}), [note], [(None, header, None, message)])


def prepare_visitors(raw: pl.DataFrame, cols: dict[str, str], preamble: list[str]) -> Prepared:
    header = next(cols[c] for c in _VISITORS if c in cols)
    return _refused(raw, cols, header, (
        "this is LinkedIn's Page visitors export (Analytics, Visitors): page views and unique "
        "visitors of the Page itself, which the dashboard has no column for, so it cannot be "
        "imported; for what the Page's posts reach, upload the Content export (Analytics, "
        "Content, Export) instead"), "LinkedIn Page visitors export")


def prepare_followers(raw: pl.DataFrame, cols: dict[str, str], preamble: list[str]) -> Prepared:
    header = cols.get("total followers", cols["organic followers"])
    return _refused(raw, cols, header, (
        "this is LinkedIn's Page followers export (Analytics, Followers): its 'Total "
        "followers' are the followers gained each day, not the follower count at the end of "
        "the day that follower growth is measured from, and LinkedIn exports no daily count, "
        "so it cannot be imported; write the count shown on the Page's Followers tab into a "
        "social_daily CSV (date, platform linkedin, followers) instead"),
        "LinkedIn Page followers export")


def finish(typed: dict[str, pl.DataFrame], notes: list[str]) -> dict[str, pl.DataFrame]:
    return typed


VISITORS = Format("linkedin_visitors", "social_daily", detect_visitors, prepare_visitors,
                  finish, sheets=("Visitor metrics",))
FOLLOWERS = Format("linkedin_followers", "social_daily", detect_followers, prepare_followers,
                   finish, sheets=("New followers",))
