"""The Shopify orders export (smmkpi.ingest.formats.shopify)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from smmkpi.ingest import parse_file
from smmkpi.ingest.formats import detect_format

GOOD = Path(__file__).parent.parent / "data" / "good"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


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


@pytest.mark.parametrize(
    "headers",
    [
        ["Name", "Email", "Financial Status", "Created at", "Total", "Lineitem name"],
    ],
)
def test_detect_format(headers):
    fmt = detect_format(headers, [])
    assert (fmt.name if fmt else None) == "shopify_orders"
