"""X account overview export, 2025 and later (`fmt="x_overview"`) into `social_daily`.

Made in X (x.com): Premium, Analytics, Overview, Export data (`account_overview_analytics
.csv`). One row per day, **newest first**, `Date` with its weekday (`"Tue, Aug 26,
2025"`), then `Impressions`, `Likes`, `Engagements`, `Bookmarks`, `Shares`, `New follows`,
`Unfollows`, `Replies`, `Reposts`, `Profile visits`, `Create Post`, `Video views`, `Media
views`. The file has no platform column: it can only come from X. Recognized by `Date`,
`Impressions`, `Engagements`, `New follows` and `Unfollows`. One row per day:

- `date` = `Date` without its weekday (the weekday names are CLDR's, from Babel);
- `platform` = `x`; `campaign_id` empty;
- `impressions`, `engagements` = `Impressions`, `Engagements`; `posts` = `Create Post`;
- `New follows` and `Unfollows` are followers gained and lost that day, not the count at
  the end of the day that follower growth is measured from: not stored; the export has no
  link clicks.
"""

from __future__ import annotations

import polars as pl

from smmkpi.ingest.core import Format, Prepared, daily_social, unchanged, without_weekday

_MEASURES = {
    "impressions": ("impressions",),
    "engagements": ("engagements",),
    "posts": ("create post",),
}


def detect(cols: dict[str, str], preamble: list[str]) -> bool:
    """Date, Impressions, Engagements, New follows and Unfollows."""
    return all(c in cols for c in ("date", "impressions", "engagements", "new follows",
                                   "unfollows"))


def prepare(raw: pl.DataFrame, cols: dict[str, str], preamble: list[str]) -> Prepared:
    """The days as social_daily text, platform x, the weekday taken off the dates."""
    notes = ["X account overview export: platform x",
             "New follows and Unfollows not stored (followers gained and lost, not the "
             "follower count at the end of each day)"]
    return daily_social(raw, cols, without_weekday(cols["date"]), "x", _MEASURES, notes)


FORMAT = Format("x_overview", "social_daily", detect, prepare, unchanged)
