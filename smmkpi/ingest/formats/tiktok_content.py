"""TikTok Studio "Content" export (`fmt="tiktok_content"`) into `posts`.

Made in TikTok Studio: Analytics, Content, Download data (CSV or XLSX). Every value is
quoted, and `Post time` has **no year** (`July 16`): the year of the export's last day
must be given (the Upload page asks for it; `--year 2026` on the command line), and a post
time after that day in the calendar is the year before (an export across New Year reads
December as the earlier year); without it the file is refused with a message that asks for
the year (`smmkpi.ingest.yearless`). Recognized by `Video title`, `Video link` and
`Post time`. One post per video:

- `platform` = `tiktok`; `post_id` = the number after `/video/` in `Video link`, else the
  link; `url` = `Video link`; `title` = `Video title`; `format` = `video`;
- `published_at` = `Post time`;
- `video_views` = `Total views`, and `impressions` too: TikTok counts a view each time the
  video starts playing in a feed, which is when the post is shown, and exports no other
  impressions; `likes`, `comments`, `shares` = `Total likes`, `Total comments`, `Total
  shares`; `saves` = `Add to favorites` (or `Total favorites`, `Total bookmarks`);
- `engagements` = likes + comments + shares + saves.
"""

from __future__ import annotations

import polars as pl

from smmkpi.ingest.core import Format, Prepared, ignored, pick, post_frame, sum_into

_SIMPLE = {
    "url": ("video link",),
    "title": ("video title",),
    "published_at": ("post time",),
    "video_views": ("total views", "video views"),
    "likes": ("total likes",),
    "comments": ("total comments",),
    "shares": ("total shares",),
    "saves": ("add to favorites", "total favorites", "total bookmarks"),
}


def detect(cols: dict[str, str], preamble: list[str]) -> bool:
    """Video title, Video link and Post time."""
    return all(c in cols for c in ("video title", "video link", "post time"))


def prepare(raw: pl.DataFrame, cols: dict[str, str], preamble: list[str]) -> Prepared:
    """The videos as posts text."""
    used: dict[str, str] = {}
    labels: dict[str, str] = {"platform": "platform", "format": "format"}
    exprs: dict[str, pl.Expr] = {"platform": pl.lit("tiktok"), "format": pl.lit("video")}
    for canon, names in _SIMPLE.items():
        header = pick(cols, *names)
        if header is not None:
            used[header], labels[canon] = canon, header
            exprs[canon] = pl.col(header)
    link = cols["video link"]
    labels["post_id"] = link
    exprs["post_id"] = pl.coalesce(pl.col(link).str.extract(r"/video/([0-9]+)", 1),
                                   pl.col(link))
    if "video_views" in exprs:
        exprs["impressions"] = exprs["video_views"]
        labels["impressions"] = labels["video_views"]
    notes = ["TikTok Studio content export", "views are the impressions (TikTok exports no "
             "other): a view counts when the video starts playing in a feed"]
    return Prepared({"posts": post_frame(raw, exprs)}, {"posts": labels}, ignored(raw, used),
                    notes)


def finish(typed: dict[str, pl.DataFrame], notes: list[str]) -> dict[str, pl.DataFrame]:
    """Engagements as likes + comments + shares + saves."""
    df, filled = sum_into(typed["posts"], "engagements", ["likes", "comments", "shares", "saves"])
    if filled:
        notes.append("engagements = likes + comments + shares + saves")
    return {"posts": df}


FORMAT = Format("tiktok_content", "posts", detect, prepare, finish)
