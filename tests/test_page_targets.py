"""The Targets and Goals pages on the demo data (AppTest): the targets with the same
attainment and status as `evaluate_targets`, the filters, the bullet chart, edits that
persist, bad edits refused with nothing saved, accepted suggestions, the goal tables."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pagetools
import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from smmkpi import db, formatting, periods, store
from smmkpi.config import get_settings
from smmkpi.kpis import target_edits as te
from smmkpi.kpis.catalog import CATALOG, for_goal
from smmkpi.kpis.targets import evaluate_targets
from smmkpi.workspace import DbSource, Filters, Workspace

ROOT = Path(__file__).resolve().parent.parent
PAGE = "pages/targets.py"
EDITOR = "target_edits_0_period"  # the editor's key before any save, period scope
MARKS = {"off track": "✖ off track", "at risk": "▲ at risk", "on track": "✔ on track",
         "not started": "○ not started", "no data": "– no data"}


def open_page(page: str = PAGE) -> AppTest:
    return pagetools.open_page(page)


def default_workspace(url: str) -> Workspace:
    """What the sidebar selects by default: the last 28 days up to the last day with data."""
    src = DbSource(db.make_engine(url))
    return Workspace(src, periods.preset_period("last_28", periods.anchor_day(src.bounds()[1])))


def table(at: AppTest) -> pl.DataFrame:
    return pl.from_pandas(at.tabs[0].dataframe[0].value)  # the Progress tab's table


def names(ws: Workspace) -> dict[str | None, str]:
    camps = ws.everything("campaigns")
    assert camps is not None
    return {None: "Brand-wide", **dict(camps.select("campaign_id", "name").iter_rows())}


@pytest.fixture
def writable_db(tmp_path, monkeypatch, demo_frames):
    """A fresh copy of the demo in a temporary SQLite file that the test may change."""

    def make(frames=demo_frames) -> str:
        url = f"sqlite:///{tmp_path / 'edit.db'}"
        engine = db.make_engine(url)
        db.migrate(engine)
        store.write_frames(engine, frames, actor="test", action="demo")
        monkeypatch.setenv("SMMKPI_DATABASE_URL", url)
        get_settings.cache_clear()
        return url

    yield make
    get_settings.cache_clear()
    db.close_pools()


def test_targets_page_matches_evaluate_targets(app_env):
    ws = default_workspace(app_env)
    expected = evaluate_targets(ws, CATALOG)
    assert expected.height >= 15
    at = open_page()
    assert not at.error, [e.value for e in at.error]
    shown = table(at)
    who = names(ws)
    assert shown["KPI"].to_list() == [CATALOG[k].label for k in expected["kpi"]]
    assert shown["Campaign"].to_list() == [who[c] for c in expected["campaign_id"]]
    assert shown["Status"].to_list() == [MARKS[s] for s in expected["status"]]
    assert shown["Attainment"].to_list() == pytest.approx(
        (expected["attainment"] * 100).to_list(), nan_ok=True)
    assert shown["Of pace"].to_list() == pytest.approx(
        (expected["pace_attainment"] * 100).to_list(), nan_ok=True)
    assert shown["Actual"].to_list() == [
        formatting.value(v, CATALOG[k].unit) for v, k in expected.select("actual", "kpi").rows()]
    assert shown["Forecast"].to_list() == [
        formatting.value(v, CATALOG[k].unit)
        for v, k in expected.select("forecast", "kpi").rows()]

    # the tiles count the statuses
    tiles = {m.label: int(m.value) for m in at.metric}
    for status in ("off track", "at risk", "on track", "not started"):
        assert tiles[status.capitalize()] == expected.filter(pl.col("status") == status).height

    # one bullet per target, its bar the actual and its line the target
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    bullets = [t for t in spec["data"] if t["type"] == "indicator"]
    assert len(bullets) == expected.height
    assert [b["value"] for b in bullets] == pytest.approx(expected["actual"].fill_null(0).to_list())
    assert [b["gauge"]["threshold"]["value"] for b in bullets] == pytest.approx(
        expected["target"].to_list())


def test_targets_page_filters(app_env):
    ws = default_workspace(app_env)
    expected = evaluate_targets(ws, CATALOG)
    at = open_page()

    at.multiselect(key="tgt_status").set_value(["off track"]).run()
    shown = table(at)
    assert shown.height == expected.filter(pl.col("status") == "off track").height > 0
    assert set(shown["Status"]) == {MARKS["off track"]}
    at.multiselect(key="tgt_status").set_value([]).run()

    # goal type "support": targets of support campaigns and brand-wide targets on KPIs that
    # serve support
    camps = ws.everything("campaigns")
    support_camps = set(camps.filter(pl.col("goal") == "support")["campaign_id"])
    want = expected.filter(
        pl.col("campaign_id").is_in(list(support_camps))
        | (pl.col("campaign_id").is_null()
           & pl.col("kpi").is_in([k for k, v in CATALOG.items() if "support" in v.goals])))
    at.multiselect(key="tgt_goal").set_value(["support"]).run()
    shown = table(at)
    assert shown.height == want.height > 0
    assert shown["KPI"].to_list() == [CATALOG[k].label for k in want["kpi"]]
    # tiles follow the goal filter
    tiles = {m.label: int(m.value) for m in at.metric}
    assert sum(tiles.values()) == want.height
    at.multiselect(key="tgt_goal").set_value([]).run()

    at.multiselect(key="tgt_campaign").set_value([""]).run()  # brand-wide only
    shown = table(at)
    assert set(shown["Campaign"]) == {"Brand-wide"}
    assert shown.height == expected.filter(pl.col("campaign_id").is_null()).height


def _stored(url: str) -> pl.DataFrame:
    return store.read_dataset(db.make_engine(url), "kpi_targets")


def test_an_edit_through_the_page_persists(writable_db):
    url = writable_db()
    before = _stored(url)
    at = open_page()
    editor = pl.from_pandas(at.data_editor(key=EDITOR).value)
    # the editor starts sorted: brand-wide first, by KPI
    orders = editor["kpi"].to_list().index("orders")
    assert editor["campaign_id"][orders] == te.BRAND_OPTION
    sessions = editor["kpi"].to_list().index("sessions")
    gone = editor.row(sessions, named=True)
    at.session_state[EDITOR] = {
        "edited_rows": {orders: {"target": 12345.0}},
        "added_rows": [{"campaign_id": "social_care_hours_2026", "kpi": "questions",
                        "period_start": "2026-10-01", "period_end": "2026-12-31",
                        "target": 700}],
        "deleted_rows": [sessions],
    }
    at.run()
    at.button(key="tgt_save").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any("Targets saved: 1 added, 1 changed, 1 deleted" in s.value for s in at.success)

    after = _stored(url)
    assert after.height == before.height  # one added, one deleted
    brand = after.filter(pl.col("campaign_id").is_null())
    q4 = (pl.col("period_start") == gone["period_start"]) & (
        pl.col("period_end") == gone["period_end"])
    assert brand.filter((pl.col("kpi") == "orders") & q4)["target"].to_list() == [12345.0]
    assert brand.filter((pl.col("kpi") == "sessions") & q4).height == 0
    assert after.filter((pl.col("campaign_id") == "social_care_hours_2026")
                        & (pl.col("kpi") == "questions"))["target"].to_list() == [700.0]
    audit = store.audit_log(db.make_engine(url), 1).row(0, named=True)
    assert (audit["actor"], audit["action"]) == ("local user", "targets_edit")

    # the page shows the new evaluation at once
    shown = table(at)
    row = shown.filter((pl.col("KPI") == "Orders") & (pl.col("Campaign") == "Brand-wide"))
    assert row["Target"].to_list() == ["12.3k"]
    assert "Sessions" not in shown.filter(pl.col("Campaign") == "Brand-wide")["KPI"].to_list()
    assert "Questions" in shown.filter(pl.col("Campaign") == "Social care hours")["KPI"].to_list()


def test_a_bad_edit_is_refused_and_nothing_saved(writable_db):
    url = writable_db()
    before = _stored(url)
    version = store.data_version(db.make_engine(url))
    at = open_page()
    editor = pl.from_pandas(at.data_editor(key=EDITOR).value)
    orders = editor["kpi"].to_list().index("orders")
    at.session_state[EDITOR] = {
        "edited_rows": {orders: {"target": 5000.0}, 0: {"target": -1.0}},  # one good, one bad
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    at.button(key="tgt_save").click().run()
    assert not at.exception
    errors = " ".join(e.value for e in at.error).replace("\\", "")  # Markdown escapes
    assert "Nothing was saved" in errors
    assert "Row 1, Target = -1.0: the target must be above zero" in errors
    assert store.data_version(db.make_engine(url)) == version
    assert _stored(url).sort(pl.all()).equals(before.sort(pl.all()))


def test_suggested_targets_for_a_campaign_without_targets(writable_db, demo_frames):
    """Without its targets, the ongoing YouTube campaign (awareness) gets suggestions from
    the 28 days before the selected period; accepting them stores them."""
    cid = "youtube_howto_2026"
    frames = dict(demo_frames)
    frames["kpi_targets"] = demo_frames["kpi_targets"].filter(
        pl.col("campaign_id").is_null() | (pl.col("campaign_id") != cid))
    url = writable_db(frames)
    at = open_page()
    assert at.selectbox(key="sug_campaign").value == cid
    at.button(key="sug_accept").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]

    saved = _stored(url).filter(pl.col("campaign_id") == cid)
    ws = default_workspace(url)
    assert saved["period_start"].unique().to_list() == [ws.start]
    assert saved["period_end"].unique().to_list() == [ws.end]
    # impressions: the campaign's impressions in the 28 days before, × 1.1, rounded up
    prev = ws.period.previous()
    social = demo_frames["social_daily"].filter(
        (pl.col("campaign_id") == cid) & pl.col("date").is_between(prev.start, prev.end))
    want = math.ceil(social["impressions"].sum() * 1.1)
    assert saved.filter(pl.col("kpi") == "impressions")["target"].to_list() == [float(want)]
    assert set(saved["kpi"]) <= {"social_sessions", "social_to_site_rate", "impressions",
                                 "reach", "engagements", "frequency", "engagement_rate", "ctr",
                                 "follower_growth", "promo_share", "posts_published",
                                 "post_impressions", "post_reach", "post_engagements",
                                 "post_engagement_rate", "post_video_views",
                                 "promo_post_share"}
    assert saved.height >= 5
    # every accepted target: the tested suggestion from the tested previous actuals
    kpis = for_goal("awareness")
    previous = te.previous_actuals(ws.source, kpis, cid, prev, settings=get_settings())
    expected = te.suggest(kpis, previous, cid, ws.period).drop_nulls("target")
    assert dict(saved.select("kpi", "target").rows()) == dict(
        expected.select("kpi", "target").rows())


def test_goal_view_tables(app_env):
    ws = default_workspace(app_env)
    at = open_page("pages/goals.py")
    assert not at.error
    titles = [h.value.split(" · ")[0] for h in at.subheader]
    tables = dict(zip(titles, at.dataframe, strict=True))  # one table per goal, in order
    traffic = pl.from_pandas(tables["Traffic growth"].value)
    assert traffic.columns == ["KPI", "Better", "Measured on", "Autumn traffic drive",
                               "Whole brand"]
    assert traffic["KPI"].to_list() == [k.label for k in CATALOG.values()
                                        if "traffic" in k.goals]
    camp_ws = Workspace(ws.source, ws.period, Filters(campaigns=("autumn_traffic_2026",)))
    by_label = {r["KPI"]: r for r in traffic.iter_rows(named=True)}
    for kid in ("sessions", "social_sessions", "social_to_site_rate", "cost_per_social_session"):
        k = CATALOG[kid]
        row = by_label[k.label]
        assert row["Autumn traffic drive"] == formatting.value(k.compute(camp_ws), k.unit), kid
        assert row["Whole brand"] == formatting.value(k.compute(ws), k.unit), kid
    # goals without a campaign in the period have no table
    assert titles == ["Traffic growth", "Repeat sales", "Fighting negativity",
                      "Customer support", "Awareness"]


def test_the_campaign_chosen_in_the_sidebar_is_preselected(app_env, demo_frames):
    from pagetools import open_page

    camp = demo_frames["campaigns"].sort("start_date", descending=True).row(0, named=True)
    at = open_page("pages/targets.py", {"campaign": camp["name"], "range": "Last 90 days"})
    box = next(m for m in at.multiselect if m.label == "Campaign")
    assert box.value == [camp["campaign_id"]]
    shown = set(at.dataframe[0].value["Campaign"])
    assert shown <= {camp["name"]}


def test_progress_table_formats_and_downloads(app_env, monkeypatch):
    """Attainments in %, the period named shortly, days elapsed; the download holds every
    figure as a number in its row's unit (Unit column)."""
    files = pagetools.Downloads().install(monkeypatch)
    ws = default_workspace(app_env)
    expected = evaluate_targets(ws, CATALOG)
    at = open_page()
    progress = at.tabs[0].dataframe[0]
    fmt = pagetools.formats(progress)
    assert fmt["Of pace"] == fmt["Attainment"] == fmt["Forecast attainment"] == "%.1f %%"
    config = pagetools.column_config(progress)
    assert config["KPI"]["pinned"] is True
    order = list(config)  # what a manager needs first: period and days before attainments
    assert order.index("Period") < order.index("Attainment")
    assert order.index("Days elapsed") < order.index("Forecast attainment")
    shown = table(at)
    assert "Q4 2026" in shown["Period"].to_list()
    first = expected.row(0, named=True)
    assert shown["Days elapsed"][0] == f"{first['elapsed_days']}/{first['period_days']}"
    pagetools.assert_downloads(at, ["targets_table", "kpi_catalog"])
    report = pagetools.xlsx_frame(files.get(f"targets_progress_{ws.start}_{ws.end}.xlsx"))
    assert report.columns[:5] == ["KPI", "Campaign", "Status", "Unit", "Actual"]
    units = {CATALOG[k].label: CATALOG[k].unit for k in expected["kpi"]}
    for row in report.iter_rows(named=True):
        want = {"ratio": "%", "currency": "USD", "minutes": "min", "count": "count"}.get(
            units[row["KPI"]], "")
        assert row["Unit"] == (want or None), row
    rev = report.filter(pl.col("KPI") == "Revenue").row(0, named=True)
    target = expected.filter(pl.col("kpi") == "revenue").row(0, named=True)
    assert rev["Target"] == round(target["target"], 2)
    share = report.filter(pl.col("Unit") == "%").row(0, named=True)
    assert 0 < share["Target"] <= 100  # a rate in percent, not a fraction


def test_the_editor_shows_rates_as_percent_and_takes_them_back_as_fractions(writable_db):
    url = writable_db()
    at = open_page()
    editor = pl.from_pandas(at.data_editor(key=EDITOR).value)
    shown = dict(zip(editor["kpi"], editor["target"], strict=False))
    rates = [k for k in editor["kpi"] if CATALOG[k].unit == "ratio"]
    assert rates and all(shown[k].endswith(" %") for k in rates)
    assert shown["revenue"].startswith("$") and "," in shown["revenue"]
    # a rate typed as 4.5 (percent) is stored as 0.045, nothing else changes
    i = editor["kpi"].to_list().index(rates[0])
    at.session_state[EDITOR] = {"edited_rows": {i: {"target": "4.5"}}, "added_rows": [],
                                "deleted_rows": []}
    at.run()
    at.button(key="tgt_save").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any("Targets saved: 0 added, 1 changed, 0 deleted" in s.value for s in at.success)
    after = _stored(url)
    row = editor.row(i, named=True)
    cid = None if row["campaign_id"] == te.BRAND_OPTION else row["campaign_id"]
    saved = after.filter(pl.col("campaign_id").eq_missing(cid) & (pl.col("kpi") == rates[0])
                         & (pl.col("period_start") == row["period_start"].date())
                         & (pl.col("period_end") == row["period_end"].date()))
    assert saved["target"].to_list() == [0.045]


def test_a_share_typed_above_100_percent_is_refused(writable_db):
    url = writable_db()
    before = _stored(url)
    at = open_page()
    editor = pl.from_pandas(at.data_editor(key=EDITOR).value)
    i = next(j for j, k in enumerate(editor["kpi"]) if CATALOG[k].unit == "ratio"
             and k != "revenue_uplift")
    at.session_state[EDITOR] = {"edited_rows": {i: {"target": "120 %"}}, "added_rows": [],
                                "deleted_rows": []}
    at.run()
    at.button(key="tgt_save").click().run()
    errors = " ".join(e.value for e in at.error).replace("\\", "")
    assert f"Row {i + 1}, Target = 120 %: this KPI is a share: at most 100 %" in errors
    assert _stored(url).sort(pl.all()).equals(before.sort(pl.all()))


def test_suggested_targets_are_shown_in_their_unit(writable_db, demo_frames):
    cid = "youtube_howto_2026"
    frames = dict(demo_frames)
    frames["kpi_targets"] = demo_frames["kpi_targets"].filter(
        pl.col("campaign_id").is_null() | (pl.col("campaign_id") != cid))
    writable_db(frames)
    at = open_page()
    view = pl.from_pandas(at.data_editor(key=f"suggest_0_{cid}").value)
    for kpi, prev, target in view.select("kpi", "previous_text", "target").iter_rows():
        if CATALOG[kpi].unit == "ratio":  # "12.6 %" beside "11.3 %", never 0.113
            assert prev.endswith(" %") and target.endswith(" %"), (kpi, prev, target)


def test_goal_tables_download_in_each_rows_unit(app_env, monkeypatch):
    files = pagetools.Downloads().install(monkeypatch)
    ws = default_workspace(app_env)
    at = open_page("pages/goals.py")
    pagetools.assert_downloads(at, [f"goal_{g}" for g in (
        "traffic", "repeat_sales", "reputation", "support", "awareness")])
    book = pagetools.xlsx_frame(files.get(f"goals_traffic_{ws.start}_{ws.end}.xlsx"))
    assert book.columns == ["KPI", "Unit", "Better", "Measured on", "Autumn traffic drive",
                            "Whole brand"]
    row = book.filter(pl.col("KPI") == CATALOG["social_to_site_rate"].label).row(0, named=True)
    assert row["Unit"] == "%"
    assert row["Whole brand"] == round(100 * CATALOG["social_to_site_rate"].compute(ws), 1)


def test_admin_tables_download(app_env, monkeypatch):
    files = pagetools.Downloads().install(monkeypatch)
    at = open_page("pages/admin.py")
    audit = next(d for d in at.dataframe if "inserted" in d.value.columns)
    assert pagetools.formats(audit)["inserted"] == "%,d"
    pagetools.assert_downloads(at, ["audit_table"])
    log = pagetools.csv_frame(files.get("admin_audit_log.csv"))
    assert log.columns[:6] == ["When (UTC)", "Who", "What", "Data", "Rows added",
                               "Rows changed"]
