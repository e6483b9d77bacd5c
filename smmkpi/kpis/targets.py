"""Targets: attainment, pace, forecast and status (see `docs/kpis.md`), as pure functions, and
the evaluation of every target of a period against the catalog.

Rules (docs/kpis.md, "Targets and status"):
- attainment = actual / target when higher is better, target / actual when lower is better;
- additive KPIs: pace = target × elapsed days / period days, forecast = the run rate to the
  period's end (actual / elapsed days × period days);
- ratios: pace = the target, forecast = the value so far;
- status compares the actual with the pace: on track (at or better than pace), at risk
  (within 10 % worse than pace), off track (worse); "not started" before the period,
  "no data" when the actual is missing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

import polars as pl

from smmkpi.kpis.base import KPI
from smmkpi.workspace import Filters, Period, Workspace

Status = Literal["on track", "at risk", "off track", "not started", "no data"]
STATUS_ORDER: dict[str, int] = {
    "off track": 0, "at risk": 1, "no data": 2, "on track": 3, "not started": 4,
}
AT_RISK_BAND = 0.10


def elapsed_days(start: dt.date, end: dt.date, as_of: dt.date) -> int:
    """Days of [start, end] that have passed by the end of `as_of` (0 .. period days)."""
    if as_of < start:
        return 0
    return (min(as_of, end) - start).days + 1


def attainment(actual: float | None, target: float, higher_is_better: bool) -> float | None:
    """actual / target (higher is better) or target / actual (lower is better)."""
    if actual is None:
        return None
    if higher_is_better:
        return None if target == 0 else actual / target
    if actual == 0:
        return None  # zero denominator: n/a (the status still says on track)
    return target / actual


def pace(target: float, additive: bool, elapsed: int, period_days: int) -> float:
    """What the actual should be by now to end on target."""
    if not additive:
        return target
    return target * elapsed / period_days


def forecast(actual: float | None, additive: bool, elapsed: int, period_days: int) -> float | None:
    """The expected value at the period's end: run rate (additive) or value so far."""
    if actual is None or elapsed == 0:
        return None
    if not additive:
        return actual
    return actual / elapsed * period_days


def status(
    actual: float | None, pace_value: float, higher_is_better: bool, elapsed: int
) -> Status:
    """On track / at risk / off track against the pace (10 % band), or not started / no data."""
    if elapsed == 0:
        return "not started"
    if actual is None:
        return "no data"
    if higher_is_better:
        if actual >= pace_value:
            return "on track"
        return "at risk" if actual >= (1 - AT_RISK_BAND) * pace_value else "off track"
    if actual <= pace_value:
        return "on track"
    # lower is better: within 10 % worse means pace / actual >= 0.9
    return "at risk" if pace_value >= (1 - AT_RISK_BAND) * actual else "off track"


@dataclass(frozen=True)
class TargetResult:
    campaign_id: str | None
    kpi: str
    period_start: dt.date
    period_end: dt.date
    target: float
    actual: float | None
    attainment: float | None
    pace: float
    pace_attainment: float | None  # actual against pace, same direction rule as attainment
    forecast: float | None
    forecast_attainment: float | None
    elapsed_days: int
    period_days: int
    status: Status


def evaluate(kpi: KPI, actual: float | None, target: float, start: dt.date, end: dt.date,
             as_of: dt.date, campaign_id: str | None = None) -> TargetResult:
    """Every figure of one target from its actual-to-date (pure)."""
    days_total = (end - start).days + 1
    elapsed = elapsed_days(start, end, as_of)
    higher = kpi.direction == "higher"
    p = pace(target, kpi.additive, elapsed, days_total)
    fc = forecast(actual, kpi.additive, elapsed, days_total)
    return TargetResult(
        campaign_id=campaign_id,
        kpi=kpi.id,
        period_start=start,
        period_end=end,
        target=target,
        actual=actual,
        attainment=attainment(actual, target, higher),
        pace=p,
        pace_attainment=attainment(actual, p, higher) if elapsed else None,
        forecast=fc,
        forecast_attainment=attainment(fc, target, higher),
        elapsed_days=elapsed,
        period_days=days_total,
        status=status(actual, p, higher, elapsed),
    )


def evaluate_targets(
    ws: Workspace,
    catalog: dict[str, KPI],
    as_of: dt.date | None = None,
    *,
    kpis: tuple[str, ...] | None = None,
    brand_only: bool = False,
) -> pl.DataFrame:
    """Every target overlapping the workspace's period, evaluated as of `as_of` (default:
    the period's end). Each target's actual covers its own period up to `as_of`, for its
    campaign (brand-wide targets: all campaigns). Sorted worst first.

    `kpis` and `brand_only` narrow the evaluation (a page's tiles need only the brand-wide
    targets of their own KPIs, and so read only those KPIs' datasets)."""
    as_of = as_of or ws.end
    targets = ws.frame("kpi_targets")
    if targets is None or targets.height == 0:
        return empty_results()
    targets = targets.filter(pl.col("kpi").is_in(list(kpis if kpis is not None else catalog)))
    if brand_only:
        targets = targets.filter(pl.col("campaign_id").is_null())
    rows: list[TargetResult] = []
    # one workspace per target period and campaign: the targets of several KPIs over the
    # same days share its tables (the period's web sessions classified once, not per KPI)
    subs: dict[tuple[dt.date, dt.date, str | None], Workspace] = {}
    for t in targets.iter_rows(named=True):
        kpi = catalog[t["kpi"]]
        start, end = t["period_start"], t["period_end"]
        if end < start:
            continue
        elapsed = elapsed_days(start, end, as_of)
        actual = None
        if elapsed:
            cid = t["campaign_id"]
            # the same source and reader: period rows come from the (cached) SQL reads,
            # histories and sorted orders from the results shared by the source
            period = Period(start, min(end, as_of))
            key = (period.start, period.end, cid)
            if key not in subs:
                subs[key] = Workspace(
                    ws.source,
                    period,
                    Filters(campaigns=(cid,) if cid else ()),
                    settings=ws.settings,
                    reader=ws.reader,
                    shared=ws.shared,
                )
            actual = kpi.compute(subs[key])
        rows.append(evaluate(kpi, actual, float(t["target"]), start, end, as_of, t["campaign_id"]))
    if not rows:
        return empty_results()
    df = pl.DataFrame([r.__dict__ for r in rows], schema=RESULT_SCHEMA)
    return sort_worst_first(df)


RESULT_SCHEMA: dict[str, pl.DataType] = {
    "campaign_id": pl.String(),
    "kpi": pl.String(),
    "period_start": pl.Date(),
    "period_end": pl.Date(),
    "target": pl.Float64(),
    "actual": pl.Float64(),
    "attainment": pl.Float64(),
    "pace": pl.Float64(),
    "pace_attainment": pl.Float64(),
    "forecast": pl.Float64(),
    "forecast_attainment": pl.Float64(),
    "elapsed_days": pl.Int64(),
    "period_days": pl.Int64(),
    "status": pl.String(),
}


def empty_results() -> pl.DataFrame:
    return pl.DataFrame(schema=RESULT_SCHEMA)


def sort_worst_first(df: pl.DataFrame) -> pl.DataFrame:
    """Off track first, then at risk, ...; within a status, furthest behind pace first."""
    return (
        df.with_columns(
            pl.col("status").replace_strict(STATUS_ORDER, default=9).alias("_rank"),
            pl.col("pace_attainment").fill_nan(None).alias("_pa"),
        )
        .sort(["_rank", "_pa"], nulls_last=True)
        .drop("_rank", "_pa")
    )
