"""LinkedIn Page visitors and followers exports (smmkpi.ingest.formats.linkedin_page), as
XLSX workbooks with the description line above the header and a text and an Excel date:
recognized (never "no dataset recognized") and refused in one sentence that says what the
file is and what to import instead."""

from __future__ import annotations

from pathlib import Path

from smmkpi.ingest import parse_file

BAD = Path(__file__).parent.parent / "data" / "bad"


def test_followers_export_is_named_and_refused():
    pf = parse_file(BAD / "linkedin_followers.xlsx")
    assert not pf.ok and pf.fmt == "linkedin_followers"
    assert "read as XLSX, sheet 'New followers'" in pf.notes
    (p,) = pf.problems
    assert (p.file, p.row, p.column) == ("linkedin_followers.xlsx", None, "Total followers")
    assert p.message.startswith("this is LinkedIn's Page followers export (Analytics, "
                                "Followers): its 'Total followers' are the followers gained "
                                "each day")
    assert p.message.endswith("into a social_daily CSV (date, platform linkedin, followers) "
                              "instead")
    assert "no dataset recognized" not in p.message


def test_visitors_export_is_named_and_refused():
    pf = parse_file(BAD / "linkedin_visitors.xlsx")
    assert not pf.ok and pf.fmt == "linkedin_visitors"
    (p,) = pf.problems
    assert (p.row, p.column) == (None, "Total page views (total)")
    assert p.message.startswith("this is LinkedIn's Page visitors export (Analytics, "
                                "Visitors)")
    assert "upload the Content export (Analytics, Content, Export) instead" in p.message


def test_the_same_export_saved_as_csv_is_recognized_too():
    text = ("New followers (by day)\nDate,Sponsored followers,Organic followers,"
            "Auto-invited followers,Total followers\n11/01/2026,0,4,0,4\n")
    pf = parse_file(text.encode(), name="followers.csv")
    assert pf.fmt == "linkedin_followers" and not pf.ok
