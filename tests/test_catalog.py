"""Rules every KPI of the catalog keeps, checked over the whole catalog on the demo data.

- its entry is complete: label, unit, direction, goal types, area, datasets, description;
- an additive KPI's daily figures add up to its period value, and a ratio's period value is
  its summed numerator over its summed denominator, over the period and over any part of it;
- a zero denominator gives a missing value (None), never 0;
- and the shared helpers of `smmkpi.kpis.base` behave as those rules need.
"""

from __future__ import annotations

import datetime as dt
from typing import get_args

import polars as pl
import pytest

from smmkpi import datasets as ds
from smmkpi.kpis.base import (
    KPI,
    Area,
    Direction,
    Unit,
    additive,
    ratio,
    ratio_expr,
    ratio_of,
    sum_or_null,
)
from smmkpi.kpis.catalog import AREAS, CATALOG
from smmkpi.workspace import Filters, FrameSource, Period, Workspace

D = dt.date
# Periods and filters on the demo data: the brand's last four weeks, a running campaign
# (datasets with a campaign column follow it, the others do not), a finished quarter seen
# through one platform, and a campaign with few conversations (days without any).
CASES: dict[str, tuple[Period, Filters]] = {
    "brand, last 28 days": (Period(D(2026, 10, 4), D(2026, 10, 31)), Filters()),
    "autumn traffic campaign": (
        Period(D(2026, 9, 7), D(2026, 10, 31)), Filters(campaigns=("autumn_traffic_2026",))
    ),
    "Q3 2026 on x": (Period(D(2026, 7, 1), D(2026, 9, 30)), Filters(platforms=("x",))),
    "product poll campaign": (
        Period(D(2026, 1, 19), D(2026, 2, 22)), Filters(campaigns=("next_product_poll_2026",))
    ),
}
NO_DATA = Period(D(2020, 1, 1), D(2020, 1, 31))  # every dataset present, no rows in it
PART = 7  # days of the part of a period checked against its daily figures

ADDITIVE = [k.id for k in CATALOG.values() if k.additive]
RATIOS = [k.id for k in CATALOG.values() if not k.additive and k.daily is not None]
DIVIDING = [k.id for k in CATALOG.values() if not k.additive and k.unit != "count"]


@pytest.fixture(scope="module")
def source(demo_frames: dict[str, pl.DataFrame]) -> FrameSource:
    return FrameSource(demo_frames, key="demo")


@pytest.fixture(scope="module")
def shared() -> dict:
    """Results shared by the workspaces of the source (the orders sorted once)."""
    return {}


@pytest.fixture(scope="module")
def workspaces(source: FrameSource, shared: dict) -> dict[str, Workspace]:
    return {name: Workspace(source, p, f, shared=shared) for name, (p, f) in CASES.items()}


def _days(ws: Workspace, first: dt.date, last: dt.date) -> Workspace:
    return Workspace(ws.source, Period(first, last), ws.filters, settings=ws.settings,
                     shared=ws.shared)


def _same(got: float | None, want: float | None) -> None:
    """A KPI's value over some days against the value from its daily figures. The daily
    frame shows a day that does not report a figure as 0, while a figure no day of the
    range reports is missing over it: so 0 from the daily figures may also be None."""
    if want is None or (want == 0.0 and got is None):
        assert got is None, got
    else:
        assert got == pytest.approx(want, rel=1e-9, abs=1e-9)


def _value(kpi: KPI, d: pl.DataFrame) -> float | None:
    """The KPI over the days of a daily frame, as its decomposition defines it."""
    if kpi.additive:
        return float(d["num"].sum())
    return ratio(d["num"].sum(), d["den"].sum())


# --------------------------------------------------------------------------- entries


@pytest.mark.parametrize("kid", list(CATALOG))
def test_every_entry_is_complete(kid: str) -> None:
    k = CATALOG[kid]
    assert k.id == kid and k.label.strip() and k.description.strip()
    assert k.unit in get_args(Unit)
    assert k.direction in get_args(Direction)
    assert k.goals and set(k.goals) <= set(ds.GOALS) and len(set(k.goals)) == len(k.goals)
    assert k.area in AREAS
    assert k.datasets and set(k.datasets) <= set(ds.DATASETS)
    if k.additive:  # targets pace and trend additive KPIs by day
        assert k.daily is not None


def test_labels_are_unique() -> None:
    labels = [k.label for k in CATALOG.values()]
    assert len(labels) == len(set(labels))


# --------------------------------------------------------------------------- decomposition


def _check_decomposition(kpi: KPI, ws: Workspace) -> None:
    """The daily figures give the period value and, summed over the period's first days,
    the value over those days (a daily frame decomposes the KPI over any range of days)."""
    assert kpi.daily is not None
    d, value = kpi.daily(ws), kpi.compute(ws)
    if d is None or d.height == 0:
        assert value is None or (kpi.additive and value == 0.0), value
        return
    assert d.columns == (["date", "num"] if kpi.additive else ["date", "num", "den"])
    assert d.schema["num"] == pl.Float64 and d["date"].is_between(ws.start, ws.end).all()
    assert d["num"].null_count() == 0
    if value is None:  # a ratio whose denominator sums to zero
        assert not kpi.additive and _value(kpi, d) is None
    else:
        assert _value(kpi, d) == pytest.approx(value, rel=1e-9, abs=1e-9)
    last = ws.start + dt.timedelta(days=PART - 1)
    part = d.filter(pl.col("date") <= last)
    got = kpi.compute(_days(ws, ws.start, last))
    if part.height == 0:
        assert got is None or (kpi.additive and got == 0.0), got
    else:
        _same(got, _value(kpi, part))


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("kid", ADDITIVE + RATIOS)
def test_daily_figures_give_the_period_value(
    kid: str, case: str, workspaces: dict[str, Workspace]
) -> None:
    """Additive KPIs: the daily figures add up to the period value. Ratios: the period
    value is the summed numerator over the summed denominator."""
    _check_decomposition(CATALOG[kid], workspaces[case])


# --------------------------------------------------------------------------- zero denominators


@pytest.mark.parametrize("kid", DIVIDING)
def test_nothing_to_divide_by_is_missing_not_zero(kid: str, source: FrameSource) -> None:
    """Every KPI that divides (all but sums and counts) is None over a period without rows."""
    assert CATALOG[kid].compute(Workspace(source, NO_DATA)) is None


@pytest.mark.parametrize("kid", RATIOS)
def test_days_with_a_zero_denominator_are_missing(
    kid: str, workspaces: dict[str, Workspace]
) -> None:
    """On a single day the ratio is that day's num / den, and None where den is 0."""
    kpi = CATALOG[kid]
    assert kpi.daily is not None
    for ws in workspaces.values():
        d = kpi.daily(ws)
        if d is None:
            continue
        zero, some = d.filter(pl.col("den") == 0), d.filter(pl.col("den") > 0)
        for day, num, den in pl.concat([zero.head(3), some.head(1)]).iter_rows():
            got = kpi.compute(_days(ws, day, day))
            if den == 0:
                assert got is None, (day, got)
            else:
                _same(got, num / den)


# --------------------------------------------------------------------------- base helpers


def test_ratio_and_its_column_form() -> None:
    assert ratio(1, 4) == 0.25 and ratio(0, 4) == 0.0
    assert ratio(1, 0) is None and ratio(None, 4) is None and ratio(1, None) is None
    df = pl.DataFrame({"n": [1, 0, 1, None], "d": [4, 4, 0, 2]}).with_columns(
        pl.lit(None, dtype=pl.Int64).alias("nd")
    )
    out = df.select(ratio_expr("n", "d").alias("r"), ratio_expr(pl.col("n"), "nd").alias("rn"))
    assert out["r"].to_list() == [0.25, 0.0, None, None]
    assert out["rn"].null_count() == 4 and out.schema["r"] == pl.Float64


def test_sum_or_null() -> None:
    df = pl.DataFrame({"g": [1, 1, 2], "x": [None, None, 3]},
                      schema={"g": pl.Int64, "x": pl.Int64})
    out = df.group_by("g").agg(sum_or_null("x")).sort("g")
    assert out["x"].to_list() == [None, 3]  # never reported is null, not 0


def test_by_day_declarations() -> None:
    frame = pl.DataFrame({"date": [D(2024, 1, 1), D(2024, 1, 2)], "a": [2, None],
                          "b": [None, None], "c": [4, 4]})
    ws = Workspace(FrameSource({}, key="none"), Period(D(2024, 1, 1), D(2024, 1, 2)))
    sums = additive(lambda w: frame, "a")
    assert sums.additive and sums.compute(ws) == 2.0
    daily = sums.daily(ws)
    assert daily is not None and daily.rows() == [(D(2024, 1, 1), 2.0), (D(2024, 1, 2), 0.0)]
    never = additive(lambda w: frame, "b")  # a column never reported: missing
    assert never.compute(ws) is None and never.daily(ws) is None
    empty = frame.head(0)
    assert additive(lambda w: empty, "a").compute(ws) is None
    assert additive(lambda w: empty, "a", empty=0.0).compute(ws) == 0.0
    assert ratio_of(lambda w: empty, "a", "c").compute(ws) is None
    absent = ratio_of(lambda w: None, "a", "c")
    assert absent.compute(ws) is None and absent.daily(ws) is None
    assert ratio_of(lambda w: frame, "a", "c").compute(ws) == pytest.approx(2 / 8)
    zeros = frame.with_columns(z=pl.lit(0))
    assert ratio_of(lambda w: zeros, "c", "z").compute(ws) is None  # zero denominator
    assert ratio_of(lambda w: zeros, "z", "c").compute(ws) == 0.0  # zero numerator


def test_a_by_day_kpi_cannot_take_another_daily() -> None:
    area = Area("traffic", ("web_sessions",))
    with pytest.raises(TypeError):
        area.kpi("x", "X", "count", "higher", ("traffic",), "x",
                 additive(lambda w: None, "a"), daily=lambda w: None)
