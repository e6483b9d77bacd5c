"""GA4's default channel groups and social platform names, as vectorized Polars expressions.

The rules are Google's "[GA4] Default channel group" help page
(https://support.google.com/analytics/answer/9756891), section "Channels for manual
traffic", evaluated top to bottom, the first matching rule winning. Google's rules for
Google Ads, DV360 and SA360 traffic need fields a UTM export does not have, so only the
manual-traffic rules apply here.

Google's source categories (SOURCE_CATEGORY_SOCIAL / _SEARCH / _VIDEO / _SHOPPING) are in
`ga4_source_categories.csv` beside this module: the list Google links from that page, as
copied in the Velir/dbt-ga4 repository (`seeds/ga4_source_categories.csv`, 819 rows). We
add `x.com` as social (DESIGN.md §3/§4). Matching is case-insensitive: source, medium and
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
EXTRA_SOCIAL_SOURCES: tuple[str, ...] = ("x.com",)  # DESIGN.md: add x.com to Google's list


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


def _rules() -> pl.Expr:
    """Google's rules over the materialized columns `_src`, `_med`, `_camp` (normalized, with
    "(not set)" for missing values), `_untagged`, `_cat`, `_paid` and `_shop` (see `_classify`)."""
    src, med, camp = pl.col("_src"), pl.col("_med"), pl.col("_camp")
    is_social = pl.col("_cat") == "social"
    is_search = pl.col("_cat") == "search"
    is_video = pl.col("_cat") == "video"
    is_shopping = pl.col("_cat") == "shopping"
    paid, shop_campaign = pl.col("_paid"), pl.col("_shop")
    rules: list[tuple[pl.Expr, str]] = [
        # Direct: Source exactly matches "(direct)" AND Medium is one of ("(not set)", "(none)")
        (pl.col("_untagged") | ((src == "(direct)") & med.is_in(["(not set)", "(none)"])),
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


def classify_frame(frame: pl.DataFrame) -> pl.Series:
    """The channel group of each row of a frame with String columns source, medium, campaign.

    The rules run once per distinct (source, medium, campaign) over materialized columns,
    then map back with a hash join: a million session rows usually hold a few thousand
    distinct triples, and no intermediate expression is evaluated twice.
    """
    keys = frame.select(pl.col(k).cast(pl.String) for k in _KEYS)
    uniq = keys.unique()
    uniq = uniq.with_columns(
        _src=_norm(pl.col("source")), _med=_norm(pl.col("medium")),
        _camp=_norm(pl.col("campaign")),
    ).with_columns(
        _untagged=pl.col("_src").is_null() & pl.col("_med").is_null(),
        _src=pl.col("_src").fill_null(NOT_SET),
        _med=pl.col("_med").fill_null(NOT_SET),
        _camp=pl.col("_camp").fill_null(NOT_SET),
    ).with_columns(
        _cat=pl.col("_src").replace_strict(_SOURCE_TO_CATEGORY, default=None,
                                           return_dtype=pl.String),
        _paid=pl.col("_med").str.contains(PAID_MEDIUM_RE),
        _shop=pl.col("_camp").str.contains(SHOPPING_CAMPAIGN_RE),
    ).select(*_KEYS, channel_group=pl.when(pl.col("_med") == PRECLASSIFIED_MEDIUM).then(
        # rows already grouped by GA4 (a report by channel group, see ingest_formats):
        # the source holds the group's name
        pl.col("_src").replace_strict(_GROUP_BY_LOWER, default="Unassigned",
                                    return_dtype=pl.String)
    ).otherwise(_rules()))
    joined = keys.join(uniq, on=list(_KEYS), how="left", nulls_equal=True,
                       maintain_order="left")
    return joined.get_column("channel_group").cast(pl.String)


def channel_group_expr(source: pl.Expr, medium: pl.Expr, campaign: pl.Expr) -> pl.Expr:
    """GA4's default channel group of each row as a String expression.

    Rule order and conditions are Google's (help page 9756891, manual traffic):
      Direct, Cross-network, Paid Shopping, Paid Search, Paid Social, Paid Video, Display,
      Paid Other, Organic Shopping, Organic Social, Organic Video, Organic Search, Referral,
      Email, Affiliates, Audio, SMS, Mobile Push Notifications, else Unassigned.
    Element-wise and column-at-a-time (hash lookups and Rust regexes on each batch, see
    `classify_frame`); usable in `select`, `with_columns` and `filter`, eager or lazy.
    """
    return pl.struct(
        source.alias("source"), medium.alias("medium"), campaign.alias("campaign")
    ).map_batches(
        lambda s: classify_frame(s.struct.unnest()),
        return_dtype=pl.String,
        is_elementwise=True,
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


def _platforms(sources: pl.Series) -> pl.Series:
    """Platform names for a Series of sources, computed once per distinct source."""
    raw = sources.cast(pl.String)
    uniq = pl.DataFrame({"raw": raw.unique()}).with_columns(
        s=_norm(pl.col("raw")).str.strip_prefix("www.")
    ).with_columns(
        known=pl.col("s").replace_strict(_SOURCE_TO_PLATFORM, default=None,
                                         return_dtype=pl.String),
        generic=pl.col("s").str.replace(r"^(m|l|lm|mobile|web|touch)\.", "")
        .str.replace(r"\.(com|net|org)$", ""),
    ).with_columns(
        platform=pl.when(pl.col("known").is_not_null())
        .then(pl.col("known"))
        .when(pl.col("s").str.contains(r"(^|\.)pinterest\."))
        .then(pl.lit("pinterest"))
        .when(pl.col("s").is_in(SOURCE_CATEGORY_SOCIAL))
        .then(pl.col("generic"))
        .otherwise(pl.lit(None, dtype=pl.String))
    ).drop_nulls("raw")
    return raw.replace_strict(
        uniq.get_column("raw"), uniq.get_column("platform"), default=None,
        return_dtype=pl.String,
    )


def platform_expr(source: pl.Expr) -> pl.Expr:
    """The social platform a session source belongs to, or null for non-social sources.

    Known aliases map to one name (`l.facebook.com`, `m.facebook.com`, `fb` -> facebook;
    `t.co`, `twitter`, `x.com` -> x; `lnkd.in` -> linkedin; `youtu.be` -> youtube; any
    `*.pinterest.*` -> pinterest; ...), case-insensitively and with a leading `www.` ignored.
    Other sources on Google's social list keep their own name without a `m.`/`l.` prefix
    and a `.com`/`.net`/`.org` suffix (`meetup.com` -> meetup). Everything else is null.
    """
    return source.map_batches(_platforms, return_dtype=pl.String, is_elementwise=True)


FrameT = TypeVar("FrameT", pl.DataFrame, pl.LazyFrame)


def with_channels(df: FrameT) -> FrameT:
    """A web_sessions frame (eager or lazy) plus `channel_group` and `platform` columns."""
    return df.with_columns(
        channel_group=channel_group_expr(pl.col("source"), pl.col("medium"), pl.col("campaign")),
        platform=platform_expr(pl.col("source")),
    )
