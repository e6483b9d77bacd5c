"""Reputation & audience: what people say about the brand (sentiment, negative spikes),
how many it reaches, who follows and visits its own page, whether it promotes too much,
and what the community asks for."""

import polars as pl
import streamlit as st

from smmkpi import charts, formatting, periods
from smmkpi import datasets as ds
from smmkpi.kpis import audience
from smmkpi.kpis.audience import ALL_PLATFORMS, period_bucket, platform_label
from smmkpi.kpis.catalog import CATALOG
from smmkpi.ui import cache
from smmkpi.ui.components import chart, empty_state, header, kpi_tile, md_escape
from smmkpi.ui.context import current
from smmkpi.ui.sections import section
from smmkpi.ui.tables import Col, table

SENTIMENT = ["negative_share", "sentiment_score", "negative_mentions"]
AUDIENCE = ["impressions", "reach", "engagements", "link_clicks", "frequency",
            "engagement_rate", "ctr", "follower_growth", "promo_share"]
RESEARCH = ["questions", "suggestions"]
PAGE = ["new_followers", "page_views"]  # LinkedIn's Page exports give them
PAGE_COLUMNS = {
    "new_followers": Col("New followers", "count", help="Followers gained, before unfollows"),
    "page_views": Col("Page views", "count", help="Views of the brand's own page"),
}
PAGE_EXPORTS = ("LinkedIn's Page exports give them: on the LinkedIn Page, Page admin view, "
                "Analytics, **Followers**, Export (new followers per day) and **Visitors**, "
                "Export (page views per day); upload the files on the **Upload** page or "
                "import them with `python -m smmkpi import FILE.xls`.")

ctx = current()
header("Reputation & audience", "What do people say about the brand, how many people does it "
       "reach, does it promote too much, and what does the community ask for?", ctx)

NEEDS = ["mentions", "social_daily", "conversations"]
if not any(ctx.ws.has(d) for d in NEEDS):
    empty_state(NEEDS, "The Reputation & audience page")
    st.stop()

ids = [kid for group, dataset in ((SENTIMENT, "mentions"), (AUDIENCE, "social_daily"),
                                 (PAGE, "social_daily"), (RESEARCH, "conversations"))
       if ctx.ws.has(dataset) for kid in group]
values = cache.kpi_values(ctx.ws, ids)
previous = cache.kpi_values(ctx.cws, ids) if ctx.cws else {}
by_kpi = cache.tile_targets(ctx.ws, ids)


def tiles(kids: list[str], per_row: int = 4) -> None:
    for i in range(0, len(kids), per_row):
        for col, kid in zip(st.columns(per_row), kids[i:i + per_row], strict=False):
            with col:
                kpi_tile(CATALOG[kid], values[kid], previous.get(kid), ctx, by_kpi.get(kid))


period_days = ctx.period.days

# --- sentiment and negative spikes -------------------------------------------------------
with section("Sentiment"):
    st.header("Sentiment", divider="gray")
    if not ctx.ws.has("mentions"):
        empty_state(["mentions"], "Sentiment and negative spikes")
    else:
        tiles(SENTIMENT, per_row=3)
        s = ctx.settings
        spikes = cache.computed("audience.spikes", ctx.ws, audience.spikes_for,
                                extra=(s.spike_sigma, s.spike_min_count))
        rule = (f"A negative spike is a day whose negative mentions exceed the mean of the "
                f"previous 28 days by more than {s.spike_sigma:g} standard deviations and "
                f"number at least {s.spike_min_count} (the spike rule: admins change it on "
                "the Admin page); checked per platform and for all platforms together.")
        if spikes.height:
            days = spikes.group_by("date").agg(platform_label().sort().alias("p")).sort("date")
            listed = "; ".join(f"**{d:%a %d %b %Y}** ({', '.join(md_escape(x) for x in p)})"
                               for d, p in days.iter_rows())
            st.warning(f"Negative spike{'s' if days.height > 1 else ''} on {days.height} "
                       f"day{'s' if days.height > 1 else ''} of this period: {listed}. Find what "
                       "set it off, answer it publicly, and follow up.", icon=":material/warning:")
        grain = "day" if period_days <= 120 else "week"

        def _mentions(ws) -> pl.DataFrame:  # type: ignore[no-untyped-def]
            lf = ws.frame("mentions").lazy().with_columns(
                period_bucket(pl.col("date"), grain, ws.end).alias("period"))
            return audience.mentions_table(lf, ["period"])

        series = cache.computed("audience.mentions_series", ctx.ws, _mentions, extra=(grain,))
        marks = spikes.select(
            period_bucket(pl.col("date"), grain, ctx.ws.end).alias("x"),
            formatting.template("Negative spike {}: {}, {} negative (28-day mean {}, threshold {})",
                      pl.col("date"), platform_label(), pl.col("negative"),
                      pl.col("baseline_mean").round(1), pl.col("threshold").round(1)).alias("text"),
        )
        title = f"Mentions by sentiment, per {grain}, {ctx.period}"
        if series.height == 0:
            chart(charts.empty_figure(title, "No mentions in this period"), "mentions")
        else:
            partial = periods.partial_buckets(series.get_column("period").to_list(), grain,
                                              ctx.period)
            chart(charts.mark_partial(charts.sentiment_bars(series, "period", title=title,
                                                            marks=marks, y_title="mentions"),
                                      partial, grain), "mentions")
        if spikes.height:
            table(
                spikes.select(
                    "date", platform_label().alias("platform"), "negative", "baseline_mean",
                    "threshold"),
                {"date": Col("Day", "date", format="ddd YYYY-MM-DD", pinned=True),
                 "platform": Col("Platform"),
                 "negative": Col("Negative mentions", "count"),
                 "baseline_mean": Col("Mean of previous 28 days", "number", digits=1),
                 "threshold": Col("Spike threshold", "number", digits=1)},
                key="spikes", name="reputation_negative_spikes", ctx=ctx,
                placeholder=formatting.MISSING,
            )
        st.caption(rule + (" Mentions carry no campaign: the campaign filter does not narrow them."
                           if ctx.filters.campaigns else ""))

# --- audience ----------------------------------------------------------------------------
with section("Audience"):
    st.header("Audience", divider="gray")
    if not ctx.ws.has("social_daily"):
        empty_state(["social_daily"], "Impressions, reach, engagement and followers")
    else:
        tiles(AUDIENCE)
        st.caption("Reach is a daily count of unique people, so it is summed over days and "
                   "platforms: a person reached on two days counts twice. Frequency = "
                   "impressions / reach; engagement rate = engagements / reach; CTR = link "
                   "clicks / impressions."
                   + (" Follower counts are rarely reported per campaign, so follower growth is "
                      "usually n/a with a campaign filter." if ctx.filters.campaigns else ""))

        def _by_platform(ws) -> pl.DataFrame:  # type: ignore[no-untyped-def]
            frame, hist = ws.frame("social_daily"), ws.followers()
            per = audience.audience_by_platform(frame, hist, ws.start, ws.end)
            if per.height <= 1:
                return per

            def total(col: str) -> int | None:  # null when no platform reports it, not 0
                s = per.get_column(col).drop_nulls()
                return int(s.sum()) if s.len() else None

            row = audience.audience_table(frame).with_columns(
                pl.lit(ALL_PLATFORMS).alias("platform"),
                pl.lit(total("followers_end"), dtype=pl.Int64).alias("followers_end"),
                pl.lit(total("follower_growth"), dtype=pl.Int64).alias("follower_growth"))
            return pl.concat([per, row.select(per.columns)], how="vertical_relaxed")

        per = cache.computed("audience.by_platform", ctx.ws, _by_platform)
        # the LinkedIn Page's figures, as columns only when the period has them
        page_columns = [k for k in PAGE if values.get(k) is not None]
        st.subheader("By platform")
        table(
            per.select(
                platform_label().alias("Platform"), "impressions", "reach", "frequency",
                "engagement_rate", "ctr", "promo_share", "followers_end", "follower_growth",
                *page_columns,
            ),
            {
                "Platform": Col(pinned=True),
                "impressions": Col("Impressions", "count"),
                "reach": Col("Reach", "count", help="The sum of daily reach: a person reached "
                             "on two days counts twice"),
                "frequency": Col("Frequency", "number", help="Impressions / reach"),
                "engagement_rate": Col("Engagement", "ratio", export_label="Engagement rate",
                                       help="Engagement rate: engagements / reach"),
                "ctr": Col("CTR", "ratio", help="Link clicks / impressions"),
                "promo_share": Col("Promo posts", "ratio", export_label="Promotional posts",
                                   help="Promotional posts: the share of posts that promote"),
                "followers_end": Col("Followers", "count", export_label="Followers (end)",
                                     help="Followers at the end of the period"),
                "follower_growth": Col("Follower growth", "signed"),
                **{k: PAGE_COLUMNS[k] for k in page_columns},
            },
            key="audience_by_platform", name="reputation_audience_by_platform", ctx=ctx,
            placeholder=formatting.MISSING,
        )
        rows = per.filter(pl.col("platform") != ALL_PLATFORMS).with_columns(
            platform_label().alias("label"))
        left, right = st.columns(2)
        with left:
            grown = rows.filter(pl.col("follower_growth").is_not_null())
            grown = grown.with_columns(formatting.texts(
                grown.get_column("follower_growth"), "{:+,}".format).alias("growth_text"))
            title = f"Follower growth per platform, followers, {ctx.period}"
            if grown.height == 0:
                chart(charts.empty_figure(title, "No follower counts for this selection"),
                      "followers")
            else:
                chart(charts.bars(grown, "label", "follower_growth", title=title,
                                  y_title="new followers (net)", text="growth_text"),
                      "followers")
        with right:
            chart(charts.legend_below(charts.grouped_bars(
                rows, "label", ["impressions", "reach"],
                ["Impressions", "Reach (sum of daily reach)"],
                title=f"Exposure against reach per platform, {ctx.period}", y_title="count")),
                "exposure")

        # --- promotion balance ---------------------------------------------------------------
        st.header("Promotion balance", divider="gray")
        limit = ctx.settings.promo_share_max
        pgrain = "day" if period_days <= 14 else "week"
        promo = cache.computed(
            "audience.promo_series", ctx.ws,
            lambda ws: audience.promo_share_series(ws.frame("social_daily"), pgrain, ["platform"],
                                                   end=ws.end).with_columns(
                platform_label().alias("label")), extra=(pgrain,))
        overall = cache.computed(
            "audience.promo_overall", ctx.ws,
            lambda ws: audience.promo_share_series(ws.frame("social_daily"), pgrain, end=ws.end),
            extra=(pgrain,))
        over = rows.filter(pl.col("promo_share") > limit).sort("promo_share", descending=True)
        guide = formatting.percent(limit, 0)
        if over.height:
            named = ", ".join(f"{md_escape(lab)} ({formatting.percent(v)})"
                              for lab, v in over.select("label", "promo_share").iter_rows())
            st.warning(f"Over the {guide} guide for promotional posts in this period: {named}. "
                       "Promote respectfully: mostly useful, entertaining or helpful posts.",
                       icon=":material/campaign:")
        which = (", ".join(ds.platform_label(p) for p in ctx.filters.platforms)
                 if ctx.filters.platforms else "all platforms and each platform over the guide")
        title = f"Promotional posts, % of posts per {pgrain}, {which}, {ctx.period}"
        shown = (None if ctx.filters.platforms or rows.height <= 1
                 else over.get_column("label").to_list())
        promo = promo.filter(pl.col("promo_share").is_not_null())
        if promo.height == 0:
            chart(charts.empty_figure(title, "No posts in this period"), "promo")
        else:
            chart(charts.mark_partial(charts.legend_below(charts.share_with_limit(
                promo, "period", "label", "promo_share", title=title, y_title="% of posts",
                limit=limit, limit_label=f"Guide: at most {guide}",
                overall=overall.filter(pl.col("promo_share").is_not_null()),
                overall_label="All platforms", show=shown)),
                periods.partial_buckets(promo.get_column("period").to_list(), pgrain, ctx.period),
                pgrain), "promo")
        st.caption(f"Shaded: more than {guide} of posts promotional (the promotional "
                   "posts guide, a setting: admins change it on the Admin page). Over-promotion "
                   "is what followers tire of first. "
                   + ("" if ctx.filters.platforms else
                      "Drawn: all platforms together and any platform over the guide for the whole "
                      "period; click a platform in the legend to add its line.")
                   + (" Weeks are 7-day blocks counted back from the period's last day; a "
                      "first week partly before the period is shaded." if pgrain == "week" else ""))

# --- the brand's own page: followers gained and page views --------------------------------
with section("Page followers and visitors"):
    st.header("Page followers and visitors", divider="gray")
    if not ctx.ws.has("social_daily"):
        empty_state(["social_daily"], "New followers and page views")
    elif all(values.get(k) is None for k in PAGE):
        st.info("No new followers or page views for this selection: the data has none in "
                f"{ctx.period}. " + PAGE_EXPORTS, icon=":material/database:")
    else:
        tiles(PAGE, per_row=4)
        vgrain = "day" if period_days <= 120 else "week"

        def _page_series(ws) -> pl.DataFrame:  # type: ignore[no-untyped-def]
            lf = ws.frame("social_daily").lazy().with_columns(
                period_bucket(pl.col("date"), vgrain, ws.end).alias("period"))
            return audience.audience_table(lf, ["period"]).select(
                "period", "new_followers", "page_views")

        page = cache.computed("audience.page_series", ctx.ws, _page_series, extra=(vgrain,))
        left, right = st.columns(2)
        for col, kid, unit, key in ((left, "new_followers", "followers", "new_followers"),
                                    (right, "page_views", "views", "page_views")):
            label = CATALOG[kid].label
            title = f"{label} per {vgrain}, {unit}, {ctx.period}"
            shown = page.filter(pl.col(kid).is_not_null())
            with col:
                if shown.height == 0:
                    chart(charts.empty_figure(title, f"No {label.lower()} in this period"), key)
                else:
                    partial = periods.partial_buckets(shown.get_column("period").to_list(),
                                                      vgrain, ctx.period)
                    chart(charts.mark_partial(charts.bars(shown, "period", kid, title=title,
                                                          y_title=unit), partial, vgrain), key)
        missing = [CATALOG[k].label.lower() for k in PAGE if values.get(k) is None]
        st.caption("New followers are the followers gained, before anyone unfollows; follower "
                   "growth above is the net change of the follower count. Page views count "
                   "visits to the brand's own page (every tab, desktop and mobile)."
                   + (f" No {' or '.join(missing)} in this period. " + PAGE_EXPORTS
                      if missing else ""))

# --- demand research ---------------------------------------------------------------------
with section("Demand research"):
    st.header("Demand research", divider="gray")
    if not ctx.ws.has("conversations"):
        empty_state(["conversations"], "Demand research (questions and suggestions)")
    else:
        tiles(RESEARCH, per_row=4)
        demand = cache.computed(
            "audience.demand", ctx.ws,
            lambda ws: audience.demand_research(ws.frame("conversations")).with_columns(
                platform_label().alias("label")))
        title = f"Questions and suggestions per platform, conversations, {ctx.period}"
        if demand.height == 0:
            chart(charts.empty_figure(title, "No questions or suggestions in this period"),
                  "demand")
        else:
            left, right = st.columns([3, 2])
            with left:
                chart(charts.legend_below(charts.grouped_bars(
                    demand, "label", ["questions", "suggestions"], ["Questions", "Suggestions"],
                    title=title, y_title="conversations", stacked=True)), "demand")
            with right:
                table(
                    demand.select(pl.col("label").alias("Platform"), "questions", "suggestions",
                                  "total"),
                    {"Platform": Col(pinned=True), "questions": Col("Questions", "count"),
                     "suggestions": Col("Suggestions", "count"), "total": Col("Total", "count")},
                    key="demand_table", name="reputation_demand", ctx=ctx,
                    placeholder=formatting.MISSING,
                )
                st.caption("What people ask and suggest is free demand research: read the "
                           "suggestions on the platforms where they cluster.")
