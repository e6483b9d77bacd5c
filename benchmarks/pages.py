"""Every page at the scale of a large brand: cold and warm render times, the process's peak
memory, and a pass/fail against the goals of issue 16.

Builds (once) a database with the demo data scaled up by replicating the demo rows under
new keys (their distributions stay realistic), then runs each page with Streamlit's
AppTest: "cold" is a page's first run from empty caches (after landing on the Overview, as
a person does, with every cache cleared afterwards, so that the process's own first run,
its imports, the engine and the migration check, is timed apart and printed), "warm" the
second run of the same page.

Scales (copies of the demo rows):
- L: about 5M orders, 1.66M customers, 1.2M web-session rows, 200k social rows, 1M
  conversations (the demo's 6k posts). Goals: every page cold < 2 s, warm < 0.2 s, the
  process under 1 GB resident.
- XL (PostgreSQL): about 50M orders, 16.6M customers, 10M web-session rows, 2M social rows,
  10M conversations, 10M posts, written by bulk appends in chunks of 100 copies together
  with the summaries, places and cohort cells the store would keep for them (`bulk_build`;
  chunked imports took hours). Goals: cold < 5 s, warm < 0.5 s, under 2 GB resident.

usage: python benchmarks/pages.py [--scale L|XL] [--database URL] [--dir /tmp/smmkpi-bench]
       [--scale-orders N] [--pages overview,retention] [--reads]

Without --database the SQLite file `<dir>/pages-x<copies>.db` is built if missing; with a
PostgreSQL URL the database is built when it holds no orders (create it empty first).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import polars as pl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from smmkpi import db, demo_targets, store  # noqa: E402

# copies of each demo table per scale: orders (and customers), web sessions, social rows,
# conversations, posts (1 = the demo's posts only)
SCALES: dict[str, dict[str, int]] = {
    "L": {"orders": 80, "web_sessions": 54, "social_daily": 38, "conversations": 45,
          "posts": 1},
    "XL": {"orders": 800, "web_sessions": 450, "social_daily": 380, "conversations": 450,
           "posts": 1550},
}
# (cold s, warm s, peak resident MB)
GOALS: dict[str, tuple[float, float, float]] = {"L": (2.0, 0.2, 1024), "XL": (5.0, 0.5, 2048)}
CHUNK_COPIES = 100  # copies written per chunk at XL (bulk_build; per import in build)


def copies(df: pl.DataFrame, lo: int, hi: int, *columns: str) -> pl.DataFrame:
    """Copies lo .. hi-1 of df, the key-bearing `columns` suffixed with the copy number
    (copy 0 keeps the original keys)."""
    return pl.concat([
        df if i == 0 else df.with_columns((pl.col(c) + f"~{i}").alias(c) for c in columns)
        for i in range(lo, hi)
    ])


def _web(frames: dict[str, pl.DataFrame], lo: int, hi: int) -> pl.DataFrame:
    web = frames["web_sessions"].with_columns(pl.col("campaign").fill_null(""))
    out = copies(web, lo, hi, "campaign").with_columns(
        pl.when(pl.col("campaign") == "").then(None).otherwise(pl.col("campaign"))
        .alias("campaign"))
    return out.unique(subset=["date", "source", "medium", "campaign", "content"], keep="first")


# the tables pages read by date range, and the index whose order CLUSTER gives them
TIME_ORDER = (("orders", "ix_orders_ordered_at"), ("web_sessions", "web_sessions_pkey"),
              ("conversations", "ix_conversations_opened_at"),
              ("posts", "ix_posts_published_at"), ("social_daily", "social_daily_pkey"))


def bulk_build(url: str, counts: dict[str, int], *, chunk: int = CHUNK_COPIES,
               frames: dict[str, pl.DataFrame] | None = None) -> dict[str, int]:
    """Write the scaled demo data into `url` (empty) as the store would hold it after
    importing it, without the imports. `counts`: copies per table, as `SCALES` (`frames`:
    the demo data, if generated already). Copy i of a demo table is the demo rows under keys
    suffixed "~i", so its customers' summaries and its orders' places are the demo's under
    the same keys, and every cohort cell holds `counts["orders"]` times the demo's customers
    and revenue, and every row of the repeat counts (`repeat_days`, `repeat_pairs`) as many
    times the demo's. Tables are written by bulk appends (ADBC) in chunks of `chunk` copies with
    their secondary indexes dropped and built afterwards, the posts with the content keys the
    store keeps; on PostgreSQL the tables read by date are then put in time order
    (`TIME_ORDER`, as a brand's daily imports lay them out: copy after copy, each day's rows
    would lie scattered over the whole table); the content sums, the channel sums and the
    conversations' day counts are counted by the store's own code.
    `tests/test_bench_build.py` checks that what it writes equals what the store
    recomputes from the written rows."""
    from sqlalchemy import text
    from sqlalchemy.schema import CreateIndex

    from smmkpi import summaries as sm
    from smmkpi.channels import post_content_key
    from smmkpi.models import TABLES, CustomerSummary

    frames = frames or demo_targets.generate()
    n = counts
    engine = db.make_engine(url)
    db.migrate(engine)
    dialect = engine.dialect.name
    t = time.perf_counter()
    orders = store.check_frame("orders", frames["orders"])
    customers = store.check_frame("customers", frames["customers"])
    summary = sm.customer_rows(orders, customers)
    placed = sm.with_places(orders)
    keyed_posts = frames["posts"].with_columns(post_content_key())  # as the store keeps it
    cells = store._contributions(orders, summary).with_columns(
        pl.col("customers") * n["orders"], pl.col("revenue") * n["orders"])
    repeat = {  # each copy's orders on the demo's days: the demo's counts times the copies
        table: rows.with_columns(pl.col(c) * n["orders"] for c in rows.columns
                                 if c not in ("kind", "day", "since"))
        for table, rows in store._repeat_contributions(placed).items()}
    make: dict[str, tuple[int, Any, Any]] = {  # copies, copy maker, writer
        "orders": (n["orders"], lambda lo, hi: copies(placed, lo, hi, "order_id",
                                                     "customer_id"), "dataset"),
        "customers": (n["orders"], lambda lo, hi: copies(customers, lo, hi, "customer_id"),
                      "dataset"),
        "customer_summary": (n["orders"], lambda lo, hi: copies(
            summary, lo, hi, "customer_id", "first_order_id", "second_order_id"), "summary"),
        "web_sessions": (n["web_sessions"], lambda lo, hi: store.check_frame(
            "web_sessions", _web(frames, lo, hi)), "dataset"),
        "social_daily": (n["social_daily"], lambda lo, hi: copies(
            frames["social_daily"].with_columns(pl.col("campaign_id").fill_null("organic")),
            lo, hi, "campaign_id"), "dataset"),
        "conversations": (n["conversations"], lambda lo, hi: copies(
            frames["conversations"], lo, hi, "conversation_id"), "dataset"),
        "posts": (n["posts"], lambda lo, hi: copies(keyed_posts, lo, hi, "post_id"),
                  "dataset"),
    }
    sizes: dict[str, int] = {}
    small = {k: v for k, v in frames.items() if k not in make}
    store.write_frames(engine, small, actor="bench", action="import")  # campaigns, targets...
    for k, v in small.items():
        sizes[k] = v.height
    with db.writer(engine) as conn:
        cur = conn.cursor()
        for name, (total, copy, kind) in make.items():
            model = CustomerSummary if name == "customer_summary" else TABLES[name]
            indexes = list(model.__table__.indexes)  # type: ignore[attr-defined]
            for ix in indexes:
                cur.execute(f'DROP INDEX "{ix.name}"')
            for lo in range(0, total, chunk):
                df = copy(lo, min(total, lo + chunk))
                arrow = (store._to_storage(df, name, dialect) if kind == "dataset"
                         else store._summary_storage(df, dialect))
                for off in range(0, arrow.num_rows, 500_000):
                    cur.adbc_ingest(name, arrow.slice(off, 500_000), mode="append")
                sizes[name] = sizes.get(name, 0) + df.height
                print(f"  {name}: {sizes[name]:,} rows ({time.perf_counter() - t:.0f} s)",
                      flush=True)
            for ix in indexes:
                cur.execute(str(CreateIndex(ix).compile(dialect=engine.dialect)))
        cur.adbc_ingest("cohort_cells", store._summary_storage(cells, dialect), mode="append")
        for table, rows in repeat.items():
            cur.adbc_ingest(table, store._summary_storage(rows, dialect), mode="append")
        store._sum_content_sessions(cur, None)
        store._sum_channel_sessions(cur, engine, None)
        store._count_conversation_days(cur, dialect, touched=False)
        db.execute(cur, engine, store.version_bump())
        cur.close()
    if dialect == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            # copy-major appends scatter each day over the whole table; daily imports
            # append a brand's rows in time order: lay the date-read tables out so
            for table, index in TIME_ORDER:
                c.execute(text(f"CLUSTER {table} USING {index}"))
            c.execute(text("VACUUM ANALYZE"))
    print(f"built {db.describe(engine)} in {time.perf_counter() - t:.1f} s (bulk)")
    engine.dispose()
    return sizes


def build(url: str, scale_orders: int, *, scale: str = "L") -> dict[str, int]:
    """Write the scaled demo data into `url` (empty); returns the rows per dataset."""
    frames = demo_targets.generate()
    n = dict(SCALES[scale], orders=scale_orders)
    engine = db.make_engine(url)
    db.migrate(engine)
    sizes: dict[str, int] = {}
    t = time.perf_counter()
    plan = {
        "orders": (n["orders"], lambda lo, hi: copies(frames["orders"], lo, hi, "order_id",
                                                      "customer_id")),
        "customers": (n["orders"], lambda lo, hi: copies(frames["customers"], lo, hi,
                                                         "customer_id")),
        "web_sessions": (n["web_sessions"], lambda lo, hi: _web(frames, lo, hi)),
        "social_daily": (n["social_daily"], lambda lo, hi: copies(
            frames["social_daily"].with_columns(pl.col("campaign_id").fill_null("organic")),
            lo, hi, "campaign_id")),
        "conversations": (n["conversations"], lambda lo, hi: copies(
            frames["conversations"], lo, hi, "conversation_id")),
        "posts": (n["posts"], lambda lo, hi: copies(frames["posts"], lo, hi, "post_id")),
    }
    small = {k: v for k, v in frames.items() if k not in plan}
    # one import per chunk: at L everything fits one chunk (an import into empty tables)
    steps = -(-n["orders"] // CHUNK_COPIES) if scale == "XL" else 1
    for step in range(steps):
        batch = dict(small) if step == 0 else {}
        for name, (total, make) in plan.items():
            per = -(-total // steps)
            lo, hi = step * per, min(total, (step + 1) * per)
            if lo < hi:
                batch[name] = make(lo, hi)
        for name, df in batch.items():
            sizes[name] = sizes.get(name, 0) + df.height
        store.write_frames(engine, batch, actor="bench", action="import")
        print(f"  wrote chunk {step + 1}/{steps} ({time.perf_counter() - t:.0f} s)", flush=True)
    print(f"built {db.describe(engine)} in {time.perf_counter() - t:.1f} s")
    return sizes


def machine_speed() -> str:
    """Three fixed pieces of work, timed, so that figures from different days can be
    compared on a machine whose speed varies (a shared virtual machine): 20M additions in a
    Python loop, a Polars sort of 5M random integers, and the first write to 1 GB of fresh
    memory (what a cold page's allocations pay for each new page). On the evening of 1
    December 2026 the loop took 0.9-1.4 s and the first touch of 1 GB 1.1-1.2 s (about 4
    microseconds per 4 kB page, where a machine whose memory is already backed takes a
    tenth of that), and every page ran 2-3x slower than the same code that morning."""
    t = time.perf_counter()
    total = 0
    for i in range(20_000_000):
        total += i
    loop = time.perf_counter() - t
    values = pl.Series("v", range(5_000_000)).shuffle(seed=16)
    t = time.perf_counter()
    values.sort()
    sort = time.perf_counter() - t
    t = time.perf_counter()
    block = bytearray(1 << 30)
    for offset in range(0, len(block), 4096):  # one write per page
        block[offset] = 1
    touch = time.perf_counter() - t
    del block
    return (f"machine speed: Python loop {loop:.2f} s, Polars sort {sort:.2f} s, first touch "
            f"of 1 GB {touch:.2f} s")


def peak_mb() -> float:
    """This process's peak resident memory (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


_reads: list[tuple[float, int, str]] | None = None  # (seconds, rows, SQL) with --reads


def time_reads() -> None:
    """From now on, record every read of the database the app makes through `db.read_frame`
    (each read of `db.read_frames` too): its time, rows and SQL, printed per cold page."""
    global _reads
    import re

    _reads = []
    plain = db.read_frame

    def timed(engine: Any, stmt: Any) -> pl.DataFrame:
        t = time.perf_counter()
        df = plain(engine, stmt)
        sec = time.perf_counter() - t
        assert _reads is not None
        _reads.append((sec, df.height,
                       re.sub(r"\s+", " ", db.compile_statement(engine, stmt)[0])))
        return df

    db.read_frame = timed


def print_reads(reads: list[tuple[float, int, str]], top: int = 8) -> None:
    """How many `reads` (recorded by `time_reads`), their time, and the slowest."""
    total = sum(r[0] for r in reads)
    print(f"    {len(reads)} reads, {total:.2f} s in all (reads run two at once); slowest:")
    for sec, rows, sql in sorted(reads, reverse=True)[:top]:
        print(f"    {sec:7.2f} s {rows:>10,} rows  {sql[:150]}")


def run_pages(url: str, scale: str = "L", only: list[str] | None = None) -> bool:
    """Run every page cold and warm; print the figures and the verdict; True if all pass."""
    from streamlit.testing.v1 import AppTest

    from smmkpi.config import get_settings
    from smmkpi.ui import sections
    from smmkpi.ui.shell import page_files

    cold_goal, warm_goal, mem_goal = GOALS[scale]
    os.environ["SMMKPI_DATABASE_URL"] = url
    get_settings.cache_clear()
    # cold CPU: this process's CPU seconds in the cold run (the app, Polars and, on SQLite,
    # the database; not PostgreSQL's server): on a loaded machine the steadier figure
    # in a child process: its 1 GB would otherwise be this process's peak resident memory
    # (until 3 December 2026 it was, so the peaks printed since 1 December include it)
    speed = subprocess.run([sys.executable, __file__, "--machine-speed"], check=True,
                           capture_output=True, text=True)
    print(speed.stdout.strip())
    print(f"\n{'page':<22}{'cold s':>9}{'cold CPU':>9}{'warm s':>9}{'peak MB':>9}  verdict")
    worst_cold = worst_warm = 0.0
    first_run: float | None = None
    ok = True
    for page in page_files():
        if only and page.removeprefix("pages/").removesuffix(".py") not in only:
            continue
        import streamlit as st

        st.cache_data.clear()
        st.cache_resource.clear()
        db.close_pools()
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
        t = time.perf_counter()
        at.run()  # land on the overview first, as a person would ...
        if first_run is None:  # the process's first run: its imports, engine, migrations
            first_run = time.perf_counter() - t
        st.cache_data.clear()  # ... but time the page itself from empty caches
        st.cache_resource.clear()
        sections.forget_finished()  # (results kept a minute for late collectors)
        db.close_pools()
        at.switch_page(page)
        if _reads is not None:
            _reads.clear()  # the landing run's reads are not the page's
        t, c = time.perf_counter(), time.process_time()
        at.run()
        cold, cold_cpu = time.perf_counter() - t, time.process_time() - c
        reads = list(_reads or [])
        t = time.perf_counter()
        at.run()
        warm = time.perf_counter() - t
        failed = bool(at.exception) or any(
            "could not be shown" in str(e.value) or "not answering" in str(e.value)
            for e in at.error)  # a block that failed (smmkpi.ui.sections)
        passed = cold < cold_goal and warm < warm_goal and not failed
        ok &= passed
        worst_cold, worst_warm = max(worst_cold, cold), max(worst_warm, warm)
        verdict = ("pass" if passed else "FAIL") + (" (an exception or a failed block)"
                                                     if failed else "")
        # the process's peak so far: where in the run the memory goes
        print(f"{page.removeprefix('pages/'):<22}{cold:>9.2f}{cold_cpu:>9.2f}{warm:>9.2f}"
              f"{peak_mb():>9,.0f}  {verdict}", flush=True)
        if _reads is not None:
            print_reads(reads)  # the cold run's (the warm run reads from the caches)
    mem = peak_mb()
    ok &= mem < mem_goal
    if first_run is not None:
        print(f"the process's first run (Overview, with the app's imports, the engine and the "
              f"migration check; a server pays it once, in its warm-up): {first_run:.2f} s")
    print(f"worst cold {worst_cold:.2f} s (goal < {cold_goal:g} s), worst warm "
          f"{worst_warm:.2f} s (goal < {warm_goal:g} s), peak resident {mem:,.0f} MB "
          f"(goal < {mem_goal:,.0f} MB): {'PASS' if ok else 'FAIL'}")
    try:
        load = os.getloadavg()[0]
        print(f"load average during the run: {load:.1f} on {os.cpu_count()} cores")
    except OSError:
        pass
    return ok


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", choices=list(SCALES), default="L")
    ap.add_argument("--database", metavar="URL",
                    help="a PostgreSQL URL (built when it holds no orders); default: a "
                    "SQLite file in --dir")
    ap.add_argument("--dir", type=Path, default=Path("/tmp/smmkpi-bench"))
    ap.add_argument("--scale-orders", type=int, default=None,
                    help="copies of the demo's 62k orders (default: the scale's)")
    ap.add_argument("--pages", default="", help="comma-separated page names (default: all)")
    ap.add_argument("--machine-speed", action="store_true",
                    help="print the machine's speed figures and exit (the page run does this "
                    "in a child process)")
    ap.add_argument("--reads", action="store_true",
                    help="after each page, its cold run's slowest database reads")
    args = ap.parse_args()
    if args.machine_speed:
        print(machine_speed())
        return
    n = args.scale_orders or SCALES[args.scale]["orders"]
    if args.database:
        url = args.database
        engine = db.make_engine(url)
        db.migrate(engine)
        fresh = "orders" not in store.available(engine)
        engine.dispose()
    else:
        args.dir.mkdir(parents=True, exist_ok=True)
        path = args.dir / f"pages-x{n}.db"
        url = f"sqlite:///{path}"
        fresh = not path.exists()
    if fresh:
        # XL by bulk appends: eight chunked imports would take hours here (the first two
        # took 337 s and 1,008 s); the imports' own speed is import_incremental.py's
        sizes = (bulk_build(url, dict(SCALES["XL"], orders=n)) if args.scale == "XL"
                 else build(url, n, scale=args.scale))
        print(", ".join(f"{k} {v:,}" for k, v in sizes.items()))
    if args.reads:
        time_reads()
    ok = run_pages(url, args.scale, [p for p in args.pages.split(",") if p])
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
