"""TikTok Studio "Followers" history export (`fmt="tiktok_followers"`) into `social_daily`.

Made in TikTok Studio: Analytics, Followers, Download data (the follower history: one
row per day). Every value is quoted; `Date` has **no year** (`23 August`, `February 28`,
`8 de marzo`), read as for the overview export with the year of the export's last day
(`smmkpi.ingest.yearless`). Columns: `Date`, `Followers` (the count at the end of the day)
and `Difference in followers from previous day`. The file has no platform column: it can
only come from TikTok. Recognized by `Date`, `Followers` and `Difference in followers from
previous day`. One row per day:

- `platform` = `tiktok`; `campaign_id` empty; `followers` = `Followers`;
- the difference is not stored: the dashboard takes follower growth from the counts.

Imported with the overview export of the same days, each fills its own columns of the
same rows (an empty value never replaces a stored one).
"""

from __future__ import annotations

import polars as pl

from smmkpi.ingest.core import Format, Prepared, ignored, social_frame, unchanged

_DIFF = "difference in followers from previous day"


def detect(cols: dict[str, str], preamble: list[str]) -> bool:
    """Date, Followers and Difference in followers from previous day."""
    return all(c in cols for c in ("date", "followers", _DIFF))


def prepare(raw: pl.DataFrame, cols: dict[str, str], preamble: list[str]) -> Prepared:
    """The days as social_daily text, platform tiktok."""
    date, followers = cols["date"], cols["followers"]
    labels = {"date": date, "platform": "platform", "followers": followers}
    exprs = {"date": pl.col(date), "platform": pl.lit("tiktok"), "followers": pl.col(followers)}
    notes = ["TikTok Studio follower history: platform tiktok",
             "the daily difference not stored (follower growth is taken from the counts)"]
    return Prepared({"social_daily": social_frame(raw, exprs)}, {"social_daily": labels},
                    ignored(raw, {date: "date", followers: "followers"}), notes)


FORMAT = Format("tiktok_followers", "social_daily", detect, prepare, unchanged)
