"""Cohort matrix and every repeat KPI on generated orders: smmkpi (Polars) against pandas.

    .venv/bin/python benchmarks/retention.py            # 1M and 5M orders
    .venv/bin/python benchmarks/retention.py --sizes 1000000 --repeat 3

The orders (1M: 200k customers; 5M: 1M customers; two years) are written once to Parquet in
a temporary folder. Each implementation then runs in its own process, so that its peak
resident memory can be read (`ru_maxrss`, reported as the rise above the memory held once the
orders are loaded). The timed work, for both, starts from the loaded orders: number each
customer's orders, the monthly cohort matrix (customers measure, until the last day) and
every repeat KPI for the last 90 days. The pandas results are checked against Polars'.
Wall time is the best of `--repeat` runs; CPU time (all threads) is printed beside it because
wall time depends on what else the machine is doing (Polars uses every core, pandas one).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from smmkpi.kpis import retention  # noqa: E402

FIRST = dt.datetime(2023, 1, 1, tzinfo=dt.UTC)
DAYS = 730
END = (FIRST + dt.timedelta(days=DAYS - 1)).date()  # 2024-12-31
START = END - dt.timedelta(days=89)


def generate(n: int, seed: int = 7) -> pl.DataFrame:
    """n orders of n // 5 customers: each customer has an acquisition time; most orders come
    some exponentially distributed time after it (mean 120 days), clipped to the range."""
    rng = np.random.default_rng(seed)
    n_customers = n // 5
    acquired = rng.integers(0, DAYS * 86_400, n_customers)
    customer = (n_customers * rng.random(n) ** 2).astype(np.int64)  # a few buy a lot
    gap = (rng.exponential(120 * 86_400, n) * (rng.random(n) < 0.8)).astype(np.int64)
    seconds = np.minimum(acquired[customer] + gap, DAYS * 86_400 - 1)
    seconds[rng.random(n) < 0.01] = acquired[customer][:1]  # some ties at one timestamp
    order_number = rng.permutation(n)  # ids unrelated to time
    channel = np.array(["instagram", "facebook", "email", "organic search", ""])[
        rng.integers(0, 5, n)
    ]
    return pl.DataFrame(
        {
            "order_id": order_number,
            "customer_id": customer,
            "ordered_at": seconds * 1_000_000,
            "revenue": np.round(rng.gamma(2.0, 30.0, n), 2),
            "channel": channel,
        }
    ).select(
        pl.format("O{}", pl.col("order_id").cast(pl.String).str.zfill(9)).alias("order_id"),
        pl.format("C{}", pl.col("customer_id").cast(pl.String).str.zfill(8)).alias(
            "customer_id"
        ),
        (pl.lit(FIRST) + pl.duration(microseconds=pl.col("ordered_at")))
        .cast(pl.Datetime("us", "UTC"))
        .alias("ordered_at"),
        "revenue",
        pl.when(pl.col("channel") != "").then(pl.col("channel")).alias("channel"),
    )


# --------------------------------------------------------------------------- Polars


def run_polars(orders: pl.DataFrame) -> dict:
    prepared = retention.prepare(orders)
    long = retention.cohort_matrix_long(prepared, until=END)
    kpis = retention.repeat_kpis(prepared, START, END)
    return {"kpis": kpis, "matrix": long.select("cohort", "k", "customers", "share")}


# --------------------------------------------------------------------------- pandas


def run_pandas(orders: pd.DataFrame) -> dict:
    """The same definitions written with pandas idioms (sort, cumcount, groupby)."""
    df = orders[["customer_id", "order_id", "ordered_at", "revenue"]]
    df = df[df["ordered_at"] < pd.Timestamp(END + dt.timedelta(days=1), tz="UTC")]
    df = df.sort_values(["customer_id", "ordered_at", "order_id"], ignore_index=True)
    by_customer = df.groupby("customer_id", sort=False)
    seq = by_customer.cumcount()
    day = df["ordered_at"].dt.floor("D")
    first_day = day.groupby(df["customer_id"], sort=False).transform("first")
    month = day.dt.year * 12 + day.dt.month - 1
    cohort = first_day.dt.year * 12 + first_day.dt.month - 1
    e = pd.DataFrame(
        {
            "customer_id": df["customer_id"],
            "revenue": df["revenue"],
            "seq": seq,
            "day": day,
            "first_day": first_day,
            "month": month,
            "cohort": cohort,
        }
    )

    # repeat KPIs
    lo_ts = pd.Timestamp(START, tz="UTC")
    p = e[e["day"] >= lo_ts]
    per_customer = p.groupby("customer_id", sort=False).agg(n=("seq", "size"), top=("seq", "max"))
    n_customers = len(per_customer)
    revenue = p["revenue"].sum()

    def div(a: float, b: float) -> float | None:
        return float(a) / float(b) if b else None

    second = p[p["seq"] == 1]
    days = (second["day"] - second["first_day"]).dt.days
    # m1/m3 read the complete months that end in the period (else the last one before END)
    month_ends = pd.date_range(START - pd.DateOffset(months=1), END, freq="ME")
    ends = [d for d in month_ends if START <= d.date() <= END] or [month_ends[-1]]
    months = [d.year * 12 + d.month - 1 for d in ends]
    m = {}
    for k in (1, 3):
        retained = e[e["month"].isin(months) & (e["month"] - e["cohort"] == k)]
        firsts = e[(e["seq"] == 0) & e["cohort"].isin([x - k for x in months])]
        m[k] = div(retained["customer_id"].nunique(), len(firsts))
    kpis = {
        "orders": len(p),
        "revenue": float(revenue),
        "customers": n_customers,
        "repeat_purchase_rate": div((per_customer["n"] >= 2).sum(), n_customers),
        "returning_customer_rate": div((per_customer["top"] >= 1).sum(), n_customers),
        "returning_revenue_share": div(p.loc[p["seq"] >= 1, "revenue"].sum(), revenue),
        "orders_per_customer": div(len(p), n_customers),
        "median_days_to_second_order": float(days.median()) if len(days) else None,
        "m1_retention": m[1],
        "m3_retention": m[3],
    }

    # cohort matrix (monthly, customers)
    e["k"] = e["month"] - e["cohort"]
    cells = e.groupby(["cohort", "k"])["customer_id"].nunique().rename("customers")
    sizes = e[e["seq"] == 0].groupby("cohort").size()
    last = END.year * 12 + END.month - 1
    grid = pd.MultiIndex.from_tuples(
        [(c, k) for c in sizes.index for k in range(last - c + 1)], names=["cohort", "k"]
    )  # a few hundred cells: one per reachable (cohort, k)
    matrix = cells.reindex(grid, fill_value=0).reset_index()
    matrix["share"] = matrix["customers"] / matrix["cohort"].map(sizes)
    return {"kpis": kpis, "matrix": matrix}


# --------------------------------------------------------------------------- harness


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def worker(impl: str, path: str, repeat: int) -> None:
    if impl == "polars":
        data: object = pl.read_parquet(path)
        fn = run_polars
    else:
        data = pl.read_parquet(path).to_pandas()
        fn = run_pandas
    base = rss_mb()
    times, cpu = [], []
    result = None
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        result = fn(data)  # type: ignore[arg-type]
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    assert result is not None
    matrix = result["matrix"]
    if isinstance(matrix, pd.DataFrame):
        cells = [(int(c), int(k), int(n)) for c, k, n in matrix[["cohort", "k", "customers"]]
                 .itertuples(index=False)]
    else:
        cells = [(d.year * 12 + d.month - 1, k, n) for d, k, n, _ in matrix.iter_rows()]
    print(
        json.dumps(
            {
                "seconds": min(times),
                "all_seconds": times,
                "cpu_seconds": min(cpu),
                "peak_mb": rss_mb(),
                "loaded_mb": base,
                "kpis": result["kpis"],
                "cells": sorted(cells),
            }
        )
    )


def same(a: dict, b: dict) -> bool:
    for key in retention.KPI_KEYS:
        x, y = a[key], b[key]
        if (x is None) != (y is None):
            return False
        if x is not None and abs(x - y) > 1e-6 * max(1.0, abs(x)):
            return False
    return True


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000000,5000000")
    ap.add_argument("--repeat", type=int, default=3, help="runs per implementation (best kept)")
    ap.add_argument("--worker", choices=["polars", "pandas"], help=argparse.SUPPRESS)
    ap.add_argument("--path", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(args.worker, args.path, args.repeat)
        return
    print(f"polars {pl.__version__}, pandas {pd.__version__}, period {START} – {END}")
    with tempfile.TemporaryDirectory() as tmp:
        for n in (int(s) for s in args.sizes.split(",")):
            path = str(Path(tmp) / f"orders_{n}.parquet")
            t0 = time.perf_counter()
            generate(n).write_parquet(path)
            print(f"\n{n:,} orders, {n // 5:,} customers (generated in "
                  f"{time.perf_counter() - t0:.1f} s)")
            out = {}
            for impl in ("polars", "pandas"):
                proc = subprocess.run(
                    [sys.executable, __file__, "--worker", impl, "--path", path,
                     "--repeat", str(args.repeat)],
                    capture_output=True, text=True, check=True,
                )
                out[impl] = json.loads(proc.stdout.strip().splitlines()[-1])
                o = out[impl]
                print(f"  {impl:7s} {o['seconds']:7.2f} s, CPU {o['cpu_seconds']:6.2f} s (runs: "
                      f"{', '.join(f'{s:.2f}' for s in o['all_seconds'])})  peak memory "
                      f"+{o['peak_mb'] - o['loaded_mb']:,.0f} MB over the loaded orders "
                      f"({o['loaded_mb']:,.0f} MB)")
            ok = same(out["polars"]["kpis"], out["pandas"]["kpis"]) and (
                out["polars"]["cells"] == out["pandas"]["cells"]
            )
            print(f"  pandas / polars = {out['pandas']['seconds'] / out['polars']['seconds']:.1f}×"
                  f"   results identical: {'yes' if ok else 'NO'}")
            k = out["polars"]["kpis"]
            print("  " + ", ".join(
                f"{key} {v:.3f}" if isinstance(v, float) else f"{key} {v}" for key, v in k.items()
            ))
            if not ok:
                raise SystemExit("pandas and Polars disagree")


if __name__ == "__main__":
    main()
