"""Two app instances against one PostgreSQL: one imports a day of orders (through the CLI,
the same store path as the Upload page) while the other serves the Overview and Retention
pages; both keep working, and both show the new day's figures once the import is done."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pagetools
import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from smmkpi import datasets as ds
from smmkpi import db, store

ROOT = Path(__file__).resolve().parent.parent
TILES = ["orders", "revenue", "customers", "repeat_purchase_rate", "returning_customer_rate"]

# the second instance: opens the Overview (serving), then waits for the go-ahead file and
# imports the day's orders while the first instance keeps serving, then opens the
# Retention page and prints the tiles it shows
SECOND = """
import os, sys, time
from pathlib import Path
from streamlit.testing.v1 import AppTest
at = AppTest.from_file("app.py", default_timeout=300)
at.run()
assert not at.exception, [e.value for e in at.exception]
print("served", flush=True)
go = Path(sys.argv[1])
while not go.exists():
    time.sleep(0.05)
from smmkpi.__main__ import main
code = main(["import", sys.argv[2], "--dataset", "orders"])
assert code == 0, code
print("imported", flush=True)
time.sleep(6)  # an instance re-reads the data version every 5 s (smmkpi.ui.cache)
at = AppTest.from_file("app.py", default_timeout=300)
at.run()
at.switch_page("pages/retention.py")
at.run()
assert not at.exception, [e.value for e in at.exception]
print("tiles " + "|".join(f"{m.label}={m.value}" for m in at.metric), flush=True)
"""


def _day_orders(last: dt.date, n: int) -> pl.DataFrame:
    """n orders on the day after `last`: every third from a new customer, the rest from
    known demo customers (C00001 ...), so summaries of both kinds change."""
    day = last + dt.timedelta(days=1)
    rows = [(f"T{i:06d}", f"NEW{i}" if i % 3 == 0 else f"C{(i % 5000) + 1:05d}",
             dt.datetime.combine(day, dt.time(i % 24, i % 60), tzinfo=dt.UTC),
             10.0 + i % 90, "Email") for i in range(n)]
    return pl.DataFrame(rows, schema=ds.get("orders").schema, orient="row")


def test_one_instance_imports_while_the_other_serves(pg_engine, demo_frames, tmp_path,
                                                     monkeypatch):
    from smmkpi.config import get_settings

    store.write_frames(pg_engine, demo_frames, actor="test", action="demo")
    url = pg_engine.url.render_as_string(hide_password=False)
    _, last = store.bounds(pg_engine)
    day = _day_orders(last, 60_000)
    path = tmp_path / "day.csv"
    day.with_columns(pl.col("ordered_at").dt.strftime("%Y-%m-%dT%H:%M:%SZ")).write_csv(path)
    monkeypatch.setenv("SMMKPI_DATABASE_URL", url)
    get_settings.cache_clear()
    go = tmp_path / "go"
    env = {**os.environ, "SMMKPI_DATABASE_URL": url}
    second = subprocess.Popen([sys.executable, "-c", SECOND, str(go), str(path)], cwd=ROOT,
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True)
    try:
        first = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
        first.run()
        assert not first.exception
        assert second.stdout.readline().strip() == "served"
        go.touch()
        runs_during = 0
        while second.poll() is None:  # serve pages for as long as the import runs
            for page in ("pages/overview.py", "pages/retention.py"):
                first.switch_page(page)
                first.run()
                assert not first.exception, [e.value for e in first.exception]
                assert not first.error, [e.value for e in first.error]
            runs_during += 1
        out, err = second.communicate(timeout=300)
    finally:
        if second.poll() is None:
            second.kill()
    assert second.returncode == 0, err[-3000:]
    assert "imported" in out and runs_during >= 1, (out, runs_during)

    # both instances show the new day: the tiles equal the catalog on the new data
    import streamlit as st

    st.cache_data.clear()  # the data version is re-read every 5 s; do not wait for it
    ws, prev = pagetools.default_workspaces(url)
    assert ws.end == day["ordered_at"][0].date()
    from smmkpi.kpis.catalog import CATALOG

    assert CATALOG["orders"].compute(ws) > day.height  # the new day is in the period
    first = pagetools.open_page("pages/retention.py")
    pagetools.assert_tiles(first, ws, prev, TILES)
    from smmkpi import formatting

    shown = dict(kv.split("=", 1) for kv in out.split("tiles ", 1)[1].strip().split("|"))
    for kid in TILES:
        k = CATALOG[kid]
        assert shown[k.label] == formatting.value(k.compute(ws), k.unit), kid
    db.close_pools()


@pytest.fixture(autouse=True)
def _fresh_caches():
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()
