"""Known export formats: Shopify orders, GA4 reports, Meta Ads Manager (smmkpi.ingest_formats)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from smmkpi.ingest import parse_file
from smmkpi.ingest_formats import CHANNEL_GROUP_MEDIUM, FORMATS, detect_format

GOOD = Path(__file__).parent / "data" / "good"
BAD = Path(__file__).parent / "data" / "bad"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# --- Shopify -------------------------------------------------------------------------------------


def test_shopify_orders_export():
    pf = parse_file(GOOD / "shopify_orders_export.csv")
    assert pf.ok, [str(p) for p in pf.problems]
    assert (pf.fmt, pf.dataset) == ("shopify_orders", "orders")
    # #1001: two line items, one order; 09:58:12 at +01:00 = 08:58:12 UTC; Email lower-cased
    # #1002: cancelled, left out; #1003: no email or phone, a guest; 23:30 at -05:00 = 04:30
    # next day; "1,015.50" read with its thousands comma
    assert pf.frames["orders"].rows() == [
        ("#1001", "ann@example.com", utc(2026, 3, 1, 8, 58, 12), 34.98, None),
        ("#1003", "guest:#1003", utc(2026, 3, 4, 4, 30), 1015.5, None),
        ("#1004", "ann@example.com", utc(2026, 3, 20, 11, 0), 12.0, None),
    ]
    assert pf.source_rows["orders"].to_list() == [2, 5, 6]
    # customers: first_seen = the earliest order in the file
    assert pf.frames["customers"].rows() == [
        ("ann@example.com", None, None, date(2026, 3, 1)),
        ("guest:#1003", None, None, date(2026, 3, 4)),
    ]
    assert pf.mapping["Name"] == "order_id"
    assert pf.mapping["Created at"] == "ordered_at"
    assert pf.mapping["Lineitem name"] is None
    assert any("1 cancelled orders" in n for n in pf.notes)
    assert any("guest" in n for n in pf.notes)


def test_shopify_problems_point_at_the_order_row():
    csv = (
        "Name,Email,Financial Status,Total,Created at,Lineitem quantity\n"
        "#1,a@x.com,paid,10,2026-03-01 10:00:00 +0000,1\n"
        "#2,b@x.com,paid,ten,2026-03-02 10:00:00 +0000,1\n"
        "#2,,,,,2\n"
        "#3,c@x.com,paid,5,not a date,1\n"
    )
    pf = parse_file(csv.encode(), name="shop.csv")
    assert [(p.row, p.column, p.value) for p in pf.problems] == [
        (3, "Total", "ten"),
        (5, "Created at", "not a date"),
    ]


def test_shopify_phone_fallback():
    csv = (
        "Name,Email,Financial Status,Total,Created at,Lineitem name,Phone\n"
        "#1,,paid,10,2026-03-01 10:00:00 +0000,Mug,+1 555 0100\n"
    )
    pf = parse_file(csv.encode())
    assert pf.frames["orders"]["customer_id"].to_list() == ["+1 555 0100"]


def test_shopify_can_be_read_as_canonical_on_request():
    pf = parse_file(GOOD / "shopify_orders_export.csv", fmt="canonical")
    assert pf.fmt == "canonical"
    assert not pf.ok  # Name and Email are not canonical order columns


# --- GA4 -----------------------------------------------------------------------------------------


def test_ga4_traffic_acquisition_export():
    pf = parse_file(GOOD / "ga4_traffic_acquisition.csv")
    assert pf.ok, [str(p) for p in pf.problems]
    assert (pf.fmt, pf.dataset) == ("ga4_report", "web_sessions")
    assert pf.frames["web_sessions"].rows() == [
        (date(2026, 3, 1), "google", "organic", None, 400, 250, 5, 300.0),
        (date(2026, 3, 1), "instagram.com", "social", "spring", 300, 150, 6, 450.5),
        (date(2026, 3, 1), "(direct)", "(none)", None, 200, 100, 3, 180.0),
        (date(2026, 3, 2), "google", "organic", None, 335, 200, 8, 600.0),
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
        (date(2026, 3, 1), "google", "organic", None, 15, None, 1, None),
        (date(2026, 3, 1), "newsletter", "email", None, 7, None, 2, None),
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
        (date(2026, 3, 5), "Organic Social", CHANNEL_GROUP_MEDIUM, None, 120, 80, 4, 99.5),
        (date(2026, 3, 5), "Direct", CHANNEL_GROUP_MEDIUM, None, 50, 20, 1, 10.0),
    ]


def test_ga4_without_date_over_several_days_is_refused():
    pf = parse_file(BAD / "ga4_no_date.csv")
    assert pf.fmt == "ga4_report"
    (p,) = pf.problems
    assert (p.row, p.column) == (None, "Date")
    assert "20260301 to 20260331" in p.message
    assert "add the 'Date' dimension" in p.message


# --- Meta Ads Manager ----------------------------------------------------------------------------


def test_meta_ads_daily_export():
    pf = parse_file(GOOD / "meta_ads_daily.csv")
    assert pf.ok, [str(p) for p in pf.problems]
    assert (pf.fmt, pf.dataset) == ("meta_ads", "social_daily")
    # 2026-03-01: two ad sets, 5400 + 1000 impressions, 2600 + 500 reach, 61 + 20 clicks,
    # 62.10 + 17.90 = 80.00 spent
    rows = pf.frames["social_daily"].rows()
    assert rows == [
        (date(2026, 3, 1), "facebook", "spring", 6400, 3100, None, 81, None, None, None, 80.0),
        (date(2026, 3, 2), "facebook", "spring", 5100, 2500, None, 58, None, None, None, 60.0),
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
        (date(2026, 3, 1), "instagram", "spring", 100, 80, 9, 3, None, None, None, 1.5),
        (date(2026, 3, 1), "facebook", "spring", 50, 40, 2, 1, None, None, None, 0.5),
    ]


def test_meta_ads_weekly_rows_are_refused():
    pf = parse_file(BAD / "meta_ads_weekly.csv")
    assert [(p.row, p.column) for p in pf.problems] == [(2, "Reporting starts")]
    assert "2026-03-01 to 2026-03-07" in pf.problems[0].message


# --- detection -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (
            ["Name", "Email", "Financial Status", "Created at", "Total", "Lineitem name"],
            "shopify_orders",
        ),
        (["Date", "Session source / medium", "Sessions"], "ga4_report"),
        (["session_default_channel_group", "SESSIONS"], "ga4_report"),
        (["Reporting starts", "Reporting ends", "Impressions"], "meta_ads"),
        (["date", "source", "medium", "sessions"], None),
        (["order_id", "customer_id", "ordered_at", "revenue"], None),
    ],
)
def test_detect_format(headers, expected):
    fmt = detect_format(headers, [])
    assert (fmt.name if fmt else None) == expected


def test_every_format_is_documented():
    import smmkpi.ingest_formats as mod

    for f in FORMATS:
        assert f'fmt="{f.name}"' in (mod.__doc__ or "")
