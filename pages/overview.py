"""Overview: the headline KPIs against the comparison period and targets."""

import polars as pl
import streamlit as st

from smmkpi import charts, formatting
from smmkpi.kpis.catalog import CATALOG
from smmkpi.periods import target_period_parts
from smmkpi.ui import cache
from smmkpi.ui.components import chart, empty_state, header, kpi_tile, md_escape
from smmkpi.ui.context import current
from smmkpi.ui.sections import section
from smmkpi.ui.tables import Col, table
from smmkpi.views.annotations import annotations_for, listing
from smmkpi.views.overview import HEADLINE, campaign_channel_note, headline_targets, trend
from smmkpi.views.targets import filters_not_applying, target_scope

ctx = current()
header("Overview", "Is social media working for the business this period: traffic, sales, "
       "care and reputation against last period and targets?", ctx)

if not ctx.source.available():
    empty_state(["web_sessions", "orders", "conversations", "mentions", "social_daily"],
                "The dashboard")
    st.stop()

targets: pl.DataFrame | None = None  # None: the targets could not be read (said below)
by_kpi: dict = {}
with section("The targets"):
    targets = cache.targets(ctx.ws)
    by_kpi = headline_targets(targets, ctx.ws.end)

with section("The headline KPIs"):
    values = cache.kpi_values(ctx.ws, HEADLINE)
    previous = cache.kpi_values(ctx.cws, HEADLINE) if ctx.cws else {}

    for row in (HEADLINE[:5], HEADLINE[5:]):
        for col, kid in zip(st.columns(len(row)), row, strict=True):
            with col:
                kpi_tile(CATALOG[kid], values[kid], previous.get(kid), ctx, by_kpi.get(kid))

    if ctx.filters.campaigns:
        names = ", ".join(ctx.campaign_name(c) for c in ctx.filters.campaigns)
        note = cache.computed("overview-channel-note", ctx.ws,
                              lambda w: campaign_channel_note(w, names), extra=(names,))
        if note:
            st.info(md_escape(note), icon=":material/info:")

left, right = st.columns([3, 2])
with left, section("Social sessions and revenue"):
    df, grain = cache.computed("overview-trend", ctx.ws, trend)
    revenue_ignores = filters_not_applying(CATALOG["revenue"], ctx.filters.campaigns,
                                           ctx.filters.platforms)
    title = f"Social sessions and revenue per {grain}, {ctx.period}"
    if df is None or df.height == 0:
        chart(charts.empty_figure(title, "No website sessions or orders in this period"), "trend")
    else:
        chart(charts.legend_below(charts.dual_axis_lines(
            df, "date", "social_sessions", "revenue", title=title,
            left_label="Social sessions",
            right_label=(f"Revenue ({ctx.settings.currency})" if not revenue_ignores else
                         f"Revenue, all orders ({ctx.settings.currency}, brand-wide)"),
            right_prefix=formatting.CURRENCY_SYMBOLS.get(ctx.settings.currency, ""))),
            "trend")
with right, section("Most behind target"):
    st.subheader("Most behind target")
    if targets is None:
        st.caption("The targets could not be read: see the message above.")
    elif targets.height == 0:
        st.info("No targets cover this period. Add targets on the **Targets** page or import a "
                "`kpi_targets` CSV.", icon=":material/flag:")
    elif (behind := targets.filter(pl.col("status").is_in(["off track", "at risk"]))
          .head(6)).height == 0:
        st.success(f"All {targets.height} targets in this period are on track or not started.")
    else:
        cur = ctx.settings.currency
        f = ctx.filters
        for t in behind.iter_rows(named=True):
            k = CATALOG[t["kpi"]]
            name, span = target_period_parts(t["period_start"], t["period_end"])
            scope = target_scope(t["campaign_id"], ctx.campaign_name(t["campaign_id"]),
                                 f.campaigns, f.platforms)
            st.markdown(
                f"**{k.label}** · {name}, {span} · {md_escape(scope)}  \n"
                f":{'red' if t['status'] == 'off track' else 'orange'}[{t['status']}] · "
                f"actual {formatting.value(t['actual'], k.unit, cur)} against pace "
                f"{formatting.value(t['pace'], k.unit, cur)} "
                f"({formatting.percent(t['pace_attainment'], 0)}), forecast "
                f"{formatting.value(t['forecast'], k.unit, cur)} for a target of "
                f"{formatting.value(t['target'], k.unit, cur)}"
            )
        st.caption(f"{behind.height} of {targets.height} targets overlapping this period "
                   "shown, worst first, each over its own period as of "
                   f"{ctx.ws.end:%d %b %Y}. All targets: **Targets** page.")

with section("Annotations in this period"):
    st.subheader("Annotations in this period")
    notes = cache.computed("annotations", ctx.ws, annotations_for)
    if notes.height == 0:
        st.caption("No annotations in this period. Editors add launches, PR crises or price "
                   "changes on the **Alerts** page, or import an `annotations` CSV (date, "
                   "title); they then show as markers on every time-series chart.")
    else:
        names = dict(ctx.campaigns.select("campaign_id", "name").iter_rows()) if (
            ctx.campaigns is not None) else {}
        shown = listing(notes, names)
        table(shown, {c: Col(pinned=c == "Title") for c in shown.columns},
              key="overview_annotations", name="annotations", ctx=ctx)
