"""Annotations: the CSV import (with its audit entry), the period and filter rules, and the
markers on time-series charts."""

from __future__ import annotations

import datetime as dt

import plotly.graph_objects as go
import polars as pl
import pytest

from smmkpi import charts, store
from smmkpi.actions import imports
from smmkpi.views.annotations import annotations_for, listing
from smmkpi.workspace import DbSource, Filters, FrameSource, Period, Workspace

D = dt.date
CSV = (
    "Date,Title,End date,Campaign,Platform,Note\n"
    "2026-09-15,PR crisis,2026-09-18,,x,Late deliveries\n"
    "2026-10-01,Price change,,,,+5 %\n"
    "2026-10-03,Launch: autumn,,autumn,instagram,\n"
    "2026-08-01,Old note,,,,\n"
)


def _frame() -> pl.DataFrame:
    return pl.DataFrame(
        {"date": [D(2026, 9, 15), D(2026, 10, 1), D(2026, 10, 3), D(2026, 8, 1)],
         "title": ["PR crisis", "Price change", "Launch: autumn", "Old note"],
         "end_date": [D(2026, 9, 18), None, None, None],
         "campaign_id": [None, None, "autumn", None],
         "platform": ["x", None, "instagram", None],
         "note": ["Late deliveries", "+5 %", None, None]},
        schema={"date": pl.Date, "title": pl.String, "end_date": pl.Date,
                "campaign_id": pl.String, "platform": pl.String, "note": pl.String})


def test_import_stores_annotations_with_the_audit_log(engine, tmp_path):
    path = tmp_path / "events.csv"
    path.write_text(CSV)
    batch = imports.combine(imports.read_files([path]))
    assert batch.ok and list(batch.frames) == ["annotations"]
    res = imports.write(engine, batch, actor="ann@example.com")
    assert res["annotations"].inserted == 4
    again = imports.write(engine, batch, actor="ann@example.com")
    assert again["annotations"].unchanged == 4  # idempotent by (date, title)
    stored = store.read_dataset(engine, "annotations").sort("date")
    assert stored["title"].to_list() == ["Old note", "PR crisis", "Price change",
                                         "Launch: autumn"]
    assert stored.filter(pl.col("title") == "PR crisis")["end_date"].item() == D(2026, 9, 18)
    log = store.audit_log(engine)
    assert log.filter(pl.col("dataset") == "annotations").height == 2
    assert log["actor"][0] == "ann@example.com"


def test_a_range_ending_before_it_starts_is_refused_naming_row_and_column(tmp_path):
    path = tmp_path / "events.csv"
    path.write_text("date,title,end_date\n2026-10-05,Bad,2026-10-01\n2026-10-06,Good,\n")
    batch = imports.combine(imports.read_files([path]))
    assert not batch.ok
    text = str(batch.problems[0])
    assert "events.csv" in text and "row 2" in text and "end_date" in text
    assert "before date" in text


def _ws(period: Period, filters: Filters | None = None) -> Workspace:
    return Workspace(FrameSource({"annotations": _frame()}, "t"), period, filters or Filters())


def test_the_period_keeps_overlapping_days_and_ranges():
    # 17 Sep - 2 Oct: the crisis began before the period but runs into it; the old note and
    # the launch on 3 Oct are outside
    got = annotations_for(_ws(Period(D(2026, 9, 17), D(2026, 10, 2))))
    assert got["title"].to_list() == ["PR crisis", "Price change"]
    assert annotations_for(_ws(Period(D(2026, 9, 19), D(2026, 9, 30)))).height == 0


def test_filters_hide_other_campaigns_and_platforms_but_keep_brand_wide_notes():
    period = Period(D(2026, 9, 1), D(2026, 10, 31))
    other = annotations_for(_ws(period, Filters(campaigns=("spring",))))
    assert other["title"].to_list() == ["PR crisis", "Price change"]
    insta = annotations_for(_ws(period, Filters(platforms=("instagram",))))
    assert insta["title"].to_list() == ["Price change", "Launch: autumn"]
    everything = annotations_for(_ws(period))
    assert everything.height == 3
    rows = listing(everything, {"autumn": "Autumn drive"}).to_dicts()
    assert rows[0] == {"When": "15 – 18 Sep 2026", "Title": "PR crisis", "Campaign": "",
                       "Platform": "X", "Note": "Late deliveries"}
    assert rows[2]["Campaign"] == "Autumn drive" and rows[2]["Platform"] == "Instagram"


def test_db_source_reads_them_too(engine):
    store.write_frames(engine, {"annotations": _frame()})
    got = annotations_for(Workspace(DbSource(engine), Period(D(2026, 10, 1), D(2026, 10, 31))))
    assert got["title"].to_list() == ["Price change", "Launch: autumn"]


def _line_figure() -> dict:
    days = [D(2026, 10, 1) + dt.timedelta(days=i) for i in range(10)]
    fig = charts.lines(pl.DataFrame({"date": days, "v": list(range(10))}), "date", ["v"],
                       ["Sessions"], title="Sessions per day, 1 – 10 Oct 2026",
                       y_title="Sessions")
    return charts.sanitized_dict(fig)


def test_time_series_get_markers_with_their_titles_on_hover():
    fig = _line_figure()
    assert charts.is_time_series(fig)
    notes = annotations_for(_ws(Period(D(2026, 9, 1), D(2026, 10, 31))))
    out = charts.with_annotations(fig, notes)
    marker = out["data"][-1]
    # only those within the chart's dates (1 - 10 Oct): the price change and the launch
    assert marker["x"] == [D(2026, 10, 1), D(2026, 10, 3)]
    assert "<b>Price change</b>" in marker["hovertext"][0] and "+5 %" in marker["hovertext"][0]
    assert len(out["layout"]["shapes"]) == len(fig["layout"].get("shapes", [])) + 2
    assert len(fig["data"]) == len(out["data"]) - 1  # the input is not changed
    go.Figure(out)  # valid for Plotly
    # one series had no legend; the marker must not bring one ("trace 0")
    assert out["layout"]["showlegend"] is False
    two = {**fig, "data": [*fig["data"], {**fig["data"][0], "name": "Other"}]}
    assert "showlegend" not in charts.with_annotations(two, notes)["layout"]


def test_a_range_is_a_band_and_titles_are_escaped():
    fig = _line_figure()
    notes = pl.DataFrame({"date": [D(2026, 9, 28)], "end_date": [D(2026, 10, 4)],
                          "title": ["<a href='x'>Launch</a>"], "note": [None]},
                         schema={"date": pl.Date, "end_date": pl.Date, "title": pl.String,
                                 "note": pl.String})
    out = charts.with_annotations(fig, notes)
    rect = [s for s in out["layout"]["shapes"] if s["type"] == "rect"]
    assert rect and rect[0]["x0"] == D(2026, 10, 1) and rect[0]["x1"] == D(2026, 10, 4)
    assert "<a " not in out["data"][-1]["hovertext"][0]


@pytest.mark.parametrize("fig", [
    go.Figure(go.Bar(x=["Facebook", "X"], y=[1, 2])),
    go.Figure(go.Heatmap(z=[[1]])),
])
def test_other_charts_are_left_alone(fig):
    data = charts.sanitized_dict(fig)
    assert not charts.is_time_series(data)
    assert charts.with_annotations(data, _frame()) is data


def test_migration_0008_adds_and_removes_its_tables(engine, downgrade_to):
    """Down to 0007 drops exactly the new tables (the data of the others stays), up again
    brings them back."""
    from sqlalchemy import inspect

    from smmkpi import db

    new = {"annotations", "alert_rules", "alert_events", "alert_deliveries",
           "digest_subscriptions", "digest_sends", "scheduler_locks"}
    store.write_frames(engine, {"annotations": _frame()})
    assert new <= set(inspect(engine).get_table_names())
    downgrade_to("0007")
    assert not new & set(inspect(engine).get_table_names())
    assert "posts" in inspect(engine).get_table_names()
    db.migrate(engine)
    assert new <= set(inspect(engine).get_table_names())
    assert store.read_dataset(engine, "annotations").height == 0
