"""The registry of known export formats, recognized by their headers and converted to the
canonical datasets before validation.

A file whose header matches one of `FORMATS` is converted by that format; every other file is
read as a canonical dataset file (column names and aliases from `datasets.py`). Header names
are compared with `core.norm` (case-, space- and underscore-insensitively). The validation
rules (numbers, dates, keys, problems with row numbers) are the same for every format.

Each format is one module here that defines `FORMAT`, a `core.Format`: its docstring says
which columns it reads and what it makes of them (`fmt="<name>"`), and its tests are
`tests/formats/test_<module>.py`. A format imports only `smmkpi.ingest.core` (and Polars).
To add one, write the module and its test file and list its FORMAT below; the order matters
where two formats could match the same headers (the first wins).
"""

from __future__ import annotations

from smmkpi.ingest.core import Format, norm
from smmkpi.ingest.formats import (
    email_campaigns,
    facebook_insights,
    facebook_posts,
    ga4,
    google_ads,
    helpdesks,
    linkedin_followers,
    linkedin_updates,
    linkedin_visitors,
    meta_ads,
    meta_business_suite,
    meta_insights,
    microsoft_ads,
    shopify,
    tiktok_content,
    tiktok_followers,
    tiktok_overview,
    universal_analytics,
    woocommerce,
    x_daily,
    x_overview,
    x_tweets,
    youtube_studio,
)

FORMATS: tuple[Format, ...] = (
    shopify.FORMAT, ga4.FORMAT, meta_ads.FORMAT, google_ads.FORMAT, microsoft_ads.FORMAT,
    email_campaigns.MAILCHIMP, email_campaigns.KLAVIYO,
    x_tweets.FORMAT, facebook_posts.FORMAT, meta_business_suite.FORMAT,
    linkedin_updates.FORMAT, youtube_studio.FORMAT, tiktok_content.FORMAT,
    # daily account exports into social_daily
    x_daily.FORMAT, x_overview.FORMAT, tiktok_overview.FORMAT, tiktok_followers.FORMAT,
    facebook_insights.FORMAT, meta_insights.FORMAT, linkedin_visitors.FORMAT,
    linkedin_followers.FORMAT,
    helpdesks.ZENDESK, helpdesks.FRESHDESK,
    woocommerce.ANALYTICS, woocommerce.EXPORT, universal_analytics.FORMAT,
)


def detect_format(headers: list[str], preamble: list[str]) -> Format | None:
    """The known export format whose headers these are, if any."""
    cols = {norm(h): h for h in reversed(headers)}  # the first header wins on duplicates
    for f in FORMATS:
        if f.detect(cols, preamble):
            return f
    return None


def preferred_sheets() -> tuple[str, ...]:
    """The sheet names known exports keep their table in (read instead of a workbook's first
    sheet when a workbook has one)."""
    return tuple(dict.fromkeys(s for f in FORMATS for s in f.sheets))


def get_format(name: str) -> Format | None:
    """The known format of this name (as in `fmt=`), if any."""
    return next((f for f in FORMATS if f.name == name), None)
