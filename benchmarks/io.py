"""Import and read of 1M orders on SQLite: smmkpi's store against the naive SQLModel ORM
path and against a raw Polars/ADBC baseline. Prints seconds and ratios.

usage: python benchmarks/io.py [--rows 1000000] [--orm-rows 100000] [--postgres URL]

The ORM paths are slow enough that they run on --orm-rows and are scaled linearly to
--rows (the figure is marked "scaled").
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl
from sqlmodel import Session, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from smmkpi import db, store  # noqa: E402
from smmkpi.models import Order  # noqa: E402


def make_orders(n: int, seed: int = 1) -> pl.DataFrame:
    """n orders over two years from n/5 customers, typed like the orders spec."""
    rng = np.random.default_rng(seed)
    start = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    seconds = np.sort(rng.integers(0, 2 * 365 * 86400, n))
    return pl.DataFrame({
        "order_id": [f"o{i:08d}" for i in range(n)],
        "customer_id": [f"c{c:07d}" for c in rng.integers(0, n // 5 + 1, n)],
        "seconds": seconds,
        "revenue": np.round(rng.lognormal(4, 0.6, n), 2),
        "channel": rng.choice(np.array(["Organic Social", "Paid Search", "Email", ""]), n),
    }).select(
        "order_id", "customer_id",
        (pl.lit(start).dt.cast_time_unit("us") + pl.duration(seconds=pl.col("seconds")))
        .alias("ordered_at"),
        "revenue",
        pl.when(pl.col("channel") == "").then(None).otherwise(pl.col("channel")).alias("channel"),
    )


def timed(fn) -> float:  # type: ignore[no-untyped-def]
    gc.collect()
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def bench(url: str, n: int, orm_n: int, label: str) -> None:
    orders = make_orders(n)
    small = orders.head(orm_n)
    scale = n / orm_n

    def fresh() -> object:
        e = db.make_engine(url)
        if e.dialect.name == "postgresql":
            from sqlalchemy import text

            with e.begin() as c:
                c.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        else:
            f = db.sqlite_file(e)
            db.close_pools()
            for p in (f, Path(str(f) + "-journal")):
                if p and p.exists():
                    p.unlink()
        db.migrate(e)
        return e

    # --- import
    e = fresh()
    t_store = timed(lambda: store.write_frames(e, {"orders": orders}))
    e = fresh()

    def orm_write() -> None:
        rows = [Order(**r) for r in small.iter_rows(named=True)]
        with Session(e) as s:
            s.add_all(rows)
            s.commit()

    t_orm_w = timed(orm_write) * scale
    e = fresh()
    target = db.adbc_uri(e)[1]  # type: ignore[index]
    if e.dialect.name == "sqlite":
        target = "sqlite:///" + target
    t_raw_w = timed(lambda: orders.write_database("raw_orders", target, engine="adbc",
                                                  if_table_exists="replace"))

    # --- read (the table written by the store)
    e = fresh()
    store.write_frames(e, {"orders": orders})
    stmt = select(Order)
    t_read = timed(lambda: store.read_dataset(e, "orders"))
    t_pl_sa = timed(lambda: pl.read_database(stmt, e))

    def orm_read() -> None:
        with Session(e) as s:
            objs = s.exec(select(Order).limit(orm_n)).all()
            pl.DataFrame([o.model_dump() for o in objs])

    t_orm_r = timed(orm_read) * scale

    def raw_read() -> None:
        with db.reader(e) as conn:
            cur = conn.cursor()
            if e.dialect.name == "sqlite":
                cur.adbc_statement.set_options(**{db.SQLITE_BATCH_OPTION: "1000000000"})
            cur.execute("SELECT * FROM orders")
            pl.from_arrow(cur.fetch_arrow_table())
            cur.close()

    t_raw_r = timed(raw_read)
    db.close_pools()

    print(f"\n{label}: {n:,} orders (ORM paths measured on {orm_n:,} rows, scaled x{scale:g})")
    print(f"{'path':<48}{'seconds':>10}{'ratio':>10}")
    rows = [
        ("import: smmkpi store.write_frames (upsert)", t_store, t_store),
        ("import: SQLModel session.add_all (scaled)", t_orm_w, t_store),
        ("import: raw Polars write_database(adbc)", t_raw_w, t_store),
        ("read:   smmkpi store.read_dataset (typed)", t_read, t_read),
        ("read:   SQLModel ORM objects (scaled)", t_orm_r, t_read),
        ("read:   pl.read_database(select, engine)", t_pl_sa, t_read),
        ("read:   raw ADBC SELECT * to Polars", t_raw_r, t_read),
    ]
    for name, secs, ref in rows:
        print(f"{name:<48}{secs:>10.2f}{secs / ref:>9.1f}x")
    print(f"store import is {t_orm_w / t_store:.0f}x faster than the ORM, "
          f"{t_store / t_raw_w:.2f}x the raw bulk write (which does no upsert or checks); "
          f"store read is {t_orm_r / t_read:.0f}x faster than ORM objects, "
          f"{t_pl_sa / t_read:.1f}x faster than pl.read_database, "
          f"{t_read / t_raw_r:.2f}x the raw ADBC read")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--orm-rows", type=int, default=100_000)
    ap.add_argument("--postgres", metavar="URL", help="also run against this PostgreSQL URL")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        bench(f"sqlite:///{tmp}/bench.db", args.rows, args.orm_rows, "SQLite")
    if args.postgres:
        bench(args.postgres, args.rows, args.orm_rows, "PostgreSQL")


if __name__ == "__main__":
    main()
