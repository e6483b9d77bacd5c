"""The Retention page on the demo data: tiles equal the catalog, the heatmap holds the cohort
matrix (unreachable cells null), followers come back more than non-followers, the weekly and
revenue toggles work; an orders-only database shows the page with notes on what is missing;
every download is neutralized against CSV injection. Plus the pure helpers the page uses."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from pathlib import Path

import pagetools
import polars as pl
import pytest
from polars.testing import assert_frame_equal
from streamlit.testing.v1 import AppTest

from smmkpi.kpis import retention as r

ROOT = Path(__file__).resolve().parent.parent
PAGE = "pages/retention.py"
TILES = [
    "customers", "orders", "revenue", "orders_per_customer", "repeat_purchase_rate",
    "returning_customer_rate", "returning_revenue_share", "median_days_to_second_order",
    "m1_retention", "m3_retention",
]
D = dt.date


def open_page() -> AppTest:
    return pagetools.open_page(PAGE)


workspaces = pagetools.default_workspaces


def figure(at: AppTest, title_start: str) -> dict:
    found = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    hits = [f for f in found if f["layout"]["title"]["text"].startswith(title_start)]
    assert len(hits) == 1, [f["layout"]["title"]["text"] for f in found]
    return hits[0]


def frame_with(at: AppTest, column: str):
    hits = [d.value for d in at.dataframe if column in d.value.columns]
    assert len(hits) == 1, column
    return hits[0]


def use_database(monkeypatch, url: str) -> None:
    from smmkpi.config import get_settings

    monkeypatch.setenv("SMMKPI_DATABASE_URL", url)
    get_settings.cache_clear()


def make_db(tmp_path, name: str, frames: dict[str, pl.DataFrame]) -> str:
    from smmkpi import db, store

    url = f"sqlite:///{tmp_path / name}"
    engine = db.make_engine(url)
    db.migrate(engine)
    store.write_frames(engine, frames, actor="test", action="test")
    engine.dispose()
    return url


@pytest.fixture(scope="module")
def page(demo_db):
    """One run of the page on the demo data, shared by the checks below."""
    with pagetools.demo_settings(demo_db):
        yield open_page(), *workspaces(demo_db)


# --------------------------------------------------------------------------- demo data


def test_tiles_equal_the_catalog_with_comparison(page):
    from smmkpi import formatting
    from smmkpi.kpis.catalog import CATALOG

    at, ws, prev = page
    shown = {m.label: m for m in at.metric}
    assert len(at.metric) == len(TILES)
    for kid in TILES:
        k = CATALOG[kid]
        now, before = k.compute(ws), k.compute(prev)
        assert now is not None, kid  # the demo has orders in both periods
        assert shown[k.label].value == formatting.value(now, k.unit), kid
        assert shown[k.label].proto.delta == (formatting.change(now, before, k.unit) or ""), kid
    # 4–31 October 2026 against 6 September – 3 October: month-1/3 retention read October
    # (complete, ends in the period) and September (the only month ending in the comparison)
    captions = " ".join(c.value for c in at.caption)
    assert "(here **October 2026**; comparison: September 2026)" in captions


def test_heatmap_holds_the_cohort_matrix(page):
    at, ws, _ = page
    since = r.default_cohort_since(ws.start, ws.end, "month")
    wide = r.cohort_matrix(ws.history("orders"), until=ws.end, since=since)
    fig = figure(at, "Cohort retention")
    heat, sizes = fig["data"][0], fig["data"][1]
    assert heat["type"] == "heatmap"
    # the last 18 monthly cohorts up to 2026-10-31: 2025-05 ... 2026-10
    assert heat["y"] == [f"{c:%Y-%m}" for c in wide["cohort"]]
    assert heat["y"][0] == "2025-05" and heat["y"][-1] == "2026-10" and len(heat["y"]) == 18
    assert sizes["x"] == wide["cohort_size"].to_list()  # cohort size beside each row
    z = heat["z"]
    for row, k in ((0, 1), (3, 4), (10, 2), (16, 1)):
        assert z[row][k] == pytest.approx(wide[str(k)][row], abs=1e-12), (row, k)
    assert all(z[i][0] == 1.0 for i in range(len(z)))  # k = 0 is 100 %
    # unreachable cells are null, never 0: 2026-10 has only k = 0, 2026-09 only k <= 1
    assert z[-1][1:] == [None] * 17
    assert z[-2][1] is not None and z[-2][2:] == [None] * 16
    assert z[0][17] is not None  # the oldest cohort reaches month 17


def test_one_heatmap_cell_by_hand(page):
    """Independent of the library: cohort 2026-08 (first order in August 2026), the share
    with an order in September 2026, from the raw orders in plain Python."""
    at, ws, _ = page
    orders = ws.history("orders").select("customer_id", "ordered_at", "order_id")
    first: dict[str, tuple] = {}
    months: dict[str, set] = defaultdict(set)
    for cid, ts, oid in orders.iter_rows():
        key = (ts, oid)
        if cid not in first or key < first[cid]:
            first[cid] = key
        months[cid].add((ts.year, ts.month))
    cohort = [c for c, (ts, _) in first.items() if (ts.year, ts.month) == (2026, 8)]
    back = sum((2026, 9) in months[c] for c in cohort)
    heat = figure(at, "Cohort retention")["data"][0]
    row = heat["y"].index("2026-08")
    assert heat["z"][row][1] == pytest.approx(back / len(cohort), abs=1e-12)
    assert figure(at, "Cohort retention")["data"][1]["x"][row] == len(cohort)


def test_curve_and_histogram(page):
    at, ws, _ = page
    since = r.default_cohort_since(ws.start, ws.end, "month")
    curve = r.retention_curve(ws.history("orders"), until=ws.end, since=since)
    line = figure(at, "Average retention")["data"][0]
    assert line["x"] == list(range(1, 18))  # k = 0 (100 %) left out
    assert line["y"] == pytest.approx(curve["share"].to_list()[1:])
    days = r.days_to_second_order(ws.history("orders"), ws.start, ws.end)["days"]
    hist = figure(at, "Days from first to second order")
    assert sum(sum(t["y"]) for t in hist["data"]) == days.len()  # every customer in a bar
    median = float(days.median())
    assert hist["layout"]["shapes"][0]["x0"] == median + 0.5  # the median line


def test_followers_come_back_more(page):
    """The demo's story: followers repeat more; the sentence, the bars and the table agree
    with follower_gap."""
    from smmkpi import formatting

    at, ws, _ = page
    gap = r.follower_gap(ws.history("orders"), ws.history("customers"), ws.start, ws.end)
    row = gap.filter(pl.col("kpi") == "returning_customer_rate").row(0, named=True)
    assert row["followers"] > row["non_followers"]
    text = " ".join(m.value for m in at.markdown)
    assert f"come back {row['difference']:.1f} pp more" in text
    bars = figure(at, "Followers against non-followers")["data"]
    assert [b["name"] for b in bars] == ["Followers", "Non-followers"]
    for f, n in zip(bars[0]["x"], bars[1]["x"], strict=True):
        assert f > n  # every share KPI is higher for followers on the demo
    table = frame_with(at, "Non-followers")
    shown = dict(zip(table["KPI"], table["Followers"], strict=True))
    assert shown["Returning customer rate"] == formatting.percent(row["followers"])
    m1 = gap.filter(pl.col("kpi") == "m1_retention").row(0, named=True)
    assert table["Counted"].iloc[5] == f"{m1['followers_n']:,} / {m1['non_followers_n']:,}"


def test_split_tables(app_env):
    at = open_page()
    ws, _ = workspaces(app_env)
    acq = r.repeat_kpis_by(ws.history("orders"), ws.history("customers"), ws.start, ws.end,
                           "acquisition_channel")
    shown = frame_with(at, "Acquisition channel")
    assert sorted(shown["Acquisition channel"]) == sorted(acq["group"].to_list())
    assert shown["customers"].tolist() == sorted(acq["customers"].to_list(), reverse=True)
    got = dict(zip(shown["Acquisition channel"], shown["repeat_purchase_rate"], strict=True))
    for g, v in acq.select("group", "repeat_purchase_rate").iter_rows():
        assert got[g] == pytest.approx(100 * v)  # shown in %
    assert not [d for d in at.dataframe if "Order channel" in d.value.columns]  # one at a time
    at.button_group(key="split_by").set_value("channel").run()
    assert not at.exception
    assert not [d for d in at.dataframe if "Acquisition channel" in d.value.columns]
    by_channel = frame_with(at, "Order channel")
    ch = r.repeat_kpis_by(ws.history("orders"), None, ws.start, ws.end, "channel")
    assert by_channel["orders"].sum() == ch["orders"].sum() == ws.frame("orders").height


def test_weekly_and_revenue_toggles(app_env, monkeypatch):
    files = pagetools.Downloads().install(monkeypatch)
    at = open_page()
    ws, _ = workspaces(app_env)
    orders = ws.history("orders")
    at.button_group(key="cohort_grain").set_value("week").run()
    assert not at.exception
    since = r.default_cohort_since(ws.start, ws.end, "week")
    assert since == D(2026, 5, 4)  # 26 Monday weeks up to the week of 2026-10-31
    wide = r.cohort_matrix(orders, until=ws.end, grain="week", since=since)
    heat = figure(at, "Cohort retention")["data"][0]
    assert heat["y"] == [f"{c:%Y-%m-%d}" for c in wide["cohort"]] and len(heat["y"]) == 26
    assert heat["z"][5][3] == pytest.approx(wide["3"][5], abs=1e-12)
    assert heat["z"][-1][1] is None
    at.button_group(key="cohort_measure").set_value("revenue").run()
    assert not at.exception
    rev = r.cohort_matrix(orders, until=ws.end, grain="week", measure="revenue", since=since)
    heat = figure(at, "Cohort retention")["data"][0]
    assert heat["z"][2][4] == pytest.approx(rev["4"][2], abs=1e-12)
    cohorts = next(d for d in at.dataframe if "Customers in cohort" in d.value.columns)
    assert pagetools.formats(cohorts)["Revenue in week 0"] == "$%,.0f"
    report = pagetools.csv_frame(files.starting("retention_cohorts_week_revenue", "csv"))
    assert "Revenue in week 0 (USD)" in report.columns and "Week 4 (%)" in report.columns


# --------------------------------------------------------------------------- other data


def test_orders_only_names_the_missing_customers(monkeypatch, tmp_path, demo_frames):
    """No customers file and no order channel: tiles, cohorts and the histogram still show;
    the follower and acquisition views say the customers dataset is missing, the order
    channel view says the column is missing."""
    orders = demo_frames["orders"].with_columns(pl.lit(None, pl.String).alias("channel"))
    use_database(monkeypatch, make_db(tmp_path, "orders_only.db", {"orders": orders}))
    at = open_page()
    assert {m.label for m in at.metric} >= {"Customers", "Month-1 retention"}
    assert all(m.value != "n/a" for m in at.metric if m.label in ("Customers", "Orders"))
    notes = [i.value for i in at.info]
    assert sum("**Customers** (`customers`)" in n for n in notes) == 1  # the follower view
    assert at.button_group(key="split_by").value == "channel"  # the split that can show
    assert any("carry no `channel`" in n for n in notes)
    at.button_group(key="split_by").set_value("acquisition_channel").run()
    notes = [i.value for i in at.info]
    assert sum("**Customers** (`customers`)" in n for n in notes) == 2  # and the split
    titles = [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]
    assert any(t.startswith("Cohort retention") for t in titles)
    assert any(t.startswith("Days from first to second order") for t in titles)
    assert not any(t.startswith("Followers") for t in titles)


def test_no_orders_at_all(monkeypatch, tmp_path, demo_frames):
    use_database(monkeypatch, make_db(tmp_path, "no_orders.db",
                                      {"customers": demo_frames["customers"]}))
    at = open_page()
    assert not at.metric
    assert any("**Orders** (`orders`)" in i.value for i in at.info)


def test_downloads_neutralize_formulas(monkeypatch, tmp_path, demo_frames):
    """Channel names that a spreadsheet would run reach the CSVs quoted and the XLSX files
    as text; every table has a CSV and an XLSX download named after the page and period."""
    evil = "=HYPERLINK(\"http://x\",\"y\")"
    customers = demo_frames["customers"].with_columns(
        pl.when(pl.col("acquisition_channel") == "Email").then(pl.lit(evil))
        .otherwise(pl.col("acquisition_channel")).alias("acquisition_channel"))
    orders = demo_frames["orders"].with_columns(
        pl.when(pl.col("channel") == "Direct").then(pl.lit("@SUM(1+1)"))
        .otherwise(pl.col("channel")).alias("channel"))
    url = make_db(tmp_path, "evil.db", {"orders": orders, "customers": customers})
    use_database(monkeypatch, url)
    files = pagetools.Downloads().install(monkeypatch)
    at = open_page()
    pagetools.assert_downloads(at, ["cohort", "follower_table", "acquisition_table"])
    at.button_group(key="split_by").set_value("channel").run()  # the other split's download
    pagetools.assert_downloads(at, ["channel_table"])
    ws, _ = workspaces(url)
    period = f"{ws.start}_{ws.end}"
    assert {f"retention_repeat_by_acquisition_{period}.csv",
            f"retention_repeat_by_acquisition_{period}.xlsx",
            f"retention_repeat_by_channel_{period}.xlsx",
            f"retention_cohorts_month_customers_{period}.csv",
            f"retention_followers_{period}.xlsx"} <= set(files.names)
    acq = files.starting("retention_repeat_by_acquisition", "csv").decode("utf-8-sig")
    assert "'=HYPERLINK" in acq and "\n=" not in acq
    book = pagetools.xlsx_frame(files.starting("retention_repeat_by_acquisition", "xlsx"))
    assert "'" + evil in book["Acquisition channel"].to_list()
    chan = files.starting("retention_repeat_by_channel", "csv").decode("utf-8-sig")
    assert "'@SUM(1+1)" in chan
    cohorts = files.starting("retention_cohorts_month_customers", "csv").decode("utf-8-sig")
    assert cohorts.startswith("Cohort (month of first order),Customers in cohort,Month 0 (%)")


def test_split_table_formats_and_report(app_env, monkeypatch):
    """The split table shows every column in its unit; its report download rounds: ratios
    in % with one decimal, money to cents, counts whole, people's headers."""
    files = pagetools.Downloads().install(monkeypatch)
    at = open_page()
    split = next(d for d in at.dataframe if "Acquisition channel" in d.value.columns)
    config = pagetools.column_config(split)
    assert config["Acquisition channel"]["pinned"] is True
    assert pagetools.formats(split) == {
        "Acquisition channel": None, "customers": "%,d", "orders": "%,d",
        "revenue": "$%,.0f", "repeat_purchase_rate": "%.1f %%",
        "returning_customer_rate": "%.1f %%", "returning_revenue_share": "%.1f %%",
        "orders_per_customer": "%,.2f", "median_days_to_second_order": "%,.0f days",
        "m1_retention": "%.1f %%", "m3_retention": "%.1f %%"}
    report = pagetools.csv_frame(files.starting("retention_repeat_by_acquisition", "csv"))
    assert report.columns == [
        "Acquisition channel", "Customers", "Orders", "Revenue (USD)",
        "Repeat purchase rate (%)", "Returning customer rate (%)",
        "Returning revenue share (%)", "Month-1 retention (%)", "Month-3 retention (%)",
        "Median days to second order", "Orders per customer"]
    for col in ("Repeat purchase rate (%)", "Month-1 retention (%)",
                "Median days to second order"):
        assert all(len(v.split(".")[-1]) <= 1 for v in report[col].drop_nulls()), col
    assert all("." not in v for v in report["Customers"])
    assert all(len(v.split(".")[-1]) <= 2 for v in report["Revenue (USD)"])
    ws, _ = workspaces(app_env)
    acq = r.repeat_kpis_by(ws.history("orders"), ws.history("customers"), ws.start, ws.end,
                           "acquisition_channel")
    want = dict(acq.select("group", "repeat_purchase_rate").iter_rows())
    got = dict(report.select("Acquisition channel", "Repeat purchase rate (%)").iter_rows())
    assert {g: float(v) for g, v in got.items()} == {
        g: round(100 * v, 1) for g, v in want.items()}


# --------------------------------------------------------------------------- pure helpers


@pytest.mark.parametrize(
    ("start", "end", "grain", "since"),
    [
        (D(2026, 10, 4), D(2026, 10, 31), "month", D(2025, 5, 1)),  # 18 months to Oct 2026
        (D(2025, 1, 15), D(2026, 10, 31), "month", D(2025, 1, 1)),  # long: from the start
        (D(2020, 1, 1), D(2026, 10, 31), "month", D(2023, 11, 1)),  # capped at 36 months
        (D(2026, 10, 4), D(2026, 10, 31), "week", D(2026, 5, 4)),  # 26 Monday weeks
        (D(2026, 1, 7), D(2026, 10, 31), "week", D(2026, 1, 5)),  # long: from its Monday
        (D(2025, 1, 7), D(2026, 10, 31), "week", D(2025, 11, 3)),  # capped at 52 weeks
    ],
)
def test_default_cohort_since(start, end, grain, since):
    assert r.default_cohort_since(start, end, grain) == since


def test_widen_and_curve_from_long_match_the_direct_functions(demo_frames):
    orders = demo_frames["orders"]
    until = D(2026, 6, 30)
    long = r.cohort_matrix_long(orders, until=until, measure="revenue", since=D(2025, 9, 1))
    # sums of floats may add up in another order from run to run: compare with a tolerance
    assert_frame_equal(r.widen_cohorts(long), r.cohort_matrix(
        orders, until=until, measure="revenue", since=D(2025, 9, 1)), rel_tol=1e-12)
    assert_frame_equal(r.curve_from_long(long, "revenue"), r.retention_curve(
        orders, until=until, measure="revenue", since=D(2025, 9, 1)), rel_tol=1e-12)


def test_a_prepared_of_every_order_gives_the_same_kpis(demo_db):
    """prepared_history sorts EVERY order once per source (shared by all periods): the
    repeat KPIs must equal those of a Prepared over the history up to the period's end."""
    ws, cws = workspaces(demo_db)
    for w in (ws, cws):
        shared = r.repeat_kpis(r.prepared_history(w), w.start, w.end)
        own = r.repeat_kpis(r.prepare(w.history("orders")), w.start, w.end)
        assert shared.keys() == own.keys()
        for k in own:
            assert shared[k] == pytest.approx(own[k], rel=1e-12), k
    assert r.prepared_history(ws) is r.prepared_history(cws)  # one sort for both periods


# --------------------------------------------------------------------------- figures


def test_days_histogram_bins_and_tail():
    from smmkpi import charts

    # 0..99 once each, then 1000: p95 = 95 → 2-day bars up to 96 (96 // 2 + 1 = 49 bars),
    # values 96..99 and 1000 in the grey tail bar (5 customers)
    days = pl.Series(list(range(100)) + [1000])
    fig = charts.days_histogram(days, title="t", median=50)
    bars, tail = fig.data
    assert list(bars.width) == [2] * 48 and list(bars.y) == [2] * 48
    assert list(tail.y) == [5] and tail.text == ("≥ 96",)
    # a short tail: no grey bar, every value binned
    fig = charts.days_histogram(pl.Series([0, 0, 3, 5]), title="t")
    assert len(fig.data) == 1 and list(fig.data[0].y) == [2, 1, 1] and fig.data[0].width[0] == 1


def test_cohort_heatmap_blank_cells_and_sizes():
    from smmkpi import charts

    orders = pl.DataFrame({
        "order_id": ["1", "2", "3", "4"],
        "customer_id": ["a", "a", "b", "c"],
        "ordered_at": [dt.datetime(2024, 1, 5, tzinfo=dt.UTC), dt.datetime(2024, 2, 5,
                       tzinfo=dt.UTC), dt.datetime(2024, 1, 9, tzinfo=dt.UTC),
                       dt.datetime(2024, 2, 1, tzinfo=dt.UTC)],
        "revenue": [10.0, 20.0, 30.0, 40.0],
    })
    long = r.cohort_matrix_long(orders, until=D(2024, 2, 29))
    fig = charts.cohort_heatmap(long, grain="month", measure="customers", title="t")
    heat, sizes = fig.data
    # cohort 2024-01 = {a, b}: a comes back in February → 1/2; cohort 2024-02 = {c}
    assert [list(row) for row in heat.z] == [[1.0, 0.5], [1.0, None]]
    assert list(heat.y) == ["2024-01", "2024-02"] and list(sizes.x) == [2, 1]
    assert heat.zmax == 0.5  # the scale tops out at the highest k >= 1 share


def test_a_period_before_any_order(app_env):
    """A custom period before the first order: zero counts, n/a ratios, empty figures that
    say why, and "no orders" instead of the follower and split views."""
    at = open_page()
    at.selectbox(key="range").set_value("custom").run()
    at.date_input(key="dates").set_value((D(2024, 1, 1), D(2024, 1, 31))).run()
    assert not at.exception, [e.value for e in at.exception]
    shown = {m.label: m.value for m in at.metric}
    assert shown["Orders"] == "0" and shown["Repeat purchase rate"] == "n/a"
    assert shown["Month-1 retention"] == "n/a"
    texts = [json.loads(c.proto.spec)["layout"]["annotations"][0]["text"]
             for c in at.get("plotly_chart")]
    assert texts == ["No customer had a first order in these months",
                     "No customer placed a second order in this period"]
    assert sum(i.value == "No orders in this period." for i in at.info) == 2


def test_targets_first_then_the_retention_splits(demo_db):
    """Evaluating targets first sorts the order history for the repeat KPIs; the shared
    history must still carry the customers the follower split needs (a browser run once
    hit this: Overview, then Retention)."""
    from smmkpi.kpis.catalog import CATALOG
    from smmkpi.kpis.targets import evaluate_targets

    ws, _ = workspaces(demo_db)
    evaluate_targets(ws, CATALOG)  # sorts the history first, shared
    prepared = r.prepared_history(ws)
    assert prepared is not None and prepared.customers is not None
    gap = r.follower_gap(prepared, None, ws.start, ws.end)
    assert gap.height > 0
