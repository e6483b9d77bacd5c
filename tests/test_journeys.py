"""Journey KPIs, the Sankey node/link table and paths that never reach the website."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smmkpi import datasets as ds
from smmkpi.kpis import journeys as jr
from smmkpi.kpis.base import KPI
from smmkpi.workspace import FrameSource, Period, Workspace

D = dt.date
MAY1, MAY2 = D(2024, 5, 1), D(2024, 5, 2)

# Paths (normalized)                          visitors  starts social  social steps  website
# instagram > blog > website > purchase       50 + 15   yes            1             yes
# instagram > facebook > blog (capitals)      30        yes            2             no  -> bounce
# facebook > website  ("fb")                  20        yes            1             yes
# google > website                            100       no             0             yes
# blog                                        10        no             0             no
# x > x > instagram  ("t.co > x > ...")       5         yes            3             no  -> bounce
J = pl.DataFrame(
    {
        "date": [MAY1] * 6 + [MAY2],
        "path": ["instagram > blog > website > purchase", "Instagram > Facebook > blog",
                 "fb > website", "google > website", "blog", "t.co > x > instagram",
                 "instagram > blog > website > purchase"],
        "visitors": [50, 30, 20, 100, 10, 5, 15],
        "conversions": [5, None, 2, 10, 0, 0, 1],
    },
    schema=ds.JOURNEYS.schema,
)


def _kpi(kpi_id: str) -> KPI:
    return next(k for k in jr.KPIS if k.id == kpi_id)


def _ws(frames: dict[str, pl.DataFrame], start: dt.date = MAY1, end: dt.date = MAY2) -> Workspace:
    return Workspace(FrameSource(frames, key="t"), Period(start, end))


def test_registry() -> None:
    assert [k.id for k in jr.KPIS] == ["journey_site_reach_rate", "journey_bounce_rate"]
    assert all(k.area == "traffic" and not k.additive and k.unit == "ratio" for k in jr.KPIS)
    assert _kpi("journey_bounce_rate").direction == "lower"


def test_path_flags() -> None:
    f = jr.path_flags(J, "website").collect().sort("path")
    rows = {r["path"]: r for r in f.to_dicts()}
    assert rows["Instagram > Facebook > blog"]["normalized"] == "instagram > facebook > blog"
    assert rows["fb > website"]["normalized"] == "facebook > website"
    assert rows["t.co > x > instagram"]["normalized"] == "x > x > instagram"
    assert rows["t.co > x > instagram"]["social_touchpoints"] == 3
    assert rows["google > website"]["starts_on_social"] is False
    assert rows["instagram > blog > website > purchase"]["reaches_destination"] is True
    assert rows["blog"]["reaches_destination"] is False
    # Blanks around touchpoints and empty steps do not matter; case does not matter.
    odd = jr.path_flags(pl.Series(["  FB>  >WEBSITE "]), "Website").collect().row(0, named=True)
    assert odd["normalized"] == "facebook > website" and odd["reaches_destination"]


def test_kpis_by_hand() -> None:
    ws = _ws({"journeys": J})
    # Start on social: 50+30+20+5+15 = 120. Reach website: 50+20+15 = 85. Bounce: 30+5 = 35.
    assert _kpi("journey_site_reach_rate").compute(ws) == pytest.approx(85 / 120)
    assert _kpi("journey_bounce_rate").compute(ws) == pytest.approx(35 / 120)


def test_daily_decomposition() -> None:
    ws = _ws({"journeys": J})
    d = _kpi("journey_site_reach_rate").daily(ws)  # type: ignore[misc]
    # May 1: social start 50+30+20+5 = 105, reached 50+20 = 70; May 2: 15 of 15.
    assert d.rows() == [(MAY1, 70.0, 105.0), (MAY2, 15.0, 15.0)]
    d = _kpi("journey_bounce_rate").daily(ws)  # type: ignore[misc]
    assert d.rows() == [(MAY1, 35.0, 105.0), (MAY2, 0.0, 15.0)]
    # May 2 alone: everyone reaches the website, nobody bounces.
    ws2 = _ws({"journeys": J}, MAY2, MAY2)
    assert _kpi("journey_site_reach_rate").compute(ws2) == 1.0
    assert _kpi("journey_bounce_rate").compute(ws2) == 0.0


def test_configurable_destination() -> None:
    d = jr.journey_daily(J, destination="Blog")
    assert d is not None
    # Reach blog from social: 50+15 (instagram > blog ...) + 30 = 95 of 120.
    # Bounce: social start, >= 2 social steps, no blog: x > x > instagram 5.
    assert d["reached_visitors"].sum() == 95
    assert d["bounced_visitors"].sum() == 5
    assert d["social_start_visitors"].sum() == 120 and d["visitors"].sum() == 230


def test_absent_or_no_social_start_is_none() -> None:
    assert all(k.compute(_ws({"web_sessions": _one_session()})) is None for k in jr.KPIS)
    only_google = J.filter(pl.col("path") == "google > website")
    ws = _ws({"journeys": only_google})
    assert _kpi("journey_site_reach_rate").compute(ws) is None
    assert _kpi("journey_bounce_rate").compute(ws) is None


def _one_session() -> pl.DataFrame:
    return pl.DataFrame(
        {"date": [MAY1], "source": ["google"], "medium": ["organic"], "campaign": [None],
         "sessions": [1], "engaged_sessions": [1], "conversions": [0], "revenue": [0.0],
         "content": [None]},
        schema=ds.WEB_SESSIONS.schema,
    )


def test_sankey_other_grouping_by_hand() -> None:
    nodes, links = jr.sankey_table(J, max_steps=3, max_nodes_per_step=2)
    # Step 0: google 100, instagram 95, facebook 20, blog 10, x 5 -> 5 > 2 touchpoints:
    #   keep google, the rest is "other" = 95+20+10+5 = 130 (120 of them start on social).
    # Step 1: website 120 (20 fb + 100 google) is the destination and always kept;
    #   blog 65, facebook 30, x 5 -> other 100.
    # Step 2 (cut there): website 65, blog 30 and instagram 5 -> other 35.
    assert nodes.select("node", "step", "touchpoint", "visitors", "social_start", "exits",
                        "is_other", "is_destination").rows() == [
        (0, 0, "google", 100, 0, 0, False, False),
        (1, 0, "other", 130, 120, 10, True, False),  # 10: the one-step path "blog" ends
        (2, 1, "website", 120, 20, 120, False, True),
        (3, 1, "other", 100, 100, 0, True, False),
        (4, 2, "website", 65, 65, 65, False, True),  # "> purchase" is cut by max_steps
        (5, 2, "other", 35, 35, 35, True, False),
    ]
    assert links.rows() == [
        (0, 2, 0, False, 100),  # google > website
        (1, 2, 0, True, 20),  # facebook > website
        (1, 3, 0, True, 100),  # instagram > blog 65, instagram > facebook 30, x > x 5
        (3, 4, 1, True, 65),  # blog > website
        (3, 5, 1, True, 35),  # facebook > blog 30, x > instagram 5
    ]


def test_sankey_default_keeps_every_touchpoint() -> None:
    nodes, links = jr.sankey_table(J)
    assert not nodes["is_other"].any()
    step0 = nodes.filter(pl.col("step") == 0)
    assert step0["touchpoint"].to_list() == ["google", "instagram", "facebook", "blog", "x"]
    assert step0["visitors"].to_list() == [100, 95, 20, 10, 5]
    # Four steps at most: instagram > blog > website > purchase reaches step 3.
    assert nodes["step"].max() == 3
    purchase = nodes.filter(pl.col("touchpoint") == "purchase").row(0, named=True)
    assert purchase["visitors"] == 65 and purchase["exits"] == 65
    # Links split by whether the path starts on social: google > website is not.
    g = nodes.filter((pl.col("step") == 0) & (pl.col("touchpoint") == "google"))["node"][0]
    assert links.filter(pl.col("source") == g)["starts_on_social"].to_list() == [False]


def _check_conservation(nodes: pl.DataFrame, links: pl.DataFrame, max_nodes: int) -> None:
    for k in range(int(nodes["step"].max() or 0)):
        leaving = links.filter(pl.col("step") == k)["visitors"].sum()
        arriving = nodes.filter(pl.col("step") == k + 1)["visitors"].sum()
        assert leaving == arriving
    out = links.group_by("source").agg(pl.col("visitors").sum().alias("out"))
    check = nodes.join(out, left_on="node", right_on="source", how="left").with_columns(
        pl.col("out").fill_null(0)
    )
    assert (check["visitors"] == check["out"] + check["exits"]).all()
    assert (check["exits"] >= 0).all()
    assert nodes.group_by("step").len()["len"].max() <= max_nodes  # type: ignore[operator]
    inc = links.group_by("target").agg(pl.col("visitors").sum().alias("in"))
    later = nodes.filter(pl.col("step") > 0).join(inc, left_on="node", right_on="target")
    assert (later["visitors"] == later["in"]).all()


def test_sankey_conservation_on_example() -> None:
    for steps, max_nodes in ((5, 8), (3, 2), (2, 3), (1, 2)):
        nodes, links = jr.sankey_table(J, max_steps=steps, max_nodes_per_step=max_nodes)
        _check_conservation(nodes, links, max_nodes)
        # Every visitor of a path with at least one touchpoint enters at step 0.
        assert nodes.filter(pl.col("step") == 0)["visitors"].sum() == 230


_TOUCH = st.sampled_from(["instagram", "facebook", "fb", "x", "blog", "website", "google",
                          "email", "tiktok", "purchase", "other", "shop"])


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.lists(_TOUCH, min_size=1, max_size=7), st.integers(1, 50)),
             min_size=1, max_size=25),
    st.integers(1, 6),
    st.integers(2, 5),
)
def test_sankey_conservation_property(
    paths: list[tuple[list[str], int]], max_steps: int, max_nodes: int
) -> None:
    frame = pl.DataFrame(
        {"date": [MAY1] * len(paths), "path": [" > ".join(p) for p, _ in paths],
         "visitors": [v for _, v in paths], "conversions": [None] * len(paths)},
        schema=ds.JOURNEYS.schema,
    ).unique(["date", "path"])
    nodes, links = jr.sankey_table(frame, max_steps=max_steps, max_nodes_per_step=max_nodes)
    _check_conservation(nodes, links, max_nodes)
    assert nodes.filter(pl.col("step") == 0)["visitors"].sum() == frame["visitors"].sum()
    # The step count of each path, cut at max_steps, equals the number of nodes it passes:
    # total visitor-steps in the nodes = sum over paths of visitors * min(len, max_steps).
    lengths = frame.select(
        pl.col("visitors")
        * pl.col("path").str.split(" > ").list.len().clip(upper_bound=max_steps)
    ).to_series().sum()
    assert nodes["visitors"].sum() == lengths


def test_sankey_rejects_bad_caps() -> None:
    with pytest.raises(ValueError):
        jr.sankey_table(J, max_steps=0)
    with pytest.raises(ValueError):
        jr.sankey_table(J, max_nodes_per_step=1)


def test_paths_not_reaching() -> None:
    t = jr.paths_not_reaching(J)
    # Never reaching website: instagram > facebook > blog 30, blog 10, x > x > instagram 5.
    # Share of all 230 visitors.
    assert t.rows() == [
        ("instagram > facebook > blog", 30, pytest.approx(30 / 230), None, True, 2),
        ("blog", 10, pytest.approx(10 / 230), 0, False, 0),
        ("x > x > instagram", 5, pytest.approx(5 / 230), 0, True, 3),
    ]
    assert jr.paths_not_reaching(J, top=1)["path"].to_list() == ["instagram > facebook > blog"]
    # Destination blog: google > website 100, facebook > website 20, x > x > instagram 5.
    assert jr.paths_not_reaching(J, destination="blog")["visitors"].to_list() == [100, 20, 5]


def test_paths_not_reaching_merges_spellings() -> None:
    frame = pl.DataFrame(
        {"date": [MAY1, MAY1, MAY2], "path": ["Instagram > Blog", "instagram > blog",
                                             "IG > blog"],
         "visitors": [3, 4, 5], "conversions": [None, None, None]},
        schema=ds.JOURNEYS.schema,
    )
    t = jr.paths_not_reaching(frame)
    assert t.rows() == [("instagram > blog", 12, 1.0, None, True, 1)]


def test_normalize_touchpoint() -> None:
    assert jr.normalize_touchpoint(" Website ") == "website"
    assert jr.normalize_touchpoint("FB") == "facebook"
    assert jr.normalize_touchpoint("twitter") == "x"
