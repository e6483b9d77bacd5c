"""Goals: campaigns grouped by goal type, side by side on the KPIs that serve each goal."""

import polars as pl
import streamlit as st

from smmkpi import datasets as ds
from smmkpi import export
from smmkpi.kpis.catalog import compute_all, for_goal
from smmkpi.ui import cache, tables
from smmkpi.ui.components import empty_state, header, md_escape
from smmkpi.ui.context import current
from smmkpi.ui.sections import section
from smmkpi.ui.tables import Col
from smmkpi.views import targets as tv
from smmkpi.workspace import Filters, Workspace

ctx = current()
header("Goals", "How do the campaigns of each goal type do on the KPIs that serve that goal?",
       ctx)
campaigns = ctx.ws.frame("campaigns")
if campaigns is None:
    empty_state(["campaigns"], "The goal view")
    st.stop()

results = cache.targets(ctx.ws)
groups = tv.goal_campaigns(campaigns)
st.caption(
    f"Campaigns running in {ctx.period}, grouped by goal type: one row per KPI that serves "
    "the goal, one column per campaign, measured over the selected period on the "
    "campaign's own activity (social posts, website sessions with its UTM campaign, "
    "conversations). Orders, customers, mentions and journeys carry no campaign, so KPIs "
    "built on them (measured on the **whole brand**) show the brand's value in every "
    "column. The last column is the whole brand for reference."
)
if not groups:
    st.info(f"No campaign runs in {ctx.period}.", icon=":material/campaign:")


def workspace(campaign_id: str | None) -> Workspace:
    """The selected period for one campaign (None: the whole brand); platforms as chosen."""
    return ctx.workspace(filters=Filters(campaigns=(campaign_id,) if campaign_id else (),
                                         platforms=ctx.filters.platforms))


# one brand workspace for every goal's reference column: its tables (the period's web
# sessions classified, the conversations' figures) are computed once, not per goal
brand_ws = workspace(None)
for goal, camps in groups.items():
    with section(ds.GOAL_LABELS[goal]):
        kpis = for_goal(goal)
        ids = [k.id for k in kpis]
        st.subheader(f"{ds.GOAL_LABELS[goal]} · {camps.height} campaign"
                     f"{'s' if camps.height != 1 else ''}")
        values = {cid: cache.computed(f"goal-kpis:{goal}", workspace(cid),
                                      lambda w, ids=ids: compute_all(w, ids))
                  for cid in camps["campaign_id"].to_list()}
        brand = cache.computed(f"goal-kpis:{goal}", brand_ws,
                               lambda w, ids=ids: compute_all(w, ids))
        table = tv.goal_table(camps, values, brand, kpis, results)
        cur = ctx.settings.currency
        matrix = tv.goal_matrix(table, kpis, cur)
        campaign_columns = matrix.columns[3:]
        numbers = pl.DataFrame(
            {"KPI": [k.label for k in kpis], "Unit": [export.unit_word(k.unit, cur) for k in kpis],
             "Better": matrix["Better"], "Measured on": matrix["Measured on"],
             **{h: [export.report_value(table[k.id][i], k.unit) for k in kpis]
                for i, h in enumerate(campaign_columns)}},
            schema_overrides={h: pl.Float64 for h in campaign_columns})
        tables.table(
            matrix, {
                "KPI": Col(pinned=True),
                "Better": Col(width="small"),
                "Measured on": Col(help="whole brand: orders, customers, mentions and journeys "
                                   "carry no campaign, so every column shows the brand's value. "
                                   "Whole brand only: the figure is true by construction for one "
                                   "campaign (its social share of its own sessions is 100 %), so "
                                   "it is shown for the brand alone."),
                **{c: Col(alignment="right") for c in campaign_columns},
            },
            key=f"goal_{goal}", name=f"goals_{goal}", ctx=ctx, height="content",
            download_df=numbers,
            download_help="Values in the unit of each row (Unit): percentages for rates, "
            f"{cur} for money, minutes for response times.",
        )
        summary = [f"**{md_escape(n)}**: {t}" for n, t in
                   table.select("name", "targets").drop_nulls("targets").iter_rows()]
        if summary:
            st.caption("Targets in this period: " + "; ".join(summary) + ".")

absent = [ds.GOAL_LABELS[g] for g in ds.GOALS if g not in groups]
if absent and groups:
    st.caption("No campaign in this period for: " + ", ".join(absent) + ".")
