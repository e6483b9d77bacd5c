"""Pacing, forecast, attainment and status against hand-computed figures (rules: the
docstring of `smmkpi.kpis.targets`)."""

import datetime as dt

import polars as pl
import pytest

from smmkpi.kpis import targets as t
from smmkpi.kpis.base import KPI
from smmkpi.workspace import FrameSource, Period, Workspace

D = dt.date


def kpi(additive: bool, direction: str = "higher") -> KPI:
    return KPI(id="k", label="K", unit="count", direction=direction, additive=additive,
               goals=(), area="traffic", description="", datasets=(), compute=lambda ws: None)


def test_elapsed_days():
    # a 30-day period 1..30 June
    assert t.elapsed_days(D(2026, 6, 1), D(2026, 6, 30), D(2026, 5, 31)) == 0  # not started
    assert t.elapsed_days(D(2026, 6, 1), D(2026, 6, 30), D(2026, 6, 1)) == 1
    assert t.elapsed_days(D(2026, 6, 1), D(2026, 6, 30), D(2026, 6, 10)) == 10
    assert t.elapsed_days(D(2026, 6, 1), D(2026, 6, 30), D(2026, 8, 1)) == 30  # over


def test_additive_pace_and_forecast():
    # target 3000 sessions in June (30 days); 10 days in, 900 sessions so far
    r = t.evaluate(kpi(True), 900.0, 3000.0, D(2026, 6, 1), D(2026, 6, 30), D(2026, 6, 10))
    assert r.pace == pytest.approx(1000.0)  # 3000 × 10 / 30
    assert r.forecast == pytest.approx(2700.0)  # 900 / 10 × 30
    assert r.attainment == pytest.approx(0.3)  # 900 / 3000
    assert r.pace_attainment == pytest.approx(0.9)  # 900 / 1000
    assert r.forecast_attainment == pytest.approx(0.9)
    assert r.status == "at risk"  # exactly 10 % below pace


def test_ratio_pace_is_target_and_forecast_is_value_so_far():
    r = t.evaluate(kpi(False), 0.27, 0.30, D(2026, 6, 1), D(2026, 6, 30), D(2026, 6, 10))
    assert r.pace == 0.30 and r.forecast == 0.27
    assert r.attainment == pytest.approx(0.9)
    assert r.status == "at risk"


def test_lower_is_better():
    # median first response: target 60 min, actual 66 → attainment 60/66 = 0.909
    r = t.evaluate(kpi(False, "lower"), 66.0, 60.0, D(2026, 6, 1), D(2026, 6, 30), D(2026, 6, 5))
    assert r.attainment == pytest.approx(60 / 66)
    assert r.status == "at risk"  # pace/actual = 0.909 >= 0.9
    r = t.evaluate(kpi(False, "lower"), 67.0, 60.0, D(2026, 6, 1), D(2026, 6, 30), D(2026, 6, 5))
    assert r.status == "off track"  # 60/67 = 0.896 < 0.9
    r = t.evaluate(kpi(False, "lower"), 45.0, 60.0, D(2026, 6, 1), D(2026, 6, 30), D(2026, 6, 5))
    assert r.status == "on track" and r.attainment == pytest.approx(60 / 45)


@pytest.mark.parametrize(
    ("actual", "expected"),
    [
        (100.0, "on track"),  # exactly at pace
        (120.0, "on track"),
        (90.0, "at risk"),  # exactly 10 % below
        (89.99, "off track"),  # just over 10 % below
        (0.0, "off track"),
    ],
)
def test_status_boundaries_higher(actual, expected):
    assert t.status(actual, 100.0, True, elapsed=5) == expected


def test_not_started_and_no_data_and_over():
    r = t.evaluate(kpi(True), None, 100.0, D(2026, 7, 1), D(2026, 7, 31), D(2026, 6, 30))
    assert (r.status, r.pace, r.forecast, r.elapsed_days) == ("not started", 0.0, None, 0)
    r = t.evaluate(kpi(True), None, 100.0, D(2026, 6, 1), D(2026, 6, 30), D(2026, 6, 10))
    assert r.status == "no data" and r.attainment is None
    # period over: pace is the whole target, forecast the final actual
    r = t.evaluate(kpi(True), 80.0, 100.0, D(2026, 6, 1), D(2026, 6, 30), D(2026, 9, 1))
    assert (r.pace, r.forecast, r.status) == (100.0, 80.0, "off track")


def test_zero_target():
    # higher is better, target 0: attainment undefined (n/a), any actual is on track
    r = t.evaluate(kpi(True), 5.0, 0.0, D(2026, 6, 1), D(2026, 6, 30), D(2026, 6, 10))
    assert r.attainment is None and r.status == "on track"
    # lower is better, target 0 (e.g. no unanswered questions): 3 left is off track
    r = t.evaluate(kpi(False, "lower"), 3.0, 0.0, D(2026, 6, 1), D(2026, 6, 30), D(2026, 6, 10))
    assert r.attainment == 0.0 and r.status == "off track"
    r = t.evaluate(kpi(False, "lower"), 0.0, 0.0, D(2026, 6, 1), D(2026, 6, 30), D(2026, 6, 10))
    assert r.attainment is None and r.status == "on track"


def test_a_day_with_no_data_counts_as_elapsed():
    # additive KPI, 2 of 4 days elapsed, only day 1 had rows (10); pace = 40 × 2/4 = 20
    r = t.evaluate(kpi(True), 10.0, 40.0, D(2026, 6, 1), D(2026, 6, 4), D(2026, 6, 2))
    assert (r.pace, r.forecast, r.status) == (20.0, 20.0, "off track")


def test_evaluate_targets_uses_each_targets_period_and_campaign():
    """Actuals per target: its own period up to as-of, its campaign only; worst first."""
    social = pl.DataFrame({
        "date": [D(2026, 6, d) for d in (1, 2, 3, 1, 2)],
        "platform": ["x"] * 5,
        "campaign_id": ["a", "a", "a", "b", "b"],
        "impressions": [10, 20, 30, 100, 100],
    })
    from smmkpi import datasets as ds

    social = social.with_columns([pl.lit(None, dtype=c.dtype).alias(c.name)
                                  for c in ds.get("social_daily").columns
                                  if c.name not in social.columns]).select(
        ds.get("social_daily").names)
    targets = pl.DataFrame({
        "campaign_id": ["a", "b", None],
        "kpi": ["impressions", "impressions", "impressions"],
        "period_start": [D(2026, 6, 1)] * 3,
        "period_end": [D(2026, 6, 4)] * 3,
        "target": [80.0, 200.0, 1000.0],
    })
    ws = Workspace(FrameSource({"social_daily": social, "kpi_targets": targets}, "t"),
                   Period(D(2026, 6, 1), D(2026, 6, 2)))

    def impressions(w):
        df = w.frame("social_daily")
        return None if df is None else float(df["impressions"].sum())

    cat = {"impressions": KPI("impressions", "Impressions", "count", "higher", True, (),
                              "audience", "", ("social_daily",), impressions)}
    res = t.evaluate_targets(ws, cat)
    rows = {r["campaign_id"]: r for r in res.iter_rows(named=True)}
    # as of 2 June: 2 of 4 days elapsed
    assert rows["a"]["actual"] == 30.0 and rows["a"]["pace"] == 40.0  # 10+20; 80×2/4
    assert rows["b"]["actual"] == 200.0 and rows["b"]["status"] == "on track"
    assert rows[None]["actual"] == 230.0 and rows[None]["pace"] == 500.0
    assert res["campaign_id"].to_list() == [None, "a", "b"]  # 46 %, 75 % of pace, on track
