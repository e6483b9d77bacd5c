"""Community: how fast and how fully the team answers people on social, and who is still
waiting for an answer."""

import dataclasses
from zoneinfo import ZoneInfo

import polars as pl
import streamlit as st

from smmkpi import charts, formatting, periods
from smmkpi.kpis import care
from smmkpi.kpis.audience import ALL_PLATFORMS, platform_label
from smmkpi.kpis.catalog import CATALOG
from smmkpi.ui import cache
from smmkpi.ui.components import (
    chart,
    empty_state,
    header,
    kpi_tile,
    md_escape,
)
from smmkpi.ui.context import current
from smmkpi.ui.sections import section
from smmkpi.ui.tables import Col, table

TILES = [
    "response_rate",
    "median_first_response_minutes",
    "p90_first_response_minutes",
    "within_sla_share",
    "praise_acknowledged_rate",
    "complaint_resolution_rate",
    "unanswered_now",
]
SHOWN_MAX = 500  # unanswered items listed on the page (all of them in the CSV download)
TIME_TICKS = [(1, "1 min"), (5, "5 min"), (15, "15 min"), (60, "1 h"), (240, "4 h"),
              (960, "16 h"), (2880, "2 days")]

RATES = ["response_rate", "within_sla_share", "praise_acknowledged_rate",
         "complaint_resolution_rate"]
ctx = current()
header("Community", "Do people who ask or complain get a fast answer, is praise acknowledged, "
       "and who is still waiting?", ctx)

if not ctx.ws.has("conversations"):
    empty_state(["conversations"], "The Community page")
    st.stop()

sla = ctx.settings.sla_minutes
tz = ctx.settings.display_tz
kpis = {k: CATALOG[k] for k in TILES}
kpis["within_sla_share"] = dataclasses.replace(
    kpis["within_sla_share"], label=f"Answered within SLA ({sla} min)")

# --- tiles --------------------------------------------------------------------------------
with section("Community care KPIs"):
    values = cache.kpi_values(ctx.ws, TILES)
    previous = cache.kpi_values(ctx.cws, TILES) if ctx.cws else {}
    by_kpi = cache.tile_targets(ctx.ws, TILES)
    for row in (TILES[:4], TILES[4:]):
        for col, kid in zip(st.columns(4), row, strict=False):
            with col:
                kpi_tile(kpis[kid], values[kid], previous.get(kid), ctx, by_kpi.get(kid))
    st.caption(
        f"Questions and complaints count in the period they were opened (UTC day). SLA: a first "
        f"response within **{sla} minutes** (a setting: admins change it on the Admin page); "
        "exactly at the SLA counts as within, unanswered ones count as missed. Times are over "
        "answered ones only.")

    quality = cache.computed("care.quality", ctx.ws, care.care_quality_for, extra=(sla,))
    if (unrecorded := quality.unrecorded_message()) is not None:
        st.info(md_escape(unrecorded), icon=":material/timer_off:")
    if quality.total:
        st.warning(quality.message(), icon=":material/report:")
        with st.expander(f"Conversations with impossible timestamps ({quality.total})"):
            bad = cache.computed(
                "care.bad_rows", ctx.ws, lambda ws: care.bad_rows(ws.frame("conversations")))
            table(
                bad.select(
                    pl.col("conversation_id").alias("Conversation"),
                    platform_label().alias("Platform"),
                    pl.col("kind").str.to_titlecase().alias("Kind"),
                    *(pl.col(c).dt.convert_time_zone(tz).dt.replace_time_zone(None).alias(lab)
                      for c, lab in (("opened_at", "Opened"),
                                     ("first_response_at", "First response"),
                                     ("resolved_at", "Resolved"))),
                    pl.col("reason").alias("Problem"),
                ),
                {"Conversation": Col(pinned=True), "Platform": Col(), "Kind": Col(),
                 **{c: Col(f"{c} ({tz})", "datetime") for c in
                    ("Opened", "First response", "Resolved")},
                 "Problem": Col(width="large")},
                key="bad_rows", name="community_impossible_timestamps", ctx=ctx, download="data",
                placeholder="—",
            )
            st.caption(f"Times in {tz}. Fix them at the source and import the file again: rows "
                       "with the same conversation_id are replaced.")

# --- unanswered now -----------------------------------------------------------------------
with section("Unanswered now"):
    as_of = care.care_as_of(ctx.period).replace(second=0, microsecond=0)
    open_items = cache.computed(
        "care.unanswered", ctx.ws,
        lambda ws: care.unanswered_at(ws, as_of, tz), extra=(as_of, tz))
    as_of_local = as_of.astimezone(ZoneInfo(tz))
    st.subheader(f"Unanswered now: {open_items.height:,}")
    when = (f"the end of the period ({as_of_local:%Y-%m-%d %H:%M} {tz})"
            if as_of == care.period_end_instant(ctx.period) else f"now ({as_of_local:%H:%M} {tz})")
    if open_items.height == 0:
        st.success(f"Nobody is waiting: every question and complaint opened by {when} has a first "
                   "response.", icon=":material/check_circle:")
    else:
        names = {cid: ctx.campaign_name(cid)
                 for cid in open_items.get_column("campaign_id").unique().to_list()}
        st.caption(f"Questions and complaints without a first response as of {when}, oldest first, "
                   "however long ago they were opened. Answer these before anything else.")
        view = [
            pl.col("age").alias("Waiting"),
            pl.col("opened_local").dt.replace_time_zone(None).alias(f"Opened ({tz})"),
            platform_label().alias("Platform"),
            pl.col("kind").str.to_titlecase().alias("Kind"),
            pl.col("campaign_id").replace_strict(names, return_dtype=pl.String)
            .fill_null(names.get(None, "")).alias("Campaign"),
            pl.col("sentiment").str.to_titlecase().alias("Sentiment"),
            pl.col("conversation_id").alias("Conversation"),
        ]
        unanswered_cols = {
            "Waiting": Col(pinned=True, alignment="right",
                           help="Time since it was opened, as of " + when),
            f"Opened ({tz})": Col(unit="datetime", format="ddd YYYY-MM-DD HH:mm"),
            "Platform": Col(), "Kind": Col(), "Campaign": Col(), "Sentiment": Col(),
            "Conversation": Col(help="The conversation_id: find it on the platform by this id"),
        }
        table(
            open_items.head(SHOWN_MAX).select(view), unanswered_cols,
            key="unanswered", name="community_unanswered", ctx=ctx, download="data",
            placeholder=formatting.MISSING, height=min(open_items.height, 10) * 35 + 40,
            download_df=open_items.select(*view, "age_minutes"),
            download_columns={**unanswered_cols, "age_minutes": Col("Waiting", "minutes")},
            download_label=f"Download all {open_items.height:,}",
        )
        if open_items.height > SHOWN_MAX:
            st.caption(f"Showing the {SHOWN_MAX:,} oldest of {open_items.height:,}.")

    frame = ctx.ws.frame("conversations")
    if frame is None or frame.height == 0:
        st.info("No conversations were opened in this period with the selected filters, so there "
                "are no response figures to show.", icon=":material/forum:")
        st.stop()

# --- per platform -------------------------------------------------------------------------
with section("By platform"):
    st.subheader("By platform")

    def _platform_table(ws) -> pl.DataFrame:  # type: ignore[no-untyped-def]
        df = ws.frame("conversations")
        per = care.care_by_platform(df, sla)
        if per.height <= 1:
            return per
        total = care.care_table(df, sla).with_columns(pl.lit(ALL_PLATFORMS).alias("platform"))
        return pl.concat([per, total.select(per.columns)])

    per = cache.computed("care.by_platform", ctx.ws, _platform_table, extra=(sla,))
    table(
        per.select(platform_label().alias("Platform"),
                   pl.col("needs_reply").alias("Needing a reply"),
                   *RATES[:2], "median_first_response_minutes", "p90_first_response_minutes",
                   "praise", *RATES[2:]),
        {
            "Platform": Col(pinned=True),
            "Needing a reply": Col(unit="count", help="Questions and complaints opened"),
            "response_rate": Col("Response rate", "ratio"),
            "within_sla_share": Col("Within SLA", "ratio", export_label=f"Within SLA ({sla} min)",
                                    help=f"Answered within the SLA of {sla} minutes"),
            "median_first_response_minutes": Col("Median response", "minutes",
                                                 help="Median time to the first response"),
            "p90_first_response_minutes": Col(
                "p90 response", "minutes",
                help="90 % of answered ones got their first response within this time"),
            "praise": Col("Praise", "count"),
            "praise_acknowledged_rate": Col("Praise ack.", "ratio",
                                            export_label="Praise acknowledged",
                                            help="Praise acknowledged: of praise received, the "
                                            "share with a response"),
            "complaint_resolution_rate": Col("Resolved", "ratio",
                                             export_label="Complaints resolved",
                                             help="Complaints resolved: of complaints opened, "
                                             "the share marked resolved"),
        },
        key="by_platform", name="community_by_platform", ctx=ctx, placeholder=formatting.MISSING,
    )

# --- over time ----------------------------------------------------------------------------
with section("Care over time"):
    grain = "day" if ctx.period.days <= 14 else "week"
    series = cache.computed(
        "care.over_time", ctx.ws,
        lambda ws: care.care_over_time(ws.frame("conversations"), sla, grain, end=ws.end),
        extra=(sla, grain))
    per_grain = "per day" if grain == "day" else "per week"
    partial = periods.partial_buckets(series.get_column("period").to_list(), grain, ctx.period)
    left, right = st.columns(2)
    with left:
        chart(charts.mark_partial(charts.legend_below(charts.lines(
            series, "period", RATES,
            ["Response rate", f"Within SLA ({sla} min)", "Praise acknowledged",
             "Complaints resolved"],
            title=f"Care rates, % {per_grain}, {ctx.period}", y_title="% of conversations",
            percent=True)), partial, grain), "care_rates")
    with right:
        fig = charts.lines(
            series, "period", ["median_first_response_minutes", "p90_first_response_minutes"],
            ["Median", "90th percentile"],
            title=f"First response time {per_grain} (log scale), {ctx.period}",
            y_title="time to first response")
        fig = charts.log_y(charts.add_guide(fig, sla, f"SLA {sla} min"), TIME_TICKS)
        chart(charts.mark_partial(charts.legend_below(fig), partial, grain), "care_times")
    if grain == "week":
        st.caption("Weeks are 7-day blocks counted back from the period's last day (UTC days of "
                   "opening), labelled by their first day; a first week that is partly before the "
                   "period is shaded.")

# --- heatmap ------------------------------------------------------------------------------
with section("When the team answers"):
    st.subheader("When does the team answer?")
    heat = cache.computed("care.heatmap", ctx.ws,
                          lambda ws: care.response_heatmap(ws.frame("conversations"), tz),
                          extra=(tz,))
    if heat.get_column("responded").sum() == 0:
        chart(charts.empty_figure("Median first response by hour and weekday",
                                  "No answered questions or complaints in this period"),
              "care_heat")
    else:
        chart(charts.weekday_hour_heatmap(
            heat, "median_first_response_minutes",
            title=f"Median first response, minutes, by weekday and hour opened ({tz}), "
                  f"{ctx.period}",
            z_title="Median first response", ticks=TIME_TICKS[1:], count="needs_reply",
            count_label="Questions & complaints opened"), "care_heat")
        st.caption(f"Each cell: questions and complaints opened in that hour ({md_escape(tz)}, "
                   "the time zone setting), median minutes to their first response; colour "
                   f"on a log scale, blank where nothing was answered. Long waits at night or at "
                   f"weekends show who needs cover. SLA: {formatting.duration_minutes(sla)}.")
