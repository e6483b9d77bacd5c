"""YouTube Studio's content table (smmkpi.ingest.formats.youtube_studio): "Table data.csv" of
an Advanced mode download, whose first data row is the channel's Total (left out, and not
the sum of the rows); "Chart data.csv" of the same download is refused in one sentence."""

from __future__ import annotations

import datetime as dt

from postsfixtures import DATA, POSTS, UTC, by_id, read_ok

from smmkpi.ingest import parse_file


def test_table_data():
    pf = read_ok(POSTS / "youtube_table_data.csv")
    assert pf.fmt == "youtube_studio"
    assert any(n.startswith("1 total row dropped, not counted (row 2): Total") for n in pf.notes)
    posts = by_id(pf)
    assert set(posts) == {"dQw4w9WgXcQ", "-aBcDeFgHiJ"}  # " -aBcDeFgHiJ" trimmed
    glaze = posts["dQw4w9WgXcQ"]
    assert glaze["url"] == "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
    assert glaze["published_at"] == dt.datetime(2025, 8, 28, tzinfo=UTC)  # "Aug 28, 2025"
    assert (glaze["video_views"], glaze["impressions"], glaze["likes"], glaze["comments"],
            glaze["shares"], glaze["engagements"]) == (9800, 210000, 410, 70, 40, 520)
    # the Total row said 15,500 views; the two videos add up to 13,900
    assert pf.frames["posts"]["video_views"].sum() == 13900


def test_chart_data_is_refused_saying_what_to_upload():
    pf = parse_file(DATA / "bad" / "youtube_chart_data.csv")
    assert not pf.ok
    (p,) = pf.problems
    assert p.row is None
    assert p.message == ("this is YouTube Studio's Chart data.csv (views per day and video): "
                         "upload Table data.csv from the same download instead")
