"""Journeys: do visitors who start on social follow a path to the destination (the website),
or are they bounced around from site to site?"""

from dataclasses import replace

import polars as pl
import streamlit as st

from smmkpi import charts, formatting
from smmkpi import datasets as ds
from smmkpi.kpis import journeys as jr
from smmkpi.kpis.catalog import CATALOG
from smmkpi.ui import cache
from smmkpi.ui.components import chart, empty_state, header, kpi_tile, md_escape
from smmkpi.ui.context import current
from smmkpi.ui.sections import section
from smmkpi.ui.tables import Col, content_height, table
from smmkpi.workspace import Workspace

TILES = ["journey_site_reach_rate", "journey_bounce_rate"]
DEFAULT_STEPS = 5
DEFAULT_NODES = 8

ctx = current()
header("Journeys", "Are visitors from social taken on a planned journey to the website, or "
       "bounced around from site to site?", ctx)

if not ctx.ws.has("journeys"):
    empty_state(["journeys"], "The Journeys page")
    st.stop()

ws = ctx.ws
if ws.frame("journeys").height == 0:
    st.info(f"No journeys between {ctx.period}. Pick another date range in the sidebar.",
            icon=":material/event_busy:")
    st.stop()

# --- controls -------------------------------------------------------------------------------
options = cache.computed("journeys.touchpoints", ws, lambda w: jr.touchpoints(w.frame("journeys")))
default = jr.normalize_touchpoint(ctx.settings.journey_destination)
if default not in options:
    options = [default, *options]
left, view_col, mid, right = st.columns([2, 2, 1.3, 1.3])
dest = left.selectbox(
    "Destination", options, index=options.index(default), key="journey_destination",
    bind="query-params",
    help="The touchpoint a journey should reach (by default the server's journey "
    "destination). The tiles, the chart's green nodes and the table follow it.",
)
social_only = view_col.segmented_control(
    "Paths shown", ["all", "social"], default="all", key="journey_view", required=True,
    format_func={"all": "All visitors", "social": "Starting on social"}.get,
    bind="query-params", help="Starting on social: only the paths whose first touchpoint is a "
    "social platform, so their flows fill the chart.") == "social"
steps = mid.slider("Steps shown", 2, 8, DEFAULT_STEPS, key="journey_steps", bind="query-params",
                   help="Paths are cut after this many touchpoints.")
per_step = right.slider("Touchpoints per step", 3, 15, DEFAULT_NODES, key="journey_nodes",
                        bind="query-params", help="At each step the less frequent touchpoints "
                        "share one node, \"other\".")


def with_destination(w: Workspace) -> Workspace:
    """The same workspace with the destination chosen on this page."""
    return replace(w, settings=replace(w.settings, journey_destination=dest), _memo={})


def _values(w: Workspace) -> dict[str, float | None]:
    return {k: CATALOG[k].compute(with_destination(w)) for k in TILES}


def _counts(w: Workspace) -> dict[str, int]:
    d = jr.journey_daily(w.frame("journeys"), dest)
    return {c: int(d.get_column(c).sum()) for c in ("visitors", "social_start_visitors",
                                                     "reached_visitors", "bounced_visitors")}


# --- tiles ----------------------------------------------------------------------------------
with section("The journey figures"):
    values = cache.computed("journeys.kpis", ws, _values, extra=(dest,))
    previous = cache.computed("journeys.kpis", ctx.cws, _values, extra=(dest,)) if ctx.cws else {}
    # targets are evaluated with the configured destination only
    by_kpi = cache.tile_targets(ws, TILES) if dest == default else {}
    counts = cache.computed("journeys.counts", ws, _counts, extra=(dest,))
    cols = st.columns(4)
    for col, kid in zip(cols, TILES, strict=False):
        with col:
            kpi_tile(CATALOG[kid], values[kid], previous.get(kid), ctx, by_kpi.get(kid))
    with cols[2], st.container(border=True):
        st.metric("Visitors starting on social",
                  formatting.compact(counts["social_start_visitors"]),
                  help="Visitors whose path's first touchpoint is a social platform.")
        st.caption(f"{formatting.percent(counts['social_start_visitors'] / counts['visitors'])} of "
                   f"{formatting.compact(counts['visitors'])} visitors" if counts["visitors"] else
                   "no visitors")
    with cols[3], st.container(border=True):
        st.metric(f"Social starters reaching {md_escape(dest)}",
                  formatting.compact(counts["reached_visitors"]))
        st.caption(f"{formatting.compact(counts['bounced_visitors'])} bounced around")
    st.caption(f"**Bounced around**: started on social, touched two or more social touchpoints and "
               f"never reached **{md_escape(dest)}**.")

# --- Sankey -----------------------------------------------------------------------------------
with section("Visitor paths"):


    def _sankey(w: Workspace) -> tuple[pl.DataFrame, pl.DataFrame]:
        frame = w.frame("journeys")
        if social_only:
            frame = jr.starting_on_social(frame)
        return jr.sankey_table(frame, max_steps=steps, max_nodes_per_step=per_step,
                               destination=dest)


    nodes, links = cache.computed("journeys.sankey", ws, _sankey,
                                  extra=(dest, steps, per_step, social_only))
    if nodes.height == 0:
        st.info("No paths start on a social platform in this period.", icon=":material/info:")
    else:
        tallest = int(nodes.group_by("step").len()["len"].max() or 1)
        labelled = nodes.with_columns(label=pl.col("touchpoint").replace_strict(
            ds.PLATFORM_LABELS, default=pl.col("touchpoint").str.slice(0, 1).str.to_uppercase()
            + pl.col("touchpoint").str.slice(1), return_dtype=pl.String))
        chart(charts.sankey(
            labelled, links, height=max(460, 150 + 52 * tallest),
            title=f"Visitor paths{' starting on social' if social_only else ''}, visitors per "
            f"touchpoint, first {steps} steps, {ctx.period}",
        ), "journeys_sankey")
        st.caption(f"Orange flows: visitors whose path starts on a social platform; grey: the "
                   f"others. Green nodes: **{md_escape(dest)}**, orange nodes: social platforms, "
                   f"grey: \"other\" (the less frequent touchpoints of a step). A node's visitors "
                   f"not flowing on end their path there (hover for figures).")

# --- paths that never reach the destination --------------------------------------------------
with section("Paths that never reach the destination"):
    st.subheader(f"Most common paths that never reach {md_escape(dest)}")
    lost = cache.computed("journeys.not_reaching", ws,
                          lambda w: jr.paths_not_reaching(w.frame("journeys"), dest, top=20),
                          extra=(dest,))
    if lost.height == 0:
        st.success(f"Every path in this period reaches {md_escape(dest)}.")
    else:
        table(lost, {
            "path": Col("Path", width="medium", pinned=True),
            "visitors": Col("Visitors", "count"),
            "share": Col("Share of all visitors", "ratio"),
            "conversions": Col("Conversions", "count"),
            "starts_on_social": Col("Starts on social", "bool"),
            "social_touchpoints": Col("Social touchpoints", "count",
                                      help="Two or more, starting on social: bounced around."),
        }, key="paths_not_reaching", name=f"journeys_paths_not_reaching_{dest}", ctx=ctx,
            height=content_height(lost.height, cap=lost.height))
        st.caption("The 20 paths with the most visitors over the period, touchpoints normalized "
                   "(e.g. l.facebook.com → facebook).")
