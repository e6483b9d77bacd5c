"""Content KPIs: what the period's posts did on the platforms and on the website.

Seeds: "create content with depth, discuss and help, then respectfully promote, and
measure it"; "quality communication over exposure". Every figure is over the posts
*published* in the period (by UTC day of `published_at`), whose metrics are lifetime values
as of the export.

Definitions (see `docs/kpis.md`):

- `posts_published`: posts published in the period. `post_impressions`, `post_reach`,
  `post_engagements`, `post_link_clicks`, `post_video_views`: sums over those posts, missing
  where no post reports the metric (a platform that does not export it). Reach summed over
  posts counts a person reached by two posts twice.
- `post_engagement_rate` = engagements / impressions, both summed over the posts reporting
  both (a platform without impressions does not dilute it).
- `promo_post_share` = promotional posts / posts, over the posts whose promotion flag
  (`is_promo`) is known; missing where no post has one. `promo_share` (audience) reads the
  daily counts of `social_daily` instead; with both datasets from the same posts they agree.
- `post_sessions`, `post_conversions`, `post_revenue`: the website sessions (and their
  conversions and revenue) brought by those posts, see below.

Which sessions a post brought: a post's *content value* is its `utm_content`, else the
`utm_content=` of a link in its `url` or text (percent-escapes of ASCII characters decoded).
A web session whose `content` is that value (case and surrounding spaces ignored) belongs
to the latest post with that value published on or before the session's day (a day of
slack for time zones: from the day before the post), on the session's platform when its
source names one that has such a post, else on any platform. Sessions are counted over all
stored days (a post's lifetime, like its other metrics), not only the period's; sessions
with a content value no post has, or dated before every post that has it, are unmatched
(`unmatched_sessions`). Matching is done once per data source over every post and every
session, before the page's filters, so filtering never moves a session to another post.
A post without a content value has no session figures (missing, not zero); one with a value
that no session carries has 0.

The page tables below (`posts_table`, `by_group`, `best_times`, `promo_comparison`,
`promo_share_over_time`) take the workspace's frames and return snake_case columns.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import polars as pl

from smmkpi import periods
from smmkpi.channels import content_key, content_value, platform_expr
from smmkpi.kpis.base import KPI, Area, ByDay, additive, ratio_expr, ratio_of, sum_or_null

if TYPE_CHECKING:
    from smmkpi.workspace import Workspace

METRICS: tuple[str, ...] = ("impressions", "reach", "engagements", "likes", "comments",
                            "shares", "saves", "link_clicks", "video_views")
WEB: tuple[str, ...] = ("sessions", "conversions", "revenue")
MIN_POSTS_PER_CELL = 3  # best time to post: fewer posts in a cell than this is greyed
# where a post link may point: the platforms' own sites (anything else is shown as text)
_POST_HOSTS = (r"(?:[a-z0-9-]+\.)*(?:facebook\.com|fb\.com|fb\.watch|instagram\.com|x\.com|"
               r"twitter\.com|linkedin\.com|tiktok\.com|youtube\.com|youtu\.be|threads\.net|"
               r"pinterest\.[a-z.]+|reddit\.com|snapchat\.com|vk\.com)")
SAFE_URL = r"^https://" + _POST_HOSTS + r"(?:[/?#][^\s<>\"']*)?$"


# --- a post's content value and its sessions ---------------------------------------------


def safe_url() -> pl.Expr:
    """The post's `url` where it is an https link to a platform's own site, else null (a
    link on the page never leads anywhere a file chose)."""
    u = pl.col("url").str.strip_chars()
    return pl.when(u.str.contains("(?i)" + SAFE_URL)).then(u).otherwise(None).alias("link")


_ATTRIBUTION_SCHEMA = {"platform": pl.String, "post_id": pl.String, "sessions": pl.Int64,
                       "engaged_sessions": pl.Int64, "conversions": pl.Int64,
                       "revenue": pl.Float64}


def attribute(posts: pl.DataFrame, sessions: pl.DataFrame | None) -> pl.DataFrame:
    """Per post with a content value (platform, post_id): the sessions, engaged sessions,
    conversions and revenue matched to it (see the module doc), over every row given."""
    tagged = (posts.lazy().with_columns(content_value())
              .filter(pl.col("content").is_not_null())
              .select("platform", "post_id", content_key(pl.col("content")).alias("key"),
                      "published_at")
              .collect())
    if sessions is None or tagged.height == 0:
        return pl.DataFrame(schema=_ATTRIBUTION_SCHEMA)
    return _matched(tagged, _tagged_sessions(sessions))


def _matched(tagged: pl.DataFrame, s: pl.DataFrame) -> pl.DataFrame:
    """`attribute` of posts given by platform, post_id, key (their content value as
    compared) and published_at, and of sessions as `_tagged_sessions` gives them. Of a
    value's posts published on one day, the latest published (then the last by platform
    and post id) takes that day's sessions, so the result never depends on the order the
    rows came in."""
    if tagged.height == 0 or s.height == 0:
        return pl.DataFrame(schema=_ATTRIBUTION_SCHEMA)
    right = (tagged.lazy()
             .select("platform", "post_id", "key", "published_at",
                     (pl.col("published_at").dt.date() - pl.duration(days=1)).alias("from"))
             .sort("from", "published_at", "platform", "post_id")
             .drop("published_at").rename({"platform": "post_platform"}).collect())
    same = s.join_asof(right.with_columns(pl.col("post_platform").alias("platform")),
                       left_on="date", right_on="from", by=["key", "platform"],
                       strategy="backward", check_sortedness=False)
    hit = same.filter(pl.col("post_id").is_not_null())
    rest = same.filter(pl.col("post_id").is_null()).drop("post_id", "post_platform", "from")
    anywhere = rest.join_asof(right, left_on="date", right_on="from", by="key",
                              strategy="backward", check_sortedness=False)
    matched = pl.concat([hit.select(anywhere.columns), anywhere]).filter(
        pl.col("post_id").is_not_null())
    return (matched.group_by("post_platform", "post_id")
            .agg(pl.col("sessions").sum().cast(pl.Int64), sum_or_null("engaged_sessions"),
                 sum_or_null("conversions"), sum_or_null("revenue").cast(pl.Float64))
            .rename({"post_platform": "platform"}).select(list(_ATTRIBUTION_SCHEMA))
            .cast(_ATTRIBUTION_SCHEMA))  # type: ignore[arg-type]


def _tagged_sessions(sessions: pl.DataFrame) -> pl.DataFrame:
    """The session rows with a content value: date, key, platform (of their source), sums."""
    s = sessions.lazy().filter(pl.col("content").str.strip_chars().fill_null("") != "")
    sources = s.select("source").unique().with_columns(platform=platform_expr(pl.col("source")))
    return (s.join(sources, on="source", how="left")
            .select("date", content_key(pl.col("content")).alias("key"), "platform",
                    "sessions", "engaged_sessions", "conversions", "revenue")
            .sort("date").collect())


def unmatched_sessions(ws: Workspace) -> pl.DataFrame:
    """Session rows in the period with a content value that no post is matched to: content,
    sessions, by sessions, most first (tags to fix, or posts not imported). Without filters
    from the content sums a database source keeps (`DbSource.content_sessions`: every row
    with a content value, summed per day, content and source), not the period's rows."""
    grouped = getattr(ws.source, "content_sessions", None)
    sessions = (grouped(ws.start, ws.end) if grouped is not None and not ws.filters
                else ws.frame("web_sessions"))
    schema = {"content": pl.String, "sessions": pl.Int64}
    if sessions is None:
        return pl.DataFrame(schema=schema)
    s = sessions.filter(pl.col("content").str.strip_chars().fill_null("") != "")
    keys = _post_keys_among(ws.unfiltered(), s)
    return (s.filter(~content_key(pl.col("content")).is_in(list(keys - {""})))
            .group_by("content").agg(pl.col("sessions").sum().cast(pl.Int64))
            .sort(["sessions", "content"], descending=[True, False]).select(list(schema)))


def _post_keys_among(everyone: Workspace, sessions: pl.DataFrame) -> set[str]:
    """Which of the sessions' content values (as compared) some post has: asked of a
    source that keeps each post's key (`DbSource.content_keys`), else from every post."""
    known = getattr(everyone.source, "content_keys", None)
    if known is not None:
        if not everyone.has("posts"):
            return set()
        wanted = sessions.select(content_key(pl.col("content"))).to_series().unique()
        return known(tuple(k for k in wanted.to_list() if k))  # type: ignore[no-any-return]
    posts = everyone.everything("posts")
    return (set() if posts is None else set(
        posts.select(content_key(content_value().fill_null(""))).to_series().to_list()))


def content_sessions(sessions: pl.DataFrame) -> pl.DataFrame:
    """The session rows that carry a content value, summed per day, content value and
    source (a sum is null where every row summed is): all `attribute` needs of them, and
    what a database source groups itself (`store.read_content_sessions`, the same
    columns). Rows without a usable date are left out (they match no post)."""
    return (sessions.lazy()
            .filter(pl.col("content").is_not_null() & (pl.col("content") != "")
                    & pl.col("date").is_not_null())
            .group_by("date", "content", "source")
            .agg(pl.col("sessions").sum().cast(pl.Int64),
                 sum_or_null("engaged_sessions").cast(pl.Int64),
                 sum_or_null("conversions").cast(pl.Int64),
                 sum_or_null("revenue").cast(pl.Float64))
            .collect())


def _content_sessions(everyone: Workspace) -> pl.DataFrame | None:
    """`content_sessions` of every stored session: grouped by the source when it can (a
    database), else from the whole table."""
    grouped = getattr(everyone.source, "content_sessions", None)
    if grouped is not None:
        return grouped()  # type: ignore[no-any-return]
    sessions = everyone.everything("web_sessions")
    return None if sessions is None else content_sessions(sessions)


def attribution(ws: Workspace) -> pl.DataFrame | None:
    """`attribute` over every stored post and session of the workspace's source, computed
    once per source (the sessions summed per day, content and source first:
    `content_sessions`); None without web sessions that carry a content value (then no
    post's website figures are known: missing, not zero)."""
    everyone = ws.unfiltered()
    if not ws.has("web_sessions"):
        return None
    if getattr(everyone.source, "post_keys", None) is not None:
        return everyone.shared_memo("posts", ("attribution", ws.start, ws.end),
                                    lambda: _period_attribution(everyone))

    def build() -> pl.DataFrame | None:
        sessions = _content_sessions(everyone)
        if sessions is None or not has_content(sessions):
            return None
        posts = everyone.everything("posts")
        return None if posts is None else attribute(posts, sessions)

    return everyone.shared_memo("posts", "attribution", build)


_OUTSIDE = "\x00"  # the post id of the period's stand-ins for posts outside it (no real id)


def _period_attribution(everyone: Workspace) -> pl.DataFrame | None:
    """`attribution` of the posts published in the workspace's period, from a source that
    keeps each post's content key (`DbSource.post_keys`): the same figures for those posts
    as matching every post with every session, reading only the period's posts, the
    sessions from the day before the period on (a post takes none dated earlier), and per
    content value of the period and platform two publish times from the key's index
    (`DbSource.post_key_bounds`). Those stand in for every post outside the period: the
    earliest decides whether a session's platform has a post of its value by the
    session's day, the first after the period where the period's last post stops taking
    sessions; what they take themselves is dropped. Any other post outside the period
    lies between them and could only take sessions that no post of the period gets."""
    src = everyone.source
    first = everyone.start - dt.timedelta(days=1)
    sessions = src.content_sessions(first)  # type: ignore[attr-defined]
    if not has_content(sessions):
        earlier = src.content_sessions()  # type: ignore[attr-defined]
        if not has_content(earlier):  # no session carries a content value at all
            return None
    if not everyone.has("posts"):
        return None
    posts = _period_keys(everyone)
    keys = posts.get_column("content_key").unique()
    s = _tagged_sessions(sessions).filter(pl.col("key").is_in(keys.implode()))
    platforms = sorted({*posts.get_column("platform").to_list(),
                        *s.get_column("platform").drop_nulls().to_list()})
    bounds = src.post_key_bounds(  # type: ignore[attr-defined]
        everyone.start, everyone.end, tuple(platforms))
    start = dt.datetime.combine(everyone.start, dt.time(), tzinfo=dt.UTC)
    outside = pl.concat([
        bounds.filter(pl.col("earliest") < start).select(
            "platform", post_id=pl.lit(_OUTSIDE), key="content_key", published_at="earliest"),
        bounds.filter(pl.col("next").is_not_null()).select(
            "platform", post_id=pl.lit(_OUTSIDE), key="content_key", published_at="next"),
    ])
    tagged = pl.concat([posts.rename({"content_key": "key"}).select(outside.columns), outside])
    return _matched(tagged, s).filter(pl.col("post_id") != _OUTSIDE)


def _period_keys(ws: Workspace) -> pl.DataFrame:
    """The keyed posts of the workspace's period, unfiltered (`DbSource.post_keys`), read
    once per source and period: the attribution and the counted daily sums both need them."""
    everyone = ws.unfiltered()
    return everyone.shared_memo(  # type: ignore[no-any-return]
        "posts", ("post_keys", ws.start, ws.end),
        lambda: everyone.source.post_keys(ws.start, ws.end))  # type: ignore[attr-defined]


def has_content(sessions: pl.DataFrame) -> bool:
    """Whether any session row carries a UTM content value."""
    return bool(sessions.select(
        (pl.col("content").str.strip_chars().fill_null("") != "").any()).item())


# --- the period's posts ------------------------------------------------------------------


def period_posts(ws: Workspace) -> pl.DataFrame | None:
    """The posts published in the period (filters applied) with their content value, the
    website figures matched to them (null without a content value), engagement_rate and
    the day published (UTC); None when the source has no posts."""

    def build() -> pl.DataFrame | None:
        posts = ws.frame("posts")
        if posts is None:
            return None
        att = attribution(ws)
        df = posts.with_columns(content_value(), pl.col("published_at").dt.date().alias("date"))
        if att is None:
            df = df.with_columns(pl.lit(None, dtype=pl.Int64).alias("sessions"),
                                 pl.lit(None, dtype=pl.Int64).alias("engaged_sessions"),
                                 pl.lit(None, dtype=pl.Int64).alias("conversions"),
                                 pl.lit(None, dtype=pl.Float64).alias("revenue"))
        else:  # a post has a value to match when it has a key (a blank value is none)
            tagged = pl.col("content").is_not_null() & (content_key(pl.col("content")) != "")
            df = df.join(att, on=["platform", "post_id"], how="left").with_columns(
                pl.when(tagged).then(pl.col("sessions").fill_null(0)).alias("sessions"),
                pl.when(tagged & pl.col("engaged_sessions").is_not_null())
                .then("engaged_sessions").alias("engaged_sessions"),
                pl.when(tagged).then(pl.col("conversions")).alias("conversions"),
                pl.when(tagged).then(pl.col("revenue")).alias("revenue"),
            )
        return df.with_columns(ratio_expr("engagements", "impressions")
                               .alias("engagement_rate"))

    return ws.memo(("content", "period_posts"), build)


def _daily_sums(df: pl.DataFrame | pl.LazyFrame, by: list[str]) -> pl.LazyFrame:
    """Per group: posts, promo posts and known flags, every metric summed (null when never
    reported), the engagement rate's parts over posts reporting both, website sums."""
    both = pl.col("engagements").is_not_null() & pl.col("impressions").is_not_null()
    aggs = [
        pl.len().cast(pl.Int64).alias("posts"),
        pl.col("is_promo").fill_null(False).sum().cast(pl.Int64).alias("promo_posts"),
        pl.col("is_promo").is_not_null().sum().cast(pl.Int64).alias("flagged_posts"),
        *(sum_or_null(m) for m in METRICS),
        pl.col("engagements").filter(both).sum().cast(pl.Float64).alias("er_num"),
        pl.col("impressions").filter(both).sum().cast(pl.Float64).alias("er_den"),
        *(sum_or_null(w) for w in WEB),
    ]
    lf = df.lazy()
    return lf.group_by(by).agg(aggs).sort(by) if by else lf.select(aggs)


def _content_daily(ws: Workspace) -> pl.DataFrame | None:
    """The period's posts summed per day published (shared by the content KPIs): from a
    source that counts them (`_counted_daily`) when no campaign filter applies, else from
    the period's posts."""

    def build() -> pl.DataFrame | None:
        if getattr(ws.source, "post_days", None) is not None and not ws.filters.campaigns:
            return _counted_daily(ws)
        df = period_posts(ws)
        return None if df is None else _daily_sums(df, ["date"]).collect()

    return ws.memo(("content", "daily"), build)


def _counted_daily(ws: Workspace) -> pl.DataFrame | None:
    """`_daily_sums` of `period_posts` per day, without reading the period's posts: the
    counts and metric sums per day from the database (`DbSource.post_days`), the website
    sums per day from `attribution` of the period's posts that have a content value (their
    stored keys, `DbSource.post_keys`: a post with a content value and no matched session
    has 0 sessions, one without a value none), each day's website sums null where no post
    of the day has a value."""
    if not ws.has("posts"):
        return None
    src, platforms = ws.source, ws.filters.platforms
    days = src.post_days(ws.start, ws.end, platforms, METRICS)  # type: ignore[attr-defined]
    att = attribution(ws)
    if att is None:
        web = pl.DataFrame(schema={"date": pl.Date, "sessions": pl.Int64,
                                   "conversions": pl.Int64, "revenue": pl.Float64})
    else:
        keys = _period_keys(ws)
        if platforms:
            keys = keys.filter(pl.col("platform").is_in(list(platforms)))
        web = (keys.lazy().select("platform", "post_id", pl.col("published_at").dt.date()
                                  .alias("date"))
               .join(att.lazy(), on=["platform", "post_id"], how="left")
               .group_by("date")
               .agg(pl.col("sessions").fill_null(0).sum().cast(pl.Int64),
                    sum_or_null("conversions").cast(pl.Int64),
                    sum_or_null("revenue").cast(pl.Float64))
               .collect())
    out = days.join(web, on="date", how="left", maintain_order="left")
    return out.select("date", "posts", "promo_posts", "flagged_posts", *METRICS, "er_num",
                      "er_den", *WEB)


def _web_daily(ws: Workspace) -> pl.DataFrame | None:
    """The website figures per day published; None without web sessions carrying content
    values."""
    if attribution(ws) is None:
        return None
    return _content_daily(ws)


# --- page tables ---------------------------------------------------------------------------


def posts_table(posts: pl.DataFrame) -> pl.DataFrame:
    """The posts for the table, newest first, with their safe link."""
    return posts.with_columns(safe_url()).sort(["published_at", "platform", "post_id"],
                                               descending=[True, False, False])


def _spread(col: str) -> list[pl.Expr]:
    x = pl.col(col).drop_nulls()
    return [x.quantile(0.25, "linear").alias(f"{col}_p25"), x.median().alias(f"{col}_median"),
            x.quantile(0.75, "linear").alias(f"{col}_p75")]


def by_group(posts: pl.DataFrame, group: str) -> pl.DataFrame:
    """Per `group` (format or platform): posts, posts_rated (with an engagement rate), the
    median and quartiles per post of engagement rate, impressions and engagements, the sums
    and the engagement rate of the sums; most posts first."""
    both = pl.col("engagements").is_not_null() & pl.col("impressions").is_not_null()
    return (
        posts.lazy().with_columns(pl.col(group).fill_null("unknown"))
        .group_by(group)
        .agg(pl.len().cast(pl.Int64).alias("posts"),
             pl.col("engagement_rate").count().cast(pl.Int64).alias("posts_rated"),
             *_spread("engagement_rate"), *_spread("impressions"), *_spread("engagements"),
             sum_or_null("impressions"), sum_or_null("engagements"),
             pl.col("engagements").filter(both).sum().alias("_n"),
             pl.col("impressions").filter(both).sum().alias("_d"),
             sum_or_null("link_clicks"), sum_or_null("sessions"))
        .with_columns(ratio_expr("_n", "_d").alias("engagement_rate"))
        .drop("_n", "_d")
        .sort(["posts", group], descending=[True, False])
        .collect()
    )


WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def best_times(posts: pl.DataFrame, tz: str, min_posts: int = MIN_POSTS_PER_CELL
               ) -> pl.DataFrame:
    """Per weekday (1 = Monday) and hour published in time zone `tz`: posts with an
    engagement rate, their median rate, and `enough` (at least `min_posts`); every one of the
    168 cells."""
    local = pl.col("published_at").dt.convert_time_zone(tz)
    cells = (posts.lazy().filter(pl.col("engagement_rate").is_not_null())
             .group_by(local.dt.weekday().alias("weekday"), local.dt.hour().alias("hour"))
             .agg(pl.len().cast(pl.Int64).alias("posts"),
                  pl.col("engagement_rate").median().alias("median_engagement_rate")))
    grid = pl.LazyFrame({"weekday": pl.Series(range(1, 8), dtype=pl.Int8)}).join(
        pl.LazyFrame({"hour": pl.Series(range(24), dtype=pl.Int8)}), how="cross")
    return (
        grid.join(cells.with_columns(pl.col("weekday").cast(pl.Int8),
                                     pl.col("hour").cast(pl.Int8)),
                  on=["weekday", "hour"], how="left")
        .with_columns(pl.col("posts").fill_null(0),
                      pl.col("weekday").replace_strict(list(range(1, 8)), list(WEEKDAYS),
                                                       return_dtype=pl.String)
                      .alias("weekday_name"))
        .with_columns((pl.col("posts") >= min_posts).alias("enough"))
        .sort("weekday", "hour").collect()
    )


def promo_comparison(posts: pl.DataFrame) -> pl.DataFrame:
    """Promotional against other posts (`group` "Promotional", "Other"; posts without a
    flag left out): posts, engagement rate of the sums and median per post, reach and link
    clicks per post (median) and summed, sessions summed and per post (mean, over posts
    with a content value)."""
    flagged = posts.filter(pl.col("is_promo").is_not_null())
    both = pl.col("engagements").is_not_null() & pl.col("impressions").is_not_null()
    return (
        flagged.lazy()
        .with_columns(pl.when(pl.col("is_promo")).then(pl.lit("Promotional"))
                      .otherwise(pl.lit("Other")).alias("group"))
        .group_by("group")
        .agg(pl.len().cast(pl.Int64).alias("posts"),
             pl.col("engagements").filter(both).sum().alias("_n"),
             pl.col("impressions").filter(both).sum().alias("_d"),
             pl.col("engagement_rate").median().alias("median_engagement_rate"),
             pl.col("reach").median().alias("median_reach"), sum_or_null("reach"),
             pl.col("link_clicks").median().alias("median_link_clicks"),
             sum_or_null("link_clicks"), sum_or_null("sessions"),
             pl.col("sessions").mean().alias("sessions_per_post"))
        .with_columns(ratio_expr("_n", "_d").alias("engagement_rate"))
        .drop("_n", "_d")
        .sort(pl.col("group") != "Promotional")
        .collect()
    )


def promo_share_over_time(posts: pl.DataFrame, grain: periods.Grain, end: dt.date
                          ) -> pl.DataFrame:
    """period (first day of each day, week or month, `periods.bucket`), posts with a
    promotion flag, promotional ones and promo_share."""
    return (
        posts.lazy().filter(pl.col("is_promo").is_not_null())
        .group_by(periods.bucket(pl.col("date"), grain, end).alias("period"))
        .agg(pl.len().cast(pl.Int64).alias("posts"),
             pl.col("is_promo").sum().cast(pl.Int64).alias("promo_posts"))
        .with_columns(ratio_expr("promo_posts", "posts").alias("promo_share"))
        .sort("period").collect()
    )


def top_for_website(posts: pl.DataFrame, n: int = 10) -> pl.DataFrame:
    """The `n` posts that brought the most sessions (then revenue), those with any."""
    return (posts.filter(pl.col("sessions") > 0)
            .sort(["sessions", "revenue", "published_at"], descending=True, nulls_last=True)
            .head(n).with_columns(safe_url()))


# --- KPIs ------------------------------------------------------------------------------------


_POSTS = Area("content", ("posts",))
_WEB = Area("content", ("posts", "web_sessions"))


def _sum(col: str) -> ByDay:
    return additive(_content_daily, col)


KPIS: list[KPI] = [
    # a period without posts has none: 0, not n/a
    _POSTS.kpi("posts_published", "Posts published", "count", "higher",
               ("awareness", "advocacy"), "Posts published in the period.",
               additive(_content_daily, "posts", empty=0.0)),
    _POSTS.kpi("post_impressions", "Post impressions", "count", "higher", ("awareness",),
               "Impressions of the posts published in the period (lifetime, as exported).",
               _sum("impressions")),
    _POSTS.kpi("post_reach", "Post reach (sum over posts)", "count", "higher", ("awareness",),
               "Reach of the posts published in the period, summed over posts: a person "
               "reached by two posts counts twice.", _sum("reach")),
    _POSTS.kpi("post_engagements", "Post engagements", "count", "higher",
               ("awareness", "advocacy"),
               "Engagements with the posts published in the period, as each platform counts "
               "them.", _sum("engagements")),
    _POSTS.kpi("post_link_clicks", "Post link clicks", "count", "higher", ("traffic",),
               "Link clicks on the posts published in the period.", _sum("link_clicks")),
    _POSTS.kpi("post_video_views", "Post video views", "count", "higher", ("awareness",),
               "Video views of the posts published in the period.", _sum("video_views")),
    _POSTS.kpi("post_engagement_rate", "Post engagement rate", "ratio", "higher",
               ("awareness", "advocacy"),
               "Engagements / impressions of the posts published in the period, over the "
               "posts reporting both.", ratio_of(_content_daily, "er_num", "er_den")),
    _POSTS.kpi("promo_post_share", "Promotional share of posts", "ratio", "lower",
               ("sales_spike", "awareness", "reputation"),
               "Promotional posts / posts published, over the posts whose promotion flag is "
               "known: promote respectfully.",
               ratio_of(_content_daily, "promo_posts", "flagged_posts")),
    _WEB.kpi("post_sessions", "Website sessions from posts", "count", "higher", ("traffic",),
             "Website sessions whose UTM content is that of a post published in the period "
             "(over every stored day).", additive(_web_daily, "sessions")),
    _WEB.kpi("post_conversions", "Conversions from posts", "count", "higher",
             ("traffic", "sales_spike"),
             "Conversions in the website sessions brought by the posts published in the "
             "period.", additive(_web_daily, "conversions")),
    _WEB.kpi("post_revenue", "Revenue from posts", "currency", "higher",
             ("sales_spike", "traffic"),
             "Revenue of the website sessions brought by the posts published in the period.",
             additive(_web_daily, "revenue")),
]
