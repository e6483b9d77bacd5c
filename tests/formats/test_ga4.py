"""The Google Analytics 4 report export (smmkpi.ingest.formats.ga4)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from smmkpi.ingest import parse_file
from smmkpi.ingest.formats import detect_format
from smmkpi.ingest.formats.ga4 import CHANNEL_GROUP_MEDIUM

GOOD = Path(__file__).parent.parent / "data" / "good"
BAD = Path(__file__).parent.parent / "data" / "bad"


def test_ga4_traffic_acquisition_export():
    pf = parse_file(GOOD / "ga4_traffic_acquisition.csv")
    assert pf.ok, [str(p) for p in pf.problems]
    assert (pf.fmt, pf.dataset) == ("ga4_report", "web_sessions")
    assert pf.frames["web_sessions"].rows() == [
        (date(2026, 3, 1), "google", "organic", None, 400, 250, 5, 300.0, None),
        (date(2026, 3, 1), "instagram.com", "social", "spring", 300, 150, 6, 450.5, None),
        (date(2026, 3, 1), "(direct)", "(none)", None, 200, 100, 3, 180.0, None),
        (date(2026, 3, 2), "google", "organic", None, 335, 200, 8, 600.0, None),
    ]
    # 9 comment lines, the header on row 10, Grand total on row 11
    assert pf.source_rows["web_sessions"].to_list() == [12, 13, 14, 15]
    assert any("lines after the first table ignored (from row 16)" in n for n in pf.notes)


def test_ga4_rows_summed_over_other_dimensions():
    csv = (
        "# Pages\n"
        "Date,Landing page,Session source,Session medium,Sessions,Conversions\n"
        "20260301,/a,google,organic,10,1\n"
        "20260301,/b,google,organic,5,0\n"
        "20260301,/a,newsletter,email,7,2\n"
    )
    pf = parse_file(csv.encode())
    assert pf.ok
    # google/organic: 10 + 5 sessions, 1 + 0 conversions
    assert pf.frames["web_sessions"].rows() == [
        (date(2026, 3, 1), "google", "organic", None, 15, None, 1, None, None),
        (date(2026, 3, 1), "newsletter", "email", None, 7, None, 2, None, None),
    ]


def test_ga4_channel_group_report_for_one_day():
    csv = (
        "# ----------------------------------------\n"
        "# Traffic acquisition: Session primary channel group (Default Channel Group)\n"
        "# Start date: 20260305\n"
        "# End date: 20260305\n"
        "# ----------------------------------------\n"
        "Session primary channel group (Default Channel Group),Sessions,Engaged sessions,"
        "Key events,Total revenue\n"
        "Organic Social,120,80,4,99.5\n"
        "Direct,50,20,1,10\n"
    )
    pf = parse_file(csv.encode())
    assert pf.ok, [str(p) for p in pf.problems]
    assert pf.frames["web_sessions"].rows() == [
        (date(2026, 3, 5), "Organic Social", CHANNEL_GROUP_MEDIUM, None, 120, 80, 4, 99.5, None),
        (date(2026, 3, 5), "Direct", CHANNEL_GROUP_MEDIUM, None, 50, 20, 1, 10.0, None),
    ]


def test_ga4_without_date_over_several_days_is_refused():
    pf = parse_file(BAD / "ga4_no_date.csv")
    assert pf.fmt == "ga4_report"
    (p,) = pf.problems
    assert (p.row, p.column) == (None, "Date")
    assert "20260301 to 20260331" in p.message
    assert "add the 'Date' dimension" in p.message


@pytest.mark.parametrize(
    "headers",
    [
        ["Date", "Session source / medium", "Sessions"],
        ["session_default_channel_group", "SESSIONS"],
    ],
)
def test_detect_format(headers):
    fmt = detect_format(headers, [])
    assert (fmt.name if fmt else None) == "ga4_report"


def test_ga4_manual_ad_content_is_the_sessions_content():
    """Session manual ad content (UTM content) is part of the key: rows of two contents on
    one day stay apart, '(not set)' is empty."""
    csv = (
        "# Traffic acquisition\n# Start date: 20260301\n# End date: 20260302\n"
        "Date,Session source / medium,Session manual ad content,Sessions,Key events\n"
        "20260301,instagram / social,ig_reel_mugs,40,2\n"
        "20260301,instagram / social,(not set),25,1\n"
        "20260301,instagram / social,ig_story_sale,10,0\n"
        "20260301,instagram / social,ig_reel_mugs,5,1\n"
    )
    pf = parse_file(csv.encode())
    assert pf.ok, [str(p) for p in pf.problems]
    rows = {r["content"]: (r["sessions"], r["conversions"])
            for r in pf.frames["web_sessions"].iter_rows(named=True)}
    assert rows == {"ig_reel_mugs": (45, 3), None: (25, 1), "ig_story_sale": (10, 0)}


def test_explore_download_with_a_grand_total_row():
    """Explore → Download → CSV: the '# ---' block, a blank line, the header, then 'Grand
    total' as the first data row with one extra trailing field; the 2024+ names."""
    pf = parse_file(GOOD / "ga4_explore_free_form.csv")
    assert pf.ok, [str(p) for p in pf.problems]
    assert pf.frames["web_sessions"].rows() == [
        (date(2024, 11, 22), "Organic Social", CHANNEL_GROUP_MEDIUM, None, 812, 450, 18, 990.5,
         None),
        (date(2024, 11, 22), "Organic Search", CHANNEL_GROUP_MEDIUM, None, 634, 400, 13, 610.0,
         None),
        (date(2024, 11, 23), "Organic Social", CHANNEL_GROUP_MEDIUM, None, 600, 340, 10, 480.0,
         None),
    ]
    # 812 + 634 + 600 = 2046: the Grand total is not counted a second time
    assert pf.frames["web_sessions"]["sessions"].sum() == 2046
    assert pf.source_rows["web_sessions"].to_list() == [8, 9, 10]
    assert any(n.startswith("1 total row dropped, not counted (row 7): Grand total "
                            "(Sessions 2046)") for n in pf.notes)


def test_explore_date_range_line_names_the_span_when_date_is_missing():
    csv = (
        "# ----------------------------------------\n# Free form 1\n# 20241122-20260120\n"
        "# ----------------------------------------\n\n"
        "Session source / medium,Sessions\nGrand total,900\ngoogle / organic,900\n"
    )
    (p,) = parse_file(csv.encode()).problems
    assert "covers 20241122 to 20260120" in p.message and "'Date'" in p.message


@pytest.mark.parametrize(
    ("name", "report", "what"),
    [
        ("ga4_events.csv", "Events", "counts events per event"),
        ("ga4_pages_and_screens.csv", "Pages and screens", "counts views per page"),
        ("ga4_user_acquisition.csv", "User acquisition", "counts users by the source of"),
    ],
)
def test_reports_without_sessions_by_source_are_refused_by_name(name, report, what):
    pf = parse_file(BAD / name)
    assert pf.fmt == "ga4_report"
    (p,) = pf.problems
    assert p.row is None
    assert p.message.startswith(f"this is a GA4 {report} report covering 20260301 to 20260331: "
                                f"it {what}")
    assert "Traffic acquisition with 'Date' added" in p.message
    assert "'Date' and 'Session source / medium'" in p.message


def test_any_other_ga4_download_is_named_by_its_title():
    csv = ("# ----------------------------------------\n# Demographic details: Country\n"
           "# Account: Example\n# Property: example.com\n"
           "# ----------------------------------------\n#\n# All Users\n"
           "# Start date: 20260301\n# End date: 20260331\n"
           "Country,Active users,New users,Engaged sessions,Engagement rate\n"
           "Netherlands,900,800,700,0.61\n")
    pf = parse_file(csv.encode())
    assert pf.fmt == "ga4_report"
    (p,) = pf.problems
    assert p.message.startswith("this is a GA4 Demographic details report covering 20260301 "
                                "to 20260331 without sessions by traffic source")
    assert "no dataset recognized" not in p.message
