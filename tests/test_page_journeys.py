"""The Journeys page on the demo data: tiles equal the catalog (and follow the destination
chosen on the page), the Sankey conserves visitors from step to step and respects its caps,
the table lists paths that never reach the destination; an empty database gets an empty
state. Also the small helpers the page uses (touchpoints, starting_on_social, node flags)."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

import pagetools
import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from smmkpi import datasets as ds
from smmkpi.kpis import journeys as jr

ROOT = Path(__file__).resolve().parent.parent
PAGE = "pages/journeys.py"
TILES = ["journey_site_reach_rate", "journey_bounce_rate"]


def open_page(**query: str) -> AppTest:
    return pagetools.open_page(PAGE, query)


workspaces = pagetools.default_workspaces


def sankey_of(at: AppTest) -> dict:
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    found = [s for s in specs if s["data"] and s["data"][0]["type"] == "sankey"]
    assert len(found) == 1
    return found[0]["data"][0]


@pytest.fixture(scope="module")
def page(demo_db):
    with pagetools.demo_settings(demo_db):
        yield open_page(), *workspaces(demo_db)


def test_tiles_equal_the_catalog_with_comparison(page):
    at, ws, prev = page
    pagetools.assert_tiles(at, ws, prev, TILES)


def test_sankey_conserves_visitors(page):
    at, ws, _ = page
    sk = sankey_of(at)
    node, link = sk["node"], sk["link"]
    # customdata per node: step (1-based), visitors, of them started on social, exits, label
    custom = [c[:4] for c in node["customdata"]]
    inflow, outflow = defaultdict(int), defaultdict(int)
    for s, t, v in zip(link["source"], link["target"], link["value"], strict=True):
        inflow[t] += v
        outflow[s] += v
        assert custom[t][0] == custom[s][0] + 1  # links go from one step to the next
    for i, (step, visitors, _, exits) in enumerate(custom):
        if step > 1:  # middle and last nodes: what arrives ...
            assert inflow[i] == visitors
        assert outflow[i] + exits == visitors  # ... flows on or ends here
    # step 1 holds every visitor of the period (independent count from the raw rows)
    frame = ws.frame("journeys")
    assert sum(c[1] for c in custom if c[0] == 1) == frame["visitors"].sum()
    assert sum(c[3] for c in custom) == frame["visitors"].sum()  # every path ends once
    # social starters, counted from the raw rows: all of step 1's social_start, and those
    # with a second touchpoint are exactly the highlighted (vermillion) flows out of step 1
    social = set(ds.PLATFORMS)
    tps = [[t.strip().lower() for t in p.split(">")] for p in frame["path"]]
    starts = sum(v for t, v in zip(tps, frame["visitors"], strict=True) if t[0] in social)
    onward = sum(v for t, v in zip(tps, frame["visitors"], strict=True)
                 if t[0] in social and len(t) >= 2)
    assert 0 < onward <= starts
    assert sum(c[2] for c in custom if c[0] == 1) == starts
    assert sum(v for s, v, col in zip(link["source"], link["value"], link["color"], strict=True)
               if custom[s][0] == 1 and col.startswith("rgba(213,94,0")) == onward
    assert "first 5 steps" in at.get("plotly_chart")[0].proto.spec


def test_paths_table_never_reaches_the_destination(page):
    at, ws, _ = page
    table = at.dataframe[0].value
    assert 0 < len(table) <= 20
    assert not any("website" in p.split(" > ") for p in table["path"])
    assert list(table["visitors"]) == sorted(table["visitors"], reverse=True)
    # visitors per path, counted from the raw rows
    frame = ws.frame("journeys")
    top = table.iloc[0]
    assert top["visitors"] == frame.filter(pl.col("path") == top["path"])["visitors"].sum()


def test_controls_cap_steps_and_nodes(app_env):
    at = open_page(journey_steps="3", journey_nodes="3")
    custom = sankey_of(at)["node"]["customdata"]
    steps = [c[0] for c in custom]
    assert max(steps) == 3
    assert max(steps.count(s) for s in set(steps)) <= 3
    labels = [c[4] for c in sankey_of(at)["node"]["customdata"]]  # step 1: in the margin
    assert any(label.startswith("Other · ") for label in labels)


def test_destination_choice_drives_tiles_and_table(app_env):
    from smmkpi import formatting
    from smmkpi.kpis.catalog import CATALOG

    at = open_page()
    at.selectbox(key="journey_destination").set_value("blog").run()
    assert not at.exception
    ws, _ = workspaces(app_env)
    blog = replace(ws, settings=replace(ws.settings, journey_destination="blog"), _memo={})
    shown = {m.label: m.value for m in at.metric}
    for kid in TILES:
        k = CATALOG[kid]
        assert shown[k.label] == formatting.value(k.compute(blog), k.unit)
        assert k.compute(blog) != k.compute(ws)  # the choice matters on the demo data
    assert not any("blog" in p.split(" > ") for p in at.dataframe[0].value["path"])


def test_social_only_view(app_env):
    at = open_page(journey_view="Starting on social")
    sk = sankey_of(at)
    assert all(c.startswith("rgba(213,94,0") for c in sk["link"]["color"])


def test_empty_database_names_the_missing_dataset(monkeypatch, tmp_path):
    from smmkpi.config import get_settings

    monkeypatch.setenv("SMMKPI_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    get_settings.cache_clear()
    try:
        at = open_page()
    finally:
        get_settings.cache_clear()
    text = " ".join(i.value for i in at.info)
    assert "`journeys`" in text and "python -m smmkpi import" in text
    assert not at.get("plotly_chart")


# --- helpers used by the page ----------------------------------------------------------------

J = pl.DataFrame(
    {
        "date": [dt.date(2026, 1, 1)] * 4,
        "path": ["instagram > blog > website", "Google > website", "fb > instagram",
                 "l.facebook.com > blog"],
        "visitors": [10, 30, 5, 2],
        "conversions": [1, 2, 0, 0],
    },
    schema=ds.get("journeys").schema,
)


def test_touchpoints_by_visitors():
    # website 10+30 = 40, google 30, blog 10+2 = 12, instagram 10+5 = 15, facebook 5+2 = 7
    assert jr.touchpoints(J) == ["website", "google", "instagram", "blog", "facebook"]


def test_starting_on_social_keeps_social_first_touchpoints():
    kept = jr.starting_on_social(J)
    assert sorted(kept["path"]) == ["fb > instagram", "instagram > blog > website",
                                    "l.facebook.com > blog"]
    assert kept.schema == J.schema


def test_sankey_nodes_flag_social_touchpoints():
    nodes, _ = jr.sankey_table(J, max_nodes_per_step=2)
    # step 0: google 30 kept, instagram 10 + facebook 7 -> other (not social as a node)
    flags = {(r["step"], r["touchpoint"]): r["social"] for r in nodes.iter_rows(named=True)}
    assert flags[(0, "google")] is False
    assert flags[(0, "other")] is False
    # step 1: website 30 (destination), blog 12, instagram 5 -> website, other
    assert flags[(1, "website")] is False
    nodes, _ = jr.sankey_table(J)
    flags = {(r["step"], r["touchpoint"]): r["social"] for r in nodes.iter_rows(named=True)}
    assert flags[(0, "instagram")] and flags[(0, "facebook")] and flags[(1, "instagram")]
    assert not flags[(1, "blog")]


def test_paths_table_formats_and_downloads(page):
    at, _, _ = page
    paths = at.dataframe[0]
    fmt = pagetools.formats(paths)
    assert fmt["visitors"] == fmt["conversions"] == "%,d"
    assert fmt["share"] == "%.1f %%"
    assert paths.value["share"].max() <= 100  # shares shown in percent
    assert pagetools.column_config(paths)["path"]["pinned"] is True
    pagetools.assert_downloads(at, ["paths_not_reaching"])
