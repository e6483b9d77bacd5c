"""X tweet activity "By Tweet" export (smmkpi.ingest.formats.x_tweets), from a fixture with the
export's exact header: every field quoted, tweet text with line breaks and emoji, `time` with
a zone, counts as floats, promoted columns `-`."""

from __future__ import annotations

import datetime as dt

from postsfixtures import POSTS, UTC, by_id, read_ok

FILE = POSTS / "tweet_activity_metrics_brightmug_20190101_20190201_en.csv"


def test_tweets_become_posts():
    pf = read_ok(FILE)
    assert pf.fmt == "x_tweets"
    posts = by_id(pf)
    assert len(posts) == 3
    first = posts["1090763870443352064"]
    assert first["platform"] == "x"
    assert first["url"] == "https://twitter.com/brightmug/status/1090763870443352064"
    assert first["title"].startswith("New: the travel mug") and "\n" in first["title"]
    assert "☕" in first["title"]
    assert first["published_at"] == dt.datetime(2019, 1, 31, 23, 32, tzinfo=UTC)
    # "2633.0" and friends: impressions, engagements, retweets -> shares, replies ->
    # comments, likes, url clicks -> link clicks, media views -> video views
    assert (first["impressions"], first["engagements"], first["shares"], first["comments"],
            first["likes"], first["link_clicks"], first["video_views"]) == (
        2633, 88, 12, 5, 41, 17, 0)
    assert first["reach"] is None and first["format"] is None  # not in the export
    video = posts["1089990000000000001"]
    assert video["title"] == 'Behind the scenes: "mug day" at the studio\nvideo 🎬'
    assert (video["impressions"], video["video_views"]) == (5120, 1900)  # promoted not added


def test_rates_and_promoted_columns_are_not_stored():
    pf = read_ok(FILE)
    assert pf.mapping["engagement rate"] is None
    assert pf.mapping["promoted impressions"] is None
    assert any("engagement rate" in n for n in pf.notes)
