"""Audience and reputation KPIs: exposure against reach, sentiment and promotion balance.

Seeds: "exposure vs reach", "sentiment", "fighting negativity", "spreading the
positive", "respectfully promote your own stuff; most companies jump in here".

Definitions (see `docs/kpis.md`):

- `impressions`, `reach`, `engagements`, `link_clicks`: sums over the period's
  social_daily rows (`spend`, the social ad spend, is summed in `cost`). Reach is a daily
  unique count, so its sum over days (or platforms) counts a person once per day and
  platform: it is labelled "Reach (sum of daily reach)".
- `frequency` = impressions / reach, `engagement_rate` = engagements / reach,
  `ctr` = link_clicks / impressions, `promo_share` = promo_posts / posts. A ratio sums
  its numerator and denominator over the rows where both are reported, so a platform
  that does not report clicks does not dilute the CTR of those that do.
- `new_followers`, `page_views`: sums of the followers gained and of the views of the
  brand's own page per day (LinkedIn's Page exports; missing where no row reports them).
  New followers are gross: follower growth nets the unfollows out.
- `follower_growth`: per platform, the follower count at the end of the period's last
  day minus the count at the end of the day before the period starts, summed over
  platforms. A day's count for a platform is the largest non-null `followers` over its
  rows of that day (accounts are usually reported on the rows without a campaign and
  must not be added up across campaign rows). Missing days carry the last count forward;
  with no count before the period, the first count in the period is the start. This
  equals the sum of day-to-day changes, which is the KPI's daily decomposition.
  With a campaign filter it is usually n/a, since follower counts are rarely per campaign.
- `negative_share` = negative / all mentions; `sentiment_score` = positive /
  (positive + negative); `negative_mentions` = negative mentions.

Negative spikes (`negative_spikes`): per platform, and for all platforms together when
there are several (platform "all"), a day is a spike when its negative mentions exceed
(strictly) the mean of the previous `window` (28) calendar days by more than `sigma` (3)
sample standard deviations (n - 1 in the denominator), and number at least `min_count`
(10). The day itself is not part of its baseline. Days missing inside a platform's
series count as zero mentions; a day needs at least `min_history` (14) previous days of
that series to be judged at all.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Literal

import polars as pl

from smmkpi import datasets as ds
from smmkpi import periods
from smmkpi.kpis.base import KPI, Area, ByDay, additive, ratio_expr, ratio_of, sum_or_null

if TYPE_CHECKING:
    from smmkpi.workspace import Workspace

Grain = Literal["day", "week", "month"]
ALL_PLATFORMS = "all"  # the platform label of the combined series in negative_spikes
# How people write the platform names (the data holds lower-case ids).
PLATFORM_LABELS: dict[str, str] = {**ds.PLATFORM_LABELS, ALL_PLATFORMS: "All platforms"}


def platform_label(col: str = "platform") -> pl.Expr:
    """A platform id column as people write it (unknown ids capitalised)."""
    return pl.col(col).replace_strict(
        PLATFORM_LABELS, default=pl.col(col).str.to_titlecase(), return_dtype=pl.String
    )

SUMS: tuple[str, ...] = (
    "impressions",
    "reach",
    "engagements",
    "link_clicks",
    "posts",
    "promo_posts",
    "spend",
    "new_followers",
    "page_views",
    "unique_visitors",
)
# ratio id -> (numerator column, denominator column)
RATIOS: dict[str, tuple[str, str]] = {
    "frequency": ("impressions", "reach"),
    "engagement_rate": ("engagements", "reach"),
    "ctr": ("link_clicks", "impressions"),
    "promo_share": ("promo_posts", "posts"),
}



def period_bucket(date: pl.Expr, grain: Grain, end: dt.date | None = None) -> pl.Expr:
    """The first day of a date's bucket (`periods.bucket`: the one definition of a week)."""
    return periods.bucket(date, grain, end)


# --- social_daily ----------------------------------------------------------------------


def _pair_aggs() -> list[pl.Expr]:
    """Numerator and denominator of each ratio, over rows where both are reported."""
    out: list[pl.Expr] = []
    for rid, (num, den) in RATIOS.items():
        both = pl.col(num).is_not_null() & pl.col(den).is_not_null()
        out.append(pl.col(num).filter(both).sum().cast(pl.Float64).alias(f"{rid}__num"))
        out.append(pl.col(den).filter(both).sum().cast(pl.Float64).alias(f"{rid}__den"))
    return out


def _audience_lazy(social: pl.DataFrame | pl.LazyFrame, by: list[str]) -> pl.LazyFrame:
    """Sums and ratio parts per group (one row overall when `by` is empty)."""
    aggs = [sum_or_null(c) for c in SUMS] + _pair_aggs()
    lf = social.lazy()
    grouped = lf.group_by(by).agg(aggs).sort(by) if by else lf.select(aggs)
    return grouped.with_columns(
        ratio_expr(f"{rid}__num", f"{rid}__den").alias(rid) for rid in RATIOS
    )


def audience_table(
    social: pl.DataFrame | pl.LazyFrame, by: list[str] | None = None
) -> pl.DataFrame:
    """impressions, reach, engagements, link_clicks, posts, promo_posts, spend,
    new_followers, page_views, unique_visitors and the ratios frequency, engagement_rate,
    ctr, promo_share per group of `by`."""
    lf = _audience_lazy(social, by or [])
    return lf.select(pl.exclude("^.*__(num|den)$")).collect()


def followers_daily(social: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """date, platform, followers: the largest reported count per day and platform."""
    return (
        social.lazy()
        .filter(pl.col("followers").is_not_null())
        .group_by("date", "platform")
        .agg(pl.col("followers").max())
        .sort("platform", "date")
        .collect()
    )


def _follower_changes(history: pl.DataFrame | pl.LazyFrame, end: dt.date) -> pl.LazyFrame:
    """date, platform, followers, change (vs the platform's previous reported day; the
    first reported day changes by 0), for days up to `end`."""
    return (
        followers_daily(history.lazy().filter(pl.col("date") <= end))
        .lazy()
        .with_columns(
            pl.col("followers")
            .diff()
            .over("platform", order_by="date")
            .fill_null(0)
            .alias("change")
        )
    )


def follower_growth_by_platform(
    history: pl.DataFrame | pl.LazyFrame, start: dt.date, end: dt.date
) -> pl.DataFrame:
    """platform, followers_start (end of the day before `start`, or the first count in
    the period), followers_end (end of `end`), follower_growth; platforms that report
    followers up to `end`. Pass every row up to `end` with date, platform and followers
    (`ws.history`, or `ws.followers`: the largest count per day is all it reads)."""
    return (
        _follower_changes(history, end)
        .group_by("platform")
        .agg(
            pl.col("followers").sort_by("date").last().alias("followers_end"),
            pl.col("change").filter(pl.col("date") >= start).sum().alias("follower_growth"),
        )
        .with_columns(
            (pl.col("followers_end") - pl.col("follower_growth")).alias("followers_start")
        )
        .select("platform", "followers_start", "followers_end", "follower_growth")
        .sort("platform")
        .collect()
    )


def follower_growth_daily(
    history: pl.DataFrame | pl.LazyFrame, start: dt.date, end: dt.date
) -> pl.DataFrame:
    """date, num: the day's follower change summed over platforms, for days in [start,
    end] with a reported count; the sum over any range of them is that range's growth."""
    return (
        _follower_changes(history, end)
        .filter(pl.col("date") >= start)
        .group_by("date")
        .agg(pl.col("change").sum().cast(pl.Float64).alias("num"))
        .sort("date")
        .collect()
    )


def audience_by_platform(
    social: pl.DataFrame,
    history: pl.DataFrame | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> pl.DataFrame:
    """Per platform: impressions, reach, frequency, engagement_rate, ctr, promo_share,
    spend and, given the history up to `end` and the period's `start`, followers_end and
    follower_growth."""
    table = audience_table(social, by=["platform"])
    if history is None or start is None or end is None:
        return table
    growth = follower_growth_by_platform(history, start, end).select(
        "platform", "followers_end", "follower_growth"
    )
    return table.join(growth, on="platform", how="full", coalesce=True).sort("platform")


def promo_share_series(
    social: pl.DataFrame,
    grain: Grain = "week",
    by: list[str] | None = None,
    end: dt.date | None = None,
) -> pl.DataFrame:
    """period (first day of the day, week or month, `periods.bucket`: weeks counted back
    from `end`, default the last date present), the `by` groups (e.g. platform), posts,
    promo_posts and promo_share, for a chart with the guide band at
    `settings.promo_share_max`."""
    by = by or []
    lf = social.lazy().with_columns(period_bucket(pl.col("date"), grain, end).alias("period"))
    return (
        _audience_lazy(lf, ["period", *by])
        .select(
            "period",
            *by,
            pl.col("promo_share__den").cast(pl.Int64).alias("posts"),
            pl.col("promo_share__num").cast(pl.Int64).alias("promo_posts"),
            "promo_share",
        )
        .collect()
    )


# --- mentions --------------------------------------------------------------------------


def _mention_rates() -> list[pl.Expr]:
    total = pl.col("positive") + pl.col("neutral") + pl.col("negative")
    polar = pl.col("positive") + pl.col("negative")
    return [
        total.alias("mentions"),
        ratio_expr("negative", total).alias("negative_share"),
        ratio_expr("positive", polar).alias("sentiment_score"),
    ]


def mentions_table(
    mentions: pl.DataFrame | pl.LazyFrame, by: list[str] | None = None
) -> pl.DataFrame:
    """positive, neutral, negative, mentions, negative_share, sentiment_score per group."""
    sums = [pl.col(c).sum() for c in ("positive", "neutral", "negative")]
    lf = mentions.lazy()
    grouped = lf.group_by(by).agg(sums).sort(by) if by else lf.select(sums)
    return grouped.with_columns(_mention_rates()).collect()


def mentions_daily(mentions: pl.DataFrame, by_platform: bool = False) -> pl.DataFrame:
    """Mentions by sentiment per day (and platform), for the stacked chart."""
    return mentions_table(mentions, ["date", "platform"] if by_platform else ["date"])


def negative_baseline(
    mentions: pl.DataFrame | pl.LazyFrame,
    sigma: float = 3.0,
    min_count: int = 10,
    window: int = 28,
    min_history: int = 14,
) -> pl.DataFrame:
    """Every day of every platform series (and of "all" when there are several platforms)
    with its negative mentions, prior_days, baseline_mean and baseline_std (of the
    previous `window` days), threshold (mean + sigma * std) and `spike`.

    Mean and sample variance come from exact integer sums of x and x^2 over the window,
    so a count exactly at the threshold compares as equal (not a spike).
    """
    if window < 2 or min_history < 2 or min_history > window:
        raise ValueError("need 2 <= min_history <= window")
    per = (
        mentions.lazy()
        .group_by("platform", "date")
        .agg(pl.col("negative").sum().cast(pl.Int64))
        .collect()
    )
    series = [per]
    if per.get_column("platform").n_unique() > 1:
        series.append(
            per.group_by("date")
            .agg(pl.col("negative").sum())
            .select(pl.lit(ALL_PLATFORMS).alias("platform"), "date", "negative")
        )
    per = pl.concat(series)
    days = (
        per.lazy()
        .group_by("platform")
        .agg(pl.date_ranges(pl.col("date").min(), pl.col("date").max()).alias("date"))
        .explode("date")
    )
    x = pl.col("negative")
    n = pl.col("prior_days")
    s1, s2 = pl.col("_s1"), pl.col("_s2")
    ok = n >= min_history
    mean = s1.cast(pl.Float64) / n
    # sample variance from integer sums: (n*S2 - S1^2) / (n*(n-1)), exact until the division
    var = (n * s2 - s1 * s1).cast(pl.Float64) / (n * (n - 1))
    return (
        days.join(per.lazy(), on=["platform", "date"], how="left")
        .with_columns(x.fill_null(0))
        .sort("platform", "date")
        .with_columns(
            pl.int_range(pl.len(), dtype=pl.Int64)
            .over("platform")
            .clip(upper_bound=window)
            .alias("prior_days"),
            x.shift(1).rolling_sum(window, min_samples=1).over("platform").alias("_s1"),
            (x * x).shift(1).rolling_sum(window, min_samples=1).over("platform").alias("_s2"),
        )
        .with_columns(
            pl.when(ok).then(mean).alias("baseline_mean"),
            pl.when(ok).then(var.clip(lower_bound=0).sqrt()).alias("baseline_std"),
        )
        .with_columns(
            (pl.col("baseline_mean") + sigma * pl.col("baseline_std")).alias("threshold"),
        )
        .with_columns(
            (ok & (x > pl.col("threshold")) & (x >= min_count)).fill_null(False).alias("spike"),
        )
        .select(
            "date",
            "platform",
            "negative",
            "prior_days",
            "baseline_mean",
            "baseline_std",
            "threshold",
            "spike",
        )
        .collect()
    )


def negative_spikes(
    mentions: pl.DataFrame | pl.LazyFrame | None,
    sigma: float = 3.0,
    min_count: int = 10,
    window: int = 28,
    min_history: int = 14,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> pl.DataFrame:
    """The spike days (date, platform, negative, baseline_mean, baseline_std, threshold),
    newest first, limited to [start, end]. Pass the history before `start` too: the
    baseline of the period's first days lies before it."""
    cols = ["date", "platform", "negative", "baseline_mean", "baseline_std", "threshold"]
    if mentions is None:  # no rows: the same (empty) frame with its columns typed
        mentions = ds.get("mentions").empty_frame()
    scan = negative_baseline(mentions, sigma, min_count, window, min_history).lazy()
    flt = pl.col("spike")
    if start is not None:
        flt = flt & (pl.col("date") >= start)
    if end is not None:
        flt = flt & (pl.col("date") <= end)
    return (
        scan.filter(flt).select(cols).sort(["date", "platform"], descending=[True, False]).collect()
    )


def spikes_for(ws: Workspace) -> pl.DataFrame:
    """The workspace period's negative spikes, with the settings' sigma and minimum."""
    return ws.memo(
        ("audience", "spikes"),
        lambda: negative_spikes(
            ws.history("mentions"),
            sigma=ws.settings.spike_sigma,
            min_count=ws.settings.spike_min_count,
            start=ws.start,
            end=ws.end,
        ),
    )


def demand_research(conversations: pl.DataFrame | None) -> pl.DataFrame:
    """platform, questions, suggestions, total: what the community asks for, by platform,
    busiest first."""
    if conversations is None:  # no rows: the same (empty) frame with its columns typed
        conversations = ds.get("conversations").empty_frame()
    return (
        conversations.lazy()
        .filter(pl.col("kind").is_in(["question", "suggestion"]))
        .group_by("platform")
        .agg(
            (pl.col("kind") == "question").sum().cast(pl.Int64).alias("questions"),
            (pl.col("kind") == "suggestion").sum().cast(pl.Int64).alias("suggestions"),
        )
        .with_columns((pl.col("questions") + pl.col("suggestions")).alias("total"))
        .sort(["total", "platform"], descending=[True, False])
        .collect()
    )


# --- KPIs ------------------------------------------------------------------------------


def _social_daily(ws: Workspace) -> pl.DataFrame | None:
    """The period's social sums and ratio parts per day (shared by the social KPIs)."""

    def build() -> pl.DataFrame | None:
        df = ws.frame("social_daily")
        return None if df is None else _audience_lazy(df, ["date"]).collect()

    return ws.memo(("audience", "social_daily"), build)


def _mentions_daily(ws: Workspace) -> pl.DataFrame | None:
    """The period's mentions per day, with `polar` (positive + negative) for the score."""

    def build() -> pl.DataFrame | None:
        df = ws.frame("mentions")
        if df is None:
            return None
        polar = (pl.col("positive") + pl.col("negative")).alias("polar")
        return mentions_table(df, ["date"]).with_columns(polar)

    return ws.memo(("audience", "mentions_daily"), build)


def follower_growth(ws: Workspace) -> float | None:
    """Followers at the end of the period minus at its start, summed over platforms."""
    hist = ws.followers()
    if hist is None:
        return None
    growth = follower_growth_by_platform(hist, ws.start, ws.end)
    if growth.height == 0:
        return None
    return float(growth.get_column("follower_growth").sum())


def _follower_growth_daily(ws: Workspace) -> pl.DataFrame | None:
    hist = ws.followers()
    if hist is None:
        return None
    return follower_growth_daily(hist, ws.start, ws.end)


_SOCIAL = Area("audience", ("social_daily",))
_MENTIONS = Area("audience", ("mentions",))


def _rate(rid: str) -> ByDay:
    """An audience ratio of `RATIOS`, over the rows reporting both of its columns."""
    return ratio_of(_social_daily, f"{rid}__num", f"{rid}__den")


KPIS: list[KPI] = [
    _SOCIAL.kpi("impressions", "Impressions", "count", "higher", ("awareness",),
                "Times posts and ads were shown.", additive(_social_daily, "impressions")),
    _SOCIAL.kpi("reach", "Reach (sum of daily reach)", "count", "higher", ("awareness",),
                "Daily unique people reached, summed over days and platforms: a person "
                "reached on two days counts twice.", additive(_social_daily, "reach")),
    _SOCIAL.kpi("engagements", "Engagements", "count", "higher", ("awareness", "advocacy"),
                "Interactions with posts and ads as each platform counts them (likes, "
                "comments, shares, clicks, ...), summed over days and platforms.",
                additive(_social_daily, "engagements")),
    _SOCIAL.kpi("link_clicks", "Link clicks", "count", "higher", ("traffic",),
                "Clicks on links in posts and ads, summed over days and platforms.",
                additive(_social_daily, "link_clicks")),
    _SOCIAL.kpi("frequency", "Frequency", "number", "higher", ("awareness",),
                "Impressions / reach: how often each reached person saw the brand per day. "
                "Very high values mean the same people see it over and over.",
                _rate("frequency")),
    _SOCIAL.kpi("engagement_rate", "Engagement rate", "ratio", "higher",
                ("awareness", "advocacy"), "Engagements / reach.", _rate("engagement_rate")),
    _SOCIAL.kpi("ctr", "Click-through rate", "ratio", "higher", ("traffic", "awareness"),
                "Link clicks / impressions.", _rate("ctr")),
    # the change of a level (followers) read at both ends, not a sum of rows
    _SOCIAL.kpi("follower_growth", "Follower growth", "count", "higher",
                ("awareness", "advocacy"),
                "Followers at the end of the period minus followers at its start, summed over "
                "platforms (one count per day and platform, never added up over campaign "
                "rows).", follower_growth, additive=True, daily=_follower_growth_daily),
    # flows reported per day (LinkedIn's Page exports), unlike the follower count's level
    _SOCIAL.kpi("new_followers", "New followers", "count", "higher", ("awareness", "advocacy"),
                "Followers gained, summed over days and platforms, before anyone unfollows "
                "(LinkedIn's followers export reports them; follower growth is the net "
                "change of the count).", additive(_social_daily, "new_followers")),
    _SOCIAL.kpi("page_views", "Page views", "count", "higher", ("awareness",),
                "Views of the brand's own page or profile (every tab, desktop and mobile), "
                "summed over days and platforms (LinkedIn's visitors export reports them).",
                additive(_social_daily, "page_views")),
    _SOCIAL.kpi("promo_share", "Promotional posts share", "ratio", "lower",
                ("sales_spike", "awareness", "reputation"),
                "Promotional posts / posts: promote respectfully; a guide band marks the "
                "setting.", _rate("promo_share")),
    # a period without mentions has none: 0, not n/a
    _MENTIONS.kpi("negative_mentions", "Negative mentions", "count", "lower", ("reputation",),
                  "Mentions with negative sentiment.",
                  additive(_mentions_daily, "negative", empty=0.0)),
    _MENTIONS.kpi("negative_share", "Negative share of mentions", "ratio", "lower", ("reputation",),
                  "Negative mentions / all mentions.",
                  ratio_of(_mentions_daily, "negative", "mentions")),
    _MENTIONS.kpi("sentiment_score", "Sentiment score", "ratio", "higher",
                  ("reputation", "advocacy"),
                  "Positive / (positive + negative) mentions; neutral ones are left out.",
                  ratio_of(_mentions_daily, "positive", "polar")),
]
