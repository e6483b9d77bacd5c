"""Facebook Page Insights "Post data" export (`fmt="facebook_posts"`) into `posts`.

Made in the Page's Insights: Export data, Post data (CSV, or the legacy `.xls` that is an
XML Spreadsheet 2003 with one sheet per breakdown: the "Key Metrics" sheet is read). Row 1
names the columns and **row 2 describes them** ("Lifetime: The number of people who had
your Page's post enter their screen. (Unique Users)"): it is left out, and where a name
appears twice (`Lifetime Organic Video Views`), the column whose description says
"(Total Count)" is used, not the one of "(Unique Users)". Recognized by `Post ID`, `Posted`
and `Lifetime Post Total Reach`. One post per row:

- `platform` = `facebook`; `post_id` = `Post ID` (`<page id>_<post id>`); `url` =
  `Permalink`; `title` = `Post Message`; `format` = `Type` (Photo → image, Video and Shared
  Video → video, Link → link, Status → text, ...);
- `published_at` = `Posted` (`2020-09-22T07:07:36.000`, or `10/1/2015 21:00` month first;
  no time zone in the file: read as UTC);
- `reach` = `Lifetime Post Total Reach`; `impressions` = `Lifetime Post Total Impressions`;
  `engagements` = `Lifetime Engaged Users`;
- `likes`, `comments`, `shares` = `Lifetime Post Stories by action type - like / comment /
  share` (counts), else `Lifetime Talking About This (Post) by action type - ...` (people);
- `link_clicks` = `Lifetime Post Consumptions by type - link clicks`, else `Lifetime
  Matched Audience Targeting Consumptions by Type - link clicks`;
- `video_views` = `Lifetime Total Video Views`, else organic plus paid video views (their
  "(Total Count)" columns).
"""

from __future__ import annotations

import polars as pl

from smmkpi.ingest.core import (
    ROW,
    Format,
    Prepared,
    ignored,
    norm,
    pick,
    post_format,
    post_frame,
    text_sum,
    unchanged,
    us_dates,
)


def detect(cols: dict[str, str], preamble: list[str]) -> bool:
    """Post ID, Posted and Lifetime Post Total Reach."""
    return all(c in cols for c in ("post id", "posted", "lifetime post total reach"))


def _descriptions(raw: pl.DataFrame, post_id: str) -> tuple[pl.DataFrame, dict[str, str]]:
    """The rows without the description row (the first row, when it has no Post ID and its
    cells read 'Lifetime: ...'), and each column's description."""
    if raw.height == 0:
        return raw, {}
    first = raw.row(0, named=True)
    texts = {c: str(v) for c, v in first.items() if c != ROW and v}
    if first[post_id] is None and any(t.lower().startswith("lifetime") for t in texts.values()):
        return raw.slice(1), texts
    return raw, {}


def _columns(raw: pl.DataFrame, described: dict[str, str]) -> dict[str, str]:
    """Normalized name -> the frame column to use: of two columns named alike (the reader
    names the second `Name (2)`), the one described as a total count."""
    groups: dict[str, list[str]] = {}
    for c in raw.columns:
        if c == ROW:
            continue
        base = c
        for k in range(2, 10):
            if c.endswith(f" ({k})"):
                base = c[: -len(f" ({k})")]
        groups.setdefault(norm(base), []).append(c)
    out = {}
    for name, cands in groups.items():
        total = [c for c in cands if described.get(c, "").rstrip(". ").endswith("(Total Count)")]
        out[name] = (total or cands)[0]
    return out


def prepare(raw: pl.DataFrame, cols: dict[str, str], preamble: list[str]) -> Prepared:
    """The posts as text, without the description row."""
    notes = ["Facebook Page post data export"]
    raw, described = _descriptions(raw, cols["post id"])
    if described:
        notes.append("row 2 (the description of each column) left out")
    cols = _columns(raw, described)
    used: dict[str, str] = {}
    labels: dict[str, str] = {"platform": "platform"}
    exprs: dict[str, pl.Expr] = {"platform": pl.lit("facebook")}

    def take(canon: str, *names: str) -> str | None:
        header = pick(cols, *names)
        if header is not None:
            used[header], labels[canon] = canon, header
        return header

    simple = {
        "post_id": ("post id",), "url": ("permalink",), "title": ("post message",),
        "reach": ("lifetime post total reach",),
        "impressions": ("lifetime post total impressions",),
        "engagements": ("lifetime engaged users",),
        "likes": ("lifetime post stories by action type like",
                  "lifetime talking about this (post) by action type like"),
        "comments": ("lifetime post stories by action type comment",
                     "lifetime talking about this (post) by action type comment"),
        "shares": ("lifetime post stories by action type share",
                   "lifetime talking about this (post) by action type share"),
        "link_clicks": ("lifetime post consumptions by type link clicks",
                        "lifetime matched audience targeting consumptions by type link clicks"),
    }
    for canon, names in simple.items():
        header = take(canon, *names)
        if header is not None:
            exprs[canon] = pl.col(header)
    posted = take("published_at", "posted")
    if posted is not None:
        exprs["published_at"] = us_dates(posted)
        notes.append("Posted has no time zone: read as UTC")
    kind = take("format", "type")
    exprs["format"] = post_format(kind)
    total = take("video_views", "lifetime total video views")
    if total is not None:
        exprs["video_views"] = pl.col(total)
    else:
        parts = [h for h in (pick(cols, "lifetime organic video views"),
                             pick(cols, "lifetime paid video views")) if h is not None]
        if parts:
            for h in parts:
                used[h] = "video_views"
            labels["video_views"] = " + ".join(parts)
            exprs["video_views"] = text_sum(parts)
    return Prepared({"posts": post_frame(raw, exprs)}, {"posts": labels}, ignored(raw, used),
                    notes)


FORMAT = Format("facebook_posts", "posts", detect, prepare, unchanged, sheets=("Key Metrics",))
