"""The Google Ads campaign report (smmkpi.ingest.formats.google_ads)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from smmkpi.ingest import parse_file
from smmkpi.ingest.formats import detect_format

GOOD = Path(__file__).parent.parent / "data" / "good"
BAD = Path(__file__).parent.parent / "data" / "bad"


def test_daily_campaign_report_with_all_its_quirks():
    """Title and date-range lines, thousands separators, percentages, ' --', '< 10%' and
    '> 90%' shares in ignored columns, Total rows dropped with their cost in a note."""
    pf = parse_file(GOOD / "google_ads_campaigns_daily.csv")
    assert pf.ok, [str(p) for p in pf.problems]
    assert (pf.fmt, pf.dataset) == ("google_ads", "ad_spend")
    assert pf.frames["ad_spend"].rows() == [
        (date(2026, 11, 1), "paid search", "Brand search", 1234.56, 795836, 9231, 45.0, 5432.1,
         "USD", None),
        (date(2026, 11, 1), "paid search", "Generic search", 980.0, 40120, 1204, 12.5, 1100.0,
         "USD", None),
        # ' --' conversions and value: not reported, not zero
        (date(2026, 11, 1), "display", "Display remarketing", 312.4, 120004, 560, None, None,
         "USD", None),
        (date(2026, 11, 1), "cross-network", "PMax all products", 150.0, 8000, 95, 3.0, 240.0,
         "USD", None),
        (date(2026, 11, 2), "paid search", "Brand search", 1100.0, 700000, 8500, 40.0, 4800.0,
         "USD", None),
        (date(2026, 11, 2), "paid search", "Generic search", 0.0, 0, 0, 0.0, 0.0, "USD", None),
        (date(2026, 11, 2), "paid video", "Brand video", 75.25, 30000, 120, 0.0, 0.0, "USD",
         None),
    ]
    # the spreadsheet rows: title (1), date range (2), header (3), data from row 4
    assert pf.source_rows["ad_spend"].to_list() == [4, 5, 6, 7, 8, 9, 10]
    # the totals are dropped, never counted: the stored spend is the campaigns' own
    assert pf.frames["ad_spend"]["spend"].sum() == pytest.approx(3852.21)
    note = next(n for n in pf.notes if "total rows" in n)
    assert note.startswith("2 total rows dropped, not counted (rows 11, 12)")
    assert "Total: Account (Cost 3,852.21)" in note and "Total: Search (Cost 3,314.56)" in note
    assert pf.mapping["Optimization score"] is None and pf.mapping["CTR"] is None


def test_en_gb_excel_csv_download():
    """'CSV (Excel)': UTF-16, tab-delimited, en-GB headers ('Optimisation score')."""
    pf = parse_file(GOOD / "google_ads_en_gb_excel.csv")
    assert pf.ok, [str(p) for p in pf.problems]
    assert pf.encoding == "utf-16" and pf.delimiter == "\t"
    assert pf.frames["ad_spend"].rows() == [
        (date(2026, 11, 1), "paid search", "Spring_Sale", 1020.5, 12345, 410, 8.5, 640.0,
         "GBP", None),
        (date(2026, 11, 2), "paid search", "Spring_Sale", 990.0, 11800, 395, None, None,
         "GBP", None),
        (date(2026, 11, 2), "paid shopping", "Shop feed", 45.1, 2000, 30, 1.0, 80.0, "GBP",
         None),
    ]
    assert any("Total: Account (Cost 2,055.60)" in n for n in pf.notes)
    assert pf.mapping["Optimisation score"] is None


def test_xlsx_download_with_title_rows():
    pf = parse_file(GOOD / "google_ads_campaigns.xlsx")
    assert pf.ok, [str(p) for p in pf.problems]
    assert pf.fmt == "google_ads"
    assert pf.frames["ad_spend"].rows() == [
        (date(2026, 11, 1), "paid search", "Brand search", 1234.56, 795836, 9231, 45.0, 5432.1,
         "USD", None),
        (date(2026, 11, 2), "display", "Display remarketing", 312.4, 120004, 560, None, None,
         "USD", None),
    ]
    assert pf.source_rows["ad_spend"].to_list() == [4, 5]


def test_all_time_report_is_refused():
    pf = parse_file(BAD / "google_ads_all_time.csv")
    assert not pf.ok and pf.fmt == "google_ads"
    assert [(p.row, p.column) for p in pf.problems] == [(None, "Day")]
    message = pf.problems[0].message
    assert message.startswith("this is a Google Ads campaign report covering All time without "
                              "the Day segment")
    assert "Segment → Time → Day" in message


def test_a_report_by_month_is_refused():
    csv = ("Campaign report\n\"October 1, 2026 - November 30, 2026\"\n"
           "Month,Campaign,Campaign type,Cost,Impr.\n"
           "October 2026,Brand search,Search,\"1,000.00\",\"10,000\"\n")
    pf = parse_file(csv.encode())
    assert [(p.row, p.column) for p in pf.problems] == [(None, "Day")]
    assert "segmented by Month" in pf.problems[0].message


def test_a_bad_cost_names_row_and_column():
    csv = ("Campaign report\n\"November 1, 2026 - November 1, 2026\"\n"
           "Day,Campaign,Campaign type,Cost,Impr.\n"
           "2026-11-01,Brand search,Search,lots,\"10,000\"\n")
    pf = parse_file(csv.encode(), name="ads.csv")
    assert [(p.file, p.row, p.column, p.value) for p in pf.problems] == [
        ("ads.csv", 4, "Cost", "lots")]


def test_campaign_types_and_a_missing_type_column():
    csv = ("Day,Campaign,Campaign type,Cost,Impr.\n"
           "2026-11-01,a,Demand Gen,1.00,10\n"
           "2026-11-01,b,Hotel,2.00,20\n")
    pf = parse_file(csv.encode())
    assert pf.ok, [str(p) for p in pf.problems]
    assert pf.frames["ad_spend"]["channel"].to_list() == ["cross-network", "paid other"]
    assert any("Hotel counted as Paid Other" in n for n in pf.notes)
    pf = parse_file(b"Day,Campaign,Cost,Impr.\n2026-11-01,a,1.00,10\n")
    assert pf.ok and pf.frames["ad_spend"]["channel"].to_list() == ["paid search"]
    assert any("no Campaign type column" in n for n in pf.notes)


@pytest.mark.parametrize(
    "headers, found",
    [
        (["Day", "Campaign", "Campaign type", "Cost", "Impr."], "google_ads"),
        (["Campaign", "Cost", "Impr."], "google_ads"),
        # a canonical ad_spend file (channel column, 'cost' alias): not Google's report
        (["date", "channel", "campaign", "cost", "impressions"], None),
    ],
)
def test_detect_format(headers, found):
    fmt = detect_format(headers, [])
    assert (fmt.name if fmt else None) == found
