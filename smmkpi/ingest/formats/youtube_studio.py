"""YouTube Studio content table (`fmt="youtube_studio"`) into `posts`.

Made in YouTube Studio: Analytics, Advanced mode, Content, Export current view (a zip
holding `Table data.csv`, `Chart data.csv` and `Totals.csv`; `Table data.csv` is read).
Recognized by `Content`, `Video title` and `Video publish time`. The **first data row is
`Total`** over the channel and is left out (it need not equal the sum of the rows: videos
outside the view count in it). One post per video:

- `platform` = `youtube`; `post_id` = `Content` (the video id); `url` =
  `https://www.youtube.com/watch?v=<id>`; `title` = `Video title`; `format` = `video`;
- `published_at` = `Video publish time` (`Aug 28, 2025`: a date, read as midnight UTC);
- `video_views` = `Views`; `impressions` = `Impressions` (the thumbnail's, newer
  `Thumbnail impressions`); `likes` = `Likes`; `comments` = `Comments added`; `shares` =
  `Shares`; `engagements` = likes + comments + shares;
- `Chart data.csv` of the same download (one row per day and video) is refused: upload
  `Table data.csv` instead.
"""

from __future__ import annotations

import polars as pl

from smmkpi.ingest.core import (
    Format,
    Prepared,
    RawProblem,
    ignored,
    pick,
    post_frame,
    sum_into,
)

_SIMPLE = {
    "title": ("video title",),
    "published_at": ("video publish time",),
    "video_views": ("views",),
    "impressions": ("impressions", "thumbnail impressions"),
    "likes": ("likes",),
    "comments": ("comments added",),
    "shares": ("shares",),
}


def detect(cols: dict[str, str], preamble: list[str]) -> bool:
    """Content, Video title and Video publish time."""
    return all(c in cols for c in ("content", "video title", "video publish time"))


def prepare(raw: pl.DataFrame, cols: dict[str, str], preamble: list[str]) -> Prepared:
    """The videos as posts text (the Total row is already left out)."""
    notes = ["YouTube Studio content table"]
    problems: list[RawProblem] = []
    if "date" in cols:
        problems.append((None, cols["date"], None, "this is YouTube Studio's Chart data.csv "
                         "(views per day and video): upload Table data.csv from the same "
                         "download instead"))
    content = cols["content"]
    vid = pl.col(content).str.strip_chars()
    used: dict[str, str] = {content: "post_id"}
    labels: dict[str, str] = {"platform": "platform", "post_id": content, "url": content,
                              "format": "format"}
    exprs: dict[str, pl.Expr] = {
        "platform": pl.lit("youtube"), "post_id": vid, "format": pl.lit("video"),
        "url": pl.lit("https://www.youtube.com/watch?v=") + vid,
    }
    for canon, names in _SIMPLE.items():
        header = pick(cols, *names)
        if header is not None:
            used[header], labels[canon] = canon, header
            exprs[canon] = pl.col(header)
    return Prepared({"posts": post_frame(raw, exprs)}, {"posts": labels}, ignored(raw, used),
                    notes, problems)


def finish(typed: dict[str, pl.DataFrame], notes: list[str]) -> dict[str, pl.DataFrame]:
    """Engagements as likes + comments + shares."""
    df, filled = sum_into(typed["posts"], "engagements", ["likes", "comments", "shares"])
    if filled:
        notes.append("engagements = likes + comments + shares")
    return {"posts": df}


FORMAT = Format("youtube_studio", "posts", detect, prepare, finish)
