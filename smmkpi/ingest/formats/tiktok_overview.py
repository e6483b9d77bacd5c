"""TikTok Studio "Overview" export (`fmt="tiktok_overview"`) into `social_daily`.

Made in TikTok Studio: Analytics, Overview, Download data (CSV or XLSX; the account's
daily totals over the period chosen, at most 60 days). Every value is quoted and `Date`
has **no year** (`February 28`, in a Spanish account `8 de marzo`): the year of the
export's last day must be given (the Upload page asks for it; `--year 2026` on the command
line) and a day after that one in the calendar is the year before, as for TikTok's content
export (`smmkpi.ingest.yearless`, month names from CLDR). The file has no platform column:
it can only come from TikTok. Recognized by `Date`, `Video Views`, `Profile Views`,
`Likes`, `Comments` and `Shares`. One row per day:

- `platform` = `tiktok`; `campaign_id` empty;
- `impressions` = `Video Views` (TikTok counts a view when a video starts playing in a
  feed and exports no other impressions, as in its content export);
- `engagements` = `Likes` + `Comments` + `Shares`;
- `Profile Views` are not stored (no social_daily column holds them).
"""

from __future__ import annotations

import polars as pl

from smmkpi.ingest.core import Format, Prepared, ignored, social_frame, text_sum, unchanged

_PARTS = ("likes", "comments", "shares")


def detect(cols: dict[str, str], preamble: list[str]) -> bool:
    """Date, Video Views, Profile Views, Likes, Comments and Shares."""
    return all(c in cols for c in ("date", "video views", "profile views", *_PARTS))


def prepare(raw: pl.DataFrame, cols: dict[str, str], preamble: list[str]) -> Prepared:
    """The days as social_daily text, platform tiktok."""
    date, views = cols["date"], cols["video views"]
    parts = [cols[p] for p in _PARTS]
    used: dict[str, str] = {date: "date", views: "impressions",
                            **dict.fromkeys(parts, "engagements")}
    labels = {"date": date, "platform": "platform", "impressions": views,
              "engagements": " + ".join(parts)}
    exprs = {"date": pl.col(date), "platform": pl.lit("tiktok"), "impressions": pl.col(views),
             "engagements": text_sum(parts)}
    notes = ["TikTok Studio overview export: platform tiktok",
             "video views are the impressions (TikTok exports no other); engagements = "
             "likes + comments + shares; profile views not stored"]
    return Prepared({"social_daily": social_frame(raw, exprs)}, {"social_daily": labels},
                    ignored(raw, used), notes)


FORMAT = Format("tiktok_overview", "social_daily", detect, prepare, unchanged)
