"""The Meta Ads Manager export (smmkpi.ingest.formats.meta_ads)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from smmkpi.ingest import parse_file
from smmkpi.ingest.formats import detect_format

GOOD = Path(__file__).parent.parent / "data" / "good"
BAD = Path(__file__).parent.parent / "data" / "bad"


def test_meta_ads_daily_export():
    pf = parse_file(GOOD / "meta_ads_daily.csv")
    assert pf.ok, [str(p) for p in pf.problems]
    assert (pf.fmt, pf.dataset) == ("meta_ads", "social_daily")
    # 2026-03-01: two ad sets, 5400 + 1000 impressions, 2600 + 500 reach, 61 + 20 clicks,
    # 62.10 + 17.90 = 80.00 spent
    rows = pf.frames["social_daily"].rows()
    assert rows == [
        (date(2026, 3, 1), "facebook", "spring", 6400, 3100, None, 81, None, None, None, 80.0,
         None, None, None),
        (date(2026, 3, 2), "facebook", "spring", 5100, 2500, None, 58, None, None, None, 60.0,
         None, None, None),
    ]


def test_meta_ads_with_day_and_platform_breakdowns():
    csv = (
        "Campaign name,Day,Platform,Reporting starts,Reporting ends,Impressions,Reach,"
        "Post engagement,Link clicks,Amount spent (USD)\n"
        "spring,2026-03-01,instagram,2026-03-01,2026-03-07,100,80,9,3,1.50\n"
        "spring,2026-03-01,Facebook,2026-03-01,2026-03-07,50,40,2,1,0.50\n"
    )
    pf = parse_file(csv.encode())
    assert pf.ok, [str(p) for p in pf.problems]
    assert pf.frames["social_daily"].rows() == [
        (date(2026, 3, 1), "instagram", "spring", 100, 80, 9, 3, None, None, None, 1.5,
         None, None, None),
        (date(2026, 3, 1), "facebook", "spring", 50, 40, 2, 1, None, None, None, 0.5,
         None, None, None),
    ]


def test_meta_ads_weekly_rows_are_refused():
    pf = parse_file(BAD / "meta_ads_weekly.csv")
    assert [(p.row, p.column) for p in pf.problems] == [(2, "Reporting starts")]
    assert "2026-03-01 to 2026-03-07" in pf.problems[0].message


@pytest.mark.parametrize(
    "headers",
    [
        ["Reporting starts", "Reporting ends", "Impressions"],
    ],
)
def test_detect_format(headers):
    fmt = detect_format(headers, [])
    assert (fmt.name if fmt else None) == "meta_ads"


def test_account_total_row_rankings_and_a_quoted_comma_header():
    """Ads Manager's Export table data as downloaded: the account's total row first (empty
    campaign and ad set names), a header with a comma inside quotes, '-' rankings."""
    pf = parse_file(GOOD / "meta_ads_daily_total.csv")
    assert pf.ok, [str(p) for p in pf.problems]
    # 2026-03-01: 5400 + 1000 impressions, 2600 + 500 reach, 61 + '-' link clicks,
    # 62.10 + 17.90 spent; the total row's 11,500 impressions and 120.00 are not counted
    assert pf.frames["social_daily"].rows() == [
        (date(2026, 3, 1), "facebook", "summer", 6400, 3100, None, 61, None, None, None, 80.0,
         None, None, None),
        (date(2026, 3, 2), "facebook", "summer", 5100, 1000, None, 58, None, None, None, 40.0,
         None, None, None),
    ]
    assert pf.frames["social_daily"]["spend"].sum() == pytest.approx(120.0)
    note = next(n for n in pf.notes if "account total row" in n)
    assert "(empty Campaign name, Ad set name and Day) dropped, not counted (row 2)" in note
    assert "Impressions 11500" in note and "Amount spent (EUR) 120.00" in note
    assert pf.mapping["CPM (cost per 1,000 impressions) (EUR)"] is None
    assert pf.mapping["Quality ranking"] is None


def test_no_data_available_says_so_in_one_sentence():
    pf = parse_file(BAD / "meta_ads_no_data.csv")
    (p,) = pf.problems
    assert p.row is None
    assert p.message.startswith("this Meta Ads Manager export holds no data for its period")
    assert "ragged" not in p.message and "values but the header" not in p.message
    # the same words alone in a file: no header at all
    (alone,) = parse_file(b"No data available.\n").problems
    assert alone.message.startswith("the export holds no data for its period")


def test_account_level_daily_export_with_its_total_row():
    """No name column: the total row is the one without a Day (its range is not a day, yet
    it is no weekly row to refuse)."""
    csv = ("Day,Reporting starts,Reporting ends,Impressions,Amount spent (USD)\n"
           ",2026-03-01,2026-03-02,300,3.00\n"
           "2026-03-01,2026-03-01,2026-03-02,100,1.00\n"
           "2026-03-02,2026-03-01,2026-03-02,200,2.00\n")
    pf = parse_file(csv.encode())
    assert pf.ok, [str(p) for p in pf.problems]
    assert pf.frames["social_daily"]["impressions"].to_list() == [100, 200]
    assert any("account total row (empty Day)" in n and "Impressions 300" in n
               for n in pf.notes)


def test_no_data_available_in_a_workbook(tmp_path):
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "make_xlsx", Path(__file__).parent.parent / "data" / "make_xlsx.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    path = tmp_path / "meta.xlsx"
    mod.make_xlsx(path, {1: ["Campaign name", "Day", "Reporting starts", "Reporting ends",
                             "Impressions"], 2: ["No data available."]})
    (p,) = parse_file(path).problems
    assert p.message.startswith("this Meta Ads Manager export holds no data for its period")
