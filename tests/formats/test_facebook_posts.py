"""Facebook Page "Post data" export (smmkpi.ingest.formats.facebook_posts): the CSV and the
legacy .xls (an XML Spreadsheet 2003 whose "Key Metrics" sheet is read). Row 2 describes the
columns and is left out; of two columns with the same name, the "(Total Count)" one is
used."""

from __future__ import annotations

import datetime as dt

import pytest
from postsfixtures import POSTS, UTC, by_id, read_ok

from smmkpi.ingest import parse_file


@pytest.mark.parametrize("name", ["facebook_post_data.csv", "facebook_post_data_legacy.xls"])
def test_post_data(name):
    pf = read_ok(POSTS / name)
    assert pf.fmt == "facebook_posts"
    assert any("row 2" in n for n in pf.notes)
    posts = by_id(pf)
    assert set(posts) == {"104213467890123_3401234567890123", "104213467890123_3398765432101234",
                          "104213467890123_3390000000000001"}
    link = posts["104213467890123_3401234567890123"]
    assert link["platform"] == "facebook" and link["format"] == "link"
    assert link["published_at"] == dt.datetime(2020, 9, 22, 7, 7, 36, tzinfo=UTC)
    assert link["url"] == "https://www.facebook.com/104213467890123/posts/3401234567890123"
    # Lifetime Post Total Reach / Impressions, Lifetime Engaged Users; likes, comments and
    # shares from the stories (counts), not Talking About This (people); link clicks
    assert (link["reach"], link["impressions"], link["engagements"]) == (4210, 6120, 301)
    assert (link["likes"], link["comments"], link["shares"], link["link_clicks"]) == (
        140, 16, 11, 130)
    video = posts["104213467890123_3398765432101234"]
    # organic video views: 2900 people (Unique Users) vs 3400 views (Total Count); paid 0
    assert video["format"] == "video" and video["video_views"] == 3400
    status = posts["104213467890123_3390000000000001"]
    assert status["format"] == "text" and status["video_views"] is None


def test_the_xml_workbook_names_its_sheets():
    pf = parse_file(POSTS / "facebook_post_data_legacy.xls")
    assert "read as XML spreadsheet, sheet 'Key Metrics'" in pf.notes
    assert any(n.startswith("other sheets ignored") for n in pf.notes)


def test_month_first_posted_and_a_bad_value_is_located():
    head = ("Post ID,Permalink,Post Message,Type,Posted,Lifetime Post Total Reach,"
            "Lifetime Post Total Impressions,Lifetime Engaged Users\n")
    desc = (",,,,,Lifetime: The number of people who had your Page's post enter their screen. "
            "(Unique Users),Lifetime: impressions (Total Count),Lifetime: engaged (Unique "
            "Users)\n")
    body = "1_2,https://www.facebook.com/1/posts/2,Hi,Photo,10/1/2015 21:00,8,lots,3\n"
    pf = parse_file((head + desc + body).encode(), name="post_data.csv")
    assert [(p.row, p.column, p.value) for p in pf.problems] == [
        (3, "Lifetime Post Total Impressions", "lots")]
    got = pf.frames["posts"].row(0, named=True)
    assert got["published_at"] == dt.datetime(2015, 10, 1, 21, 0, tzinfo=UTC)
    assert got["format"] == "image"
