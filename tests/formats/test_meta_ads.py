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
