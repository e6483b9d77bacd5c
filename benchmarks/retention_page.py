"""What the Retention page computes, on generated orders and customers (1M and 5M orders).

    .venv/bin/python benchmarks/retention_page.py                  # 1M and 5M orders
    .venv/bin/python benchmarks/retention_page.py --sizes 1000000

Starts from loaded frames (reading from the database is measured in benchmarks/io.py) and
times, step by step, what a cold page run computes: one sort of every order with each
customer's attributes looked up once (`prepare(orders, customers)`), the repeat KPIs for the
period and the comparison period, the monthly cohort matrix (long, wide, curve), the
follower gap, the splits by acquisition channel and by order channel (the page shows one of
the two splits at a time), and the days to second order; then the figure builders. A warm
run reads all of these from `cache.computed` and only draws, so the figure time is the warm
floor. It also prints what a grain/measure switch costs (the cohorts again, on the cached
Prepared).

The machine may be shared: each step prints its wall time and the CPU time of this process
(all threads) beside it, and the load average is printed before and after each size. Run it
two or three times and keep the best.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from retention import END, generate  # noqa: E402

from smmkpi import charts  # noqa: E402
from smmkpi.kpis import retention as r  # noqa: E402

START = END - dt.timedelta(days=27)  # the page's default: the last 28 days
PREV = (START - dt.timedelta(days=28), START - dt.timedelta(days=1))


def customers_for(orders: pl.DataFrame, seed: int = 11) -> pl.DataFrame:
    ids = orders.select(pl.col("customer_id").unique().sort())["customer_id"]
    rng = np.random.default_rng(seed)
    channels = np.array(["Organic Search", "Paid Social", "Organic Social", "Email", "Direct"])
    return pl.DataFrame({
        "customer_id": ids,
        "acquisition_channel": channels[rng.integers(0, 5, ids.len())],
        "follows_on_social": rng.random(ids.len()) < 0.4,
    })


CPU: dict[str, float] = {}  # label → CPU seconds of the last timed call


def timed(label: str, fn, times: dict):  # type: ignore[no-untyped-def]
    t0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    times[label] = time.perf_counter() - t0
    CPU[label] = time.process_time() - c0
    return out


def load() -> str:
    return "load average " + ", ".join(f"{x:.1f}" for x in os.getloadavg())


def run(n: int) -> None:
    print(f"\n{load()} (before {n:,})")
    orders = generate(n)
    customers = customers_for(orders)
    t: dict[str, float] = {}
    p = timed("prepare (sort, customers looked up)", lambda: r.prepare(orders, customers), t)
    timed("repeat KPIs, period", lambda: r.repeat_kpis(p, START, END), t)
    timed("repeat KPIs, comparison period", lambda: r.repeat_kpis(p, *PREV), t)
    since = r.default_cohort_since(START, END, "month")
    long = timed("cohort matrix (long)", lambda: r.cohort_matrix_long(p, until=END, since=since),
                 t)
    wide = timed("  wide table + curve", lambda: (r.widen_cohorts(long),
                                                  r.curve_from_long(long)), t)[0]
    gap = timed("follower gap", lambda: r.follower_gap(p, None, START, END), t)
    acq = timed("split by acquisition channel",
                lambda: r.repeat_kpis_by(p, None, START, END, "acquisition_channel"), t)
    timed("split by order channel", lambda: r.repeat_kpis_by(p, None, START, END, "channel"), t)
    days = timed("days to second order", lambda: r.days_to_second_order(p, START, END), t)
    cold = sum(t.values())
    f: dict[str, float] = {}
    timed("heatmap", lambda: charts.cohort_heatmap(long, grain="month", measure="customers",
                                                   title="t"), f)
    timed("curve", lambda: charts.retention_curve_figure(r.curve_from_long(long),
                                                         grain="month", measure="customers",
                                                         title="t"), f)
    timed("histogram", lambda: charts.days_histogram(days["days"], title="t"), f)
    timed("bars", lambda: (charts.labelled_bars(gap, "kpi", ["followers", "non_followers"],
                                                ["F", "N"], title="t", y_title="y"),
                           charts.labelled_bars(acq, "group", ["repeat_purchase_rate"], ["R"],
                                                title="t", y_title="y")), f)
    week_since = r.default_cohort_since(START, END, "week")
    switch = {}
    timed("weekly cohorts", lambda: r.cohort_matrix_long(p, until=END, grain="week",
                                                         since=week_since), switch)
    print(f"\n{n:,} orders, {customers.height:,} customers, period {START} – {END}; "
          f"{wide.height} cohorts, {days.height:,} second orders in the period")
    for k, v in t.items():
        print(f"  {k:<40} {v:6.2f} s   CPU {CPU[k]:6.2f} s")
    print(f"  {'cold total (computations)':<40} {cold:6.2f} s   CPU "
          f"{sum(CPU[k] for k in t):6.2f} s")
    for k, v in f.items():
        print(f"  figure: {k:<32} {v:6.3f} s")
    print(f"  {'warm floor (figures only)':<40} {sum(f.values()):6.2f} s")
    print(f"  {'switch to weekly (cached Prepared)':<40} {switch['weekly cohorts']:6.2f} s")
    print(f"  share of cold time in prepare: {t['prepare (sort, customers looked up)'] / cold:.0%}")
    print(f"  {load()}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 5_000_000])
    args = ap.parse_args()
    for n in args.sizes:
        run(n)


if __name__ == "__main__":
    main()
