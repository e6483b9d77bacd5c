"""Facebook Page insights "Page data" export (smmkpi.ingest.formats.facebook_insights): the
description row under the header left out, month-first dates, daily reach, impressions,
engaged users and the page's likes as its follower count."""

from __future__ import annotations

from socialfixtures import SOCIAL, D, by_day, read_ok, total

from smmkpi.ingest import parse_file

FILE = SOCIAL / "facebook_page_insights.csv"


def test_daily_page_insights():
    pf = read_ok(FILE)
    assert pf.fmt == "facebook_insights"
    assert "row 2: the description of each column, left out" in pf.notes
    days = by_day(pf)
    assert sorted(days) == [D(2026, 11, 1), D(2026, 11, 2), D(2026, 11, 3)]
    nov2 = days[D(2026, 11, 2)]
    assert nov2["platform"] == "facebook"
    assert (nov2["reach"], nov2["impressions"], nov2["engagements"], nov2["followers"]) == (
        2488, 3390, 95, 5127)
    assert (total(pf, "reach"), total(pf, "impressions"), total(pf, "engagements")) == (
        2301 + 2488 + 1790, 3120 + 3390 + 2240, 88 + 95 + 61)
    assert pf.mapping["Weekly Page Engaged Users"] is None
    assert pf.mapping["Daily Organic Reach"] is None


def test_a_bad_value_keeps_its_spreadsheet_row():
    """The description is row 2, so the second day is row 4."""
    text = FILE.read_text().replace("11/02/2026,5127,8,1,95", "11/02/2026,5127,8,1,many")
    pf = parse_file(text.encode(), name="page.csv")
    assert not pf.ok
    (p,) = pf.problems
    assert (p.row, p.column, p.value) == (4, "Daily Page Engaged Users", "many")
