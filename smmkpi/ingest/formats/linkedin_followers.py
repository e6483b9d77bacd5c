"""LinkedIn Page followers export (`fmt="linkedin_followers"`) into `social_daily`.

Made on the LinkedIn Page: Page admin view, Analytics, *Followers*, Export
(`<page>_followers_<time>.xls`; sheet "New followers", then one sheet per demographic, not
read). XLS or XLSX (also saved as CSV), a one-cell description line above the header (left
out by the reader), `Date` as `MM/DD/YYYY` text or an Excel date, then `Sponsored
followers`, `Organic followers`, `Auto-invited followers` and `Total followers`, where
**`Total followers` is the followers gained that day** (the sum of the three sources), not
the follower count at the end of the day. The file has no platform column: it can only come
from LinkedIn. Recognized by `Date`, `Sponsored followers` and `Organic followers`. One row
per day:

- `platform` = `linkedin`; `campaign_id` empty (the Page's own figures);
- `new_followers` = `Total followers` (the sum of the three sources when a file has no
  total);
- `followers` stays empty: LinkedIn exports no daily follower count (follower growth needs
  one, from a social_daily CSV), and an empty value never replaces a stored one, so a count
  stored before and the visitors export of the same days (`linkedin_visitors`) both stay.
"""

from __future__ import annotations

import polars as pl

from smmkpi.ingest.core import (
    Format,
    Prepared,
    ignored,
    social_frame,
    text_sum,
    unchanged,
    us_dates,
)

_SOURCES = ("sponsored followers", "organic followers", "auto invited followers")


def detect(cols: dict[str, str], preamble: list[str]) -> bool:
    """Date, Sponsored followers and Organic followers."""
    return all(c in cols for c in ("date", "sponsored followers", "organic followers"))


def prepare(raw: pl.DataFrame, cols: dict[str, str], preamble: list[str]) -> Prepared:
    """Each day's followers gained (`Total followers`) as new_followers, platform linkedin."""
    date, total = cols["date"], cols.get("total followers")
    if total is not None:
        gained, label, used = pl.col(total), total, {total: "new_followers"}
    else:
        parts = [cols[c] for c in _SOURCES if c in cols]
        gained, label, used = text_sum(parts), " + ".join(parts), dict.fromkeys(
            parts, "new_followers")
    exprs = {"date": us_dates(date), "platform": pl.lit("linkedin"), "new_followers": gained}
    labels = {"date": date, "platform": "platform", "new_followers": label}
    notes = ["LinkedIn Page followers export: platform linkedin",
             "Total followers are the followers gained each day (new followers); LinkedIn "
             "exports no daily follower count, so follower growth needs one from elsewhere"]
    return Prepared({"social_daily": social_frame(raw, exprs)}, {"social_daily": labels},
                    ignored(raw, {date: "date", **used}), notes)


FORMAT = Format("linkedin_followers", "social_daily", detect, prepare, unchanged,
                sheets=("New followers",))
