"""SQLModel tables: one per dataset (checked against `datasets.py` by a test), plus the
bookkeeping tables (data version for cache invalidation, audit log, user roles).

Conventions: timestamps are timezone-aware UTC (SQLModel's UTCDateTime); key columns that
may be empty (e.g. a brand-wide campaign_id) are stored as '' because primary keys cannot
be NULL, and read back as null; counts are BIGINT.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Index, SmallInteger, UniqueConstraint
from sqlmodel import Field, SQLModel


def _count() -> int | None:
    return Field(default=None, sa_type=BigInteger)  # type: ignore[no-any-return]


class Campaign(SQLModel, table=True):
    __tablename__ = "campaigns"
    campaign_id: str = Field(primary_key=True)
    name: str
    goal: str
    platform: str | None = None
    start_date: dt.date
    end_date: dt.date | None = None
    budget: float | None = None
    owner: str | None = None


class KpiTarget(SQLModel, table=True):
    __tablename__ = "kpi_targets"
    campaign_id: str = Field(default="", primary_key=True)
    kpi: str = Field(primary_key=True)
    period_start: dt.date = Field(primary_key=True)
    period_end: dt.date = Field(primary_key=True)
    target: float


class SocialDaily(SQLModel, table=True):
    __tablename__ = "social_daily"
    date: dt.date = Field(primary_key=True)
    platform: str = Field(primary_key=True)
    campaign_id: str = Field(default="", primary_key=True)
    impressions: int | None = _count()
    reach: int | None = _count()
    engagements: int | None = _count()
    link_clicks: int | None = _count()
    followers: int | None = _count()
    posts: int | None = _count()
    promo_posts: int | None = _count()
    spend: float | None = None
    # last: added by migration 0009 (followers gained, page views and visitors of the page)
    new_followers: int | None = _count()
    page_views: int | None = _count()
    unique_visitors: int | None = _count()


class WebSession(SQLModel, table=True):
    __tablename__ = "web_sessions"
    date: dt.date = Field(primary_key=True)
    source: str = Field(primary_key=True)
    medium: str = Field(default="", primary_key=True)
    campaign: str = Field(default="", primary_key=True)
    sessions: int = Field(sa_type=BigInteger)
    engaged_sessions: int | None = _count()
    conversions: int | None = _count()
    revenue: float | None = None
    # last: added by migration 0006; '' by default, so rows written without it (by SQL
    # from before the column) are rows without content
    content: str = Field(default="", primary_key=True, sa_column_kwargs={"server_default": ""})


class Journey(SQLModel, table=True):
    __tablename__ = "journeys"
    date: dt.date = Field(primary_key=True)
    path: str = Field(primary_key=True)
    visitors: int = Field(sa_type=BigInteger)
    conversions: int | None = _count()


class Order(SQLModel, table=True):
    __tablename__ = "orders"
    # reads are by date; the customer index (migration 0007) serves the summaries: an
    # import re-reads the orders of the customers it touched (smmkpi.summaries)
    __table_args__ = (Index("ix_orders_ordered_at", "ordered_at"),
                      Index("ix_orders_customer_id", "customer_id"))
    order_id: str = Field(primary_key=True)
    customer_id: str
    ordered_at: dt.datetime
    revenue: float
    channel: str | None = None
    # Kept by the store, not imported (`ORDER_PLACES`, migration 0012): the order's place in
    # its customer's history, (ordered_at, order_id) order, 0 = first-ever, 1 = second, 2 =
    # later, and the customer's first order time, so that a window of orders is one range
    # of this table instead of a join with `customer_summary`. NULL for an order without a
    # customer or a time (it has no place in a history).
    customer_seq: int | None = Field(default=None, sa_type=SmallInteger)
    first_ordered_at: dt.datetime | None = None
    # the times of the customer's order before this one in that order and of the one before
    # that (migration 0014; NULL where there is none): a period's distinct, repeat and
    # returning customers are then counts of rows (`store.read_repeat_figures`), not a
    # grouping per customer, and an order appended after a customer's last changes no
    # earlier row
    previous_ordered_at: dt.datetime | None = None
    previous2_ordered_at: dt.datetime | None = None


class Customer(SQLModel, table=True):
    __tablename__ = "customers"
    customer_id: str = Field(primary_key=True)
    acquisition_channel: str | None = None
    follows_on_social: bool | None = None
    first_seen: dt.date | None = None


class Conversation(SQLModel, table=True):
    __tablename__ = "conversations"
    __table_args__ = (Index("ix_conversations_opened_at", "opened_at"),
                      # the waiting ones (no response, or one after a moment) and the
                      # probes for times outside the settings' years (migration 0011)
                      Index("ix_conversations_kind_first_response_at", "kind",
                            "first_response_at"),
                      Index("ix_conversations_kind_resolved_at", "kind", "resolved_at"))
    conversation_id: str = Field(primary_key=True)
    platform: str
    opened_at: dt.datetime
    kind: str
    sentiment: str | None = None
    first_response_at: dt.datetime | None = None
    resolved_at: dt.datetime | None = None
    campaign_id: str | None = None


class Mention(SQLModel, table=True):
    __tablename__ = "mentions"
    date: dt.date = Field(primary_key=True)
    platform: str = Field(primary_key=True)
    positive: int = Field(sa_type=BigInteger)
    neutral: int = Field(sa_type=BigInteger)
    negative: int = Field(sa_type=BigInteger)


class AdSpend(SQLModel, table=True):
    __tablename__ = "ad_spend"
    date: dt.date = Field(primary_key=True)
    channel: str = Field(primary_key=True)
    campaign: str = Field(default="", primary_key=True)
    spend: float
    impressions: int | None = _count()
    clicks: int | None = _count()
    conversions: float | None = None
    conversion_value: float | None = None
    currency: str | None = None
    opens: int | None = _count()
class Post(SQLModel, table=True):
    __tablename__ = "posts"
    # the Content page reads posts by publish time; matching posts to sessions finds the
    # first posts of a content value, per platform and on any (migration 0013)
    __table_args__ = (Index("ix_posts_published_at", "published_at"),
                      Index("ix_posts_content_key", "content_key", "platform", "published_at"),
                      Index("ix_posts_content_key_published_at", "content_key",
                            "published_at"))
    platform: str = Field(primary_key=True)
    post_id: str = Field(primary_key=True)
    published_at: dt.datetime
    format: str | None = None
    title: str | None = None
    url: str | None = None
    campaign_id: str | None = None
    utm_content: str | None = None
    is_promo: bool | None = None
    impressions: int | None = _count()
    reach: int | None = _count()
    engagements: int | None = _count()
    likes: int | None = _count()
    comments: int | None = _count()
    shares: int | None = _count()
    saves: int | None = _count()
    link_clicks: int | None = _count()
    video_views: int | None = _count()
    # Kept by the store, not imported (`STORE_COLUMNS`, migration 0013): the post's content
    # value as compared with the sessions' (`channels.post_content_key`), null without one
    content_key: str | None = None


class Annotation(SQLModel, table=True):
    __tablename__ = "annotations"
    date: dt.date = Field(primary_key=True)
    title: str = Field(primary_key=True)
    end_date: dt.date | None = None
    campaign_id: str | None = None
    platform: str | None = None
    note: str | None = None


class CustomerSummary(SQLModel, table=True):
    """One row per customer with orders, kept by the store in each import's transaction
    (smmkpi.summaries): the customer's orders put in (ordered_at, order_id) order, the
    first and second of them, the last, their count and revenue, the calendar month and
    Monday week (running numbers, as `kpis.retention`) of the first order, and a copy of
    the customer's attributes (so that splits by them need no join with `customers`)."""

    __tablename__ = "customer_summary"
    # on PostgreSQL the two time indexes carry what the Retention page's counts read of a
    # summary (migration 0017), so those reads are index-only scans, not reads of the table
    __table_args__ = (Index("ix_customer_summary_first_ordered_at", "first_ordered_at",
                            postgresql_include=["acquisition_channel", "follows_on_social"]),
                      Index("ix_customer_summary_last_ordered_at", "last_ordered_at",
                            postgresql_include=["customer_id", "acquisition_channel",
                                                "follows_on_social"]))
    customer_id: str = Field(primary_key=True)
    first_order_id: str
    first_ordered_at: dt.datetime
    first_channel: str | None = None
    first_revenue: float | None = None
    second_order_id: str | None = None
    second_ordered_at: dt.datetime | None = None
    last_ordered_at: dt.datetime
    orders: int = Field(sa_type=BigInteger)
    revenue: float | None = None
    cohort_month: int
    cohort_week: int
    acquisition_channel: str | None = None  # copied from customers, kept by the store
    follows_on_social: bool | None = None


class CohortCell(SQLModel, table=True):
    """Per cohort (month or week of the customers' first order) and period (a later month
    or week, same grain): the cohort's customers with an order in the period and their
    revenue in it. Kept with `CustomerSummary`; only the periods an import touched are
    recomputed."""

    __tablename__ = "cohort_cells"
    grain: str = Field(primary_key=True)  # month or week
    cohort: int = Field(primary_key=True)
    period: int = Field(primary_key=True)
    customers: int = Field(sa_type=BigInteger)
    revenue: float | None = None


class RepeatDay(SQLModel, table=True):
    """Per UTC day, the orders with a place in a customer's history (migration 0015): how
    many, how many of them first-ever and second orders, how many with a channel, their
    revenue and the revenue of those that are not first-ever. Kept with
    `CustomerSummary`, by the difference each import makes to its touched customers'
    orders."""

    __tablename__ = "repeat_days"
    day: dt.date = Field(primary_key=True)
    orders: int = Field(sa_type=BigInteger)
    first_orders: int = Field(sa_type=BigInteger)
    second_orders: int = Field(sa_type=BigInteger)
    channel_orders: int = Field(sa_type=BigInteger)
    revenue: float | None = None
    returning_revenue: float | None = None


class RepeatPair(SQLModel, table=True):
    """Per kind, UTC day of an order and UTC day of its previous order ("previous"), of
    the one before that ("previous2") or, for a second order, of the customer's first
    order ("first"): the number of such orders (migration 0015). The repeat-sales figures
    of any period are sums over these (`store.read_repeat_figures`). Kept as
    `RepeatDay`."""

    __tablename__ = "repeat_pairs"
    kind: str = Field(primary_key=True)
    day: dt.date = Field(primary_key=True)
    since: dt.date = Field(primary_key=True)
    orders: int = Field(sa_type=BigInteger)


class ContentSessions(SQLModel, table=True):
    """The web sessions that carry a UTM content value, summed per day, content value and
    source: what matching posts to sessions reads (`kpis.content.attribution`). Kept by the
    store in each web-sessions import's transaction: the days the import touched are summed
    again from their stored rows."""

    __tablename__ = "content_sessions"
    date: dt.date = Field(primary_key=True)
    content: str = Field(primary_key=True)
    source: str = Field(primary_key=True)
    sessions: int | None = Field(default=None, sa_type=BigInteger)
    engaged_sessions: int | None = Field(default=None, sa_type=BigInteger)
    conversions: int | None = Field(default=None, sa_type=BigInteger)
    revenue: float | None = None


class ChannelSessions(SQLModel, table=True):
    """The web sessions summed per day, UTM campaign ('' for none), GA4 channel group,
    social platform ('' for none) and `reported`, which of the figures the summed rows
    report (`channels.REPORTED_BITS`): what the traffic and cost figures read
    (`channels.channel_sessions`). Kept by the store in each web-sessions import's
    transaction: the days the import touched are summed again from their stored rows."""

    __tablename__ = "channel_sessions"
    date: dt.date = Field(primary_key=True)
    campaign: str = Field(primary_key=True)
    channel_group: str = Field(primary_key=True)
    platform: str = Field(primary_key=True)
    reported: int = Field(primary_key=True)
    sessions: int = Field(sa_type=BigInteger)
    engaged_sessions: int | None = Field(default=None, sa_type=BigInteger)
    conversions: int | None = Field(default=None, sa_type=BigInteger)
    revenue: float | None = None


class ConversationDays(SQLModel, table=True):
    """Conversations counted per day they were opened (UTC), platform, campaign (`campaign`:
    the campaign id, '' for none) and kind: how many have a first response, how many a
    first response that is no timestamp (text a reader cannot parse, SQLite only), and how
    many a resolution but no first response. What `store.read_waiting_conversations` needs
    to tell, without reading every conversation, which platforms record no response times
    and whether any response is unreadable. Kept by the store in each conversations
    import's transaction: the days the import touched (before and after) are counted again
    from their stored rows."""

    __tablename__ = "conversation_days"
    date: dt.date = Field(primary_key=True)
    platform: str = Field(primary_key=True)
    campaign: str = Field(primary_key=True)
    kind: str = Field(primary_key=True)
    conversations: int = Field(default=0, sa_type=BigInteger)
    responses: int = Field(default=0, sa_type=BigInteger)
    unreadable_responses: int = Field(default=0, sa_type=BigInteger)
    resolved_unanswered: int = Field(default=0, sa_type=BigInteger)


class DataVersion(SQLModel, table=True):
    """One row; bumped by every write so caches keyed by it see new data at once."""

    __tablename__ = "data_version"
    id: int = Field(default=1, primary_key=True)
    version: int = Field(default=0, sa_type=BigInteger)
    updated_at: dt.datetime | None = None


class AuditEntry(SQLModel, table=True):
    """Who changed stored data, when, and how many rows."""

    __tablename__ = "audit_log"
    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime
    actor: str
    action: str  # import, demo, targets_edit, roles_edit
    dataset: str | None = None
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    detail: str | None = None


class AppSetting(SQLModel, table=True):
    """A setting an admin changed on the Admin page (SLA minutes, promotional-share band,
    spike rule, time zone, currency); overrides the environment's default (smmkpi.config)."""

    __tablename__ = "app_settings"
    key: str = Field(primary_key=True)  # a field of config.Settings listed in config.EDITABLE
    value: str  # as typed, validated by config.parse_setting
    updated_by: str
    updated_at: dt.datetime


class UserRole(SQLModel, table=True):
    """A role set by an admin on the Admin page for one email or a whole email domain
    ('@example.com'); overrides the allow-list in secrets (see smmkpi.roles)."""

    __tablename__ = "user_roles"
    principal: str = Field(primary_key=True)  # lower-case email, or '@domain'
    role: str  # viewer, editor, admin, or none (no access)
    updated_by: str
    updated_at: dt.datetime


# --- alerts, digests and their bookkeeping (smmkpi.notify) -------------------------------


class AlertRule(SQLModel, table=True):
    """A rule editors set on the Alerts page: what to watch (`kind` and its `params`, JSON)
    and whom to tell (emails, a Slack-compatible webhook)."""

    __tablename__ = "alert_rules"
    id: int | None = Field(default=None, primary_key=True)
    name: str
    kind: str  # a key of smmkpi.notify.rules.KINDS
    params: str = "{}"  # JSON object, checked by smmkpi.notify.rules.parse_params
    emails: str = ""  # comma-separated recipients
    webhook_url: str = ""  # '' = no webhook
    enabled: bool = True
    updated_by: str
    updated_at: dt.datetime


class AlertEvent(SQLModel, table=True):
    """One occurrence of a rule (a target that turned off track, a spike day, a
    conversation waiting too long): recorded once, so it is sent once."""

    __tablename__ = "alert_events"
    __table_args__ = (UniqueConstraint("rule_id", "occurrence", name="uq_alert_events"),)
    id: int | None = Field(default=None, primary_key=True)
    rule_id: int = Field(index=True)
    occurrence: str
    fired_at: dt.datetime
    subject: str
    body: str
    figure: str
    threshold: str
    link: str


class AlertDelivery(SQLModel, table=True):
    """An event's message to one recipient on one channel: pending, sent or failed (a
    failed one is tried again on the next run)."""

    __tablename__ = "alert_deliveries"
    __table_args__ = (UniqueConstraint("event_id", "channel", "recipient",
                                       name="uq_alert_deliveries"),)
    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(index=True)
    channel: str  # email or webhook
    recipient: str
    status: str = "pending"  # pending, sent, failed
    attempts: int = 0
    last_error: str | None = None
    last_attempt_at: dt.datetime | None = None
    sent_at: dt.datetime | None = None


class DigestSubscription(SQLModel, table=True):
    """Who gets which page's digest for which filters, how often."""

    __tablename__ = "digest_subscriptions"
    id: int | None = Field(default=None, primary_key=True)
    name: str
    emails: str  # comma-separated recipients
    page: str  # a key of smmkpi.notify.digests.PAGES
    campaigns: str = ""  # comma-separated campaign ids ('' = all)
    platforms: str = ""  # comma-separated platform ids ('' = all)
    frequency: str = "weekly"  # weekly, monthly, or custom (every `days` days)
    days: int | None = None
    enabled: bool = True
    updated_by: str
    updated_at: dt.datetime


class DigestSend(SQLModel, table=True):
    """A subscription's digest of one period: recorded once, retried until sent."""

    __tablename__ = "digest_sends"
    __table_args__ = (UniqueConstraint("subscription_id", "period_start", "period_end",
                                       name="uq_digest_sends"),)
    id: int | None = Field(default=None, primary_key=True)
    subscription_id: int = Field(index=True)
    period_start: dt.date
    period_end: dt.date
    status: str = "pending"  # pending, sent, failed
    attempts: int = 0
    last_error: str | None = None
    created_at: dt.datetime
    sent_at: dt.datetime | None = None


class SchedulerLock(SQLModel, table=True):
    """A named lease (alerts, digests): the instance holding it until `expires_at` is the
    only one sending, so several instances or cron jobs never send twice."""

    __tablename__ = "scheduler_locks"
    name: str = Field(primary_key=True)
    holder: str
    expires_at: dt.datetime


# columns of a dataset's table that the store keeps beside the imported ones
# (the columns `summaries.with_places` computes: `summaries.PLACES`, checked by a test)
ORDER_PLACES = ("customer_seq", "first_ordered_at", "previous_ordered_at",
                "previous2_ordered_at")
POST_KEYS = ("content_key",)
STORE_COLUMNS: dict[str, tuple[str, ...]] = {"orders": ORDER_PLACES, "posts": POST_KEYS}

TABLES: dict[str, type[SQLModel]] = {
    "campaigns": Campaign,
    "kpi_targets": KpiTarget,
    "social_daily": SocialDaily,
    "web_sessions": WebSession,
    "journeys": Journey,
    "orders": Order,
    "customers": Customer,
    "conversations": Conversation,
    "mentions": Mention,
    "ad_spend": AdSpend,
    "posts": Post,
    "annotations": Annotation,
}
