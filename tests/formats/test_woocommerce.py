"""WooCommerce orders (smmkpi.ingest.formats.woocommerce): the Analytics download and the
order export plugin."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from smmkpi.ingest import parse_file
from smmkpi.ingest.formats import detect_format

GOOD = Path(__file__).parent.parent / "data" / "good"


def test_analytics_orders_download():
    pf = parse_file(GOOD / "woocommerce_analytics_orders.csv")
    assert pf.ok, [str(p) for p in pf.problems]
    assert (pf.fmt, pf.dataset) == ("woocommerce_orders", "orders")
    # the cancelled order 1045 is left out; "$1,035.50" is 1035.5; Unknown is no channel
    assert pf.frames["orders"].rows() == [
        ("1046", "ana ruiz", datetime(2026, 3, 4, 18, 20, 11, tzinfo=UTC), 24.0,
         "Referral: Instagram.com"),
        ("1044", "cy lee", datetime(2026, 3, 2, 14, 15, tzinfo=UTC), 1035.5, "Organic: Google"),
        ("1043", "ana ruiz", datetime(2026, 3, 1, 10, 0, tzinfo=UTC), 30.0, None),
    ]
    assert any(n.startswith("1 order with status Cancelled left out") for n in pf.notes)
    # Ana's first order is 1043 on 2026-03-01, though the download lists it last
    assert pf.frames["customers"].rows() == [
        ("ana ruiz", None, None, date(2026, 3, 1)),
        ("cy lee", None, None, date(2026, 3, 2)),
    ]


def test_order_export_plugin():
    pf = parse_file(GOOD / "woocommerce_order_export.csv")
    assert pf.ok, [str(p) for p in pf.problems]
    assert (pf.fmt, pf.dataset) == ("woocommerce_order_export", "orders")
    # W502 failed: left out; W503 has no e-mail and customer 0 (a guest)
    assert pf.frames["orders"].rows() == [
        ("W501", "dee@example.com", datetime(2026, 3, 5, 10, 0, tzinfo=UTC), 54.1, None),
        ("W503", "guest:W503", datetime(2026, 3, 7, 12, 0, tzinfo=UTC), 18.0, None),
    ]
    assert pf.frames["customers"]["customer_id"].to_list() == ["dee@example.com", "guest:W503"]


def test_detect_format():
    heads = ["Date", "Order #", "Status", "Customer", "Net Sales"]
    assert detect_format(heads, []).name == "woocommerce_orders"
    heads = ["order_number", "order_date", "status", "order_total"]
    assert detect_format(heads, []).name == "woocommerce_order_export"
    assert detect_format(["order_id", "customer_id", "ordered_at", "revenue"], []) is None
