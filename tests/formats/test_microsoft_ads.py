"""The Microsoft Advertising campaign performance report
(smmkpi.ingest.formats.microsoft_ads)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from smmkpi.ingest import parse_file
from smmkpi.ingest.formats import detect_format

GOOD = Path(__file__).parent.parent / "data" / "good"
BAD = Path(__file__).parent.parent / "data" / "bad"


def test_daily_campaign_performance_report():
    """Nine quoted report lines and a blank line above the header, a copyright line after
    the table, month-first dates, 'Search & content' and 'Audience' campaign types."""
    pf = parse_file(GOOD / "microsoft_ads_campaign_daily.csv")
    assert pf.ok, [str(p) for p in pf.problems]
    assert (pf.fmt, pf.dataset) == ("microsoft_ads", "ad_spend")
    assert pf.frames["ad_spend"].rows() == [
        (date(2026, 11, 1), "paid search", "search_brand", 210.35, 4210, 312, 9.0, 1080.0,
         "USD", None),
        (date(2026, 11, 2), "paid search", "search_brand", 201.10, 3990, 298, 7.0, 812.5,
         "USD", None),
        (date(2026, 11, 13), "display", "audience_retarget", 33.0, 15000, 60, 0.0, 0.0,
         "USD", None),
    ]
    assert pf.source_rows["ad_spend"].to_list() == [12, 13, 14]
    assert pf.mapping["AccountName"] is None


def test_summary_report_is_refused():
    pf = parse_file(BAD / "microsoft_ads_summary.csv")
    assert not pf.ok and pf.fmt == "microsoft_ads"
    assert [(p.row, p.column) for p in pf.problems] == [(None, "TimePeriod")]
    assert "aggregated Summary" in pf.problems[0].message
    assert "Daily" in pf.problems[0].message


@pytest.mark.parametrize(
    "headers, found",
    [
        (["TimePeriod", "CampaignName", "Impressions", "Clicks", "Spend"], "microsoft_ads"),
        (["Gregorian date", "Campaign name", "Impr.", "Spend"], "microsoft_ads"),
        (["date", "channel", "campaign name", "spend", "impressions"], None),
    ],
)
def test_detect_format(headers, found):
    fmt = detect_format(headers, [])
    assert (fmt.name if fmt else None) == found
