"""LinkedIn Page followers export (smmkpi.ingest.formats.linkedin_followers): a workbook
(XLS as LinkedIn downloads it, and XLSX) with the description line above the header,
`MM/DD/YYYY` text and Excel dates, the demographic sheets after the daily one. `Total
followers` (followers gained each day) becomes new_followers; the follower count stays
empty, never 0."""

from __future__ import annotations

import pytest
from socialfixtures import SOCIAL, D, by_day, read_ok, total

from smmkpi.ingest import parse_file


@pytest.mark.parametrize("suffix", ["xls", "xlsx"])
def test_followers_gained_per_day(suffix):
    pf = read_ok(SOCIAL / f"linkedin_followers.{suffix}")
    assert pf.fmt == "linkedin_followers"
    assert f"read as {suffix.upper()}, sheet 'New followers'" in pf.notes
    days = by_day(pf)
    # 11/01/2026 and 11/03/2026 as text, 2026-11-02 and -04 as Excel dates 46328 and 46330
    assert sorted(days) == [D(2026, 11, 1), D(2026, 11, 2), D(2026, 11, 3), D(2026, 11, 4)]
    assert [days[d]["new_followers"] for d in sorted(days)] == [4, 6, 0, 8]
    assert total(pf, "new_followers") == 18  # 4 + 6 + 0 + 8, by hand
    assert {r["platform"] for r in days.values()} == {"linkedin"}
    for row in days.values():  # nothing else is in the file: missing, not zero
        assert row["campaign_id"] is None
        assert all(row[c] is None for c in ("followers", "impressions", "engagements",
                                            "page_views", "unique_visitors"))
    assert pf.mapping["Total followers"] == "new_followers"
    assert pf.mapping["Organic followers"] is None


def test_without_a_total_the_three_sources_are_summed():
    text = ("New followers (by day)\nDate,Sponsored followers,Organic followers,"
            "Auto-invited followers\n11/01/2026,1,4,2\n11/02/2026,0,3,\n")
    pf = read_ok(text.encode(), name="followers.csv")
    assert pf.fmt == "linkedin_followers"
    assert [r["new_followers"] for r in pf.frames["social_daily"].iter_rows(named=True)] == [7, 3]


def test_a_bad_count_names_the_file_row_and_column():
    text = ("New followers (by day)\nDate,Sponsored followers,Organic followers,"
            "Auto-invited followers,Total followers\n11/01/2026,0,4,0,4\n"
            "11/02/2026,0,2,0,two\n")
    pf = parse_file(text.encode(), name="acme_followers.csv")
    assert pf.fmt == "linkedin_followers" and not pf.ok
    (p,) = pf.problems
    assert (p.file, p.row, p.column) == ("acme_followers.csv", 4, "Total followers")
