"""GA4 default channel groups: cases from Google's rule definitions and platform names.

Rules quoted from "[GA4] Default channel group" (support.google.com/analytics/answer/9756891),
section "Channels for manual traffic"; the first rule that matches wins.
"""

from __future__ import annotations

import re

import polars as pl
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from smmkpi import datasets as ds
from smmkpi.channels import (
    CHANNEL_GROUPS,
    SOCIAL_GROUPS,
    SOURCE_CATEGORY_SEARCH,
    SOURCE_CATEGORY_SHOPPING,
    SOURCE_CATEGORY_SOCIAL,
    SOURCE_CATEGORY_VIDEO,
    channel_group_expr,
    platform_expr,
    with_channels,
)

# (source, medium, campaign, expected group); comment = the rule (and order) that decides it.
CASES: list[tuple[str | None, str | None, str | None, str]] = [
    # Direct: Source exactly matches "(direct)" AND Medium is one of ("(not set)", "(none)")
    ("(direct)", "(none)", None, "Direct"),
    ("(direct)", "(not set)", None, "Direct"),
    ("(direct)", None, None, "Direct"),  # missing medium reads as (not set)
    (None, None, None, "Direct"),  # untagged, no referrer: GA4's (direct) / (none)
    ("", "", "", "Direct"),
    ("(Direct)", "(None)", None, "Direct"),  # case-insensitive
    ("(direct)", "cpc", None, "Paid Other"),  # (direct) needs medium (none)/(not set)
    # Cross-network: Campaign Name contains "cross-network" (checked before any paid rule)
    ("google", "cpc", "brand cross-network", "Cross-network"),
    ("facebook", "social", "PMax_Cross-Network_Q3", "Cross-network"),
    ("google", "organic", "cross-network", "Cross-network"),
    # Paid Shopping: (shopping site OR campaign ^(.*(([^a-df-z]|^)shop|shopping).*)$)
    #                AND medium ^(.*cp.*|ppc|retargeting|paid.*)$
    ("amazon", "cpc", None, "Paid Shopping"),
    ("google", "cpc", "summer_shop", "Paid Shopping"),  # "_" is outside [a-df-z]
    ("google", "cpc", "eshop-week", "Paid Shopping"),  # "e" is outside [a-df-z] too
    ("google", "ppc", "Shopping Ads", "Paid Shopping"),
    ("facebook", "paid", "shop", "Paid Shopping"),  # before Paid Social
    ("google", "cpc", "workshop", "Paid Search"),  # "k" is in [a-df-z]: no shop match
    # Paid Search: search site AND paid medium
    ("google", "cpc", None, "Paid Search"),
    ("bing", "ppc", None, "Paid Search"),
    ("google", "retargeting", None, "Paid Search"),
    ("duckduckgo", "paid_search", None, "Paid Search"),
    # Paid Social: social site AND paid medium
    ("Facebook", "CPC", None, "Paid Social"),
    ("instagram", "paid_social", None, "Paid Social"),
    ("x.com", "cpc", None, "Paid Social"),  # x.com added to Google's social list
    ("linkedin", "cpm", None, "Paid Social"),  # cpm matches .*cp.*: before Display
    ("t.co", "paid", None, "Paid Social"),
    # Paid Video: video site AND paid medium
    ("youtube", "cpv", None, "Paid Video"),
    ("vimeo", "paid", None, "Paid Video"),
    # Display: Medium is one of ("display", "banner", "expandable", "interstitial", "cpm")
    ("facebook", "display", None, "Display"),  # social source, medium display: Display first
    ("partner.com", "banner", None, "Display"),
    ("partner.com", "interstitial", None, "Display"),
    ("partner.com", "Expandable", None, "Display"),
    ("partner.com", "cpm", None, "Display"),  # cpm also matches the paid regex; Display first
    # Paid Other: Medium matches ^(.*cp.*|ppc|retargeting|paid.*)$
    ("criteo", "cpa", None, "Paid Other"),
    ("partner", "ppc", None, "Paid Other"),
    (None, "cpc", None, "Paid Other"),
    ("sms", "cpc", None, "Paid Other"),  # paid rule comes before SMS
    # Organic Shopping: shopping site OR shopping campaign
    ("ebay", "referral", None, "Organic Shopping"),
    ("partner.com", "referral", "Shopping Week", "Organic Shopping"),
    ("newsletter", "email", "shopping-week", "Organic Shopping"),  # before Email
    ("IGShopping", "social", None, "Organic Shopping"),  # shopping list, before Organic Social
    # Organic Social: social site OR medium in (social, social-network, social-media, sm, ...)
    ("l.facebook.com", "referral", None, "Organic Social"),
    ("t.co", "referral", None, "Organic Social"),
    ("facebook.com", None, None, "Organic Social"),
    ("newsletter", "social", None, "Organic Social"),
    ("partner", "Social Media", None, "Organic Social"),
    ("partner", "sm", None, "Organic Social"),
    ("x.com", "referral", None, "Organic Social"),
    # Organic Video: video site OR medium ^(.*video.*)$
    ("youtube.com", "referral", None, "Organic Video"),
    ("partner", "instream-video", None, "Organic Video"),
    # Organic Search: search site OR medium exactly organic
    ("google", "organic", None, "Organic Search"),
    ("google", "referral", None, "Organic Search"),  # search site beats medium referral
    ("google", "email", None, "Organic Search"),  # ... and medium email
    ("somesite.com", "organic", None, "Organic Search"),
    ("  Google  ", " Organic ", None, "Organic Search"),  # blanks stripped
    # Referral: Medium is one of ("referral", "app", or "link")
    ("example.com", "referral", None, "Referral"),
    ("example.com", "app", None, "Referral"),
    ("example.com", "LINK", None, "Referral"),
    ("www.facebook.com", "referral", None, "Referral"),  # not on Google's list as such
    # Email: Source = email|e-mail|e_mail|e mail OR Medium = email|e-mail|e_mail|e mail
    ("newsletter", "email", None, "Email"),
    ("email", "newsletter", None, "Email"),
    ("mailchimp", "E-Mail", None, "Email"),
    ("mailchimp", "e_mail", None, "Email"),
    ("mailchimp", "e mail", None, "Email"),
    ("firebase", "email", None, "Email"),  # Email before Mobile Push
    ("mailchimp", "emails", None, "Unassigned"),  # exact values only
    # Affiliates: Medium = affiliate
    ("awin", "affiliate", None, "Affiliates"),
    # Audio: Medium exactly matches audio
    ("spotify", "audio", None, "Audio"),
    # SMS: Source exactly matches sms OR Medium exactly matches sms
    ("sms", "text", None, "SMS"),
    ("twilio", "SMS", None, "SMS"),
    # Mobile Push Notifications: medium ends with "push" OR contains "mobile" or
    # "notification" OR source exactly matches "firebase"
    ("braze", "web_push", None, "Mobile Push Notifications"),
    ("braze", "mobile-inbox", None, "Mobile Push Notifications"),
    ("onesignal", "notification", None, "Mobile Push Notifications"),
    ("firebase", "(not set)", None, "Mobile Push Notifications"),
    # Unassigned: no rule matches
    ("partner", "print", None, "Unassigned"),
    ("(direct)", "qr", None, "Unassigned"),
    ("newsletter", None, None, "Unassigned"),
]


def _groups(rows: list[tuple[str | None, str | None, str | None]]) -> list[str]:
    df = pl.DataFrame(
        {"source": [r[0] for r in rows], "medium": [r[1] for r in rows],
         "campaign": [r[2] for r in rows]},
        schema={"source": pl.String, "medium": pl.String, "campaign": pl.String},
    )
    out = df.select(g=channel_group_expr(pl.col("source"), pl.col("medium"), pl.col("campaign")))
    return out.get_column("g").to_list()


def test_at_least_40_cases_cover_every_group() -> None:
    assert len(CASES) >= 40
    assert {c[3] for c in CASES} == set(CHANNEL_GROUPS)


@pytest.mark.parametrize(("source", "medium", "campaign", "expected"), CASES)
def test_channel_group_case(
    source: str | None, medium: str | None, campaign: str | None, expected: str
) -> None:
    assert _groups([(source, medium, campaign)]) == [expected]


def test_all_cases_at_once_match_one_by_one() -> None:
    # Vectorized over the whole frame: no row influences another.
    assert _groups([c[:3] for c in CASES]) == [c[3] for c in CASES]


def test_constants() -> None:
    assert CHANNEL_GROUPS[0] == "Direct" and CHANNEL_GROUPS[-1] == "Unassigned"
    assert len(CHANNEL_GROUPS) == 19 == len(set(CHANNEL_GROUPS))
    assert set(SOCIAL_GROUPS) <= set(CHANNEL_GROUPS)


def test_source_category_lists() -> None:
    # Google's list has 819 rows: 590 social, 131 search, 46 video, 52 shopping; + x.com.
    assert len(SOURCE_CATEGORY_SOCIAL) == 591
    assert len(SOURCE_CATEGORY_SEARCH) == 131
    assert len(SOURCE_CATEGORY_VIDEO) == 46
    assert len(SOURCE_CATEGORY_SHOPPING) == 52
    assert {"facebook", "l.facebook.com", "t.co", "x.com", "lnkd.in", "tiktok"} <= (
        SOURCE_CATEGORY_SOCIAL
    )
    assert {"youtube", "youtube.com", "m.youtube.com"} <= SOURCE_CATEGORY_VIDEO
    assert "igshopping" in SOURCE_CATEGORY_SHOPPING  # lower-cased from "IGShopping"
    cats = [SOURCE_CATEGORY_SOCIAL, SOURCE_CATEGORY_SEARCH, SOURCE_CATEGORY_VIDEO,
            SOURCE_CATEGORY_SHOPPING]
    assert sum(len(c) for c in cats) == len(set().union(*cats))  # disjoint


# An independent, row-by-row reading of Google's rules with Python's `re`, to cross-check
# the vectorized expression (null handling included) on random input.
# Unicode's White_Space characters, what the app strips (Polars' strip_chars, Rust's
# char::is_whitespace); Python's str.strip() also strips the separators U+001C-U+001F
WHITE_SPACE = ("\t\n\x0b\x0c\r \x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B)))
               + "\u2028\u2029\u202f\u205f\u3000")


def _reference(source: str | None, medium: str | None, campaign: str | None) -> str:
    def norm(v: str | None) -> str | None:
        v = None if v is None else v.strip(WHITE_SPACE).lower()
        return v or None

    s0, m0, c0 = norm(source), norm(medium), norm(campaign)
    if s0 is None and m0 is None:
        return "Direct"
    s, m, c = s0 or "(not set)", m0 or "(not set)", c0 or "(not set)"
    # Google's regexes are RE2 (and Polars' are Rust's): "." does not match a newline.
    paid = re.fullmatch(r"(.*cp.*|ppc|retargeting|paid.*)", m) is not None
    shop_c = re.fullmatch(r"(.*(([^a-df-z]|^)shop|shopping).*)", c) is not None
    social, search = s in SOURCE_CATEGORY_SOCIAL, s in SOURCE_CATEGORY_SEARCH
    video, shopping = s in SOURCE_CATEGORY_VIDEO, s in SOURCE_CATEGORY_SHOPPING
    emails = ("email", "e-mail", "e_mail", "e mail")
    if s == "(direct)" and m in ("(not set)", "(none)"):
        return "Direct"
    for cond, label in (
        ("cross-network" in c, "Cross-network"),
        ((shopping or shop_c) and paid, "Paid Shopping"),
        (search and paid, "Paid Search"),
        (social and paid, "Paid Social"),
        (video and paid, "Paid Video"),
        (m in ("display", "banner", "expandable", "interstitial", "cpm"), "Display"),
        (paid, "Paid Other"),
        (shopping or shop_c, "Organic Shopping"),
        (social or m in ("social", "social-network", "social-media", "sm", "social network",
                         "social media"), "Organic Social"),
        (video or re.fullmatch(r"(.*video.*)", m) is not None, "Organic Video"),
        (search or m == "organic", "Organic Search"),
        (m in ("referral", "app", "link"), "Referral"),
        (s in emails or m in emails, "Email"),
        (m == "affiliate", "Affiliates"),
        (m == "audio", "Audio"),
        (s == "sms" or m == "sms", "SMS"),
        (m.endswith("push") or "mobile" in m or "notification" in m or s == "firebase",
         "Mobile Push Notifications"),
    ):
        if cond:
            return label
    return "Unassigned"


_WORDS = st.sampled_from(
    ["google", "Facebook", "t.co", "x.com", "youtube", "amazon", "ebay", "(direct)", "sms",
     "firebase", "email", "cpc", "CPM", "paid", "display", "organic", "referral", "social",
     "video", "shop", "Shopping", "cross-network", "push", "mobile", "(none)", "(not set)",
     "affiliate", "audio", "app", "link", "e mail", "retargeting", "", " ", "_", "-", "x",
     "\n"]
)
_TEXT = st.one_of(
    st.none(), _WORDS, st.lists(_WORDS, min_size=2, max_size=3).map("".join), st.text(max_size=6)
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_TEXT, _TEXT, _TEXT), min_size=1, max_size=30))
@example([(None, "\x1f", None)])  # a control character, not white space: Unassigned
@example([(" \u3000", "\xa0", None)])  # only white space: Direct
def test_matches_independent_reference(rows: list[tuple[str | None, ...]]) -> None:
    got = _groups(rows)  # type: ignore[arg-type]
    assert got == [_reference(*r) for r in rows]
    assert all(g in CHANNEL_GROUPS for g in got)


PLATFORM_CASES: list[tuple[str | None, str | None]] = [
    ("l.facebook.com", "facebook"),
    ("m.facebook.com", "facebook"),
    ("facebook.com", "facebook"),
    ("fb", "facebook"),
    ("Facebook", "facebook"),
    ("www.facebook.com", "facebook"),
    ("t.co", "x"),
    ("twitter", "x"),
    ("x.com", "x"),
    ("twitter.com", "x"),
    ("instagram", "instagram"),
    ("l.instagram.com", "instagram"),
    ("ig", "instagram"),
    ("linkedin", "linkedin"),
    ("lnkd.in", "linkedin"),
    ("tiktok", "tiktok"),
    ("tiktok.com", "tiktok"),
    ("youtube", "youtube"),
    ("youtu.be", "youtube"),
    ("m.youtube.com", "youtube"),
    ("pinterest", "pinterest"),
    ("pinterest.co.uk", "pinterest"),
    ("de.pinterest.com", "pinterest"),
    ("reddit", "reddit"),
    ("old.reddit.com", "reddit"),
    ("meetup.com", "meetup"),  # other social sites keep their own name
    ("m.yelp.com", "yelp"),
    ("google", None),
    ("newsletter", None),
    ("(direct)", None),
    ("", None),
    (None, None),
]


def test_platform_names() -> None:
    df = pl.DataFrame({"source": [c[0] for c in PLATFORM_CASES]}, schema={"source": pl.String})
    got = df.select(p=platform_expr(pl.col("source"))).get_column("p").to_list()
    assert got == [c[1] for c in PLATFORM_CASES]
    assert set(ds.PLATFORMS) <= {c[1] for c in PLATFORM_CASES}


def test_with_channels_eager_and_lazy() -> None:
    df = pl.DataFrame(
        {"source": ["Facebook", "google", "(direct)"], "medium": ["CPC", "organic", None],
         "campaign": [None, None, None], "sessions": [1, 2, 3]},
        schema={"source": pl.String, "medium": pl.String, "campaign": pl.String,
                "sessions": pl.Int64},
    )
    eager = with_channels(df)
    lazy = with_channels(df.lazy())
    assert isinstance(lazy, pl.LazyFrame)
    assert eager.equals(lazy.collect())
    assert eager.get_column("channel_group").to_list() == ["Paid Social", "Organic Search",
                                                           "Direct"]
    assert eager.get_column("platform").to_list() == ["facebook", None, None]
    assert eager.schema["channel_group"] == pl.String and eager.schema["platform"] == pl.String


def test_rows_already_grouped_by_ga4_keep_their_group():
    """A GA4 report by channel group is imported with source = the group's name and medium
    "(channel group)" (smmkpi.ingest.formats.ga4): the group is taken as given,
    case-insensitively."""
    import polars as pl

    from smmkpi.channels import channel_group_expr

    df = pl.DataFrame({"source": ["Organic Social", "paid search", "Nonsense"],
                       "medium": ["(channel group)"] * 3, "campaign": [None] * 3})
    got = df.select(channel_group_expr(pl.col("source"), pl.col("medium"), pl.col("campaign")))
    assert got.to_series().to_list() == ["Organic Social", "Paid Search", "Unassigned"]
