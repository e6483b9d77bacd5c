"""GA4's default channel groups and social platform names, as vectorized Polars expressions.

The rules are Google's "[GA4] Default channel group" help page
(https://support.google.com/analytics/answer/9756891), section "Channels for manual
traffic", evaluated top to bottom, the first matching rule winning. Google's rules for
Google Ads, DV360 and SA360 traffic need fields a UTM export does not have, so only the
manual-traffic rules apply here.

Google's source categories (SOURCE_CATEGORY_SOCIAL / _SEARCH / _VIDEO / _SHOPPING) are in
`ga4_source_categories.csv` beside this module: the list Google links from that page, as
copied in the Velir/dbt-ga4 repository (`seeds/ga4_source_categories.csv`, 819 rows). We
add `x.com` as social (docs/kpis.md). Matching is case-insensitive: source, medium and
campaign are lower-cased (and stripped of surrounding blanks) before every rule.

Missing values: a null or empty source and medium together mean an untagged visit without
referrer, which GA4 reports as "(direct)" / "(none)": Direct. Otherwise a missing source
reads as "(not set)", a missing medium as "(not set)" (GA4's placeholder for an absent
value) and a missing campaign as "(not set)"; none of these matches a rule on its own.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import TypeVar

import polars as pl

CHANNEL_GROUPS: tuple[str, ...] = (
    "Direct",
    "Cross-network",
    "Paid Shopping",
    "Paid Search",
    "Paid Social",
    "Paid Video",
    "Display",
    "Paid Other",
    "Organic Shopping",
    "Organic Social",
    "Organic Video",
    "Organic Search",
    "Referral",
    "Email",
    "Affiliates",
    "Audio",
    "SMS",
    "Mobile Push Notifications",
    "Unassigned",
)
SOCIAL_GROUPS: tuple[str, ...] = ("Organic Social", "Paid Social")

_CATEGORY_FILE = Path(__file__).with_name("ga4_source_categories.csv")
EXTRA_SOCIAL_SOURCES: tuple[str, ...] = ("x.com",)  # docs/kpis.md: x.com is social too


def _load_categories() -> dict[str, frozenset[str]]:
    """Google's source list by category, lower-cased (the file has a few capitalized names)."""
    out: dict[str, set[str]] = {}
    with _CATEGORY_FILE.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            out.setdefault(row["source_category"], set()).add(row["source"].strip().lower())
    out.setdefault("SOURCE_CATEGORY_SOCIAL", set()).update(EXTRA_SOCIAL_SOURCES)
    return {k: frozenset(v) for k, v in out.items()}


SOURCE_CATEGORIES: dict[str, frozenset[str]] = _load_categories()
SOURCE_CATEGORY_SOCIAL: frozenset[str] = SOURCE_CATEGORIES["SOURCE_CATEGORY_SOCIAL"]
SOURCE_CATEGORY_SEARCH: frozenset[str] = SOURCE_CATEGORIES["SOURCE_CATEGORY_SEARCH"]
SOURCE_CATEGORY_VIDEO: frozenset[str] = SOURCE_CATEGORIES["SOURCE_CATEGORY_VIDEO"]
SOURCE_CATEGORY_SHOPPING: frozenset[str] = SOURCE_CATEGORIES["SOURCE_CATEGORY_SHOPPING"]

# One lookup table source -> category (every source is in exactly one category).
_SOURCE_TO_CATEGORY: dict[str, str] = {
    src: cat.removeprefix("SOURCE_CATEGORY_").lower()
    for cat, sources in SOURCE_CATEGORIES.items()
    for src in sources
}

# Google's regular expressions and value lists, verbatim from the help page.
PAID_MEDIUM_RE = r"^(.*cp.*|ppc|retargeting|paid.*)$"
SHOPPING_CAMPAIGN_RE = r"^(.*(([^a-df-z]|^)shop|shopping).*)$"
VIDEO_MEDIUM_RE = r"^(.*video.*)$"
DISPLAY_MEDIUMS = ("display", "banner", "expandable", "interstitial", "cpm")
SOCIAL_MEDIUMS = ("social", "social-network", "social-media", "sm", "social network",
                  "social media")
REFERRAL_MEDIUMS = ("referral", "app", "link")
EMAIL_VALUES = ("email", "e-mail", "e_mail", "e mail")
NOT_SET = "(not set)"


_KEYS = ("source", "medium", "campaign")


def _norm(expr: pl.Expr) -> pl.Expr:
    """Lower-cased, stripped text; empty becomes null."""
    s = expr.cast(pl.String).str.strip_chars().str.to_lowercase()
    return pl.when(s == "").then(None).otherwise(s)


def _prepared(source: pl.Expr, medium: pl.Expr, campaign: pl.Expr) -> dict[str, pl.Expr]:
    """The inputs of Google's rules: normalized source, medium and campaign ("(not set)" for
    missing values), whether the visit is untagged, the source's category, and the two
    regular-expression tests that several rules share."""
    s, m, c = _norm(source), _norm(medium), _norm(campaign)
    src, med, camp = s.fill_null(NOT_SET), m.fill_null(NOT_SET), c.fill_null(NOT_SET)
    return {
        "src": src, "med": med, "camp": camp,
        "untagged": s.is_null() & m.is_null(),
        "cat": src.replace_strict(_SOURCE_TO_CATEGORY, default=None, return_dtype=pl.String),
        "paid": med.str.contains(PAID_MEDIUM_RE),
        "shop": camp.str.contains(SHOPPING_CAMPAIGN_RE),
    }


def _rules(p: dict[str, pl.Expr]) -> pl.Expr:
    """Google's rules over the prepared inputs `p` (see `_prepared`), first match wins."""
    src, med, camp = p["src"], p["med"], p["camp"]
    is_social = p["cat"] == "social"
    is_search = p["cat"] == "search"
    is_video = p["cat"] == "video"
    is_shopping = p["cat"] == "shopping"
    paid, shop_campaign = p["paid"], p["shop"]
    rules: list[tuple[pl.Expr, str]] = [
        # Direct: Source exactly matches "(direct)" AND Medium is one of ("(not set)", "(none)")
        (p["untagged"] | ((src == "(direct)") & med.is_in(["(not set)", "(none)"])),
         "Direct"),
        # Cross-network: Campaign Name contains "cross-network"
        (camp.str.contains("cross-network", literal=True), "Cross-network"),
        # Paid Shopping: (Source matches a list of shopping sites OR Campaign Name matches
        # regex ^(.*(([^a-df-z]|^)shop|shopping).*)$) AND Medium matches the paid regex
        ((is_shopping | shop_campaign) & paid, "Paid Shopping"),
        # Paid Search: Source matches a list of search sites AND Medium matches the paid regex
        (is_search & paid, "Paid Search"),
        # Paid Social: Source matches a list of social sites AND Medium matches the paid regex
        (is_social & paid, "Paid Social"),
        # Paid Video: Source matches a list of video sites AND Medium matches the paid regex
        (is_video & paid, "Paid Video"),
        # Display: Medium is one of ("display", "banner", "expandable", "interstitial", "cpm")
        (med.is_in(DISPLAY_MEDIUMS), "Display"),
        # Paid Other: Medium matches regex ^(.*cp.*|ppc|retargeting|paid.*)$
        (paid, "Paid Other"),
        # Organic Shopping: Source matches a list of shopping sites OR Campaign name matches
        # the shopping regex
        (is_shopping | shop_campaign, "Organic Shopping"),
        # Organic Social: Source matches a regex list of social sites OR Medium is one of
        # ("social", "social-network", "social-media", "sm", "social network", "social media")
        (is_social | med.is_in(SOCIAL_MEDIUMS), "Organic Social"),
        # Organic Video: Source matches a list of video sites OR Medium matches ^(.*video.*)$
        (is_video | med.str.contains(VIDEO_MEDIUM_RE), "Organic Video"),
        # Organic Search: Source matches a list of search sites OR Medium exactly matches organic
        (is_search | (med == "organic"), "Organic Search"),
        # Referral: Medium is one of ("referral", "app", or "link")
        (med.is_in(REFERRAL_MEDIUMS), "Referral"),
        # Email: Source = email|e-mail|e_mail|e mail OR Medium = email|e-mail|e_mail|e mail
        (src.is_in(EMAIL_VALUES) | med.is_in(EMAIL_VALUES), "Email"),
        # Affiliates: Medium = affiliate
        (med == "affiliate", "Affiliates"),
        # Audio: Medium exactly matches audio
        (med == "audio", "Audio"),
        # SMS: Source exactly matches sms OR Medium exactly matches sms
        ((src == "sms") | (med == "sms"), "SMS"),
        # Mobile Push Notifications: Medium ends with "push" OR Medium contains "mobile" or
        # "notification" OR Source exactly matches "firebase"
        (
            med.str.ends_with("push")
            | med.str.contains("mobile", literal=True)
            | med.str.contains("notification", literal=True)
            | (src == "firebase"),
            "Mobile Push Notifications",
        ),
    ]
    cond, label = rules[0]
    chain = pl.when(cond.fill_null(False)).then(pl.lit(label))
    for cond, label in rules[1:]:
        chain = chain.when(cond.fill_null(False)).then(pl.lit(label))
    # Unassigned: the value Analytics uses when no other channel rule matches.
    return chain.otherwise(pl.lit("Unassigned"))


PRECLASSIFIED_MEDIUM = "(channel group)"
_GROUP_BY_LOWER: dict[str, str] = {g.lower(): g for g in CHANNEL_GROUPS}


def channel_group_expr(source: pl.Expr, medium: pl.Expr, campaign: pl.Expr) -> pl.Expr:
    """GA4's default channel group of each row as a String expression.

    Rule order and conditions are Google's (help page 9756891, manual traffic):
      Direct, Cross-network, Paid Shopping, Paid Search, Paid Social, Paid Video, Display,
      Paid Other, Organic Shopping, Organic Social, Organic Video, Organic Search, Referral,
      Email, Affiliates, Audio, SMS, Mobile Push Notifications, else Unassigned.
    A pure Polars expression (no Python callback: Polars' worker threads never wait for
    Python's lock, see docs/architecture.md); usable in `select`, `with_columns` and
    `filter`, eager or lazy. On a large frame `with_channels` is faster: it classifies each
    distinct (source, medium, campaign) once and joins the result back.
    """
    return _group(_prepared(source, medium, campaign))


def _group(p: dict[str, pl.Expr]) -> pl.Expr:
    """The channel group from prepared inputs: GA4's group where the row already carries
    one (a report by channel group, see smmkpi.ingest.formats.ga4: source = the group's name, medium
    "(channel group)"), else Google's rules."""
    return (
        pl.when(p["med"] == PRECLASSIFIED_MEDIUM)
        .then(p["src"].replace_strict(_GROUP_BY_LOWER, default="Unassigned",
                                      return_dtype=pl.String))
        .otherwise(_rules(p))
    )


def classify_frame(frame: pl.DataFrame) -> pl.Series:
    """The channel group of each row of a frame with String columns source, medium, campaign.

    The rules run once per distinct (source, medium, campaign), then map back with a hash
    join: a million session rows usually hold a few thousand distinct triples.
    """
    return with_channels(frame.select(pl.col(k).cast(pl.String) for k in _KEYS)).get_column(
        "channel_group"
    )


# Platform names (datasets.PLATFORMS plus other social networks under their own names).
_PLATFORM_ALIASES: dict[str, tuple[str, ...]] = {
    "facebook": (
        "facebook", "facebook.com", "fb", "fb.me", "fb.com", "l.facebook.com",
        "m.facebook.com", "lm.facebook.com", "mobile.facebook.com", "web.facebook.com",
        "touch.facebook.com", "free.facebook.com", "business.facebook.com",
        "apps.facebook.com", "meta", "facebook ads", "facebook_ads", "fb_ad", "fb_ads",
    ),
    "instagram": (
        "instagram", "instagram.com", "l.instagram.com", "ig", "igshopping", "insta",
        "instagram ads", "instagram_ads",
    ),
    "x": ("x", "x.com", "t.co", "twitter", "twitter.com", "mobile.twitter.com", "tweetdeck",
          "tweetdeck.com"),
    "linkedin": ("linkedin", "linkedin.com", "lnkd.in", "linkedin ads", "linkedin_ads"),
    "tiktok": ("tiktok", "tiktok.com", "vm.tiktok.com", "tiktok ads", "tiktok_ads"),
    "youtube": ("youtube", "youtube.com", "youtu.be", "m.youtube.com", "music.youtube.com",
                "yt"),
    "pinterest": ("pinterest", "pin.it"),
    "reddit": ("reddit", "reddit.com", "amp.reddit.com", "old.reddit.com", "out.reddit.com"),
    "snapchat": ("snapchat", "snapchat.com"),
    "threads": ("threads", "threads.net", "threads.com"),
    "messenger": ("messenger", "messenger.com", "l.messenger.com"),
    "whatsapp": ("whatsapp", "whatsapp.com", "wa.me"),
    "telegram": ("telegram", "t.me"),
    "vk": ("vk", "vk.com", "m.vk.com", "away.vk.com", "vkontakte.ru"),
    "tumblr": ("tumblr", "tumblr.com"),
    "quora": ("quora", "quora.com"),
}
_SOURCE_TO_PLATFORM: dict[str, str] = {
    alias: name for name, aliases in _PLATFORM_ALIASES.items() for alias in aliases
}


def platform_expr(source: pl.Expr) -> pl.Expr:
    """The social platform a session source belongs to, or null for non-social sources.

    Known aliases map to one name (`l.facebook.com`, `m.facebook.com`, `fb` -> facebook;
    `t.co`, `twitter`, `x.com` -> x; `lnkd.in` -> linkedin; `youtu.be` -> youtube; any
    `*.pinterest.*` -> pinterest; ...), case-insensitively and with a leading `www.` ignored.
    Other sources on Google's social list keep their own name without a `m.`/`l.` prefix
    and a `.com`/`.net`/`.org` suffix (`meetup.com` -> meetup). Everything else is null.
    A pure Polars expression, like `channel_group_expr`.
    """
    s = _norm(source).str.strip_prefix("www.")
    known = s.replace_strict(_SOURCE_TO_PLATFORM, default=None, return_dtype=pl.String)
    generic = s.str.replace(r"^(m|l|lm|mobile|web|touch)\.", "").str.replace(
        r"\.(com|net|org)$", ""
    )
    return (
        pl.when(known.is_not_null())
        .then(known)
        .when(s.str.contains(r"(^|\.)pinterest\."))
        .then(pl.lit("pinterest"))
        .when(s.is_in(SOURCE_CATEGORY_SOCIAL))
        .then(generic)
        .otherwise(pl.lit(None, dtype=pl.String))
    )


FrameT = TypeVar("FrameT", pl.DataFrame, pl.LazyFrame)


def with_channels(df: FrameT) -> FrameT:
    """A web_sessions frame (eager or lazy) plus `channel_group` and `platform` columns.

    The rules run once per distinct (source, medium, campaign) and join back (a million
    session rows usually hold a few thousand distinct triples); pure Polars throughout.
    """
    keys = [pl.col(k).cast(pl.String).alias(f"_k_{k}") for k in _KEYS]
    lf = df.lazy().with_columns(keys)
    k = [f"_k_{c}" for c in _KEYS]
    prepared = _prepared(*(pl.col(c) for c in k))
    groups = (
        lf.select(k).unique()
        # materialize the rules' inputs once, then evaluate the rules over those columns
        .with_columns(**{f"_p_{name}": e for name, e in prepared.items()})
        .select(*k, channel_group=_group({name: pl.col(f"_p_{name}") for name in prepared}),
                platform=platform_expr(pl.col("_k_source")))
    )
    out = (
        lf.drop("channel_group", "platform", strict=False)
        .join(groups, on=k, how="left", nulls_equal=True, maintain_order="left")
        .drop(k)
    )
    return out.collect() if isinstance(df, pl.DataFrame) else out


# --- a post's content value: what matches it to the web sessions it brought -----------------

_UTM_CONTENT = r"(?i)[?&#]utm_content=([^&#\s\"'<>]+)"
_ESCAPES = [f"%{i:02X}" for i in range(32, 127)]
_CHARS = [chr(i) for i in range(32, 127)]


def _decoded(e: pl.Expr) -> pl.Expr:
    """Percent-escapes of printable ASCII decoded, `+` as a space (query string rules)."""
    return e.str.replace_all("+", " ", literal=True).str.replace_many(
        _ESCAPES, _CHARS, ascii_case_insensitive=True)


def content_value() -> pl.Expr:
    """A post's content value: `utm_content`, else the `utm_content=` of its url or text
    (`title`); null when it has none. Named `content`."""
    tag = pl.col("utm_content").str.strip_chars()
    from_url = _decoded(pl.col("url").str.extract(_UTM_CONTENT, 1))
    from_text = _decoded(pl.col("title").str.extract(_UTM_CONTENT, 1))
    value = pl.coalesce(pl.when(tag != "").then(tag), from_url, from_text)
    return value.str.strip_chars().alias("content")


def content_key(e: pl.Expr) -> pl.Expr:
    """The form in which a post's content value and a session's `content` are compared:
    surrounding blanks stripped, lower case."""
    return e.str.strip_chars().str.to_lowercase()


def post_content_key() -> pl.Expr:
    """A post's content value as compared (`content_key`), null when it has none (or it is
    blank); named `content_key`. The store keeps it on each post (`models.Post`)."""
    key = content_key(content_value())
    return pl.when(key != "").then(key).alias("content_key")


# --- the web sessions per channel group: what the traffic and cost KPIs read ----------------

# which of the summed figures the rows of a channel-sessions row report (a bit each): rows
# that report a figure and rows that leave it empty are summed apart, so a sum over them is
# the sum of the rows that report it, and "the sessions of the rows that report conversions"
# stays a sum of sessions, as over the session rows themselves
REPORTED_BITS: dict[str, int] = {"engaged_sessions": 1, "conversions": 2, "revenue": 4}
CHANNEL_SESSIONS_KEY: tuple[str, ...] = ("date", "campaign", "channel_group", "platform",
                                         "reported")
CHANNEL_SESSIONS_SCHEMA: dict[str, pl.DataType] = {
    "date": pl.Date(), "campaign": pl.String(), "channel_group": pl.String(),
    "platform": pl.String(), "reported": pl.Int64(), "sessions": pl.Int64(),
    "engaged_sessions": pl.Int64(), "conversions": pl.Int64(), "revenue": pl.Float64(),
}


def _reported_sums() -> list[pl.Expr]:
    """The figures of a group of rows that share `reported`: sessions summed, each other
    figure summed where the rows report it, else null."""
    return [pl.col("sessions").sum().cast(pl.Int64)] + [
        pl.when((pl.col("reported").first() & bit) > 0).then(pl.col(c).sum())
        .cast(CHANNEL_SESSIONS_SCHEMA[c]).alias(c)
        for c, bit in REPORTED_BITS.items()]


def channel_sessions(web_sessions: pl.DataFrame) -> pl.DataFrame:
    """Web-session rows (date, source, medium, campaign and the figures) summed per day,
    UTM campaign, channel group, platform and `reported` (`REPORTED_BITS`), in
    `CHANNEL_SESSIONS_SCHEMA`, sorted by that key. Every traffic and cost figure is a sum
    over session rows grouped by day, campaign, channel group or platform, so it is the same
    sum over these rows: what the store keeps in `channel_sessions` with each web-sessions
    import, and what a page reads instead of the session rows (one row per day and campaign
    for every source, medium and content value of a channel group)."""
    reported = sum(
        (pl.col(c).is_not_null().cast(pl.Int64) * bit for c, bit in REPORTED_BITS.items()),
        pl.lit(0, dtype=pl.Int64))
    return (
        with_channels(web_sessions.lazy().select(
            "date", "source", "medium", "campaign", "sessions", *REPORTED_BITS))
        .with_columns(reported=reported)
        .group_by(*CHANNEL_SESSIONS_KEY)
        .agg(_reported_sums())
        .select(list(CHANNEL_SESSIONS_SCHEMA))
        .sort(list(CHANNEL_SESSIONS_KEY), nulls_last=False)
        .collect()
        .cast(CHANNEL_SESSIONS_SCHEMA)  # type: ignore[arg-type]
    )


# the groupings the pages read (`Workspace.channel_sessions`): per day, campaign, channel
# group and platform (the kept rows), per day, group and platform (the campaigns summed, for
# the KPIs) and per campaign (days, groups and platforms summed, for the UTM audit's KPI)
CHANNEL_GROUPINGS: dict[str, tuple[str, ...]] = {
    "day_campaign": ("date", "campaign", "channel_group", "platform"),
    "day": ("date", "channel_group", "platform"),
    "campaign": ("campaign",),
}


def sum_channel_sessions(sums: pl.DataFrame, by: str) -> pl.DataFrame:
    """`channel_sessions` rows summed per the columns of grouping `by`
    (`CHANNEL_GROUPINGS`) and `reported`, the other key columns null, in
    `CHANNEL_SESSIONS_SCHEMA`: as `store.read_channel_sessions` reads them."""
    keys = [*CHANNEL_GROUPINGS[by], "reported"]
    if by == "day_campaign":
        return sums
    return (
        sums.lazy().group_by(keys)
        .agg(_reported_sums())
        .with_columns(pl.lit(None, dtype=CHANNEL_SESSIONS_SCHEMA[k]).alias(k)
                      for k in CHANNEL_SESSIONS_KEY if k not in keys)
        .select(list(CHANNEL_SESSIONS_SCHEMA))
        .sort(keys, nulls_last=False)
        .collect()
        .cast(CHANNEL_SESSIONS_SCHEMA)  # type: ignore[arg-type]
    )
