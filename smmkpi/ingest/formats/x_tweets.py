"""X (Twitter) tweet activity export, "By Tweet" (`fmt="x_tweets"`) into `posts`.

Made in X Analytics: Tweets, Export data, By Tweet (`tweet_activity_metrics_<account>_<from>_
<to>_<lang>.csv`). Every field is quoted, the tweet text holds line breaks and emoji, `time`
is UTC like `2019-01-31 23:32 +0000`, counts are written as floats (`2633.0`) and the
`promoted ...` columns hold `-` for tweets that were not promoted (they are not used).
Recognized by `Tweet id`, `Tweet permalink` and `impressions`. One post per tweet:

- `platform` = `x`; `post_id` = `Tweet id`; `url` = `Tweet permalink`; `title` = `Tweet text`;
- `published_at` = `time`;
- `impressions`, `engagements` = `impressions`, `engagements`; `likes` = `likes` (older
  exports: `favorites`); `shares` = `retweets`; `comments` = `replies`; `link_clicks` =
  `url clicks`; `video_views` = `media views`;
- `engagement rate` is not stored (the dashboard divides the sums); the format of a tweet is
  not in the export and stays empty.
"""

from __future__ import annotations

import polars as pl

from smmkpi.ingest.core import Format, Prepared, ignored, pick, post_frame, unchanged


def detect(cols: dict[str, str], preamble: list[str]) -> bool:
    """Tweet id, Tweet permalink and impressions."""
    return all(c in cols for c in ("tweet id", "tweet permalink", "impressions"))


_METRICS = {
    "impressions": ("impressions",),
    "engagements": ("engagements",),
    "likes": ("likes", "favorites"),
    "shares": ("retweets",),
    "comments": ("replies",),
    "link_clicks": ("url clicks",),
    "video_views": ("media views",),
}


def prepare(raw: pl.DataFrame, cols: dict[str, str], preamble: list[str]) -> Prepared:
    """The tweets as posts text; `-` (not promoted) is empty."""
    used: dict[str, str] = {}
    labels: dict[str, str] = {"platform": "platform"}
    exprs: dict[str, pl.Expr] = {"platform": pl.lit("x")}
    for canon, names in {"post_id": ("tweet id",), "url": ("tweet permalink",),
                         "title": ("tweet text",), "published_at": ("time",),
                         **_METRICS}.items():
        header = pick(cols, *names)
        if header is None:
            continue
        used[header], labels[canon] = canon, header
        value = pl.col(header)
        if canon in _METRICS:
            value = pl.when(value.str.strip_chars() == "-").then(None).otherwise(value)
        exprs[canon] = value
    notes = ["X tweet activity export (by tweet)", "engagement rate and promoted columns "
             "not stored (rates are recomputed from the sums)"]
    return Prepared({"posts": post_frame(raw, exprs)}, {"posts": labels}, ignored(raw, used),
                    notes)


FORMAT = Format("x_tweets", "posts", detect, prepare, unchanged)
