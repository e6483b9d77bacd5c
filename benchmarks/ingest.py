"""Parse speed of smmkpi.ingest against Polars' own CSV reader.

    python benchmarks/ingest.py [--rows 1000000] [--repeat 3] [--layout canonical|european]

Writes a generated orders CSV (canonical: ISO timestamps with Z, decimal points; european:
semicolons, decimal commas with thousands dots, DD/MM/YYYY HH:MM timestamps) to a temporary
folder, then times `pl.read_csv(path, infer_schema=False)` (the baseline: bytes to text
columns, no checks) and `ingest.parse_file(path)` (detection, mapping, typing, every check,
problems with row numbers). Prints the best of `--repeat` runs of each and their ratio.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from smmkpi import ingest  # noqa: E402


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


def best(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--layout", choices=["canonical", "european"], default="canonical")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "orders.csv"
        sep = ";" if args.layout == "european" else ","
        generate(args.rows, args.layout).write_csv(path, separator=sep)
        size = path.stat().st_size
        base, _ = best(lambda: pl.read_csv(path, infer_schema=False, separator=sep), args.repeat)
        full, pf = best(lambda: ingest.parse_file(path, max_bytes=0), args.repeat)
    assert isinstance(pf, ingest.ParsedFile)
    if not pf.ok:
        raise SystemExit("parse_file found problems: " + "; ".join(map(str, pf.problems[:5])))
    print(f"orders CSV, {args.layout} layout: {args.rows:,} rows, {size / 2**20:,.1f} MB")
    print(f"  polars read_csv (text columns only) {base:7.3f} s")
    print(f"  ingest.parse_file (typed, checked)  {full:7.3f} s")
    print(f"  ratio parse_file / read_csv         {full / base:7.1f} x")
    print(f"  notes: {'; '.join(pf.notes)}")


if __name__ == "__main__":
    main()
