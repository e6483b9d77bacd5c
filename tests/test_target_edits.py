"""Target editing: every validation rule, the diff into insert/update/delete statements, saving
in one transaction (a bad row saves nothing), suggested targets from hand-computed
previous-period actuals, and the Targets/Goals page helpers (trend with pace, filters,
goal tables)."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from sqlalchemy import Delete, Insert, Update

from smmkpi import store
from smmkpi.actions import targets as ta
from smmkpi.config import get_settings
from smmkpi.kpis import target_edits as te
from smmkpi.kpis.catalog import CATALOG, for_goal
from smmkpi.views import targets as tv
from smmkpi.workspace import FrameSource, Period

D = dt.date
CAMPAIGNS = {"c1", "c2"}


def rows(*items: tuple) -> pl.DataFrame:
    """Normalized editor rows: (campaign_id, kpi, start, end, target), row ids null."""
    return pl.DataFrame(
        [(None, *it) for it in items],
        schema={te.ROW_ID: pl.Int64, "campaign_id": pl.String, "kpi": pl.String,
                "period_start": pl.Date, "period_end": pl.Date, "target": pl.Float64},
        orient="row",
    )


def errors_of(df: pl.DataFrame, stored: pl.DataFrame | None = None) -> list[tuple]:
    return [(e.row, e.column, e.rule) for e in te.validate(df, CATALOG, CAMPAIGNS, stored)]


GOOD = ("c1", "sessions", D(2026, 1, 1), D(2026, 3, 31), 1000.0)


# ------------------------------------------------------------------------------ validation


def test_good_rows_pass():
    df = rows(GOOD, (None, "response_rate", D(2026, 1, 1), D(2026, 1, 1), 0.95),
              ("c2", "revenue_uplift", D(2026, 1, 1), D(2026, 1, 31), 1.5))
    assert errors_of(df) == []


@pytest.mark.parametrize(("row", "column", "rule_part"), [
    (("c1", "no_such_kpi", D(2026, 1, 1), D(2026, 1, 2), 1.0), "kpi", "not a KPI"),
    (("c1", None, D(2026, 1, 1), D(2026, 1, 2), 1.0), "kpi", "required"),
    (("c9", "sessions", D(2026, 1, 1), D(2026, 1, 2), 1.0), "campaign_id", "no campaign"),
    (("c1", "sessions", None, D(2026, 1, 2), 1.0), "period_start", "start date is required"),
    (("c1", "sessions", D(2026, 1, 1), None, 1.0), "period_end", "end date is required"),
    (("c1", "sessions", D(2026, 1, 2), D(2026, 1, 1), 1.0), "period_end", "on or after"),
    (("c1", "sessions", D(2026, 1, 1), D(2026, 1, 2), 0.0), "target", "above zero"),
    (("c1", "sessions", D(2026, 1, 1), D(2026, 1, 2), -5.0), "target", "above zero"),
    (("c1", "sessions", D(2026, 1, 1), D(2026, 1, 2), None), "target", "required"),
    (("c1", "response_rate", D(2026, 1, 1), D(2026, 1, 2), 12.0), "target", "share"),
])
def test_each_rule_names_row_column_value_and_rule(row, column, rule_part):
    df = rows(GOOD, row)  # the bad row is row 2
    found = te.validate(df, CATALOG, CAMPAIGNS)
    assert [(e.row, e.column) for e in found] == [(2, column)]
    assert rule_part in found[0].rule
    text = str(found[0])
    assert text.startswith(f"Row 2, {te.COLUMN_LABELS[column]} = ")
    value = dict(zip(te.COLUMNS, row, strict=True))[column]
    assert ("empty" if value is None else str(value)) in text


def test_start_equal_to_end_is_allowed_and_a_share_of_exactly_one_too():
    assert errors_of(rows(("c1", "response_rate", D(2026, 1, 1), D(2026, 1, 1), 1.0))) == []


def test_brand_wide_is_empty_null_or_the_editor_option():
    raw = pl.DataFrame({"row_id": [None, None], "campaign_id": ["", te.BRAND_OPTION],
                        "kpi": ["sessions", "orders"],
                        "period_start": ["2026-01-01", "2026-01-01"],
                        "period_end": ["2026-01-31", "2026-01-31"], "target": [1, 2]})
    norm = te.normalize_edits(raw)
    assert norm["campaign_id"].to_list() == [None, None]
    assert errors_of(norm) == []


def test_duplicate_keys_within_the_rows_name_the_first_row():
    df = rows(GOOD, (None, "orders", D(2026, 1, 1), D(2026, 1, 31), 5.0),
              ("c1", "sessions", D(2026, 1, 1), D(2026, 3, 31), 2000.0),  # repeats row 1
              (None, "orders", D(2026, 1, 1), D(2026, 1, 31), 6.0))  # repeats row 2
    assert errors_of(df) == [(3, "kpi", "the same campaign, KPI and period as row 1"),
                             (4, "kpi", "the same campaign, KPI and period as row 2")]


def test_a_key_taken_by_a_stored_target_outside_the_editor_is_refused():
    stored = pl.DataFrame({"campaign_id": [None], "kpi": ["orders"],
                           "period_start": [D(2026, 1, 1)], "period_end": [D(2026, 1, 31)],
                           "target": [9.0]})
    df = rows(GOOD, ("", "orders", D(2026, 1, 1), D(2026, 1, 31), 5.0))
    df = te.normalize_edits(df)
    assert [(r, c) for r, c, _ in errors_of(df, stored)] == [(2, "kpi")]


def test_normalize_reads_what_the_editor_returns():
    """The editor returns dates as naive datetimes and row ids as floats once a row was
    added; unreadable numbers become null (then refused as missing)."""
    raw = pl.DataFrame({
        "row_id": [0.0, None],
        "campaign_id": [" c1 ", None],
        "kpi": ["sessions", "orders"],
        "period_start": [dt.datetime(2026, 1, 1), dt.datetime(2026, 2, 1)],
        "period_end": [dt.datetime(2026, 1, 31), None],
        "target": ["10", "x"],
    })
    n = te.normalize_edits(raw)
    assert n.schema["period_start"] == pl.Date and n.schema[te.ROW_ID] == pl.Int64
    assert n.rows() == [(0, "c1", "sessions", D(2026, 1, 1), D(2026, 1, 31), 10.0),
                        (None, None, "orders", D(2026, 2, 1), None, None)]


# ---------------------------------------------------------------------------------- diffing


def stored_targets() -> pl.DataFrame:
    return pl.DataFrame({
        "campaign_id": [None, "c1", "c1", "c2"],
        "kpi": ["orders", "sessions", "social_sessions", "reach"],
        "period_start": [D(2026, 1, 1)] * 4,
        "period_end": [D(2026, 3, 31)] * 4,
        "target": [100.0, 200.0, 300.0, 400.0],
    })


def edit_of(original: pl.DataFrame) -> pl.DataFrame:
    """Row 0 unchanged, row 1 new target, row 2 new KPI (a new key), row 3 deleted, one
    row added."""
    e = original.filter(pl.col(te.ROW_ID) != 3).with_columns(
        target=pl.when(pl.col(te.ROW_ID) == 1).then(250.0).otherwise(pl.col("target")),
        kpi=pl.when(pl.col(te.ROW_ID) == 2).then(pl.lit("impressions")).otherwise(
            pl.col("kpi")),
    )
    new = pl.DataFrame({te.ROW_ID: [None], "campaign_id": ["c2"], "kpi": ["orders"],
                        "period_start": [D(2026, 4, 1)], "period_end": [D(2026, 6, 30)],
                        "target": [50.0]}, schema=e.schema)
    return pl.concat([e, new])


def test_diff_counts_inserts_updates_deletes_and_builds_the_statements():
    original = te.editor_frame(stored_targets())
    assert original["campaign_id"].to_list()[0] == te.BRAND_OPTION
    changes = te.diff(original, te.normalize_edits(edit_of(original)))
    assert (changes.inserted, changes.updated, changes.deleted) == (1, 2, 1)
    assert changes.removed.rows() == [("c2", "reach", D(2026, 1, 1), D(2026, 3, 31))]
    stmts = ta.statements(changes)
    kinds = [type(s).__name__ for s in stmts]
    # 2 deletes (the removed row and the re-keyed row's old key), 1 target update,
    # 2 inserts (the new row and the re-keyed row's new key), in that order
    assert [k for k in kinds] == ["Delete", "Delete", "Update", "Insert", "Insert"]
    assert all(isinstance(s, Delete | Update | Insert) for s in stmts)


def test_an_untouched_editor_changes_nothing():
    original = te.editor_frame(stored_targets())
    changes = te.diff(original, te.normalize_edits(original))
    assert changes.empty and ta.statements(changes) == []


def _load(engine, targets: pl.DataFrame) -> None:
    campaigns = pl.DataFrame({
        "campaign_id": ["c1", "c2"], "name": ["One", "Two"], "goal": ["traffic", "awareness"],
        "platform": [None, None], "start_date": [D(2026, 1, 1)] * 2, "end_date": [None, None],
        "budget": [None, None], "owner": [None, None],
    }, schema={"campaign_id": pl.String, "name": pl.String, "goal": pl.String,
               "platform": pl.String, "start_date": pl.Date, "end_date": pl.Date,
               "budget": pl.Float64, "owner": pl.String})
    store.write_frames(engine, {"campaigns": campaigns, "kpi_targets": targets})


def _sorted(df: pl.DataFrame) -> list[tuple]:
    return sorted(df.select(te.COLUMNS).with_columns(pl.col("campaign_id").fill_null("")).rows())


def test_save_applies_every_change_in_one_transaction(engine):
    _load(engine, stored_targets())
    version = store.data_version(engine)
    stored = store.read_dataset(engine, "kpi_targets")
    original = te.editor_frame(stored.sort(pl.col("campaign_id").fill_null(""), "kpi"))
    result = ta.save_edits(engine, original, edit_of(original), catalog=CATALOG,
                           campaign_ids=CAMPAIGNS, stored=stored, actor="ana")
    assert result.saved and not result.errors
    after = store.read_dataset(engine, "kpi_targets")
    assert _sorted(after) == sorted([
        ("", "orders", D(2026, 1, 1), D(2026, 3, 31), 100.0),
        ("c1", "sessions", D(2026, 1, 1), D(2026, 3, 31), 250.0),
        ("c1", "impressions", D(2026, 1, 1), D(2026, 3, 31), 300.0),
        ("c2", "orders", D(2026, 4, 1), D(2026, 6, 30), 50.0),
    ])
    assert after["campaign_id"].null_count() == 1  # brand-wide reads back as null
    assert store.data_version(engine) == version + 1
    audit = store.audit_log(engine, 1).row(0, named=True)
    assert (audit["actor"], audit["action"], audit["dataset"]) == ("ana", ta.EDIT_ACTION,
                                                                  "kpi_targets")
    assert (audit["inserted"], audit["updated"], audit["deleted"]) == (1, 2, 1)


def test_one_bad_row_refuses_the_whole_save(engine):
    _load(engine, stored_targets())
    version = store.data_version(engine)
    stored = store.read_dataset(engine, "kpi_targets")
    original = te.editor_frame(stored)
    bad = edit_of(original).with_columns(  # good changes plus one target of zero
        target=pl.when(pl.col(te.ROW_ID) == 0).then(0.0).otherwise(pl.col("target")))
    result = ta.save_edits(engine, original, bad, catalog=CATALOG, campaign_ids=CAMPAIGNS,
                           stored=stored)
    assert not result.saved
    assert [(e.column, e.value) for e in result.errors] == [("target", "0.0")]
    assert _sorted(store.read_dataset(engine, "kpi_targets")) == _sorted(stored)
    assert store.data_version(engine) == version


def test_keys_can_swap_between_rows_within_one_save(engine):
    _load(engine, stored_targets())
    stored = store.read_dataset(engine, "kpi_targets")
    original = te.editor_frame(stored.sort(pl.col("campaign_id").fill_null(""), "kpi"))
    # rows 1 and 2 are c1 sessions / c1 social_sessions: swap their KPIs
    kpis = original["kpi"].to_list()
    assert kpis[1:3] == ["sessions", "social_sessions"]
    swapped = original.with_columns(pl.Series("kpi", [kpis[0], kpis[2], kpis[1], kpis[3]]))
    result = ta.save_edits(engine, original, swapped, catalog=CATALOG, campaign_ids=CAMPAIGNS,
                           stored=stored)
    assert result.saved
    got = {r[1]: r[4] for r in _sorted(store.read_dataset(engine, "kpi_targets"))}
    assert (got["sessions"], got["social_sessions"]) == (300.0, 200.0)


# ------------------------------------------------------------------------------ suggestions


@pytest.mark.parametrize(("kpi", "previous", "expected"), [
    ("sessions", 1000.0, 1100.0),  # count, higher: ceil(1000 × 1.1)
    ("suggestions", 5.0, 6.0),  # ceil(5.5)
    ("negative_mentions", 25.0, 22.0),  # count, lower: floor(25 × 0.9 = 22.5)
    ("negative_mentions", 1.0, 1.0),  # floor(0.9) = 0, kept at 1
    ("response_rate", 0.8, 0.82),  # share, higher: min(0.88, 0.8 + 0.1 × 0.2 = 0.82)
    ("engagement_rate", 0.05, 0.055),  # min(0.055, 0.05 + 0.1 × 0.95 = 0.145)
    ("negative_share", 0.12, 0.108),  # share, lower: 0.12 × 0.9
    ("cost_per_social_session", 2.5, 2.25),  # money, lower: 2.5 × 0.9
    ("social_roas", 10 / 3, 3.67),  # number, higher: 3.333 × 1.1 = 3.667 → 3.67
    ("median_first_response_minutes", 45.0, 40.5),
    ("revenue_uplift", 0.5, 0.55),  # a change, not a share: × 1.1
    ("sessions", 0.0, None),
    ("sessions", None, None),
])
def test_suggested_value_rules(kpi, previous, expected):
    assert te.suggested_value(CATALOG[kpi], previous) == pytest.approx(expected) if (
        expected is not None) else te.suggested_value(CATALOG[kpi], previous) is None


def test_suggestion_periods():
    selected = Period(D(2026, 10, 4), D(2026, 10, 31))
    # a campaign with an end date: its run (10 days) and the 10 days before it
    assert te.suggestion_periods(D(2026, 9, 1), D(2026, 9, 10), selected) == (
        Period(D(2026, 9, 1), D(2026, 9, 10)), Period(D(2026, 8, 22), D(2026, 8, 31)))
    # running, started before the selected period: the selected period, the 28 days before
    assert te.suggestion_periods(D(2026, 1, 1), None, selected) == (
        selected, Period(D(2026, 9, 6), D(2026, 10, 3)))
    # running, started inside it: from its start
    assert te.suggestion_periods(D(2026, 10, 20), None, selected)[0] == Period(
        D(2026, 10, 20), D(2026, 10, 31))


def _conversation(cid: str, campaign: str | None, day: dt.date, kind: str) -> dict:
    at = dt.datetime.combine(day, dt.time(10), tzinfo=dt.UTC)
    return {"conversation_id": cid, "platform": "x", "opened_at": at, "kind": kind,
            "sentiment": "neutral", "first_response_at": None, "resolved_at": None,
            "campaign_id": campaign}


def test_suggestions_from_hand_computed_previous_period_actuals():
    """Campaign c1 (research, then awareness) runs 2026-03-11 – 2026-03-20; the previous
    comparable period is 2026-03-01 – 2026-03-10."""
    from smmkpi import datasets as ds

    conv = pl.DataFrame([
        _conversation("a", "c1", D(2026, 3, 1), "suggestion"),
        _conversation("b", "c1", D(2026, 3, 5), "suggestion"),
        _conversation("c", "c1", D(2026, 3, 10), "suggestion"),
        _conversation("d", "c1", D(2026, 3, 2), "question"),
        _conversation("e", "c1", D(2026, 3, 3), "question"),
        _conversation("f", "c2", D(2026, 3, 4), "suggestion"),  # another campaign
        _conversation("g", "c1", D(2026, 2, 28), "suggestion"),  # before the period
        _conversation("h", "c1", D(2026, 3, 11), "suggestion"),  # in the target period
    ], schema=ds.get("conversations").schema)
    social = pl.DataFrame({
        "date": [D(2026, 3, 9), D(2026, 3, 10), D(2026, 3, 10)],
        "platform": ["instagram"] * 3,
        "campaign_id": ["c1", "c1", "c2"],
        "impressions": [1000, 3000, 99999], "reach": [500, 1500, 9999],
        "engagements": [40, 60, 999], "link_clicks": [10, 30, 999],
        "followers": [100, 110, 5000], "posts": [2, 2, 9], "promo_posts": [1, 0, 9],
        "spend": [0.0, 0.0, 0.0],
        **dict.fromkeys(("new_followers", "page_views", "unique_visitors"), [None] * 3),
    }, schema=ds.get("social_daily").schema)
    src = FrameSource({"conversations": conv, "social_daily": social}, key="t")
    target, previous = te.suggestion_periods(D(2026, 3, 11), D(2026, 3, 20),
                                             Period(D(2026, 3, 1), D(2026, 3, 31)))
    assert previous == Period(D(2026, 3, 1), D(2026, 3, 10))

    kpis = for_goal("research")
    prev = te.previous_actuals(src, kpis, "c1", previous, settings=get_settings())
    assert prev == {"questions": 2.0, "suggestions": 3.0}  # rows d, e and a, b, c
    sug = te.suggest(kpis, prev, "c1", target)
    assert sug.select("kpi", "previous", "target").rows() == [
        ("questions", 2.0, 3.0),  # ceil(2.2)
        ("suggestions", 3.0, 4.0),  # ceil(3.3)
    ]
    assert sug["period_start"].to_list() == [D(2026, 3, 11)] * 2
    assert sug["campaign_id"].to_list() == ["c1", "c1"]

    kpis = for_goal("awareness")
    prev = te.previous_actuals(src, kpis, "c1", previous, settings=get_settings())
    sug = {r["kpi"]: r for r in te.suggest(kpis, prev, "c1", target).iter_rows(named=True)}
    # c1 in the previous period: impressions 1000 + 3000, reach 500 + 1500, engagements
    # 40 + 60, link clicks 10 + 30, posts 4 of which 1 promotional, followers 100 → 110
    expected = {
        "impressions": (4000, 4400),
        "reach": (2000, 2200),
        "frequency": (2.0, 2.2),  # 4000 / 2000, × 1.1
        "engagement_rate": (0.05, 0.055),  # 100 / 2000
        "ctr": (0.01, 0.011),  # 40 / 4000
        "follower_growth": (10, 11),
        "promo_share": (0.25, 0.225),  # lower is better: × 0.9
    }
    for kpi, (before, suggested) in expected.items():
        assert sug[kpi]["previous"] == pytest.approx(before), kpi
        assert sug[kpi]["target"] == pytest.approx(suggested), kpi
    # no website sessions at all: no starting point, no suggestion
    assert sug["social_sessions"]["target"] is None and sug["social_sessions"]["previous"] is None


def test_accepted_suggestions_save_as_inserts(engine):
    _load(engine, stored_targets())
    stored = store.read_dataset(engine, "kpi_targets")
    sug = te.suggest(for_goal("research"), {"questions": 2.0, "suggestions": 3.0}, "c2",
                     Period(D(2026, 3, 11), D(2026, 3, 20)))
    accepted = sug.select(te.COLUMNS).with_columns(pl.lit(None, pl.Int64).alias(te.ROW_ID))
    result = ta.save_edits(engine, te.editor_frame(stored.clear()), accepted, catalog=CATALOG,
                           campaign_ids=CAMPAIGNS, stored=stored, action="targets_suggested")
    assert result.saved and result.changes.inserted == 2
    assert store.read_dataset(engine, "kpi_targets").height == stored.height + 2
    # accepting the same suggestions again is refused: the keys are taken
    stored = store.read_dataset(engine, "kpi_targets")
    again = ta.save_edits(engine, te.editor_frame(stored.clear()), accepted, catalog=CATALOG,
                          campaign_ids=CAMPAIGNS, stored=stored)
    assert [e.row for e in again.errors] == [1, 2]


# ------------------------------------------------------------------------------ page helpers


def test_cumulative_trend_additive_fills_missing_days_and_stops_at_as_of():
    daily = pl.DataFrame({"date": [D(2026, 1, 1), D(2026, 1, 3), D(2026, 1, 4)],
                          "num": [2.0, 4.0, 100.0]})
    out = tv.cumulative_trend(CATALOG["sessions"], daily, D(2026, 1, 1), D(2026, 1, 4),
                              D(2026, 1, 3), target=8.0)
    assert out is not None
    # day 2 has no rows (a zero day); day 4 is after as_of. Pace: 8 × day / 4
    assert out["actual"].to_list() == [2.0, 2.0, 6.0, None]
    assert out["pace"].to_list() == [2.0, 4.0, 6.0, 8.0]


def test_cumulative_trend_ratio_divides_running_sums():
    daily = pl.DataFrame({"date": [D(2026, 1, 2), D(2026, 1, 3)], "num": [1.0, 1.0],
                          "den": [2.0, 6.0]})
    out = tv.cumulative_trend(CATALOG["response_rate"], daily, D(2026, 1, 1), D(2026, 1, 4),
                              D(2026, 1, 4), target=0.9)
    assert out is not None
    # day 1: 0/0 → null; day 2: 1/2; day 3: (1+1)/(2+6) = 0.25; day 4: still 0.25
    assert out["actual"].to_list() == [None, 0.5, 0.25, 0.25]
    assert out["pace"].to_list() == [0.9] * 4


def test_trend_ends_at_the_evaluated_actual_on_the_demo(demo_frames):
    """The last point of each target's trend (running sums of the KPI's daily parts) equals
    the actual evaluate_targets computed for it."""
    from smmkpi.kpis.targets import evaluate_targets
    from smmkpi.workspace import Filters, Workspace

    src = FrameSource(demo_frames, key="demo")
    ws = Workspace(src, Period(D(2026, 10, 4), D(2026, 10, 31)))
    results = evaluate_targets(ws, CATALOG)
    checked = 0
    for t in results.filter(pl.col("elapsed_days") > 0).iter_rows(named=True):
        kpi = CATALOG[t["kpi"]]
        if kpi.daily is None:
            continue
        cid = t["campaign_id"]
        sub = Workspace(src, Period(t["period_start"], min(t["period_end"], ws.end)),
                        Filters(campaigns=(cid,) if cid else ()))
        trend = tv.cumulative_trend(kpi, kpi.daily(sub), t["period_start"], t["period_end"],
                                    ws.end, t["target"])
        assert trend is not None
        last = trend.filter(pl.col("date") == min(t["period_end"], ws.end))["actual"].item()
        assert last == pytest.approx(t["actual"]), (t["kpi"], cid)
        checked += 1
    assert checked >= 15


def test_goals_filters_and_counts():
    results = pl.DataFrame({
        "campaign_id": ["c1", None, "c2"], "kpi": ["sessions", "response_rate", "reach"],
        "status": ["on track", "off track", "at risk"],
    })
    campaigns = pl.DataFrame({"campaign_id": ["c1", "c2"], "goal": ["traffic", "awareness"]})
    g = tv.with_goals(results, campaigns, CATALOG)
    # c1 → its goal; brand-wide response_rate → the KPI's goals (support, reputation)
    assert g["goals"].to_list() == [["traffic"], ["support", "reputation"], ["awareness"]]
    assert tv.filter_targets(g, goals=["support"])["kpi"].to_list() == ["response_rate"]
    assert tv.filter_targets(g, campaigns=[tv.BRAND, "c2"])["kpi"].to_list() == [
        "response_rate", "reach"]
    assert tv.filter_targets(g, statuses=["at risk", "on track"]).height == 2
    assert tv.status_counts(g) == {"off track": 1, "at risk": 1, "no data": 0, "on track": 1,
                                   "not started": 0}


def test_goal_table_rows_values_and_target_summary():
    camps = pl.DataFrame({"campaign_id": ["c1", "c2"], "name": ["One", "Two"]})
    kpis = [CATALOG["sessions"], CATALOG["response_rate"]]
    results = pl.DataFrame({
        "campaign_id": ["c1", "c1", "c1", None, None],
        "kpi": ["sessions", "reach", "orders", "sessions", "revenue"],
        "status": ["on track", "off track", "on track", "at risk", "off track"],
    })
    table = tv.goal_table(camps, {"c1": {"sessions": 10.0, "response_rate": None},
                                  "c2": {"sessions": 5.0, "response_rate": 0.5}},
                          {"sessions": 100.0, "response_rate": 0.9}, kpis, results)
    assert table.rows() == [
        ("c1", "One", "1 off track · 2 on track", 10.0, None),
        ("c2", "Two", None, 5.0, 0.5),
        # brand-wide targets on these KPIs only (sessions; revenue is not one of them)
        (None, tv.WHOLE_BRAND, "1 at risk", 100.0, 0.9),
    ]
    text = tv.formatted(table, kpis, "USD")
    assert text["response_rate"].to_list() == ["n/a", "50.0 %", "90.0 %"]


def test_goal_matrix_reads_side_by_side():
    camps = pl.DataFrame({"campaign_id": ["c1", "c2"], "name": ["Spring", "Spring"]})
    kpis = [CATALOG["sessions"], CATALOG["negative_share"]]
    table = tv.goal_table(camps, {"c1": {"sessions": 1200.0, "negative_share": 0.1},
                                  "c2": {"sessions": 5.0, "negative_share": None}},
                          {"sessions": 100.0, "negative_share": 0.2}, kpis)
    m = tv.goal_matrix(table, kpis, "USD")
    assert m.columns == ["KPI", "Better", "Measured on", "Spring", "Spring (c2)",
                         tv.WHOLE_BRAND]
    assert m.rows() == [
        ("Sessions", "↑ higher", "campaign", "1.2k", "5", "100"),
        (CATALOG["negative_share"].label, "↓ lower", "whole brand", "10.0 %", "n/a", "20.0 %"),
    ]


def test_campaign_scoped_kpis():
    assert tv.campaign_scoped(CATALOG["sessions"])  # web sessions carry a UTM campaign
    assert not tv.campaign_scoped(CATALOG["orders"])
    assert not tv.campaign_scoped(CATALOG["negative_share"])  # mentions
