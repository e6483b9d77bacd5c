"""The complete demo data set: the generated rows and their targets, calibrated through the
KPI catalog.

`smmkpi.demo` generates the rows and plans the targets (which KPI, which period, how far the
actual is to land from the target), but it sits below `kpis/` in the layers and so holds no
KPI formula. This module sits above `kpis/`: it builds a Workspace over the generated
frames, asks the catalog for each planned target's actual (the campaign's, or the brand's)
and sets the target from it, so the demo's targets always agree with the dashboard's
figures. `python -m smmkpi.demo_targets [folder]` (`make demo-data`) rewrites `data/demo/`.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import numpy as np
import polars as pl

from smmkpi import datasets as ds
from smmkpi import demo
from smmkpi.config import DEMO_DIR, Settings
from smmkpi.kpis.base import KPI
from smmkpi.kpis.catalog import CATALOG
from smmkpi.workspace import Filters, FrameSource, Period, Workspace

SHARE_CAP = 0.99  # a share's target stays below 100 %
# Ratio KPIs that are changes, not shares: their targets may exceed 100 %.
NOT_SHARES: frozenset[str] = frozenset({"revenue_uplift"})


def _nice(kpi: KPI, x: float) -> float:
    """Round a target the way a person would write it: ratios to 0.1 percentage point,
    other period values to 0.01 below 10 (a ROAS of 1.04), to 0.1 below 100 and whole from
    100, sums to 3 significant digits."""
    if kpi.unit == "ratio":
        return float(np.round(x, 3))
    if not kpi.additive:
        return float(np.round(x, 2 if x < 10 else 1 if x < 100 else 0))
    if x <= 0:
        return 0.0
    digits = min(3 - int(np.floor(np.log10(abs(x)))) - 1, 0)  # 3 significant, whole numbers
    return float(np.round(x, digits))


def calibrate(frames: dict[str, pl.DataFrame], plan: pl.DataFrame, end: dt.date) -> pl.DataFrame:
    """kpi_targets for `plan` (`demo._target_plan`) on the generated `frames` whose last day
    is `end`.

    Each target's actual is its KPI from the catalog over its period up to `end`, for its
    campaign (brand-wide targets: all campaigns); an additive KPI's actual is taken at its
    run rate to the period's end when the period runs past `end`. The target is the actual
    times the plan's factor (divided by it when lower is better), shares capped below 100 %,
    rounded by `_nice`. A target whose actual is missing or not positive is left out."""
    source = FrameSource(frames, key="demo")
    settings = Settings(database_url="", sla_minutes=demo.SLA_MINUTES)  # not the environment's
    shared: dict[object, object] = {}  # e.g. the orders sorted per customer, once
    rows = []
    for cid, kid, start, stop, factor in plan.iter_rows():
        kpi = CATALOG[kid]
        last = min(stop, end)
        ws = Workspace(source, Period(start, last), Filters(campaigns=(cid,) if cid else ()),
                       settings=settings, shared=shared)
        actual = kpi.compute(ws)
        if actual is None or actual <= 0:
            continue
        if kpi.additive and stop > end:  # in progress: the run rate to the period's end
            actual *= ((stop - start).days + 1) / ((last - start).days + 1)
        target = actual / factor if kpi.direction == "lower" else actual * factor
        if kpi.unit == "ratio" and kid not in NOT_SHARES:
            target = min(target, SHARE_CAP)
        rows.append((cid, kid, start, stop, _nice(kpi, target)))
    return pl.DataFrame(rows, schema=ds.get("kpi_targets").schema, orient="row").sort(
        ["campaign_id", "kpi", "period_start"], nulls_last=False
    )


def generate(seed: int = demo.DEFAULT_SEED, end: dt.date = demo.DEFAULT_END
             ) -> dict[str, pl.DataFrame]:
    """Every dataset for the two years ending `end`, as typed frames keyed by name in
    `datasets` order: `demo.generate_rows` and the targets calibrated on them. The same
    seed and end always give identical frames."""
    rows = demo.generate_rows(seed, end)
    frames = {**rows.frames, "kpi_targets": calibrate(rows.frames, rows.plan, rows.end)}
    return {name: frames[name] for name in ds.DATASETS}


def main(argv: list[str] | None = None) -> int:
    """Regenerate `data/demo/*.csv` (or the folder given as the only argument)."""
    args = sys.argv[1:] if argv is None else argv
    folder = Path(args[0]) if args else DEMO_DIR
    frames = generate()
    for path in demo.write_csvs(frames, folder):
        name = path.stem
        print(f"{path}: {frames[name].height} rows, {path.stat().st_size / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
