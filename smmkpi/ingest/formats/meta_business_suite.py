"""Meta Business Suite content export (`fmt="meta_business_suite"`) into `posts`.

Made in Meta Business Suite: Insights, Content, Export data (Facebook posts, Instagram
posts, reels and stories, one file per account). Recognized by `Post ID`, `Publish time`,
`Permalink` and `Post type`. The Facebook file has `Page ID`, `Page name`, `Title`,
`Reactions, Comments and Shares`, `Reactions`, `Total clicks`, `Link clicks`; the Instagram
file has `Account ID`, `Account username`, `Description`, `Likes`, `Saves`, `Follows`;
both have `Date` (`Lifetime`: the values are lifetime values), `Reach`, `Comments`,
`Shares` and either `Impressions` or, since 2025, `Views`. One post per row:

- `platform` = `instagram` when the permalink is on instagram.com (or the file has
  `Account ID`), else `facebook`; `post_id` = `Post ID`; `url` = `Permalink`;
- `title` = `Title`, else `Description`; `format` = `Post type` (IG reel → reel, IG
  carousel → carousel, IG image and Photos → image, Videos → video, Links → link, ...);
- `published_at` = `Publish time` (`09/27/2023 09:00`, month first; no time zone in the
  file: read as UTC);
- `impressions` = `Impressions`, else `Views`; `reach` = `Reach`; `likes` = `Likes`, else
  `Reactions`; `comments`, `shares`, `saves` = `Comments`, `Shares`, `Saves`;
  `link_clicks` = `Link clicks`; `video_views` = `Plays`, else `3-second video views`;
- `engagements` = `Reactions, Comments and Shares`; where the file has no such total
  (Instagram), likes + comments + shares + saves.
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
    sum_into,
    us_dates,
)

_SIMPLE = {
    "post_id": ("post id",),
    "url": ("permalink",),
    "impressions": ("impressions", "views"),
    "reach": ("reach",),
    "engagements": ("reactions, comments and shares", "reactions comments and shares"),
    "likes": ("likes", "reactions"),
    "comments": ("comments",),
    "shares": ("shares",),
    "saves": ("saves",),
    "link_clicks": ("link clicks",),
    "video_views": ("plays", "3 second video views"),
}


def detect(cols: dict[str, str], preamble: list[str]) -> bool:
    """Post ID, Publish time, Permalink and Post type."""
    return all(c in cols for c in ("post id", "publish time", "permalink", "post type"))


def prepare(raw: pl.DataFrame, cols: dict[str, str], preamble: list[str]) -> Prepared:
    """The posts as text."""
    used: dict[str, str] = {}
    labels: dict[str, str] = {"platform": "Permalink"}
    exprs: dict[str, pl.Expr] = {}
    for canon, names in _SIMPLE.items():
        header = pick(cols, *names)
        if header is not None:
            used[header], labels[canon] = canon, header
            exprs[canon] = pl.col(header)
    instagram = "account id" in cols or "account username" in cols
    link = pick(cols, "permalink")
    on_ig = pl.col(link).str.contains(r"(?i)^https?://([a-z0-9-]+\.)*instagram\.com/")
    exprs["platform"] = (pl.when(on_ig.fill_null(instagram)).then(pl.lit("instagram"))
                         .otherwise(pl.lit("facebook")))
    title, text = pick(cols, "title"), pick(cols, "description")
    for h in (title, text):
        if h is not None:
            used[h] = "title"
    labels["title"] = title or text or "Title"
    exprs["title"] = pl.coalesce([pl.col(h) for h in (title, text) if h is not None] or
                                 [pl.lit(None, dtype=pl.String)])
    published = pick(cols, "publish time")
    used[published], labels["published_at"] = "published_at", published  # type: ignore[index]
    exprs["published_at"] = us_dates(published)  # type: ignore[arg-type]
    kind = pick(cols, "post type")
    used[kind], labels["format"] = "format", kind  # type: ignore[index]
    exprs["format"] = post_format(kind)
    notes = ["Meta Business Suite content export (" + ("Instagram" if instagram else
                                                      "Facebook") + ")",
             "Publish time has no time zone: read as UTC"]
    return Prepared({"posts": post_frame(raw, exprs)}, {"posts": labels}, ignored(raw, used),
                    notes)


def finish(typed: dict[str, pl.DataFrame], notes: list[str]) -> dict[str, pl.DataFrame]:
    """Engagements as likes + comments + shares + saves where the file gives no total."""
    df, filled = sum_into(typed["posts"], "engagements", ["likes", "comments", "shares", "saves"])
    if filled:
        notes.append("engagements = likes + comments + shares + saves (the export has no total)")
    return {"posts": df}


FORMAT = Format("meta_business_suite", "posts", detect, prepare, finish)
