"""Retention and repeat sales: hand-computed figures, then an independent plain-Python check."""

from __future__ import annotations

import calendar
import datetime as dt
import random
from collections import defaultdict
from statistics import median
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from smmkpi import datasets as ds
from smmkpi.kpis import retention as r
from smmkpi.workspace import FrameSource, Period, Workspace

UTC = dt.UTC
D = dt.date


def t(y: int, m: int, d: int, h: int = 12, mi: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, h, mi, tzinfo=UTC)


def orders_frame(rows: list[tuple]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=ds.get("orders").schema, orient="row")


# order_id, customer_id, ordered_at, revenue, channel. No order at all in February 2024.
ROWS = [
    ("a1", "A", t(2023, 12, 20), 100.0, "email"),  # A's first-ever order, before the period
    ("a2", "A", t(2024, 1, 10, 10), 50.0, "instagram"),
    ("a3", "A", t(2024, 3, 5, 8), 30.0, "email"),
    # B: two orders at the same timestamp; b1 < b2 by order_id, so b1 is the first-ever
    ("b2", "B", t(2024, 1, 5, 9), 20.0, None),
    ("b1", "B", t(2024, 1, 5, 9), 80.0, "instagram"),
    ("b3", "B", t(2024, 1, 20, 15), 40.0, "email"),
    # C: first order late on 31 January (UTC), second on 1 March just after midnight
    ("c1", "C", t(2024, 1, 31, 23, 30), 60.0, "instagram"),
    ("c2", "C", t(2024, 3, 1, 0, 10), 10.0, "instagram"),
    ("d1", "D", t(2024, 3, 15), 70.0, "email"),
    ("e1", "E", t(2023, 11, 3), 25.0, None),
    ("e2", "E", t(2024, 3, 20), 15.0, "instagram"),
    ("f1", "F", t(2024, 4, 2), 90.0, "x"),  # after every period below: ignored
]
ORDERS = orders_frame(ROWS)
Q1 = (D(2024, 1, 1), D(2024, 3, 31))

CUSTOMERS = pl.DataFrame(
    [
        ("A", "instagram", True, None),
        ("B", "email", False, None),
        ("C", "instagram", None, None),  # follower status unknown
        ("E", None, True, None),  # acquisition channel unknown
        # D is missing from the table
    ],
    schema=ds.get("customers").schema,
    orient="row",
)


# --------------------------------------------------------------------------- hand figures


def test_sequence_breaks_ties_by_order_id() -> None:
    f = r.prepare(ORDERS).frame.filter(pl.col("customer_id") == "B")
    assert f["seq"].to_list() == [0, 1, 2]
    assert f["revenue"].to_list() == [80.0, 20.0, 40.0]  # b1, b2, b3


def test_repeat_kpis_first_quarter() -> None:
    k = r.repeat_kpis(ORDERS, *Q1)
    assert k["orders"] == 9  # a2 a3 b1 b2 b3 c1 c2 d1 e2 (a1, e1 before; f1 after)
    assert k["revenue"] == pytest.approx(375.0)  # 50+30+80+20+40+60+10+70+15
    assert k["customers"] == 5  # A B C D E
    assert k["repeat_purchase_rate"] == pytest.approx(3 / 5)  # A(2) B(3) C(2); D, E one each
    # non-first orders in the period: A (a2), B (b2), C (c2), E (e2); D only has its first
    assert k["returning_customer_rate"] == pytest.approx(4 / 5)
    # (a2 50 + a3 30 + b2 20 + b3 40 + c2 10 + e2 15) / 375 = 165 / 375
    assert k["returning_revenue_share"] == pytest.approx(0.44)
    assert k["orders_per_customer"] == pytest.approx(9 / 5)
    # second orders in the period: A 20 Dec→10 Jan 21 days, B same day 0, C 31 Jan→1 Mar 30,
    # E 3 Nov→20 Mar 138 (30+31+31+29+17); median(0, 21, 30, 138) = (21 + 30) / 2
    assert k["median_days_to_second_order"] == pytest.approx(25.5)
    # m1: months Jan, Feb, Mar → cohorts Dec (A), Jan (B, C), Feb (none): A ordered in Jan,
    # B and C not in Feb → 1 / 3
    assert k["m1_retention"] == pytest.approx(1 / 3)
    # m3: cohorts Oct (none), Nov (E), Dec (A): E not in Feb, A in Mar → 1 / 2
    assert k["m3_retention"] == pytest.approx(0.5)
    assert set(k) == set(r.KPI_KEYS)


def test_repeat_kpis_march() -> None:
    k = r.repeat_kpis(ORDERS, D(2024, 3, 1), D(2024, 3, 31))
    assert k["orders"] == 4  # a3 c2 d1 e2
    assert k["revenue"] == pytest.approx(125.0)  # 30 + 10 + 70 + 15
    assert k["customers"] == 4
    assert k["repeat_purchase_rate"] == 0.0  # one order each
    # A (a3 is its third), C (c2 its second), E (e2 its second) had ordered before: 3 / 4
    assert k["returning_customer_rate"] == pytest.approx(0.75)
    assert k["returning_revenue_share"] == pytest.approx(55 / 125)  # (30 + 10 + 15) / 125
    assert k["median_days_to_second_order"] == pytest.approx(84.0)  # C 30, E 138
    assert k["m1_retention"] is None  # February's cohort is empty: no base, not 0
    assert k["m3_retention"] == pytest.approx(1.0)  # December's cohort (A) ordered in March


def test_month_without_orders() -> None:
    k = r.repeat_kpis(ORDERS, D(2024, 2, 1), D(2024, 2, 29))
    assert (k["orders"], k["revenue"], k["customers"]) == (0, 0.0, 0)
    for key in (
        "repeat_purchase_rate",
        "returning_customer_rate",
        "returning_revenue_share",
        "orders_per_customer",
        "median_days_to_second_order",
    ):
        assert k[key] is None, key
    # but January's cohort (B, C) and November's (E) exist and did not come back in February
    assert k["m1_retention"] == 0.0
    assert k["m3_retention"] == 0.0


def test_retention_months() -> None:
    assert r.retention_months(*Q1) == (D(2024, 1, 1), D(2024, 3, 31))  # all three complete
    # the last 28 days ending 3 October: only September ends inside
    assert r.retention_months(D(2026, 9, 6), D(2026, 10, 3)) == (D(2026, 9, 1), D(2026, 9, 30))
    # 1–20 October: no month ends inside, so the last complete month before, September
    assert r.retention_months(D(2026, 10, 1), D(2026, 10, 20)) == (
        D(2026, 9, 1), D(2026, 9, 30))
    assert r.retention_months(D(2026, 10, 4), D(2026, 10, 31)) == (
        D(2026, 10, 1), D(2026, 10, 31))
    # 2024 is a leap year: 1–28 February does not reach the 29th, so January
    assert r.retention_months(D(2024, 2, 1), D(2024, 2, 28)) == (D(2024, 1, 1), D(2024, 1, 31))
    # a single day that ends its month, and a period falling back across a year
    assert r.retention_months(D(2024, 12, 31), D(2024, 12, 31)) == (
        D(2024, 12, 1), D(2024, 12, 31))
    assert r.retention_months(D(2025, 1, 1), D(2025, 1, 30)) == (
        D(2024, 12, 1), D(2024, 12, 31))


def test_m1_m3_read_complete_months() -> None:
    # 15 January – 10 March: January and February end inside; March (cut on the 10th) does not
    k = r.repeat_kpis(ORDERS, D(2024, 1, 15), D(2024, 3, 10))
    # m1: cohorts December (A) for January and January (B, C) for February. A's order of
    # 10 January is before the period but in its whole month January: A counts; B and C did
    # not order in February → 1 / 3
    assert k["m1_retention"] == pytest.approx(1 / 3)
    # m3: cohorts October (none) and November (E); E did not order in February → 0 / 1.
    # (A's 5 March order is in March, which is not complete: it does not count.)
    assert k["m3_retention"] == 0.0
    # 5–20 February: no month ends inside, so January. m1: December's cohort (A) ordered on
    # 10 January → 1 / 1, although the period itself has no order; m3: October's cohort is
    # empty → n/a
    k = r.repeat_kpis(ORDERS, D(2024, 2, 5), D(2024, 2, 20))
    assert k["orders"] == 0 and k["m1_retention"] == 1.0 and k["m3_retention"] is None
    # 1–30 March: March is not complete, so February. m1: January's cohort (B, C) did not
    # order in February → 0 / 2; m3: November's (E) neither → 0 / 1
    k = r.repeat_kpis(ORDERS, D(2024, 3, 1), D(2024, 3, 30))
    assert k["m1_retention"] == 0.0 and k["m3_retention"] == 0.0


def test_m1_m3_splits_read_complete_months() -> None:
    start, end = D(2024, 1, 15), D(2024, 3, 10)  # January and February, as above
    by = r.repeat_kpis_by(ORDERS, CUSTOMERS, start, end, by="follows_on_social")
    rows = {row["group"]: row for row in by.iter_rows(named=True)}
    f, n, u = rows["followers"], rows["non-followers"], rows["unknown"]
    # followers: m1 base A (December cohort), back in January → 1 / 1; m3 base E → 0 / 1
    assert (f["m1_retention"], f["m1_cohort_customers"]) == (1.0, 1)
    assert (f["m3_retention"], f["m3_cohort_customers"]) == (0.0, 1)
    # non-followers: m1 base B (January cohort), not back in February → 0 / 1; no m3 base
    assert (n["m1_retention"], n["m1_cohort_customers"]) == (0.0, 1)
    assert n["m3_retention"] is None and n["m3_cohort_customers"] == 0
    assert (u["m1_retention"], u["m1_cohort_customers"]) == (0.0, 1)  # C, January cohort
    by = r.repeat_kpis_by(ORDERS, None, start, end, by="channel")
    rows = {row["group"]: row for row in by.iter_rows(named=True)}
    # period orders: b3 email, c1 instagram, c2 instagram, a3 email. E's first order (no
    # channel) is only a cohort base, so no "unknown" row
    assert list(rows) == ["email", "instagram"]
    # m1 base: the whole cohorts, A + B + C = 3; A came back in January through instagram
    # (a2, before the period): instagram 1 / 3, email 0 / 3
    assert rows["instagram"]["m1_retention"] == pytest.approx(1 / 3)
    assert rows["email"]["m1_retention"] == 0.0
    assert rows["email"]["m1_cohort_customers"] == rows["instagram"]["m1_cohort_customers"] == 3
    assert rows["instagram"]["m3_retention"] == 0.0  # base E, not back in February


def test_empty_orders() -> None:
    k = r.repeat_kpis(ORDERS.head(0), *Q1)
    assert (k["orders"], k["revenue"], k["customers"]) == (0, 0.0, 0)
    assert all(k[key] is None for key in r.KPI_KEYS[3:])
    assert r.cohort_matrix(ORDERS.head(0), until=Q1[1]).columns == ["cohort", "cohort_size"]


def test_timestamps_count_by_utc_date() -> None:
    # 1 March 00:30 in Berlin is 29 February 23:30 UTC: a February order
    berlin = ORDERS.with_columns(pl.col("ordered_at").dt.convert_time_zone("Europe/Berlin"))
    extra = orders_frame([("z1", "Z", t(2024, 2, 29, 23, 30), 5.0, None)]).with_columns(
        pl.col("ordered_at").dt.convert_time_zone("Europe/Berlin")
    )
    k = r.repeat_kpis(pl.concat([berlin, extra]), D(2024, 2, 1), D(2024, 2, 29))
    assert (k["orders"], k["revenue"]) == (1, 5.0)


MONTHLY = {  # cohort → shares by k (None = not reachable by 31 March 2024)
    D(2023, 11, 1): [1.0, 0.0, 0.0, 0.0, 1.0],  # E: back in March (k = 4)
    D(2023, 12, 1): [1.0, 1.0, 0.0, 1.0, None],  # A: January, March
    D(2024, 1, 1): [1.0, 0.0, 0.5, None, None],  # B, C: C back in March
    D(2024, 3, 1): [1.0, None, None, None, None],  # D; no February cohort at all
}


def test_cohort_matrix_customers() -> None:
    wide = r.cohort_matrix(ORDERS, until=D(2024, 3, 31))
    assert wide.columns == ["cohort", "cohort_size", "0", "1", "2", "3", "4"]
    assert wide["cohort"].to_list() == list(MONTHLY)
    assert wide["cohort_size"].to_list() == [1, 1, 2, 1]
    for row, expected in zip(wide.iter_rows(), MONTHLY.values(), strict=True):
        assert list(row[2:]) == pytest.approx(expected)  # type: ignore[arg-type]
    long = r.cohort_matrix_long(ORDERS, until=D(2024, 3, 31))
    assert long.height == 5 + 4 + 3 + 1  # reachable cells only
    jan = long.filter(pl.col("cohort") == D(2024, 1, 1))
    assert jan["customers"].to_list() == [2, 0, 1]
    assert jan["cohort_revenue"].to_list() == [200.0] * 3  # b1 80 + b2 20 + b3 40 + c1 60


def test_cohort_matrix_revenue() -> None:
    long = r.cohort_matrix_long(ORDERS, until=D(2024, 3, 31), measure="revenue")
    share = {(c, k): s for c, k, s in long.select("cohort", "k", "share").iter_rows()}
    assert share[(D(2023, 11, 1), 4)] == pytest.approx(15 / 25)  # e2 / e1
    assert share[(D(2023, 12, 1), 1)] == pytest.approx(50 / 100)  # a2 / a1
    assert share[(D(2023, 12, 1), 3)] == pytest.approx(30 / 100)  # a3 / a1
    assert share[(D(2024, 1, 1), 2)] == pytest.approx(10 / 200)  # c2 / Jan cohort's January


def test_cohort_matrix_until_and_since() -> None:
    # until 15 March: March is reached (partly); since 20 January: from January's cohort on
    wide = r.cohort_matrix(ORDERS, until=D(2024, 3, 15), since=D(2024, 1, 20))
    assert wide["cohort"].to_list() == [D(2024, 1, 1), D(2024, 3, 1)]  # since → its month
    assert wide["cohort_size"].to_list() == [2, 1]  # D's first order is on 15 March
    assert wide.row(0)[2:] == (1.0, 0.0, 0.5)  # B, C; C back on 1 March
    early = r.cohort_matrix(ORDERS, until=D(2024, 3, 14))
    assert early["cohort"].to_list() == [D(2023, 11, 1), D(2023, 12, 1), D(2024, 1, 1)]
    assert early.row(0)[2:] == (1.0, 0.0, 0.0, 0.0, 0.0)  # E's 20 March order is too late
    assert wide.row(1)[2:] == (1.0, None, None)


def test_cohort_matrix_weekly() -> None:
    long = r.cohort_matrix_long(ORDERS, until=D(2024, 1, 31), grain="week")
    # B's cohort: Friday 5 Jan → week of Monday 1 Jan; b3 on Saturday 20 Jan is k = 2
    b = long.filter(pl.col("cohort") == D(2024, 1, 1))
    assert b["k"].to_list() == [0, 1, 2, 3, 4]  # weeks of 1, 8, 15, 22, 29 Jan
    assert b["share"].to_list() == [1.0, 0.0, 1.0, 0.0, 0.0]
    assert long["cohort"].to_list()[-1] == D(2024, 1, 29)  # C: Wednesday 31 Jan
    assert set(long["cohort"].dt.weekday().to_list()) == {1}  # every cohort starts on Monday


def test_retention_curve() -> None:
    curve = r.retention_curve(ORDERS, until=D(2024, 3, 31))
    assert curve["k"].to_list() == [0, 1, 2, 3, 4]
    assert curve["cohorts"].to_list() == [4, 3, 3, 2, 1]
    assert curve["cohort_size"].to_list() == [5, 4, 4, 2, 1]
    # k1: (0 + 1 + 0) / (1 + 1 + 2); k2: (0 + 0 + 1) / 4; k3: (0 + 1) / 2; k4: 1 / 1
    assert curve["share"].to_list() == pytest.approx([1.0, 0.25, 0.25, 0.5, 1.0])


def test_days_to_second_order() -> None:
    d = r.days_to_second_order(ORDERS, *Q1)
    assert dict(d.iter_rows()) == {"A": 21, "B": 0, "C": 30, "E": 138}


def test_split_by_follows_on_social() -> None:
    by = r.repeat_kpis_by(ORDERS, CUSTOMERS, *Q1, by="follows_on_social")
    rows = {row["group"]: row for row in by.iter_rows(named=True)}
    assert list(rows) == ["followers", "non-followers", "unknown"]
    f, n, u = rows["followers"], rows["non-followers"], rows["unknown"]
    # followers A, E: a2 a3 e2
    assert (f["orders"], f["revenue"], f["customers"]) == (3, 95.0, 2)
    assert f["repeat_purchase_rate"] == 0.5  # A
    assert f["returning_customer_rate"] == 1.0
    assert f["returning_revenue_share"] == 1.0
    assert f["median_days_to_second_order"] == pytest.approx(79.5)  # (21 + 138) / 2
    assert f["m1_retention"] == 1.0  # base A (December cohort), back in January
    assert f["m3_retention"] == 0.5  # base E, A; A back in March
    assert (f["m1_cohort_customers"], f["m3_cohort_customers"]) == (1, 2)
    # non-followers B: b1 b2 b3
    assert (n["orders"], n["revenue"], n["customers"]) == (3, 140.0, 1)
    assert n["returning_revenue_share"] == pytest.approx(60 / 140)  # (b2 20 + b3 40) / 140
    assert n["median_days_to_second_order"] == 0.0
    assert n["m1_retention"] == 0.0 and n["m3_retention"] is None
    # unknown: C (null status) and D (not in the table)
    assert (u["orders"], u["revenue"], u["customers"]) == (3, 140.0, 2)
    assert u["returning_revenue_share"] == pytest.approx(10 / 140)
    assert u["m1_retention"] == 0.0  # C, January cohort, not back in February


def test_splits_from_a_prepared_with_customers() -> None:
    """prepare(orders, customers) looks every customer up once; the splits then need no
    customers argument and give the same tables as a join."""
    prepared = r.prepare(ORDERS, CUSTOMERS)
    table = prepared.customers
    assert table is not None and table.height == 6  # A..F, one row per customer number
    ids = prepared.frame.filter(pl.col("seq") == 0).sort("cust")["customer_id"].to_list()
    attrs = dict(zip(ids, table.iter_rows(), strict=True))
    assert attrs["A"] == ("instagram", True) and attrs["C"] == ("instagram", None)
    assert attrs["D"] == (None, None) and attrs["F"] == (None, None)  # not in the table
    assert r.prepare(r.prepare(ORDERS), CUSTOMERS).customers.equals(table)  # type: ignore[union-attr]
    for by in ("follows_on_social", "acquisition_channel"):
        assert r.repeat_kpis_by(prepared, None, *Q1, by=by).equals(
            r.repeat_kpis_by(ORDERS, CUSTOMERS, *Q1, by=by)), by
    assert r.follower_gap(prepared, None, *Q1).equals(r.follower_gap(ORDERS, CUSTOMERS, *Q1))
    # a Prepared made without customers cannot split by them
    with pytest.raises(ValueError, match="customers dataset"):
        r.follower_gap(r.prepare(ORDERS), None, *Q1)
    # and an explicit customers frame wins over the Prepared's table
    twice = pl.concat([CUSTOMERS, CUSTOMERS.head(1).with_columns(follows_on_social=False)])
    by = r.repeat_kpis_by(prepared, twice, *Q1, by="follows_on_social")
    assert by.filter(pl.col("group") == "non-followers")["customers"].item() == 2  # B and A


def test_follower_gap() -> None:
    gap = r.follower_gap(ORDERS, CUSTOMERS, *Q1)
    rows = {row["kpi"]: row for row in gap.iter_rows(named=True)}
    assert rows["repeat_purchase_rate"]["difference"] == pytest.approx(-50.0)  # 50 % − 100 %
    assert rows["returning_revenue_share"]["difference"] == pytest.approx((1 - 60 / 140) * 100)
    assert rows["orders_per_customer"]["difference"] == pytest.approx(1.5 - 3.0)
    assert rows["orders_per_customer"]["difference_unit"] == "orders"
    assert rows["median_days_to_second_order"]["difference"] == pytest.approx(79.5)
    assert rows["median_days_to_second_order"]["difference_unit"] == "days"
    assert rows["m1_retention"]["difference"] == pytest.approx(100.0)
    assert rows["m3_retention"]["difference"] is None  # no non-follower cohort base
    assert (rows["m3_retention"]["followers_n"], rows["m3_retention"]["non_followers_n"]) == (2, 0)
    assert (rows["repeat_purchase_rate"]["followers_n"],
            rows["repeat_purchase_rate"]["non_followers_n"]) == (2, 1)


def test_split_by_acquisition_channel() -> None:
    by = r.repeat_kpis_by(ORDERS, CUSTOMERS, *Q1, by="acquisition_channel")
    rows = {row["group"]: row for row in by.iter_rows(named=True)}
    assert list(rows) == ["email", "instagram", "unknown"]
    ig = rows["instagram"]  # A, C: a2 a3 c1 c2
    assert (ig["orders"], ig["revenue"], ig["customers"]) == (4, 150.0, 2)
    assert ig["returning_revenue_share"] == pytest.approx((50 + 30 + 10) / 150)
    assert rows["unknown"]["customers"] == 2  # D (missing), E (empty channel)
    assert sum(row["orders"] for row in rows.values()) == 9
    with pytest.raises(ValueError, match="customers dataset"):
        r.repeat_kpis_by(ORDERS, None, *Q1, by="acquisition_channel")


def test_split_by_order_channel() -> None:
    by = r.repeat_kpis_by(ORDERS, None, *Q1, by="channel")
    rows = {row["group"]: row for row in by.iter_rows(named=True)}
    assert list(rows) == ["email", "instagram", "unknown"]  # x (f1) is after the period
    ig = rows["instagram"]  # a2 b1 c1 c2 e2
    assert (ig["orders"], ig["revenue"], ig["customers"]) == (5, 215.0, 4)
    assert ig["repeat_purchase_rate"] == pytest.approx(1 / 4)  # C: c1, c2
    assert ig["returning_customer_rate"] == pytest.approx(3 / 4)  # A a2, C c2, E e2
    assert ig["returning_revenue_share"] == pytest.approx(75 / 215)  # 50 + 10 + 15
    assert ig["median_days_to_second_order"] == 30.0  # A 21, C 30, E 138 (B's was b2)
    assert ig["m1_retention"] == pytest.approx(1 / 3)  # A back via instagram; base A B C
    assert ig["m3_retention"] == 0.0  # base E, A; A came back in March by email
    em = rows["email"]  # a3 b3 d1
    assert em["returning_customer_rate"] == pytest.approx(2 / 3)
    assert em["median_days_to_second_order"] is None
    assert em["m3_retention"] == 0.5
    un = rows["unknown"]  # b2
    assert (un["orders"], un["customers"], un["median_days_to_second_order"]) == (1, 1, 0.0)


# --------------------------------------------------------------------------- catalog


def workspace(start: dt.date, end: dt.date) -> Workspace:
    return Workspace(FrameSource({"orders": ORDERS}, key="t"), Period(start, end))


def kpi(ws: Workspace, kid: str) -> float | None:
    (k,) = [k for k in r.KPIS if k.id == kid]
    return k.compute(ws)


def test_catalog() -> None:
    ids = [k.id for k in r.KPIS]
    assert ids == [*r.KPI_KEYS, "revenue_uplift"]
    assert all(k.area == "retention" and k.datasets == ("orders",) for k in r.KPIS)
    by_id = {k.id: k for k in r.KPIS}
    assert by_id["median_days_to_second_order"].direction == "lower"
    assert "sales_spike" in by_id["orders"].goals and "sales_spike" in by_id["revenue"].goals
    assert by_id["revenue_uplift"].goals == ("sales_spike",)
    assert {k.id for k in r.KPIS if k.additive} == {"orders", "revenue"}


def test_kpis_on_a_workspace() -> None:
    ws = workspace(*Q1)
    assert kpi(ws, "orders") == 9
    assert kpi(ws, "returning_revenue_share") == pytest.approx(0.44)
    assert kpi(ws, "m3_retention") == pytest.approx(0.5)
    # computed once, shared by the KPIs and by every workspace of the source
    assert [k for k in ws.shared if k[-1] == ("repeat_kpis", *Q1)]
    by_id = {k.id: k for k in r.KPIS}
    daily = by_id["returning_revenue_share"].daily(ws)  # type: ignore[misc]
    assert daily is not None and daily.height == 91  # every day of Q1 2024, zero-filled
    assert daily["num"].sum() / daily["den"].sum() == pytest.approx(0.44)
    assert by_id["orders"].daily(ws)["num"].sum() == 9  # type: ignore[misc,index]
    assert by_id["revenue"].daily(ws)["num"].sum() == 375.0  # type: ignore[misc,index]


def test_revenue_uplift() -> None:
    # Q1 (91 days) against 2 Oct – 31 Dec 2023: a1 100 + e1 25; 375 / 125 − 1
    assert kpi(workspace(*Q1), "revenue_uplift") == pytest.approx(2.0)
    # March (31 days) against 30 Jan – 29 Feb: c1 60; 125 / 60 − 1
    assert kpi(workspace(D(2024, 3, 1), D(2024, 3, 31)), "revenue_uplift") == pytest.approx(
        125 / 60 - 1
    )
    # November 2023 against October: no revenue before → n/a
    assert kpi(workspace(D(2023, 11, 1), D(2023, 11, 30)), "revenue_uplift") is None


def test_kpis_without_orders() -> None:
    ws = Workspace(FrameSource({}, key="none"), Period(*Q1))
    assert all(k.compute(ws) is None for k in r.KPIS)
    assert all(k.daily(ws) is None for k in r.KPIS if k.daily is not None)


# --------------------------------------------------------------------------- independent check


def month_of(d: dt.date) -> int:
    return d.year * 12 + d.month - 1


def week_of(d: dt.date) -> int:
    return (d - D(1969, 12, 29)).days // 7  # Monday-based weeks


def last_day_of(m: int) -> dt.date:
    year, month0 = divmod(m, 12)
    return D(year, month0 + 1, calendar.monthrange(year, month0 + 1)[1])


def reference_retention_months(start: dt.date, end: dt.date) -> list[int]:
    """The complete months m1/m3 read: those whose last day lies in [start, end]; if there is
    none, the last month that is complete before `end`."""
    inside = [
        m for m in range(month_of(start), month_of(end) + 1) if start <= last_day_of(m) <= end
    ]
    if inside:
        return inside
    m = month_of(end)
    while last_day_of(m) > end:
        m -= 1
    return [m]


def reference_history(rows: list[tuple], end: dt.date) -> dict[str, list[tuple]]:
    """customer → [(order_id, day, revenue, channel)] in order, orders after `end` dropped."""
    hist: dict[str, list[tuple]] = defaultdict(list)
    for oid, cid, ts, rev, ch in rows:
        day = ts.astimezone(UTC).date()
        if day <= end:
            hist[cid].append((ts, oid, day, rev, ch))
    return {c: [(o[1], o[2], o[3], o[4]) for o in sorted(v)] for c, v in hist.items()}


def reference_kpis(
    hist: dict[str, list[tuple]],
    start: dt.date,
    end: dt.date,
    order_in: Any = lambda order: True,
    customers: set[str] | None = None,
) -> dict[str, Any]:
    """The definitions of `smmkpi.kpis.retention` with loops; `order_in` picks the group's
    orders, `customers` the group's customers (None = all). m1/m3: for each complete month m
    of the period, the customers whose first order is in month m - k, and of them those with
    an order in m."""
    n_orders, revenue, returning_revenue = 0, 0.0, 0.0
    per_customer: dict[str, list[int]] = {}
    second_days = []
    retained = {1: 0, 3: 0}
    base = {1: 0, 3: 0}
    months = reference_retention_months(start, end)
    for cid, orders in hist.items():
        if customers is not None and cid not in customers:
            continue
        first_day = orders[0][1]
        cohort = month_of(first_day)
        for seq, order in enumerate(orders):
            _, day, rev, _ = order
            if start <= day <= end and order_in(order):
                n_orders += 1
                revenue += rev
                per_customer.setdefault(cid, []).append(seq)
                if seq > 0:
                    returning_revenue += rev
                if seq == 1:
                    second_days.append((day - first_day).days)
        for k in (1, 3):
            for m in months:  # the customer counts for the month m with cohort m - k
                if cohort == m - k:
                    base[k] += 1
                    if any(month_of(o[1]) == m and order_in(o) for o in orders):
                        retained[k] += 1

    def div(a: float, b: float) -> float | None:
        return a / b if b else None

    n_cust = len(per_customer)
    return {
        "orders": n_orders,
        "revenue": revenue,
        "customers": n_cust,
        "repeat_purchase_rate": div(sum(len(s) >= 2 for s in per_customer.values()), n_cust),
        "returning_customer_rate": div(sum(max(s) >= 1 for s in per_customer.values()), n_cust),
        "returning_revenue_share": div(returning_revenue, revenue),
        "orders_per_customer": div(n_orders, n_cust),
        "median_days_to_second_order": median(second_days) if second_days else None,
        "m1_retention": div(retained[1], base[1]),
        "m3_retention": div(retained[3], base[3]),
        "second_orders": len(second_days),
        "m1_cohort_customers": base[1],
        "m3_cohort_customers": base[3],
    }


def reference_matrix(
    hist: dict[str, list[tuple]], until: dt.date, grain: str, measure: str
) -> dict[tuple[dt.date, int], float | None]:
    """(cohort start, k) → share over every reachable cell."""
    index = month_of if grain == "month" else week_of
    size: dict[int, int] = defaultdict(int)
    who: dict[tuple[int, int], set[str]] = defaultdict(set)
    money: dict[tuple[int, int], float] = defaultdict(float)
    for cid, orders in hist.items():
        c = index(orders[0][1])
        size[c] += 1
        for _, day, rev, _ in orders:
            who[(c, index(day) - c)].add(cid)
            money[(c, index(day) - c)] += rev
    out: dict[tuple[dt.date, int], float | None] = {}
    for c in size:
        label = (
            D(c // 12, c % 12 + 1, 1) if grain == "month" else D(1969, 12, 29) + dt.timedelta(c * 7)
        )
        for k in range(index(until) - c + 1):
            if measure == "customers":
                out[(label, k)] = len(who[(c, k)]) / size[c]
            else:
                out[(label, k)] = money[(c, k)] / money[(c, 0)] if money[(c, 0)] else None
    return out


def random_orders(seed: int, n: int = 3000, n_customers: int = 500) -> list[tuple]:
    """Orders over 14 months, on the hour, so that one customer often has ties."""
    rng = random.Random(seed)
    first = dt.datetime(2023, 1, 1, tzinfo=UTC)
    hours = 14 * 30 * 24
    rows = []
    for i in range(n):
        cid = f"c{int(rng.paretovariate(1.2) * 7) % n_customers:04d}"
        ts = first + dt.timedelta(hours=rng.randrange(hours) if rng.random() > 0.1 else 0)
        oid = f"o{rng.randrange(10**6):06d}-{i}"  # ids unrelated to time
        rev = 0.0 if rng.random() < 0.02 else round(rng.uniform(5, 200), 2)
        ch = rng.choice(["instagram", "email", "facebook", None])
        rows.append((oid, cid, ts, rev, ch))
    return rows


def random_customers(rows: list[tuple], seed: int) -> pl.DataFrame:
    rng = random.Random(seed)
    ids = sorted({row[1] for row in rows})
    kept = [c for c in ids if rng.random() < 0.85]
    return pl.DataFrame(
        {
            "customer_id": kept,
            "acquisition_channel": [rng.choice(["ads", "social", None]) for _ in kept],
            "follows_on_social": [rng.choice([True, False, False, None]) for _ in kept],
            "first_seen": [None] * len(kept),
        },
        schema=ds.get("customers").schema,
    )


def assert_same(got: dict[str, Any], want: dict[str, Any], what: str) -> None:
    for key in ("second_orders", "m1_cohort_customers", "m3_cohort_customers"):
        if key in got:  # the sizes beside a split's KPIs
            assert got[key] == want[key], (what, key)
    for key in r.KPI_KEYS:
        if want[key] is None:
            assert got[key] is None, (what, key)
        else:
            assert got[key] == pytest.approx(want[key], rel=1e-9, abs=1e-9), (what, key)


PERIODS = [
    (D(2023, 1, 1), D(2024, 2, 29)),  # everything
    (D(2023, 6, 1), D(2023, 6, 30)),  # one month
    (D(2023, 9, 14), D(2023, 11, 2)),  # partial months: September and October are complete
    (D(2023, 9, 6), D(2023, 10, 3)),  # 28 days ending 3 October: September
    (D(2023, 10, 1), D(2023, 10, 20)),  # no month ends inside: September
    (D(2024, 2, 1), D(2024, 2, 10)),  # after the last order: January
]


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_against_python_reference(seed: int) -> None:
    rows = random_orders(seed)
    frame = orders_frame(rows)
    prepared = r.prepare(frame.sample(fraction=1.0, shuffle=True, seed=seed))  # order-blind
    for start, end in PERIODS:
        hist = reference_history(rows, end)
        assert_same(r.repeat_kpis(prepared, start, end), reference_kpis(hist, start, end),
                    f"seed {seed} {start}")
        got_days = sorted(r.days_to_second_order(prepared, start, end)["days"].to_list())
        want_days = sorted(
            (o[1][1] - o[0][1]).days for o in hist.values() if len(o) > 1 and o[1][1] >= start
        )
        assert got_days == want_days
    until = D(2023, 10, 17)
    hist = reference_history(rows, until)
    for grain in ("month", "week"):
        for measure in ("customers", "revenue"):
            long = r.cohort_matrix_long(prepared, until=until, grain=grain, measure=measure)
            got = {(c, k): s for c, k, s in long.select("cohort", "k", "share").iter_rows()}
            want = reference_matrix(hist, until, grain, measure)
            assert got.keys() == want.keys(), (grain, measure)
            for cell, share in want.items():
                assert got[cell] == pytest.approx(share), (grain, measure, cell)


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_splits_against_python_reference(seed: int) -> None:
    rows = random_orders(seed, n=2000, n_customers=300)
    customers = random_customers(rows, seed)
    # May–December complete; then December cut short: May–November
    for start, end in ((D(2023, 5, 10), D(2023, 12, 31)), (D(2023, 5, 10), D(2023, 12, 30))):
        check_splits(rows, customers, start, end)


def check_splits(rows: list[tuple], customers: pl.DataFrame, start: dt.date, end: dt.date) -> None:
    hist = reference_history(rows, end)
    attrs = {c: (a, f) for c, a, f, _ in customers.iter_rows()}
    label = {
        "acquisition_channel": lambda c: (attrs.get(c, (None, None))[0] or "unknown"),
        "follows_on_social": lambda c: {True: "followers", False: "non-followers"}.get(
            attrs.get(c, (None, None))[1], "unknown"
        ),
    }
    with_table = r.prepare(orders_frame(rows), customers)
    for by, fn in label.items():
        table = r.repeat_kpis_by(orders_frame(rows), customers, start, end, by=by)  # type: ignore[arg-type]
        # float sums may add up in another order from run to run: compare with a tolerance
        assert_frame_equal(table, r.repeat_kpis_by(with_table, None, start, end, by=by),  # type: ignore[arg-type]
                           rel_tol=1e-12)
        groups = {fn(c) for c in hist}
        for row in table.iter_rows(named=True):
            members = {c for c in hist if fn(c) == row["group"]}
            assert_same(row, reference_kpis(hist, start, end, customers=members), row["group"])
        shown = {row["group"] for row in table.iter_rows(named=True)}
        assert shown <= groups
        for g in groups - shown:  # left out only when there is nothing to show
            want = reference_kpis(hist, start, end, customers={c for c in hist if fn(c) == g})
            assert want["orders"] == 0 and want["m1_retention"] is None, (by, g)
    table = r.repeat_kpis_by(orders_frame(rows), None, start, end, by="channel")
    for row in table.iter_rows(named=True):
        g = None if row["group"] == "unknown" else row["group"]
        want = reference_kpis(hist, start, end, order_in=lambda o, g=g: o[3] == g)
        assert_same(row, want, f"channel {g}")


TIMES = [
    t(2023, 1, 31, 23, 59),
    t(2023, 2, 1, 0),
    t(2023, 2, 1, 0, 1),
    t(2023, 3, 3),
    t(2023, 5, 1),
]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["x", "y", "z"]),
            st.sampled_from(TIMES),
            st.sampled_from([0.0, 1.5, 10.0]),
            st.sampled_from(["a", "b", None]),
        ),
        max_size=25,
    ),
    st.sampled_from([(D(2023, 2, 1), D(2023, 2, 28)), (D(2023, 1, 15), D(2023, 5, 1)),
                     (D(2023, 4, 1), D(2023, 4, 30)), (D(2023, 3, 3), D(2023, 3, 20))]),
)
def test_small_cases_against_python_reference(orders: list[tuple], period: tuple) -> None:
    # ids in reverse insertion order so that ties are not broken by position
    rows = [(f"o{99 - i:02d}", c, ts, rev, ch) for i, (c, ts, rev, ch) in enumerate(orders)]
    start, end = period
    hist = reference_history(rows, end)
    frame = orders_frame(rows)
    assert_same(r.repeat_kpis(frame, start, end), reference_kpis(hist, start, end), "all")
    table = r.repeat_kpis_by(frame, None, start, end, by="channel")
    for row in table.iter_rows(named=True):
        g = None if row["group"] == "unknown" else row["group"]
        want = reference_kpis(hist, start, end, order_in=lambda o, g=g: o[3] == g)
        assert_same(row, want, f"channel {g}")
    long = r.cohort_matrix_long(frame, until=end)
    got = {(c, k): s for c, k, s in long.select("cohort", "k", "share").iter_rows()}
    assert got == pytest.approx(reference_matrix(hist, end, "month", "customers"))


def reference_prepared(rows: list[tuple]) -> dict[str, tuple]:
    """order_id → (customer, seq, day, first_day, prev_day, next_day, new_month, revenue,
    channel) in plain Python: each customer's orders sorted by (timestamp, order_id)."""
    out = {}
    for cid, orders in reference_history(rows, D(9999, 12, 31)).items():
        days = [o[1] for o in orders]
        for seq, (oid, day, rev, ch) in enumerate(orders):
            prev = days[seq - 1] if seq else None
            nxt = days[seq + 1] if seq + 1 < len(days) else None
            new_month = prev is None or month_of(prev) != month_of(day)
            out[oid] = (cid, seq, day, days[0], prev, nxt, new_month, rev, ch)
    return out


def prepared_by_order(frame: pl.DataFrame, rows: list[tuple]) -> dict[str, tuple]:
    """The same from `prepare` (its frame has no order_id: rows are matched by position in
    each customer's history)."""
    by_seq = {(row[0], row[1]): oid for oid, row in reference_prepared(rows).items()}
    assert frame["month"].to_list() == [month_of(d) for d in frame["day"]]
    assert frame["cohort"].to_list() == [month_of(d) for d in frame["first_day"]]
    cols = ["customer_id", "seq", "day", "first_day", "prev_day", "next_day", "new_month",
            "revenue", "channel"]
    return {by_seq[(row[0], row[1])]: row for row in frame.select(cols).iter_rows()}


def test_prepare_against_python_reference() -> None:
    rows = random_orders(21, n=1500, n_customers=150)  # many ties: revenue tells them apart
    frame = r.prepare(orders_frame(rows).sample(fraction=1.0, shuffle=True, seed=3)).frame
    assert frame.height == len(rows)
    assert prepared_by_order(frame, rows) == reference_prepared(rows)


def test_prepare_survives_customer_hash_clashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two ids with one hash would mix two histories: prepare notices and sorts the text."""
    rows = random_orders(22, n=1500, n_customers=150)
    frame = orders_frame(rows).sample(fraction=1.0, shuffle=True, seed=4)
    fast = r.prepare(frame).frame
    assert not fast["customer_id"].is_sorted()  # hash order, not text order
    # every id "c0000".."c0149" has 5 bytes: one hash for all
    monkeypatch.setattr(r, "_customer_hash", lambda e: e.str.len_bytes().cast(pl.UInt64))
    slow = r.prepare(frame).frame
    assert slow["customer_id"].is_sorted()  # the text sort was used
    assert prepared_by_order(slow, rows) == reference_prepared(rows)
    assert slow.drop("cust").equals(fast.sort("customer_id", "seq").drop("cust"))
    # customer numbers count customers in the order of their rows
    assert slow["cust"].to_list() == [n - 1 for n in (slow["seq"] == 0).cum_sum()]


def test_duplicated_customer_rows_count_once() -> None:
    # A listed twice: the later row (follower) wins and A's orders are not counted twice
    twice = pl.concat([CUSTOMERS.with_columns(follows_on_social=pl.lit(False)).head(1), CUSTOMERS])
    by = r.repeat_kpis_by(ORDERS, twice, *Q1, by="follows_on_social")
    assert by["orders"].sum() == 9
    followers = by.filter(pl.col("group") == "followers")
    assert followers["customers"].item() == 2  # A and E, as without the duplicate
