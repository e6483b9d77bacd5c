"""The Community page on the demo data (AppTest): tiles equal the catalog, the unanswered
list holds the demo's open items oldest first, flagged rows are reported, the heatmap is in
the display time zone, filters apply, and an empty database gets an empty state. Also the
small library helpers the page added (age labels, 7-day blocks)."""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

import pagetools
import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from smmkpi import db, formatting, periods
from smmkpi.config import get_settings
from smmkpi.kpis import care
from smmkpi.kpis.audience import period_bucket
from smmkpi.kpis.catalog import CATALOG
from smmkpi.workspace import DbSource, Filters, Period, Workspace

ROOT = Path(__file__).resolve().parent.parent
PAGE = "pages/community.py"
TILES = ["response_rate", "median_first_response_minutes", "p90_first_response_minutes",
         "within_sla_share", "praise_acknowledged_rate", "complaint_resolution_rate",
         "unanswered_now"]


def open_page(query: dict | None = None) -> AppTest:
    return pagetools.open_page(PAGE, query, no_errors=True)


def workspace(url: str, preset: str = "last_28", filters: Filters | None = None) -> Workspace:
    src = DbSource(db.make_engine(url))
    period = periods.preset_period(preset, periods.anchor_day(src.bounds()[1]))
    return Workspace(src, period, filters or Filters(), settings=get_settings())


def frame_by_column(at: AppTest, column: str) -> pl.DataFrame:
    hits = [d.value for d in at.dataframe if column in d.value.columns]
    assert len(hits) == 1, [list(d.value.columns) for d in at.dataframe]
    return pl.from_pandas(hits[0])


def figure(at: AppTest, title_part: str) -> dict:
    for c in at.get("plotly_chart"):
        spec = json.loads(c.proto.spec)
        if title_part in spec["layout"]["title"]["text"]:
            return spec
    raise AssertionError(f"no chart titled with {title_part!r}")


def test_tiles_equal_the_catalog_with_comparison(app_env):
    at = open_page()
    ws = workspace(app_env)
    prev = ws.with_period(ws.period.previous())
    shown = {m.label: m for m in at.metric}
    for kid in TILES:
        k = CATALOG[kid]
        label = "Answered within SLA (60 min)" if kid == "within_sla_share" else k.label
        value, before = k.compute(ws), k.compute(prev)
        assert shown[label].value == formatting.value(value, k.unit), kid
        assert shown[label].delta == formatting.change(value, before, k.unit), kid
    # the demo's story: 15 questions and complaints still waiting at the end of the data
    assert shown["Unanswered now"].value == "15"
    assert "60 minutes" in " ".join(c.value for c in at.caption)  # the SLA is said


def test_unanswered_list_is_the_demos_open_items_oldest_first(app_env):
    at = open_page()
    ws = workspace(app_env)
    table = frame_by_column(at, "Waiting")
    expected = care.unanswered(ws.history("conversations"), care.period_end_instant(ws.period))
    assert table.height == expected.height == 15
    assert table["Conversation"].to_list() == expected["conversation_id"].to_list()
    opened = table["Opened (UTC)"].to_list()
    assert opened == sorted(opened)
    # ages by hand for the oldest and newest item: the list is aged at 2026-11-01 00:00 UTC
    first, last = expected.row(0, named=True), expected.row(-1, named=True)
    as_of = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    age0 = (as_of - first["opened_at"]).total_seconds() / 60  # over two days -> "x.y days"
    assert table["Waiting"][0] == f"{age0 / 1440:.1f} days"
    age1 = round((as_of - last["opened_at"]).total_seconds() / 60)  # hours and minutes
    assert table["Waiting"][-1] == f"{age1 // 60} h {age1 % 60} min"
    # campaign names, not ids; no campaign reads "Brand-wide" as elsewhere in the app
    camps = ws.everything("campaigns")
    names = dict(camps.select("campaign_id", "name").iter_rows())
    want = [names[c] if c else "Brand-wide" for c in expected["campaign_id"].to_list()]
    assert table["Campaign"].to_list() == want
    assert any(c != "Brand-wide" for c in want)  # the demo has one on a campaign
    assert set(table["Platform"]) <= {"Facebook", "Instagram", "X", "LinkedIn", "TikTok",
                                      "YouTube"}
    assert "Unanswered now: 15" in [s.value for s in at.subheader]


def test_platform_filter_narrows_tiles_and_list(app_env):
    at = open_page({"platform": ["X"]})
    ws = workspace(app_env, filters=Filters(platforms=("x",)))
    shown = {m.label: m.value for m in at.metric}
    for kid in ("response_rate", "unanswered_now"):
        k = CATALOG[kid]
        assert shown[k.label] == formatting.value(k.compute(ws), k.unit)
    table = frame_by_column(at, "Waiting")
    hist = ws.history("conversations")
    assert set(hist["platform"]) == {"x"}
    expected = care.unanswered(hist, care.period_end_instant(ws.period))
    assert table["Conversation"].to_list() == expected["conversation_id"].to_list()
    assert set(table["Platform"]) <= {"X"}


def test_bad_rows_are_reported_and_listed(app_env):
    """Year to date (2026) holds two of the demo's rows answered before they were opened."""
    at = open_page({"range": "Year to date"})
    ws = workspace(app_env, "year_to_date")
    bad = care.bad_rows(ws.frame("conversations"))
    assert bad.height == 2
    note = [w.value for w in at.warning]
    assert any("2 conversations answered before they were opened were excluded" in w
               for w in note), note
    assert "Conversations with impossible timestamps (2)" in [e.label for e in at.expander]
    listed = frame_by_column(at, "Problem")
    assert listed["Conversation"].to_list() == bad["conversation_id"].to_list()


def test_no_bad_rows_note_when_none_in_period(app_env):
    at = open_page()
    assert not [w for w in at.warning if "before they were opened" in w.value]
    assert not at.expander


def test_platform_table_totals_and_weekly_blocks(app_env):
    at = open_page()
    ws = workspace(app_env)
    conv = ws.frame("conversations")
    table = frame_by_column(at, "Needing a reply")
    total = table.filter(pl.col("Platform") == "All platforms")
    needs = conv.filter(pl.col("kind").is_in(["question", "complaint"])
                        & ~(pl.col("first_response_at") < pl.col("opened_at")).fill_null(False))
    assert total["Needing a reply"].item() == needs.height
    assert table.filter(pl.col("Platform") != "All platforms")["Needing a reply"].sum() == (
        needs.height)
    # 28 days = four 7-day blocks ending on the period's last day (2026-10-31, a Saturday)
    spec = figure(at, "Care rates")
    rate = next(t for t in spec["data"] if t["name"] == "Response rate")
    assert rate["x"] == ["2026-10-04", "2026-10-11", "2026-10-18", "2026-10-25"]
    last = needs.filter(pl.col("opened_at") >= dt.datetime(2026, 10, 25, tzinfo=dt.UTC))
    answered = last.filter(pl.col("first_response_at").is_not_null()).height
    assert rate["y"][-1] == pytest.approx(answered / last.height)


def test_response_time_chart_marks_the_sla_on_its_log_axis(app_env):
    at = open_page()
    spec = figure(at, "First response time per week")
    assert spec["layout"]["yaxis"]["type"] == "log"
    line = next(s for s in spec["layout"]["shapes"] if s["type"] == "line")
    note = next(a for a in spec["layout"]["annotations"] if a["text"] == "SLA 60 min")
    # plotly.js puts shapes on a log axis by value and annotations by log10 of the value
    assert line["y0"] == line["y1"] == 60
    assert note["y"] == pytest.approx(math.log10(60))


def test_heatmap_uses_the_display_time_zone(app_env, monkeypatch):
    monkeypatch.setenv("SMMKPI_DISPLAY_TZ", "America/New_York")
    get_settings.cache_clear()
    at = open_page()
    ws = workspace(app_env)
    spec = figure(at, "by weekday and hour")
    assert "(America/New_York)" in spec["layout"]["title"]["text"]
    heat = next(t for t in spec["data"] if t["type"] == "heatmap")
    cells = care.response_heatmap(ws.frame("conversations"), "America/New_York")
    for row in cells.filter(pl.col("responded") > 0).iter_rows(named=True):
        z = heat["z"][row["weekday"] - 1][row["hour"]]
        assert z == pytest.approx(math.log10(row["median_first_response_minutes"]))
    # opened times in the unanswered list are shown in that zone too
    table = frame_by_column(at, "Waiting")
    assert "Opened (America/New_York)" in table.columns


def test_empty_database_names_the_missing_dataset(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    db.migrate(db.make_engine(url))
    monkeypatch.setenv("SMMKPI_DATABASE_URL", url)
    get_settings.cache_clear()
    try:
        at = open_page()
        text = " ".join(i.value for i in at.info)
        assert "`conversations`" in text and "Upload" in text
        assert not at.metric
    finally:
        get_settings.cache_clear()


# --- library helpers added for the page --------------------------------------------------


@pytest.mark.parametrize(("minutes", "label"), [
    (0.4, "0 min"),
    (42.4, "42 min"),
    (59.4, "59 min"),
    (59.6, "1 h"),  # rounds to 60 minutes
    (200.0, "3 h 20 min"),
    (47 * 60 + 59, "47 h 59 min"),
    (48 * 60, "2.0 days"),  # 2880 / 1440
    (3 * 1440 + 144, "3.1 days"),  # 4464 / 1440 = 3.1
    (None, None),
])
def test_age_label(minutes, label):
    df = pl.DataFrame({"m": [minutes]}, schema={"m": pl.Float64})
    assert df.select(care.age_label(pl.col("m"))).item() == label


def test_period_bucket_counts_weeks_back_from_the_end():
    end = dt.date(2026, 10, 31)
    days = pl.DataFrame({"d": [dt.date(2026, 10, 31), dt.date(2026, 10, 25),
                               dt.date(2026, 10, 24), dt.date(2026, 10, 4),
                               dt.date(2026, 10, 3)]})
    got = days.select(period_bucket(pl.col("d"), "week", end)).to_series().to_list()
    # blocks: 10-25..10-31, 10-18..10-24, ..., 10-04..10-10, 09-27..10-03
    assert got == [dt.date(2026, 10, 25), dt.date(2026, 10, 25), dt.date(2026, 10, 18),
                   dt.date(2026, 10, 4), dt.date(2026, 9, 27)]
    # without an end: counted back from the last date present (the same here); one
    # definition of a week, never calendar weeks
    assert days.select(period_bucket(pl.col("d"), "week")).to_series().to_list() == got


def test_care_over_time_with_end_blocks():
    t = dt.datetime(2026, 10, 31, 12, tzinfo=dt.UTC)
    conv = pl.DataFrame({
        "conversation_id": ["a", "b", "c"],
        "platform": ["x"] * 3,
        "opened_at": [t, t - dt.timedelta(days=6), t - dt.timedelta(days=7)],
        "kind": ["question"] * 3,
        "sentiment": ["neutral"] * 3,
        "first_response_at": [t + dt.timedelta(minutes=30), None, t],
        "resolved_at": [None, None, None],
        "campaign_id": [None, None, None],
    }, schema_overrides={"opened_at": pl.Datetime("us", "UTC"),
                         "first_response_at": pl.Datetime("us", "UTC"),
                         "resolved_at": pl.Datetime("us", "UTC"), "campaign_id": pl.String})
    out = care.care_over_time(conv, 60, "week", end=dt.date(2026, 10, 31))
    # a (10-31) and b (10-25) share the block from 10-25; c (10-24) is in the one before
    assert out["period"].to_list() == [dt.date(2026, 10, 18), dt.date(2026, 10, 25)]
    assert out["needs_reply"].to_list() == [1, 2]
    assert out["response_rate"].to_list() == [1.0, 0.5]
    assert Period(dt.date(2026, 10, 4), dt.date(2026, 10, 31)).days == 28


def test_a_long_unanswered_list_is_capped_with_a_download(tmp_path, monkeypatch):
    """600 waiting questions: the page lists the 500 oldest and offers all 600 as CSV."""
    from smmkpi import datasets as ds
    from smmkpi import store

    t0 = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
    n = 600
    conv = pl.DataFrame({
        "conversation_id": [f"c{i:04d}" for i in range(n)],
        "platform": ["x"] * n,
        "opened_at": [t0 + dt.timedelta(minutes=7 * i) for i in range(n)],
        "kind": ["question"] * n,
        "sentiment": ["neutral"] * n,
    })
    spec = ds.get("conversations").empty_frame()
    conv = pl.concat([spec, conv], how="diagonal_relaxed").select(spec.columns).cast(spec.schema)
    url = f"sqlite:///{tmp_path / 'many.db'}"
    engine = db.make_engine(url)
    db.migrate(engine)
    store.write_frames(engine, {"conversations": conv}, actor="test")
    engine.dispose()
    monkeypatch.setenv("SMMKPI_DATABASE_URL", url)
    get_settings.cache_clear()
    try:
        at = open_page()
        assert "Unanswered now: 600" in [s.value for s in at.subheader]
        table = frame_by_column(at, "Waiting")
        assert table["Conversation"].to_list() == [f"c{i:04d}" for i in range(500)]
        assert "Showing the 500 oldest of 600." in [c.value for c in at.caption]
        assert at.get("download_button")
    finally:
        get_settings.cache_clear()


def test_tables_carry_their_formats_and_downloads(app_env, monkeypatch):
    """Counts, rates and response times in their units; every table has a CSV and an XLSX
    download named after the page, the period and the platform filter; the unanswered list
    downloads with every digit (waiting minutes too)."""
    files = pagetools.Downloads().install(monkeypatch)
    at = open_page({"platform": ["X"]})
    ws = workspace(app_env, filters=Filters(platforms=("x",)))
    by_platform = next(d for d in at.dataframe if "Needing a reply" in d.value.columns)
    fmt = pagetools.formats(by_platform)
    assert fmt["Needing a reply"] == fmt["praise"] == "%,d"
    assert fmt["response_rate"] == fmt["complaint_resolution_rate"] == "%.1f %%"
    assert fmt["median_first_response_minutes"].endswith(" min")  # 35 min, not "35.0"
    assert fmt["p90_first_response_minutes"].endswith(" h")  # 22.5 h, as on the tile
    unanswered = next(d for d in at.dataframe if "Waiting" in d.value.columns)
    assert pagetools.formats(unanswered)["Opened (UTC)"] == "ddd YYYY-MM-DD HH:mm"
    assert pagetools.column_config(unanswered)["Waiting"]["pinned"] is True
    pagetools.assert_downloads(at, ["unanswered", "by_platform"])
    stem = f"_{ws.start}_{ws.end}_x"
    assert {f"community_unanswered{stem}.csv", f"community_unanswered{stem}.xlsx",
            f"community_by_platform{stem}.csv"} <= set(files.names)
    rows = pagetools.csv_frame(files.get(f"community_unanswered{stem}.csv"))
    expected = care.unanswered(ws.history("conversations"), care.period_end_instant(ws.period))
    assert rows["Conversation"].to_list() == expected["conversation_id"].to_list()
    assert [float(v) for v in rows["Waiting (min)"]] == pytest.approx(
        expected["age_minutes"].to_list())
    report = pagetools.xlsx_frame(files.get(f"community_by_platform{stem}.xlsx"))
    assert report.columns[:4] == ["Platform", "Needing a reply", "Response rate (%)",
                                  "Within SLA (60 min) (%)"]
    x = CATALOG["response_rate"].compute(ws)
    assert report["Response rate (%)"][0] == round(100 * x, 1)


def test_a_ticket_export_without_response_times_says_why_the_kpis_are_missing(
        tmp_path, monkeypatch):
    """A Zendesk export without 'First reply time in minutes', imported as downloaded: the
    response tiles are n/a (not 0 %) and the page says why and what to export."""
    from smmkpi import ingest, store

    csv = ("Id,Via,Ticket type,Created at,Solved at\n"
           "1,Email,Question,2026-10-01 09:00,2026-10-01 12:00\n"
           "2,Email,Incident,2026-10-02 09:00,2026-10-02 10:00\n"
           "3,Email,Question,2026-10-03 09:00,\n")
    pf = ingest.parse_file(csv.encode(), name="zendesk.csv")
    assert pf.ok and pf.fmt == "zendesk_tickets"
    url = f"sqlite:///{tmp_path / 'tickets.db'}"
    engine = db.make_engine(url)
    db.migrate(engine)
    store.write_frames(engine, pf.frames, actor="test")
    engine.dispose()
    monkeypatch.setenv("SMMKPI_DATABASE_URL", url)
    get_settings.cache_clear()
    try:
        at = open_page()
        info = " ".join(i.value for i in at.info)
        assert "3 questions and complaints from email have no response times" in info
        assert "First reply time in minutes" in info
        shown = {m.label: m.value for m in at.metric}
        assert shown["Response rate"] == formatting.value(None, "ratio")
        assert shown["Complaint resolution rate"] == formatting.value(1.0, "ratio")
    finally:
        get_settings.cache_clear()
