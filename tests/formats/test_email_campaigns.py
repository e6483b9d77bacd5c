"""Mailchimp and Klaviyo campaign exports as Email sends (smmkpi.ingest.formats.email_campaigns)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from smmkpi.ingest import parse_file
from smmkpi.ingest.formats import detect_format

GOOD = Path(__file__).parent.parent / "data" / "good"


def test_mailchimp_campaign_report():
    """'Nov 03, 2026 10:00 am' send dates, thousands separators, percentages in ignored
    columns, a draft without a send date left out; spend 0 with a note."""
    pf = parse_file(GOOD / "mailchimp_campaigns.csv")
    assert pf.ok, [str(p) for p in pf.problems]
    assert (pf.fmt, pf.dataset) == ("mailchimp", "ad_spend")
    assert pf.frames["ad_spend"].rows() == [
        # date, channel, campaign, spend, recipients, unique clicks, orders, revenue,
        # currency, unique opens
        (date(2026, 11, 3), "email", "nov_newsletter", 0.0, 12480, 611, 18.0, 1380.5, None,
         5022),
        (date(2026, 11, 24), "email", "black_friday_teaser", 0.0, 12610, 1022, 41.0, 3204.9,
         None, 6004),
    ]
    assert any("1 campaigns without a Send Date" in n for n in pf.notes)
    assert any(n.startswith("spend 0 for every send") for n in pf.notes)


def test_klaviyo_campaign_export_sends_to_two_lists_summed():
    pf = parse_file(GOOD / "klaviyo_campaigns.csv")
    assert pf.ok, [str(p) for p in pf.problems]
    assert (pf.fmt, pf.dataset) == ("klaviyo", "ad_spend")
    assert pf.frames["ad_spend"].rows() == [
        (date(2026, 11, 3), "email", "nov_loyalty", 0.0, 8200 + 800, 420 + 90, 17.0,
         1370.0, None, 3400 + 520),
    ]
    assert any("1 sends merged" in n for n in pf.notes)


@pytest.mark.parametrize(
    "headers, found",
    [
        (["Title", "Send Date", "Total Recipients", "Unique Opens"], "mailchimp"),
        (["Campaign Name", "Send Time", "Total Recipients", "Unique Opens"], "klaviyo"),
    ],
)
def test_detect_format(headers, found):
    fmt = detect_format(headers, [])
    assert (fmt.name if fmt else None) == found
