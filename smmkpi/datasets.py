"""The datasets: one source of truth for CSV columns, types, keys, aliases and allowed values.

The SQLModel tables (`models.py`) are checked against these specs by a test, the CSV
validation (`smmkpi.ingest`) is driven by them and docs/data-formats.md's tables are generated
from them (`python -m smmkpi formats`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import polars as pl

ColType = Literal["str", "int", "float", "date", "datetime", "bool"]

POLARS_TYPES: dict[str, pl.DataType] = {
    "str": pl.String(),
    "int": pl.Int64(),
    "float": pl.Float64(),
    "date": pl.Date(),
    "datetime": pl.Datetime("us", "UTC"),
    "bool": pl.Boolean(),
}

GOALS: tuple[str, ...] = (
    "traffic",
    "repeat_sales",
    "reputation",
    "advocacy",
    "sales_spike",
    "research",
    "support",
    "awareness",
)
GOAL_LABELS: dict[str, str] = {
    "traffic": "Traffic growth",
    "repeat_sales": "Repeat sales",
    "reputation": "Fighting negativity",
    "advocacy": "Spreading praise",
    "sales_spike": "One-time sales spike",
    "research": "Demand research",
    "support": "Customer support",
    "awareness": "Awareness",
}
# GA4's default channel groups, lower-cased: the allowed values of ad_spend.channel (the
# same list as `channels.CHANNEL_GROUPS`, which a test holds; datasets cannot import it).
CHANNEL_GROUP_VALUES: tuple[str, ...] = (
    "direct", "cross-network", "paid shopping", "paid search", "paid social", "paid video",
    "display", "paid other", "organic shopping", "organic social", "organic video",
    "organic search", "referral", "email", "affiliates", "audio", "sms",
    "mobile push notifications", "unassigned",
)
KINDS: tuple[str, ...] = ("question", "complaint", "praise", "suggestion", "other")
SENTIMENTS: tuple[str, ...] = ("positive", "neutral", "negative")
# What a post is: the formats platforms export, in smmkpi's words (exports map theirs).
POST_FORMATS: tuple[str, ...] = (
    "text", "image", "video", "reel", "story", "carousel", "link", "live", "other",
)

# The bounds of the numeric columns (Column.bounds). Every number column has one, so that
# sums cannot overflow: a sum over 10^6 rows of values within 10^12 stays within 10^18, which
# is exact in Int64 (counts; the limit is 2^63, about 9.2e18) and finite in Float64 (amounts;
# there with Float64's usual relative rounding of about 1e-16 per addition). A negative count
# or amount is wrong too (all columns here are also `nonnegative`).
COUNTS: tuple[float, float] = (0, 10**12)  # visits, impressions, posts, followers, ...
AMOUNTS: tuple[float, float] = (0, 10**12)  # money in the file's currency: revenue, spend
TARGETS: tuple[float, float] = (0, 10**12)  # a KPI target: a count, an amount or a ratio


@dataclass(frozen=True)
class Column:
    """One canonical column of a dataset."""

    name: str
    type: ColType
    required: bool = False
    key: bool = False
    aliases: tuple[str, ...] = ()
    values: tuple[str, ...] | None = None  # allowed values (lower case) for categorical text
    nonnegative: bool = False
    description: str = ""
    # (lowest, highest) value a number may have (int and float columns; None = no bound): a
    # value outside is refused on import and read as missing from the database
    bounds: tuple[float, float] | None = None

    @property
    def dtype(self) -> pl.DataType:
        return POLARS_TYPES[self.type]


@dataclass(frozen=True)
class Condition:
    """One row condition: `column` `op` `value` (op: ge, lt, le, in, or null_or_ge, which
    also keeps rows whose column is empty)."""

    op: Literal["ge", "lt", "le", "in", "null_or_ge"]
    column: str
    value: Any


def utc_midnight(day: dt.date) -> dt.datetime:
    """The first instant of a UTC day (timestamps are filtered by UTC day)."""
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


@dataclass(frozen=True)
class Dataset:
    """A dataset spec: its columns, key and the column that places a row in time."""

    name: str
    label: str
    columns: tuple[Column, ...]
    description: str = ""
    date_column: str | None = None  # rows are filtered to the selected dates on this column
    # or: rows are kept while their span [start, end] overlaps the dates (end empty = open)
    span_columns: tuple[str, str] | None = None
    campaign_column: str | None = None  # the campaign filter applies to this column
    platform_column: str | None = None  # the platform filter applies to this column
    # "column": the platform filter keeps rows whose platform_column is selected;
    # "social_source": web sessions keep every non-social row and the social rows whose
    # source names a selected platform (shares keep their whole-site denominator); applied
    # in Polars after reading, by both sources (SQL cannot classify channels portably)
    platform_rule: Literal["column", "social_source"] = "column"
    # an empty value never replaces a stored one (posts: a newer platform export leaves the
    # UTM content and promotion flags tagged in another file as they are, and a file of
    # tags leaves the metrics; social_daily: a follower history leaves the views of an
    # overview export); rows of one key in two files of a batch are merged
    merge_empty: bool = False
    # (first, last): a row whose `last` date is before its `first` is refused on import
    ordered: tuple[str, str] | None = None
    extra: dict[str, str] = field(default_factory=dict)

    def conditions(self, start: dt.date | None, end: dt.date | None,
                   campaigns: Sequence[str] = (), platforms: Sequence[str] = (),
                   ) -> list[Condition]:
        """The row filter of a period (inclusive days; timestamps by UTC day) and the
        campaign and platform filters, as plain conditions that the SQL reader
        (`store.select_dataset`) and the in-memory one (`workspace.filter_frame`) both
        render, so the two cannot disagree. Filters a dataset has no column for do not
        apply."""
        out: list[Condition] = []
        if self.date_column:
            ts = self.column(self.date_column).type == "datetime"
            if start is not None:
                out.append(Condition("ge", self.date_column, utc_midnight(start) if ts
                                     else start))
            if end is not None:
                out.append(Condition("lt", self.date_column,
                                     utc_midnight(end + dt.timedelta(days=1))) if ts
                           else Condition("le", self.date_column, end))
        elif self.span_columns:
            lo, hi = self.span_columns
            if end is not None:
                out.append(Condition("le", lo, end))
            if start is not None:
                out.append(Condition("null_or_ge", hi, start))
        if campaigns and self.campaign_column:
            out.append(Condition("in", self.campaign_column, tuple(campaigns)))
        if platforms and self.platform_column and self.platform_rule == "column":
            out.append(Condition("in", self.platform_column, tuple(platforms)))
        return out

    @property
    def key(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.key)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.name} has no column {name!r}")

    @property
    def schema(self) -> dict[str, pl.DataType]:
        return {c.name: c.dtype for c in self.columns}

    @property
    def optional_key_strings(self) -> tuple[str, ...]:
        """Key columns that may be empty: stored as '' (keys cannot be NULL), null in frames."""
        return tuple(c.name for c in self.columns if c.key and not c.required and c.type == "str")

    def empty_frame(self) -> pl.DataFrame:
        return pl.DataFrame(schema=self.schema)


def _c(name: str, type_: ColType, *aliases: str, **kw: object) -> Column:
    return Column(name, type_, aliases=tuple(aliases), **kw)  # type: ignore[arg-type]


CAMPAIGNS = Dataset(
    "campaigns",
    "Campaigns",
    (
        _c("campaign_id", "str", "campaign id", "campaign", "id", key=True, required=True,
           description="Your id for the campaign; UTM campaign values should use it."),
        _c("name", "str", "campaign name", "title", required=True),
        _c("goal", "str", "goal type", "objective", required=True, values=GOALS,
           description="One of: " + ", ".join(GOALS) + "."),
        _c("platform", "str", "network", "channel",
           description="Main platform (facebook, instagram, x, linkedin, tiktok, youtube) "
           "or empty."),
        _c("start_date", "date", "start", "starts", "start date", required=True),
        _c("end_date", "date", "end", "ends", "end date", description="Empty while running."),
        _c("budget", "float", "budget amount", nonnegative=True, bounds=AMOUNTS),
        _c("owner", "str", "manager", "responsible"),
    ),
    "Every campaign with its goal type.",
    span_columns=("start_date", "end_date"),
    campaign_column="campaign_id",
    platform_column="platform",
)

KPI_TARGETS = Dataset(
    "kpi_targets",
    "KPI targets",
    (
        _c("campaign_id", "str", "campaign id", "campaign", key=True,
           description="Empty for a brand-wide target."),
        _c("kpi", "str", "kpi id", "metric", key=True, required=True,
           description="A KPI id from the catalog."),
        _c("period_start", "date", "start", "from", "start date", key=True, required=True),
        _c("period_end", "date", "end", "to", "end date", key=True, required=True),
        _c("target", "float", "goal", "target value", required=True, nonnegative=True,
           bounds=TARGETS),
    ),
    "Targets per KPI, period and campaign (or brand-wide).",
    span_columns=("period_start", "period_end"),
    campaign_column="campaign_id",
)

SOCIAL_DAILY = Dataset(
    "social_daily",
    "Social media, daily",
    (
        _c("date", "date", "day", "reporting starts", "date start", key=True, required=True),
        _c("platform", "str", "network", "channel", "social network", key=True, required=True),
        _c("campaign_id", "str", "campaign id", "campaign", key=True,
           description="Empty for posts outside any campaign."),
        _c("impressions", "int", "views", "impressions total", nonnegative=True, bounds=COUNTS),
        _c("reach", "int", "reach total", "unique reach", nonnegative=True,
           description="Daily reach; the dashboard sums it and labels it so.", bounds=COUNTS),
        _c("engagements", "int", "engagement", "interactions", nonnegative=True, bounds=COUNTS),
        _c("link_clicks", "int", "link clicks", "clicks", "outbound clicks", nonnegative=True,
           bounds=COUNTS),
        _c("followers", "int", "followers count", "page likes", "total followers",
           nonnegative=True, description="Follower count at the end of the day.", bounds=COUNTS),
        _c("posts", "int", "published posts", "posts published", nonnegative=True, bounds=COUNTS),
        _c("promo_posts", "int", "promotional posts", "promo posts", nonnegative=True,
           bounds=COUNTS),
        _c("spend", "float", "amount spent", "cost", "ad spend", nonnegative=True, bounds=AMOUNTS),
        # last, after spend: added by migration 0009 at the end of the table
        _c("new_followers", "int", "new followers", "followers gained", nonnegative=True,
           description="Followers gained that day (not net of unfollows; LinkedIn's "
           "followers export: Total followers).", bounds=COUNTS),
        _c("page_views", "int", "page views", nonnegative=True,
           description="Views of the account's own page or profile that day, all of its "
           "tabs, desktop and mobile (LinkedIn's visitors export: Total page views).",
           bounds=COUNTS),
        _c("unique_visitors", "int", "unique visitors", nonnegative=True,
           description="Unique visitors of the account's page that day (a daily unique "
           "count, like reach).", bounds=COUNTS),
    ),
    "One row per day, platform and campaign. An account's daily exports each give some of "
    "the columns (TikTok's overview its views, its follower history the followers, "
    "LinkedIn's followers export the followers gained, its visitors export the page views): "
    "an empty value never replaces a stored one, and rows of one key in two files of a batch "
    "are merged.",
    date_column="date",
    campaign_column="campaign_id",
    platform_column="platform",
    merge_empty=True,
)

WEB_SESSIONS = Dataset(
    "web_sessions",
    "Website sessions",
    (
        _c("date", "date", "day", key=True, required=True),
        _c("source", "str", "utm_source", "session source", "first user source", key=True,
           required=True),
        _c("medium", "str", "utm_medium", "session medium", "first user medium", key=True,
           description="Empty when the session has no medium."),
        _c("campaign", "str", "utm_campaign", "session campaign", "campaign name", key=True,
           description="UTM campaign; matches campaigns.campaign_id."),
        _c("sessions", "int", "visits", required=True, nonnegative=True, bounds=COUNTS),
        _c("engaged_sessions", "int", "engaged sessions", nonnegative=True, bounds=COUNTS),
        _c("conversions", "int", "key events", "goal completions", "transactions",
           nonnegative=True, bounds=COUNTS),
        _c("revenue", "float", "total revenue", "purchase revenue", nonnegative=True,
           bounds=AMOUNTS),
        # last, not beside campaign: added by migration 0006 at the end of the table
        _c("content", "str", "utm_content", "utm content", "session manual ad content",
           "manual ad content", "ad content", key=True,
           description="UTM content (GA4: Session manual ad content); matches "
           "posts.utm_content, so the Content page shows each post's sessions."),
    ),
    "Website traffic by UTM source, medium, campaign and content; the channel group is "
    "derived.",
    date_column="date",
    campaign_column="campaign",
    platform_rule="social_source",
)

JOURNEYS = Dataset(
    "journeys",
    "Visitor journeys",
    (
        _c("date", "date", "day", key=True, required=True),
        _c("path", "str", "journey", "touchpoints", "path to conversion", key=True,
           required=True, description="Touchpoints joined by ' > '."),
        _c("visitors", "int", "users", "count", required=True, nonnegative=True, bounds=COUNTS),
        _c("conversions", "int", "purchases", nonnegative=True, bounds=COUNTS),
    ),
    "Visitor paths between social profiles, blog and website.",
    date_column="date",
)

ORDERS = Dataset(
    "orders",
    "Orders",
    (
        _c("order_id", "str", "order id", "order", "order number", "id", key=True,
           required=True),
        _c("customer_id", "str", "customer id", "customer", "client id", required=True),
        _c("ordered_at", "datetime", "order date", "created at", "created_at", "date",
           "timestamp", required=True),
        _c("revenue", "float", "total", "amount", "order total", "value", required=True,
           nonnegative=True, bounds=AMOUNTS),
        _c("channel", "str", "source", "attributed channel", "channel group"),
    ),
    "One row per order.",
    date_column="ordered_at",
)

CUSTOMERS = Dataset(
    "customers",
    "Customers",
    (
        _c("customer_id", "str", "customer id", "customer", "client id", "id", key=True,
           required=True),
        _c("acquisition_channel", "str", "acquisition channel", "first channel", "channel"),
        _c("follows_on_social", "bool", "follows on social", "follower", "is follower",
           description="The customer was matched to a follower of the brand."),
        _c("first_seen", "date", "first seen", "created at", "signup date"),
    ),
    "Customers with acquisition channel and whether they follow the brand.",
)

CONVERSATIONS = Dataset(
    "conversations",
    "Conversations",
    (
        _c("conversation_id", "str", "conversation id", "ticket id", "id", key=True,
           required=True),
        _c("platform", "str", "network", "channel", required=True),
        _c("opened_at", "datetime", "opened at", "created at", "created_at", "received at",
           required=True),
        _c("kind", "str", "type", "category", required=True, values=KINDS,
           description="One of: " + ", ".join(KINDS) + "."),
        _c("sentiment", "str", "tone", values=SENTIMENTS),
        _c("first_response_at", "datetime", "first response at", "first reply at",
           "responded at", description="Empty while unanswered."),
        _c("resolved_at", "datetime", "resolved at", "closed at"),
        _c("campaign_id", "str", "campaign id", "campaign"),
    ),
    "Questions, complaints, praise and suggestions received on social.",
    date_column="opened_at",
    campaign_column="campaign_id",
    platform_column="platform",
)

MENTIONS = Dataset(
    "mentions",
    "Mentions",
    (
        _c("date", "date", "day", key=True, required=True),
        _c("platform", "str", "network", "source", key=True, required=True),
        _c("positive", "int", "positive mentions", required=True, nonnegative=True, bounds=COUNTS),
        _c("neutral", "int", "neutral mentions", required=True, nonnegative=True, bounds=COUNTS),
        _c("negative", "int", "negative mentions", required=True, nonnegative=True, bounds=COUNTS),
    ),
    "Daily mention counts by sentiment from a listening tool.",
    date_column="date",
    platform_column="platform",
)

AD_SPEND = Dataset(
    "ad_spend",
    "Ad spend, daily",
    (
        _c("date", "date", "day", key=True, required=True),
        _c("channel", "str", "channel group", "default channel group", key=True,
           required=True, values=CHANNEL_GROUP_VALUES,
           description="GA4 default channel group the spend buys traffic in (Paid Search, "
           "Display, Paid Video, Paid Shopping, Cross-network, Email, Affiliates, ...)."),
        _c("campaign", "str", "campaign name", "utm campaign", key=True,
           description="The campaign as named in its UTM tags (matched to "
           "web_sessions.campaign ignoring case); empty for spend outside any campaign."),
        _c("spend", "float", "cost", "amount spent", "ad spend", required=True,
           nonnegative=True, bounds=AMOUNTS),
        _c("impressions", "int", "impr", "recipients", nonnegative=True, bounds=COUNTS,
           description="Ad impressions; for email, the recipients of the send."),
        _c("clicks", "int", "ad clicks", nonnegative=True, bounds=COUNTS),
        _c("conversions", "float", "conv", nonnegative=True, bounds=COUNTS,
           description="As the ad platform counts them (may be fractional)."),
        _c("conversion_value", "float", "conv value", "conversion value",
           nonnegative=True, bounds=AMOUNTS, description="As the ad platform counts it."),
        _c("currency", "str", "currency code",
           description="The spend's currency code (e.g. USD) as exported."),
        _c("opens", "int", "unique opens", nonnegative=True, bounds=COUNTS,
           description="Email only: unique opens of the send."),
    ),
    "Media spend of paid channels other than social (Google Ads, Microsoft Advertising, "
    "email sends) per day, channel group and campaign.",
    date_column="date",
    campaign_column="campaign",
)

POSTS = Dataset(
    "posts",
    "Posts",
    (
        _c("platform", "str", "network", "channel", "social network", key=True, required=True),
        _c("post_id", "str", "post id", "id", "tweet id", "video id", "update id", key=True,
           required=True, description="The platform's id of the post."),
        _c("published_at", "datetime", "published", "published at", "publish time",
           "posted", "post time", "created date", "created at", "published date",
           required=True),
        _c("format", "str", "post format", "type", "post type", "media type",
           "content type", values=POST_FORMATS,
           description="One of: " + ", ".join(POST_FORMATS) + "."),
        _c("title", "str", "text", "message", "post message", "caption", "tweet text",
           "video title", "post title", "update title",
           description="The post's text or title (shortened on the page)."),
        _c("url", "str", "permalink", "link", "post link", "post url", "update link",
           description="The post itself; a `utm_content=` in it counts as its UTM content."),
        _c("campaign_id", "str", "campaign id", "campaign"),
        _c("utm_content", "str", "utm content", "content tag",
           description="The UTM content value of the post's link; web sessions with the "
           "same content value are the post's sessions."),
        _c("is_promo", "bool", "promo", "promotional", "is promotional",
           description="The post promotes a product or an offer."),
        _c("impressions", "int", "impressions total", nonnegative=True, bounds=COUNTS),
        _c("reach", "int", "reach total", "unique reach", nonnegative=True, bounds=COUNTS),
        _c("engagements", "int", "engagement", "interactions", "total engagements",
           nonnegative=True, bounds=COUNTS),
        _c("likes", "int", "reactions", "favorites", nonnegative=True, bounds=COUNTS),
        _c("comments", "int", "replies", nonnegative=True, bounds=COUNTS),
        _c("shares", "int", "retweets", "reposts", nonnegative=True, bounds=COUNTS),
        _c("saves", "int", "saved", "bookmarks", nonnegative=True, bounds=COUNTS),
        _c("link_clicks", "int", "link clicks", "url clicks", "clicks", nonnegative=True,
           bounds=COUNTS),
        _c("video_views", "int", "video views", "views", "plays", "media views",
           nonnegative=True, bounds=COUNTS),
    ),
    "One row per post, its metrics as of the export (lifetime values): a newer export of "
    "the same posts replaces them. A metric a platform does not export stays empty.",
    date_column="published_at",
    campaign_column="campaign_id",
    platform_column="platform",
    merge_empty=True,
)

ANNOTATIONS = Dataset(
    "annotations",
    "Annotations",
    (
        _c("date", "date", "day", "start", "start date", "from", key=True, required=True,
           description="The day of the event, or the first day of a range."),
        _c("title", "str", "event", "name", "annotation", key=True, required=True,
           description="Shown on every time-series chart (e.g. Price change, Product launch)."),
        _c("end_date", "date", "end", "to", "end date",
           description="The last day of a range; empty for a single day. Not before `date`."),
        _c("campaign_id", "str", "campaign id", "campaign",
           description="Optional: shown only while no other campaign is selected."),
        _c("platform", "str", "network", "channel",
           description="Optional: shown only while no other platform is selected."),
        _c("note", "str", "notes", "description", "details"),
    ),
    "Events shown on every time-series chart: launches, PR crises, a platform's algorithm "
    "change, a price change. A row with an existing date and title replaces it.",
    # no date, campaign or platform column for the reader's filters: annotations are few,
    # read whole and placed in a period by `views.annotations` (a range that began before
    # the period still shows, a brand-wide note shows with any campaign selected)
    ordered=("date", "end_date"),
)

DATASETS: dict[str, Dataset] = {
    d.name: d
    for d in (
        CAMPAIGNS,
        KPI_TARGETS,
        SOCIAL_DAILY,
        WEB_SESSIONS,
        JOURNEYS,
        ORDERS,
        CUSTOMERS,
        CONVERSATIONS,
        MENTIONS,
        AD_SPEND,
        POSTS,
        ANNOTATIONS,
    )
}

PLATFORMS: tuple[str, ...] = ("facebook", "instagram", "x", "linkedin", "tiktok", "youtube")
# How people write the platforms: the one source of platform names on every page, chart
# and table (sidebar, Sankey nodes, tables). Unknown ids are title-cased.
PLATFORM_LABELS: dict[str, str] = {
    "facebook": "Facebook",
    "instagram": "Instagram",
    "x": "X",
    "linkedin": "LinkedIn",
    "tiktok": "TikTok",
    "youtube": "YouTube",
    "pinterest": "Pinterest",
    "reddit": "Reddit",
    "snapchat": "Snapchat",
    "threads": "Threads",
    "whatsapp": "WhatsApp",
    "vk": "VK",
}


def platform_label(platform: str | None) -> str:
    """A platform id as people write it ("tiktok" -> "TikTok", "x" -> "X")."""
    if not platform:
        return ""
    return PLATFORM_LABELS.get(platform.strip().lower(), platform.strip().title())


def platform_id(text: str) -> str | None:
    """A platform as typed in a URL or a file ("Instagram", "TIKTOK", " x ") -> its id, or
    None when it names no known platform."""
    t = text.strip().lower()
    if t in PLATFORM_LABELS:
        return t
    by_label = {v.lower(): k for k, v in PLATFORM_LABELS.items()}
    return by_label.get(t)


def get(name: str) -> Dataset:
    """The spec of a dataset by name, with a clear error for an unknown one."""
    try:
        return DATASETS[name]
    except KeyError:
        raise KeyError(
            f"unknown dataset {name!r}; known: {', '.join(DATASETS)}"
        ) from None


def format_tables_markdown() -> str:
    """The CSV format section of docs/data-formats.md, generated from the specs."""
    out: list[str] = []
    for d in DATASETS.values():
        out.append(f"#### `{d.name}` ({d.label})\n\n{d.description}\n")
        out.append("| column | type | required | key | also accepted as | notes |")
        out.append("|---|---|---|---|---|---|")
        for c in d.columns:
            aliases = ", ".join(f"`{a}`" for a in c.aliases) or ""
            out.append(
                f"| `{c.name}` | {c.type} | {'yes' if c.required else ''} | "
                f"{'yes' if c.key else ''} | {aliases} | {c.description} |"
            )
        out.append("")
    return "\n".join(out)
