"""TikTok Studio "Content" export (smmkpi.ingest.formats.tiktok_content): every value
quoted, `Post time` without a year across New Year, read with the year of the export's last
day; refused with a message asking for the year without it."""

from __future__ import annotations

import datetime as dt

from postsfixtures import POSTS, UTC, by_id, read_ok

from smmkpi.ingest import parse_file

FILE = POSTS / "tiktok_studio_content.csv"


def test_content_across_new_year():
    pf = read_ok(FILE, year=2026)
    assert pf.fmt == "tiktok_content"
    posts = by_id(pf)
    # January 2 is the newest post: 2026; December 30 and 20 are later days of the
    # calendar, so 2025
    assert posts["7455000000000000003"]["published_at"] == dt.datetime(2026, 1, 2, tzinfo=UTC)
    assert posts["7453000000000000002"]["published_at"] == dt.datetime(2025, 12, 30, tzinfo=UTC)
    assert posts["7450000000000000001"]["published_at"] == dt.datetime(2025, 12, 20, tzinfo=UTC)
    glaze = posts["7453000000000000002"]
    assert glaze["url"] == "https://www.tiktok.com/@brightmug/video/7453000000000000002"
    assert (glaze["video_views"], glaze["impressions"], glaze["likes"], glaze["comments"],
            glaze["shares"], glaze["saves"]) == (51022, 51022, 3190, 120, 210, 402)
    assert glaze["engagements"] == 3190 + 120 + 210 + 402
    assert any("read as 2025-12-20 to 2026-01-02" in n for n in pf.notes)


def test_the_last_day_itself_decides():
    """The export's last day given as 2026-12-31: every post is in 2026."""
    pf = read_ok(FILE, year=dt.date(2026, 12, 31))
    days = sorted(d.date() for d in pf.frames["posts"]["published_at"])
    assert days == [dt.date(2026, 1, 2), dt.date(2026, 12, 20), dt.date(2026, 12, 30)]


def test_without_the_year_the_file_asks_for_it():
    pf = parse_file(FILE)
    assert not pf.ok and pf.needs_year == ["Post time"]
    (p,) = pf.problems
    assert (p.row, p.column) == (None, "Post time")
    assert p.message.startswith("has dates without a year (e.g. 'January 2'): give the year "
                                "of the export's last day")
