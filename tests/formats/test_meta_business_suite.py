"""Meta Business Suite content exports (smmkpi.ingest.formats.meta_business_suite), Facebook
and Instagram, from fixtures with the exports' columns: Publish time month first, Date
"Lifetime", Views (since 2025) for impressions."""

from __future__ import annotations

import datetime as dt

from postsfixtures import POSTS, UTC, by_id, read_ok


def test_facebook_posts():
    pf = read_ok(POSTS / "meta_business_suite_facebook.csv")
    assert pf.fmt == "meta_business_suite"
    posts = by_id(pf)
    link = posts["1221580000000001"]
    assert (link["platform"], link["format"], link["title"]) == (
        "facebook", "link", "Our autumn mugs are here")
    assert link["published_at"] == dt.datetime(2025, 9, 27, 9, 0, tzinfo=UTC)
    assert (link["impressions"], link["reach"], link["engagements"], link["likes"],
            link["comments"], link["shares"], link["link_clicks"]) == (
        5400, 3900, 210, 160, 28, 22, 150)
    reel = posts["1221580000000002"]
    # no Title: the Description; Reels -> reel; 3-second video views
    assert (reel["format"], reel["title"], reel["video_views"]) == (
        "reel", "A minute in the studio", 7300)
    assert posts["1221580000000003"]["format"] == "image"
    assert pf.mapping["Date"] is None  # "Lifetime": the values are lifetime values


def test_instagram_posts():
    pf = read_ok(POSTS / "meta_business_suite_instagram.csv")
    posts = by_id(pf)
    reel = posts["18011000000000001"]
    assert (reel["platform"], reel["format"]) == ("instagram", "reel")
    assert reel["published_at"] == dt.datetime(2025, 10, 3, 8, 31, tzinfo=UTC)
    assert (reel["impressions"], reel["reach"], reel["likes"], reel["comments"],
            reel["shares"], reel["saves"]) == (12400, 9100, 610, 57, 88, 230)
    # no total in the export: engagements = likes + comments + shares + saves
    assert reel["engagements"] == 610 + 57 + 88 + 230
    assert posts["18011000000000002"]["format"] == "carousel"
    story = posts["18011000000000003"]
    assert (story["format"], story["likes"], story["engagements"]) == ("story", None, 2)
    assert any("engagements = likes + comments + shares + saves" in n for n in pf.notes)
