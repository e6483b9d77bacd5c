"""Check and import speed of smmkpi (ingest + store) against Polars and ADBC alone.

    python benchmarks/ingest.py [--rows 1000000] [--repeat 3] [--layout canonical|european]
                                [--no-import]

Writes a generated orders CSV (canonical: ISO timestamps with Z, decimal points; european:
semicolons, decimal commas with thousands dots, DD/MM/YYYY HH:MM timestamps) to a temporary
folder, then times, best of `--repeat` runs each:

- check: `pl.read_csv(path, infer_schema=False)` (the baseline: bytes to text columns, no
  checks) against `ingest.parse_file(path)` (detection, mapping, typing, every check,
  problems with row numbers): what `python -m smmkpi check` and the Upload page do;
- import into SQLite: the baseline is `pl.read_csv(path)` (Polars' own type inference) plus
  `df.write_database(table, uri, engine="adbc")` into a fresh table of a fresh file (a bulk
  write, no key, no index, no checks); a second baseline appends the same way into the app's
  empty, migrated `orders` table (its primary key and indexes maintained); the whole import is
  `parse_file` plus `store.write_frames` into a fresh migrated database (staging through
  ADBC, upsert by key, audit row, one transaction): what `python -m smmkpi import` and the
  Upload page's Import button do. Also timed: importing the same file again into the full
  database (every row compared and counted unchanged, nothing rewritten).

Prints seconds, CPU seconds and the ratio whole import / (read_csv + ADBC write); the target
is at most 2x. The check is timed in wall and CPU seconds too (on a shared, loaded machine
compare the CPU figures, and alternate the runs of two versions).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from smmkpi import db, ingest, store  # noqa: E402


def generate(rows: int, layout: str) -> pl.DataFrame:
    """Orders with unique ids, 200k customers, one order every 31 seconds from 2025-01-01."""
    i = pl.int_range(rows, dtype=pl.Int64)
    at = pl.lit(datetime(2025, 1, 1)) + pl.duration(seconds=i * 31)
    revenue = ((i * 7919) % 250_000) / 100
    df = pl.select(
        order_id=pl.format("O{}", i),
        customer_id=pl.format("C{}", i % 200_000),
        ordered_at=at.dt.strftime("%Y-%m-%dT%H:%M:%SZ"),
        revenue=revenue.round(2).cast(pl.String),
        channel=pl.lit("Organic Social"),
    )
    if layout == "european":
        euro = (
            revenue.round(2)
            .cast(pl.String)
            .str.replace(r"^(\d+)(\d{3})(\.|$)", "$1.$2$3")  # thousands dot
            .str.replace(r"\.(\d{1,2})$", ",$1")  # decimal comma
        )
        df = df.with_columns(
            ordered_at=at.dt.strftime("%d/%m/%Y %H:%M"),
            revenue=pl.select(euro).to_series(),
        )
    return df


def best(
    fn: Callable[[], object], repeat: int, setup: Callable[[], None] | None = None
) -> tuple[float, float, object]:
    """The best wall time and the best CPU time (this process, all threads; the SQLite
    drivers run in it) of `repeat` runs of fn (setup, untimed, before each), and its result.
    On a shared, loaded machine the CPU times are the steadier figures."""
    walls, cpus, out = [], [], None
    for _ in range(repeat):
        if setup is not None:
            setup()
        c0, t0 = time.process_time(), time.perf_counter()
        out = fn()
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return min(walls), min(cpus), out


def fresh_sqlite(path: Path, migrate: bool) -> str:
    """A new, empty SQLite file (migrated to the app's schema when asked); its URL."""
    db.close_pools()
    for p in (path, Path(f"{path}-journal")):
        p.unlink(missing_ok=True)
    url = f"sqlite:///{path}"
    if migrate:
        db.migrate(db.make_engine(url))
    return url


def import_benchmark(path: Path, sep: str, repeat: int, tmp: Path) -> None:
    """Whole import (parse_file + store.write_frames) against read_csv + ADBC write."""
    base_db = tmp / "baseline.db"
    app_db = tmp / "app.db"

    def baseline() -> int:
        df = pl.read_csv(path, separator=sep)
        return df.write_database("orders_baseline", f"sqlite:///{base_db}", engine="adbc",
                                 if_table_exists="replace")

    # warm up (module imports, driver loading) so that no timed run pays for them
    tiny = tmp / "tiny.csv"
    pl.read_csv(path, separator=sep, n_rows=10).write_csv(tiny, separator=sep)
    fresh_sqlite(base_db, migrate=False)
    pl.read_csv(tiny, separator=sep).write_database(
        "warm", f"sqlite:///{base_db}", engine="adbc", if_table_exists="replace")
    warm = db.make_engine(fresh_sqlite(app_db, migrate=True))
    store.write_frames(warm, ingest.parse_file(tiny, max_bytes=0).frames, actor="benchmark")

    def keyed() -> int:
        df = pl.read_csv(path, separator=sep)
        return df.write_database("orders", f"sqlite:///{base_db}", engine="adbc",
                                 if_table_exists="append")

    t_read, c_read, _ = best(lambda: pl.read_csv(path, separator=sep), repeat)
    t_base, c_base, _ = best(baseline, repeat, setup=lambda: fresh_sqlite(base_db, migrate=False))
    t_keyed, c_keyed, _ = best(keyed, repeat, setup=lambda: fresh_sqlite(base_db, migrate=True))

    results: dict[str, store.WriteResult] = {}

    def whole() -> None:
        pf = ingest.parse_file(path, max_bytes=0)
        if not pf.ok:
            raise SystemExit("parse_file found problems: " + "; ".join(map(str, pf.problems[:5])))
        engine = db.make_engine(f"sqlite:///{app_db}")
        results.update(store.write_frames(engine, pf.frames, actor="benchmark"))

    t_parse, c_parse, _ = best(lambda: ingest.parse_file(path, max_bytes=0), repeat)
    t_whole, c_whole, _ = best(whole, repeat, setup=lambda: fresh_sqlite(app_db, migrate=True))
    fresh = results["orders"]
    # the same file again, into the database that now holds it: all unchanged
    t_again, c_again, _ = best(whole, repeat)
    again = results["orders"]
    assert (fresh.inserted, again.unchanged) == (fresh.rows, fresh.rows), (fresh, again)
    size = app_db.stat().st_size
    print(f"import into SQLite ({fresh.rows:,} orders, database {size / 2**20:,.0f} MB), "
          "best wall / best CPU seconds:")
    rows = [
        ("polars read_csv (inferred types)", t_read, c_read, ""),
        ("baseline: read_csv + ADBC write", t_base, c_base, "new table: no key, no index"),
        ("read_csv + ADBC append, app's table", t_keyed, c_keyed,
         "empty orders table: primary key and indexes"),
        ("ingest.parse_file (check)", t_parse, c_parse, ""),
        ("whole import, fresh database", t_whole, c_whole, "parse_file + store.write_frames"),
        ("whole import again", t_again, c_again, "every row unchanged, nothing rewritten"),
    ]
    for label, wall, cpu, note in rows:
        print(f"  {label:38s} {wall:7.3f} s {cpu:7.3f} s CPU  {note}")
    print(f"  ratio whole import / baseline          {t_whole / t_base:7.2f} x "
          f"{c_whole / c_base:7.2f} x CPU  (target <= 2)")
    print(f"  ratio whole import / app-table append  {t_whole / t_keyed:7.2f} x "
          f"{c_whole / c_keyed:7.2f} x CPU")
    print(f"  ratio re-import / baseline             {t_again / t_base:7.2f} x "
          f"{c_again / c_base:7.2f} x CPU")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--layout", choices=["canonical", "european"], default="canonical")
    ap.add_argument("--no-import", action="store_true", help="time the check only")
    args = ap.parse_args()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"machine: {os.cpu_count()} CPUs, load average {load:.1f} at start")

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "orders.csv"
        sep = ";" if args.layout == "european" else ","
        generate(args.rows, args.layout).write_csv(path, separator=sep)
        size = path.stat().st_size
        base, base_cpu, _ = best(
            lambda: pl.read_csv(path, infer_schema=False, separator=sep), args.repeat)
        full, full_cpu, pf = best(lambda: ingest.parse_file(path, max_bytes=0), args.repeat)
        assert isinstance(pf, ingest.ParsedFile)
        if not pf.ok:
            raise SystemExit("parse_file found problems: " + "; ".join(map(str, pf.problems[:5])))
        print(f"orders CSV, {args.layout} layout: {args.rows:,} rows, {size / 2**20:,.1f} MB")
        print(f"  polars read_csv (text columns only) {base:7.3f} s {base_cpu:7.3f} s CPU")
        print(f"  ingest.parse_file (typed, checked)  {full:7.3f} s {full_cpu:7.3f} s CPU")
        print(f"  ratio parse_file / read_csv         {full / base:7.1f} x "
              f"{full_cpu / base_cpu:7.1f} x CPU")
        print(f"  notes: {'; '.join(pf.notes)}")
        del pf
        if not args.no_import:
            import_benchmark(path, sep, args.repeat, Path(tmp))
        db.close_pools()


if __name__ == "__main__":
    main()
