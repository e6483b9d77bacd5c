"""X (Twitter) tweet activity export, "By day" (`fmt="x_daily"`) into `social_daily`.

Made in X Analytics: Tweets, Export data, By day (`daily_tweet_activity_metrics_<account>_
<from>_<to>_<lang>.csv`). One row per day: `Date` (`2021-08-01`), `Tweets published`, then
the account's organic metrics in lower case (`impressions`, `engagements`, `engagement
rate`, `retweets`, `replies`, `likes`, `user profile clicks`, `url clicks`, `hashtag
clicks`, `detail expands`, `permalink clicks`, `app opens`, `app installs`, `follows`,
`email tweet`, `dial phone`, `media views`, `media engagements`) and the same again as
`promoted ...`, which hold `-` for an account that did not promote (not used). Counts may
be written as floats (`2633.0`). The file has no platform column: it can only come from X.
Recognized by `Date`, `Tweets published`, `impressions` and `engagements`. One row per day:

- `platform` = `x`; `campaign_id` empty (the account's organic activity);
- `impressions`, `engagements` = `impressions`, `engagements`; `link_clicks` = `url
  clicks`; `posts` = `Tweets published`;
- `follows` (people who followed from a tweet) is not a follower count and is not stored;
  `engagement rate` is recomputed from the sums.
"""

from __future__ import annotations

import polars as pl

from smmkpi.ingest.core import Format, Prepared, daily_social, unchanged

_MEASURES = {
    "impressions": ("impressions",),
    "engagements": ("engagements",),
    "link_clicks": ("url clicks",),
    "posts": ("tweets published",),
}


def detect(cols: dict[str, str], preamble: list[str]) -> bool:
    """Date, Tweets published, impressions and engagements."""
    return all(c in cols for c in ("date", "tweets published", "impressions", "engagements"))


def prepare(raw: pl.DataFrame, cols: dict[str, str], preamble: list[str]) -> Prepared:
    """The days as social_daily text, platform x."""
    notes = ["X tweet activity export (by day): platform x",
             "promoted columns, engagement rate and follows not stored (follows are people "
             "who followed from a tweet, not a follower count)"]
    return daily_social(raw, cols, pl.col(cols["date"]), "x", _MEASURES, notes)


FORMAT = Format("x_daily", "social_daily", detect, prepare, unchanged)
