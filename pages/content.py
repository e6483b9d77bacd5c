"""Content: which posts worked, what kind of content, when to post, whether promotion
drowns out the rest, and which posts bring people to the website."""

import polars as pl
import streamlit as st

from smmkpi import charts, formatting
from smmkpi import datasets as ds
from smmkpi.kpis import content as ct
from smmkpi.kpis.audience import platform_label
from smmkpi.kpis.catalog import CATALOG
from smmkpi.ui import cache
from smmkpi.ui.components import chart, header, kpi_tile, md_escape
from smmkpi.ui.context import current
from smmkpi.ui.sections import section
from smmkpi.ui.tables import Col
from smmkpi.ui.tables import table as show_table

SOCIAL = ["posts_published", "post_impressions", "post_reach", "post_engagements",
          "post_engagement_rate", "post_link_clicks", "post_video_views", "promo_post_share"]
WEB = ["post_sessions", "post_conversions", "post_revenue"]
SHOWN_MAX = 2000  # posts listed on the page (all of them in the CSV download)
FORMAT_LABELS = {f: f.capitalize() for f in ds.POST_FORMATS} | {"unknown": "Not exported"}
EXPORTS = (
    "- **X**: Analytics → Tweets → Export data → *By Tweet*;\n"
    "- **Facebook**: the Page's Insights → Export data → *Post data* (CSV or .xls);\n"
    "- **Facebook and Instagram**: Meta Business Suite → Insights → Content → *Export data*;\n"
    "- **LinkedIn**: the Page's Analytics → Content → *Export* (the *All posts* sheet);\n"
    "- **YouTube**: YouTube Studio → Analytics → Advanced mode → Content → *Export current "
    "view* (the *Table data.csv* inside);\n"
    "- **TikTok**: TikTok Studio → Analytics → Content → *Download data* (its dates have no "
    "year: the Upload page asks for the year of the export's last day);\n"
    "- or a CSV with the columns `platform`, `post_id`, `published_at` and any metrics.\n\n"
    "Upload them exactly as downloaded on the **Upload** page (or `python -m smmkpi import "
    "FILE --year 2026`). For the website figures per post, add a Google Analytics 4 export "
    "with the *Session manual ad content* dimension, and give each post's link a "
    "`utm_content` (or a `utm_content` column in a posts CSV)."
)

ctx = current()
header("Content", "Which posts worked, what kind of content, when to post, does promotion "
       "drown out the rest, and which posts bring people to the website?", ctx)

if not ctx.ws.has("posts"):
    st.info("The Content page needs **Posts** (`posts`): one row per post, from the "
            "platforms' own exports, which the current data source does not have.\n\n"
            + EXPORTS, icon=":material/database:")
    st.stop()

tz = ctx.settings.display_tz
cur = ctx.settings.currency
limit = ctx.settings.promo_share_max
scope = (" · " + ", ".join(ds.platform_label(p) for p in ctx.filters.platforms)
         if ctx.filters.platforms else "") + (
    " · " + ", ".join(ctx.campaign_name(c) for c in ctx.filters.campaigns)
    if ctx.filters.campaigns else "")
when = f"{ctx.period}{scope}"
has_web = ctx.ws.has("web_sessions")

# --- tiles ----------------------------------------------------------------------------------
with section("The content tiles"):
    ids = SOCIAL + (WEB if has_web else [])
    values = cache.kpi_values(ctx.ws, ids)
    previous = cache.kpi_values(ctx.cws, ids) if ctx.cws else {}
    by_kpi = cache.tile_targets(ctx.ws, ids)
    for i in range(0, len(ids), 4):
        for col, kid in zip(st.columns(4), ids[i:i + 4], strict=False):
            with col:
                kpi_tile(CATALOG[kid], values[kid], previous.get(kid), ctx, by_kpi.get(kid))
    st.caption(
        f"Every figure is over the posts published {when} (UTC days), with their lifetime "
        "metrics as exported: a newer export of the same posts replaces them. Engagement rate = "
        "engagements / impressions over the posts reporting both; a metric a platform does "
        "not export is n/a, not 0. The promotional share counts the posts with a promotion "
        "flag; the Reputation page's *Promotional posts share* counts the daily totals of "
        "social activity (`posts`, `promo_posts`): from the same posts the two agree.")

posts = cache.computed("content.posts", ctx.ws, ct.period_posts)
if posts is None or posts.height == 0:
    st.info(f"No posts were published in this period with the selected filters ({when}).",
            icon=":material/article:")
    st.stop()

matched = posts["sessions"].count() > 0
if not has_web:
    st.caption("Website figures per post need **Website sessions** with a UTM content value "
               "(Google Analytics 4: *Session manual ad content*).")
elif not matched:
    st.caption("None of these posts has website figures: either no post carries a UTM "
               "content value (`utm_content`, or `utm_content=` in its link), or no website "
               "session does (export GA4 with *Session manual ad content*).")

# --- the posts ------------------------------------------------------------------------------
with section("The posts table"):
    st.subheader(f"Posts: {posts.height:,}")
    table = cache.computed("content.table", ctx.ws,
                           lambda ws: ct.posts_table(ct.period_posts(ws)))
    names = {c: ctx.campaign_name(c) for c in table["campaign_id"].unique().to_list()}
    view = [
        platform_label().alias("Platform"),
        pl.col("published_at").dt.convert_time_zone(tz).dt.replace_time_zone(None)
        .alias(f"Published ({tz})"),
        pl.col("format").replace_strict(FORMAT_LABELS, default=pl.col("format"))
        .alias("Format"),
        pl.col("title").str.replace_all(r"\s+", " ").str.slice(0, 120).alias("Title"),
        pl.col("link").alias("Link"),
        pl.col("campaign_id").replace_strict(names, return_dtype=pl.String)
        .alias("Campaign"),
        pl.col("is_promo").replace_strict({True: "Promotional", False: "Other"}, default=None,
                                          return_dtype=pl.String).alias("Promotion"),
        *(pl.col(m) for m in ("impressions", "reach", "engagements", "likes", "comments",
                              "shares", "saves", "link_clicks", "video_views")),
        (pl.col("engagement_rate") * 100).alias("engagement_rate"),
        pl.col("content").alias("UTM content"),
        *(pl.col(w) for w in ("sessions", "conversions", "revenue")),
    ]
    shown = table.head(SHOWN_MAX).select(view)
    metrics = {m: Col(label, "count") for m, label in (
        ("impressions", "Impressions"), ("reach", "Reach"), ("engagements", "Engagements"),
        ("likes", "Likes"), ("comments", "Comments"), ("shares", "Shares"), ("saves", "Saves"),
        ("link_clicks", "Link clicks"), ("video_views", "Video views"))}
    posts_cols = {
        "Platform": Col(pinned=True), f"Published ({tz})": Col(unit="datetime"),
        "Format": Col(), "Title": Col(width="large"),
        "Link": Col(unit="link", display_text="Open ↗", help="The post on its platform "
                    "(links to the platforms' own sites only)"),
        "Campaign": Col(), "Promotion": Col(), **metrics,
        "engagement_rate": Col("Engagement rate", "percent", digits=2,
                               help="Engagements / impressions"),
        "UTM content": Col(), "sessions": Col("Sessions", "count"),
        "conversions": Col("Conversions", "count"), "revenue": Col("Revenue", "currency"),
    }
    show_table(shown, posts_cols, key="posts_table", name="content_posts", ctx=ctx,
               placeholder=formatting.MISSING, download_df=table.select(view),
               download_columns=posts_cols,
               download_label=f"Download the {table.height:,} posts")
    st.caption(f"Newest first; click a column to sort, search with the table's magnifier. "
               f"Times in {md_escape(tz)} (the time zone setting). Sessions, "
               "conversions and revenue: the website sessions whose UTM content is the "
               "post's (over every stored day), n/a for posts without one."
               + (f" Showing the {SHOWN_MAX:,} newest of {table.height:,}; the download "
                  "has them all." if table.height > SHOWN_MAX else ""))

# --- by format and platform -----------------------------------------------------------------
with section("Performance by format and platform"):
    st.subheader("What kind of content works?")
    left, right = st.columns(2)
    for group, label, col, key in (("format", "format", left, "by_format"),
                                   ("platform", "platform", right, "by_platform")):
        per = cache.computed(f"content.by_{group}", ctx.ws,
                             lambda ws, g=group: ct.by_group(ct.period_posts(ws), g))
        per = per.with_columns(
            (pl.col(group).replace_strict(FORMAT_LABELS, default=pl.col(group))
             if group == "format" else platform_label(group)).alias("label"))
        rated = per.filter(pl.col("posts_rated") > 0)
        title = (f"Engagement rate per post by {label}, %<br>"
                 f"<sup>median and middle half, {when}</sup>")
        with col:
            if rated.height == 0:
                chart(charts.empty_figure(title, "No post reports both engagements and "
                                          "impressions"), key)
            else:
                chart(charts.median_spread(
                    rated, "label", "engagement_rate_median", "engagement_rate_p25",
                    "engagement_rate_p75", "posts_rated", title=title,
                    y_title="engagement rate per post", percent=True), key)
            show_table(per, {
                "label": Col(label.capitalize(), pinned=True),
                "posts": Col("Posts", "count"),
                "engagement_rate_median": Col("Median engagement rate", "ratio", digits=2),
                "impressions_median": Col("Median impressions", "count"),
                "engagements_median": Col("Median engagements", "count"),
                "engagement_rate": Col("Engagement rate (of the sums)", "ratio", digits=2),
                "impressions": Col("Impressions", "count"),
                "engagements": Col("Engagements", "count"),
                "link_clicks": Col("Link clicks", "count"),
                "sessions": Col("Sessions", "count"),
            }, key=f"{key}_table", name=f"content_{key}", ctx=ctx,
                placeholder=formatting.MISSING)
    st.caption("Bars: the median post's engagement rate; whiskers: the middle half of the "
               "posts (25th to 75th percentile), so one viral post does not make a format look "
               "good; the number of posts with a rate is on each bar. Platforms count "
               "engagements in their own ways (see the data formats), so compare formats "
               "within a platform with the platform filter.")

# --- best time to post ----------------------------------------------------------------------
with section("Best time to post"):
    st.subheader("When should we post?")
    least = ct.MIN_POSTS_PER_CELL
    cells = cache.computed("content.best_times", ctx.ws,
                           lambda ws: ct.best_times(ct.period_posts(ws), tz, least),
                           extra=(tz, least))
    title = f"Median engagement rate per post by weekday and hour ({tz}), %, {when}"
    if cells["posts"].sum() == 0:
        chart(charts.empty_figure(title, "No post reports both engagements and impressions"),
              "best_times")
    else:
        chart(charts.weekday_hour_rates(cells, "median_engagement_rate", title=title,
                                        z_title="Median engagement rate"), "best_times")
    best = cells.filter(pl.col("enough")).sort("median_engagement_rate", descending=True)
    tip = ""
    if best.height:
        top = best.head(3).select("weekday_name", "hour", "median_engagement_rate", "posts")
        tip = " Best backed by enough posts: " + "; ".join(
            f"{d} {h:02d}:00 ({formatting.percent(r, 2)}, {n} posts)"
            for d, h, r, n in top.iter_rows()) + "."
    st.caption(f"Each cell: the posts published in that hour ({md_escape(tz)}, the time "
               f"zone setting) and their median engagement rate; grey where fewer than "
               f"{least} posts back it, blank where none.{tip} Choose a longer period for "
               "more posts per cell.")

# --- promotion ------------------------------------------------------------------------------
with section("Promotional posts"):
    st.subheader("Does promotion drown out the rest?")
    cmp = cache.computed("content.promo", ctx.ws,
                         lambda ws: ct.promo_comparison(ct.period_posts(ws)))
    if cmp.height == 0:
        st.caption("No post has a promotion flag (`is_promo`): platform exports do not say "
                   "which posts promote; add the flag in a posts CSV (platform, post_id, "
                   "published_at, is_promo) and import it with the exports.")
    else:
        left, right = st.columns(2)
        with left:
            chart(charts.labelled_bars(
                cmp, "group", ["engagement_rate", "median_engagement_rate"],
                ["Engagement rate (of the sums)", "Median per post"],
                title=f"Engagement rate, promotional and other posts, %, {when}",
                y_title="engagement rate"), "promo_rate")
            show_table(cmp, {
                "group": Col("Posts", pinned=True),
                "posts": Col("Posts", "count"),
                "median_reach": Col("Median reach", "count"),
                "reach": Col("Reach (sum over posts)", "count"),
                "median_link_clicks": Col("Median link clicks", "count"),
                "link_clicks": Col("Link clicks", "count"),
                "sessions": Col("Website sessions", "count"),
                "sessions_per_post": Col("Sessions per tagged post", "number", digits=1),
            }, key="promo_table", name="content_promotion", ctx=ctx,
                placeholder=formatting.MISSING)
        with right:
            grain = "day" if ctx.period.days <= 14 else "week" if ctx.period.days <= 190 else (
                "month")
            share = cache.computed(
                "content.promo_share", ctx.ws,
                lambda ws: ct.promo_share_over_time(ct.period_posts(ws), grain, ws.end),
                extra=(grain,))
            guide = formatting.percent(limit, 0)
            title = f"Promotional posts, % per {grain}, {when}"
            chart(charts.legend_below(charts.share_with_limit(
                share.with_columns(pl.lit("Promotional share").alias("series")), "period",
                "series", "promo_share", title=title, y_title="% of posts", limit=limit,
                limit_label=f"Guide: at most {guide}")), "promo_share")
        st.caption(f"Shaded: more than {guide} of posts promotional (the promotional posts "
                   "guide, a setting: admins change it on the Admin page). Create content with "
                   "depth, discuss and help, "
                   "then promote respectfully: promotional posts that engage far less than "
                   "the rest tell followers tire of them. Posts without a flag are left out."
                   + (" Weeks are 7-day blocks counted back from the period's last day."
                      if grain == "week" else ""))

# --- the website ----------------------------------------------------------------------------
with section("Posts that bring people to the website"):
    st.subheader("Which posts bring people to the website?")
    if not matched:
        st.caption("No post of this selection has website figures (see above).")
    else:
        top = cache.computed("content.top", ctx.ws,
                             lambda ws: ct.top_for_website(ct.period_posts(ws), 10))
        title = f"Website sessions, the 10 posts that brought the most, {when}"
        if top.height == 0:
            chart(charts.empty_figure(title, "No session came through these posts' links"),
                  "top_posts")
        else:
            top = top.with_columns(
                (platform_label() + pl.lit(" · ") + pl.col("published_at").dt
                 .convert_time_zone(tz).dt.strftime("%Y-%m-%d") + pl.lit(" · ")
                 + pl.col("title").fill_null("").str.replace_all(r"\s+", " ").str.slice(0, 40))
                .alias("label"),
                pl.col("sessions").cast(pl.Float64).alias("s"))
            top = top.with_columns(formatting.texts(top["s"], formatting.compact).alias("t"))
            chart(charts.bars(top, "label", "s", title=title, y_title="sessions",
                              horizontal=True, text="t"), "top_posts")
            show_table(top.select(
                platform_label().alias("Platform"),
                pl.col("title").str.slice(0, 80).alias("Title"), pl.col("link").alias("Link"),
                pl.col("content").alias("UTM content"), "sessions", "conversions", "revenue",
                "link_clicks"), {
                "Platform": Col(pinned=True), "Title": Col(),
                "Link": Col(unit="link", display_text="Open ↗"), "UTM content": Col(),
                "sessions": Col("Sessions", "count"),
                "conversions": Col("Conversions", "count"),
                "revenue": Col("Revenue", "currency"),
                "link_clicks": Col("Link clicks", "count"),
            }, key="top_table", name="content_top_posts", ctx=ctx,
                placeholder=formatting.MISSING)
        unmatched = cache.computed("content.unmatched", ctx.ws, ct.unmatched_sessions)
        lost = int(unmatched["sessions"].sum()) if unmatched.height else 0
        st.caption(
            "A post's sessions are the website sessions whose UTM content is the post's "
            "(GA4's *Session manual ad content*; case ignored), each going to the latest post "
            "with that value published by its day (from the day before, for time zones), on "
            "the session's platform first."
            + (f" {lost:,} sessions in this period carry a content value no post has (most: "
               + ", ".join(md_escape(c) for c in unmatched.head(3)["content"].to_list())
               + "): posts not imported yet, or tags to fix." if lost else ""))
