"""Every page at the scale of a large brand: cold and warm render times (the aim: under a
second warm, under five seconds cold, on a 2-core machine).

Builds (once, cached in the given folder) a SQLite database with the demo data scaled up
to about 5M orders (1.6M customers), 1M web-session rows, 200k social rows and 1M
conversations, by replicating the demo rows under new keys (their distributions stay
realistic). Then runs each page with Streamlit's AppTest: "cold" is the first run in a
fresh process state (empty caches), "warm" the second run of the same page.

usage: python benchmarks/pages.py [--dir /tmp/smmkpi-bench] [--scale-orders 80]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from smmkpi import db, demo_targets, store  # noqa: E402


def replicate(df: pl.DataFrame, times: int, column: str) -> pl.DataFrame:
    """`times` copies of df, the key-bearing `column` suffixed with the copy number."""
    parts = [df] + [
        df.with_columns((pl.col(column) + f"~{i}").alias(column)) for i in range(1, times)
    ]
    return pl.concat(parts)


def build(url: str, scale_orders: int) -> dict[str, int]:
    frames = demo_targets.generate()
    orders, customers = frames["orders"], frames["customers"]
    big_orders = pl.concat([
        orders.with_columns(
            (pl.col("order_id") + f"~{i}").alias("order_id"),
            (pl.col("customer_id") + f"~{i}").alias("customer_id"),
        )
        for i in range(scale_orders)
    ])
    big_customers = replicate(customers, scale_orders, "customer_id")
    web = frames["web_sessions"].with_columns(pl.col("campaign").fill_null(""))
    big_web = replicate(web, 54, "campaign").with_columns(
        pl.when(pl.col("campaign") == "").then(None).otherwise(pl.col("campaign"))
        .alias("campaign"))
    big_web = big_web.unique(subset=["date", "source", "medium", "campaign"], keep="first")
    social = frames["social_daily"].with_columns(pl.col("campaign_id").fill_null("organic"))
    big_social = replicate(social, 38, "campaign_id")
    big_conv = replicate(frames["conversations"], 45, "conversation_id")
    out = {**frames, "orders": big_orders, "customers": big_customers,
           "web_sessions": big_web, "social_daily": big_social, "conversations": big_conv}
    engine = db.make_engine(url)
    db.migrate(engine)
    t = time.perf_counter()
    store.write_frames(engine, out, actor="bench", action="import")
    print(f"built {url} in {time.perf_counter() - t:.1f} s")
    return {n: df.height for n, df in out.items()}


def run_pages(url: str) -> None:
    from streamlit.testing.v1 import AppTest

    from smmkpi.config import get_settings
    from smmkpi.ui.shell import page_files

    os.environ["SMMKPI_DATABASE_URL"] = url
    get_settings.cache_clear()
    print(f"\n{'page':<22}{'cold s':>9}{'warm s':>9}")
    worst_cold = worst_warm = 0.0
    for page in page_files():
        import streamlit as st

        st.cache_data.clear()
        st.cache_resource.clear()
        db.close_pools()
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
        if page != "pages/overview.py":
            at.run()  # land on the overview first, as a person would ...
            st.cache_data.clear()  # ... but time the page itself from empty caches
            st.cache_resource.clear()
            at.switch_page(page)
        t = time.perf_counter()
        at.run()
        cold = time.perf_counter() - t
        t = time.perf_counter()
        at.run()
        warm = time.perf_counter() - t
        bad = " EXCEPTION" if at.exception else ""
        worst_cold, worst_warm = max(worst_cold, cold), max(worst_warm, warm)
        print(f"{page.removeprefix('pages/'):<22}{cold:>9.2f}{warm:>9.2f}{bad}")
    print(f"worst cold {worst_cold:.2f} s (target < 5 s), worst warm {worst_warm:.2f} s "
          "(target < 1 s)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--dir", type=Path, default=Path("/tmp/smmkpi-bench"))
    ap.add_argument("--scale-orders", type=int, default=80, help="copies of the demo's 62k orders")
    args = ap.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    path = args.dir / f"pages-x{args.scale_orders}.db"
    url = f"sqlite:///{path}"
    if not path.exists():
        sizes = build(url, args.scale_orders)
        print(", ".join(f"{n} {v:,}" for n, v in sizes.items()))
    run_pages(url)


if __name__ == "__main__":
    main()
