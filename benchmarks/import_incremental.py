"""One day's import into a large database, end to end: `python -m smmkpi import` of the
next day's orders (10k by default, 70 % from known customers), their new customers, a day
of web sessions and of social rows; then the day's figures from `python -m smmkpi report`
checked against the files. The goal (issue 16): under 3 s at scale XL.

usage: python benchmarks/import_incremental.py [--database URL] [--dir /tmp/smmkpi-bench]
       [--orders 10000]

The database is one built by `benchmarks/pages.py` (default: its scale-L SQLite file); each
run adds the day after the last stored one, so runs can repeat.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from smmkpi import db, store  # noqa: E402
from smmkpi.models import CustomerSummary  # noqa: E402

GOAL_S = 3.0


def day_files(url: str, folder: Path, n_orders: int) -> tuple[dt.date, dict[str, float]]:
    """Write the next day's CSV files into `folder`; returns the day and its expected
    figures (orders, revenue, customers)."""
    from sqlalchemy import select

    engine = db.make_engine(url)
    _, last = store.bounds(engine)
    assert last is not None, "the database holds no data: build it with benchmarks/pages.py"
    day = last + dt.timedelta(days=1)
    known = db.read_frame(engine, select(CustomerSummary.customer_id).limit(50_000))
    rng = random.Random(day.toordinal())
    ids = known["customer_id"].to_list()
    tag = day.strftime("%Y%m%d")
    customers = [rng.choice(ids) if rng.random() < 0.7 else f"N{tag}-{rng.randrange(10**6)}"
                 for _ in range(n_orders)]
    orders = pl.DataFrame({
        "order_id": [f"D{tag}-{i:06d}" for i in range(n_orders)],
        "customer_id": customers,
        "ordered_at": [f"{day}T{rng.randrange(24):02d}:{rng.randrange(60):02d}:"
                       f"{rng.randrange(60):02d}Z" for _ in range(n_orders)],
        "revenue": [round(rng.uniform(5, 250), 2) for _ in range(n_orders)],
        "channel": [rng.choice(["Organic Social", "Email", "Direct", "Paid Search"])
                    for _ in range(n_orders)],
    })
    orders.write_csv(folder / "orders.csv")
    new = sorted({c for c in customers if c.startswith("N")})
    pl.DataFrame({"customer_id": new, "acquisition_channel": ["Organic Social"] * len(new),
                  "follows_on_social": [i % 2 == 0 for i in range(len(new))]}).write_csv(
        folder / "customers.csv")
    for name in ("web_sessions", "social_daily"):
        rows = store.read_dataset(engine, name, last, last).with_columns(date=pl.lit(day))
        rows.write_csv(folder / f"{name}.csv")
    engine.dispose()
    return day, {"orders": n_orders, "revenue": float(orders["revenue"].sum()),
                 "customers": len(set(customers))}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--database", metavar="URL")
    ap.add_argument("--dir", type=Path, default=Path("/tmp/smmkpi-bench"))
    ap.add_argument("--orders", type=int, default=10_000)
    args = ap.parse_args()
    url = args.database or f"sqlite:///{args.dir / 'pages-x80.db'}"
    cli = [sys.executable, "-m", "smmkpi", "--database", url]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        day, expected = day_files(url, folder, args.orders)
        files = [str(folder / f"{n}.csv") for n in ("orders", "customers", "web_sessions",
                                                     "social_daily")]
        t = time.perf_counter()
        out = subprocess.run([*cli, "import", *files], cwd=ROOT, capture_output=True,
                             text=True, check=False)
        took = time.perf_counter() - t
        print(out.stdout.strip() or out.stderr.strip())
        if out.returncode:
            sys.exit(f"import failed ({out.returncode})")
        t = time.perf_counter()
        rep = subprocess.run([*cli, "report", "--from", str(day), "--to", str(day)], cwd=ROOT,
                             capture_output=True, text=True, check=True)
        report_s = time.perf_counter() - t
    got = json.loads(rep.stdout)  # KPI id: value
    values = {k: got[k] for k in expected}
    right = (values["orders"] == expected["orders"]
             and abs(values["revenue"] - expected["revenue"]) < 0.005
             and values["customers"] == expected["customers"])
    print(f"import of {day} ({args.orders:,} orders, {expected['customers']:,} customers, a day "
          f"of sessions and social rows): {took:.2f} s end to end (goal < {GOAL_S:g} s): "
          f"{'PASS' if took < GOAL_S else 'FAIL'}")
    print(f"report for the day: {report_s:.2f} s; orders {values['orders']}, revenue "
          f"{values['revenue']:.2f}, customers {values['customers']}: "
          f"{'as imported' if right else 'WRONG: expected ' + str(expected)}")
    sys.exit(0 if right and took < GOAL_S else 1)


if __name__ == "__main__":
    main()
