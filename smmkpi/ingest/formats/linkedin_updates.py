"""LinkedIn Page content export, "Update engagement" (`fmt="linkedin_updates"`) into `posts`.

Made on the LinkedIn Page: Analytics, Content (Updates), Export (an XLS or XLSX workbook
whose posts sheet is "All posts", older "Update engagement"; also saved as CSV). A one-cell
description line stands above the header (left out). Recognized by `Update title` (or
`Post title`), `Update link` (or `Post link`), `Created date` and `Impressions`. One post
per row:

- `platform` = `linkedin`; `post_id` = the `urn:li:activity:...` (or `share`, `ugcPost`) of
  `Update link`, else the link itself; `url` = `Update link`; `title` = `Update title`;
  `format` = `Content Type` (Image, Video, Article, Document, ...); `campaign_id` =
  `Campaign name` (sponsored updates);
- `published_at` = `Created date` (`MM/DD/YYYY` text, or an Excel date);
- `impressions` = `Impressions`; `video_views` = `Video views` (newer: `Views`);
  `link_clicks` = `Clicks`; `likes` = `Likes` (`Reactions`); `comments` = `Comments`;
  `shares` = `Shares` (`Reposts`);
- `engagements` = clicks + likes + comments + shares + follows, LinkedIn's own definition
  (its engagement rate divides them by impressions); the rates in the file
  (`Click through rate (CTR)`, `Engagement rate`, fractions like `1.0204081E-2`) are not
  stored: the dashboard recomputes them from the sums.
"""

from __future__ import annotations

import polars as pl

from smmkpi.ingest.core import (
    Format,
    Prepared,
    ignored,
    pick,
    post_format,
    post_frame,
    text_sum,
    unchanged,
    us_dates,
)

_SIMPLE = {
    "url": ("update link", "post link"),
    "title": ("update title", "post title"),
    "campaign_id": ("campaign name",),
    "impressions": ("impressions",),
    "video_views": ("video views", "views (excluding off site video views)", "views"),
    "link_clicks": ("clicks",),
    "likes": ("likes", "reactions"),
    "comments": ("comments",),
    "shares": ("shares", "reposts"),
}
_URN = r"(urn:li:[A-Za-z]+:[0-9]+)"


def detect(cols: dict[str, str], preamble: list[str]) -> bool:
    """Update (or Post) title and link, Created date and Impressions."""
    return (("update title" in cols or "post title" in cols)
            and ("update link" in cols or "post link" in cols)
            and "created date" in cols and "impressions" in cols)


def prepare(raw: pl.DataFrame, cols: dict[str, str], preamble: list[str]) -> Prepared:
    """The updates as posts text."""
    used: dict[str, str] = {}
    labels: dict[str, str] = {"platform": "platform"}
    exprs: dict[str, pl.Expr] = {"platform": pl.lit("linkedin")}
    for canon, names in _SIMPLE.items():
        header = pick(cols, *names)
        if header is not None:
            used[header], labels[canon] = canon, header
            exprs[canon] = pl.col(header)
    link = pick(cols, "update link", "post link")
    labels["post_id"] = link  # type: ignore[assignment]
    exprs["post_id"] = pl.coalesce(pl.col(link).str.extract(_URN, 1), pl.col(link))
    created = pick(cols, "created date")
    used[created], labels["published_at"] = "published_at", created  # type: ignore[index]
    exprs["published_at"] = us_dates(created)  # type: ignore[arg-type]
    kind = pick(cols, "content type")
    if kind is not None:
        used[kind], labels["format"] = "format", kind
        exprs["format"] = post_format(kind)
    parts = [h for h in (pick(cols, "clicks"), pick(cols, "likes", "reactions"),
                         pick(cols, "comments"), pick(cols, "shares", "reposts"),
                         pick(cols, "follows")) if h is not None]
    if parts:
        labels["engagements"] = " + ".join(parts)
        exprs["engagements"] = text_sum(parts)
        if (f := pick(cols, "follows")) is not None:
            used[f] = "engagements"
    notes = ["LinkedIn Page update engagement export",
             "rates (CTR, engagement rate) not stored: recomputed from the sums"]
    return Prepared({"posts": post_frame(raw, exprs)}, {"posts": labels}, ignored(raw, used),
                    notes)


FORMAT = Format("linkedin_updates", "posts", detect, prepare, unchanged,
                sheets=("All posts", "Update engagement"))
