"""Facebook Page insights, "Page data" export (`fmt="facebook_insights"`) into
`social_daily`.

Made in Meta Business Suite (or the Page's Insights, older): Insights, Export data, Page
data, a date range, layout "Key metrics" (CSV or XLS). One row per day under a header of
long metric names (`Date`, `Lifetime Total Likes`, `Daily New Likes`, `Daily Unlikes`,
`Daily Page Engaged Users`, `Weekly Page Engaged Users`, `28 Days Page Engaged Users`,
`Daily Total Reach`, `Daily Organic Reach`, `Daily Paid Reach`, `Daily Total Impressions`,
...). The **first row under the header describes each column** (`Lifetime: The total
number of people who have liked your Page. (Unique Users)`) and is left out. Recognized by
`Date` and `Daily Total Reach` or `Daily Total Impressions`. One row per day:

- `platform` = `facebook`; `campaign_id` empty;
- `reach` = `Daily Total Reach`; `impressions` = `Daily Total Impressions`;
- `engagements` = `Daily Page Engaged Users`: the people who clicked or created a story
  that day, the export's only daily engagement figure (it counts people, not actions);
- `followers` = `Lifetime Total Likes` (newer pages: `Lifetime Total Followers`), the
  page's count at the end of the day;
- `date` = `Date` (`MM/DD/YYYY` or ISO text, or an Excel date);
- the weekly and 28-day columns, the paid/organic/viral splits and the demographics are
  not stored (the dashboard sums the daily figures itself).
"""

from __future__ import annotations

import polars as pl

from smmkpi.ingest.core import Format, Prepared, daily_social, drop_rows, pick, unchanged, us_dates

_MEASURES = {
    "reach": ("daily total reach",),
    "impressions": ("daily total impressions",),
    "engagements": ("daily page engaged users",),
    "followers": ("lifetime total likes", "lifetime total followers"),
}
_DESCRIBED = r"^\s*(?:Lifetime|Daily|Weekly|28 Days)\s*:"


def detect(cols: dict[str, str], preamble: list[str]) -> bool:
    """Date and Daily Total Reach or Daily Total Impressions."""
    return "date" in cols and ("daily total reach" in cols or "daily total impressions" in cols)


def prepare(raw: pl.DataFrame, cols: dict[str, str], preamble: list[str]) -> Prepared:
    """The days as social_daily text, platform facebook, the description row left out."""
    date = cols["date"]
    notes = ["Facebook Page insights export (Page data): platform facebook"]
    described = pl.any_horizontal(pl.col(h).str.contains(_DESCRIBED)
                                  for h in raw.columns if h.lower().startswith(
                                      ("lifetime", "daily", "weekly", "28 days")))
    raw, gone = drop_rows(raw, described & ~pl.col(date).str.contains(r"[0-9]").fill_null(False))
    if gone:
        notes.append(f"row {', '.join(map(str, gone))}: the description of each column, "
                     "left out")
    if pick(cols, *_MEASURES.get("engagements", ())) is not None:
        notes.append("engagements = Daily Page Engaged Users (people who engaged, the "
                     "export's only daily engagement figure)")
    return daily_social(raw, cols, us_dates(date), "facebook", _MEASURES, notes)


FORMAT = Format("facebook_insights", "social_daily", detect, prepare, unchanged)
