"""Property-based tests of the daily account exports (hypothesis), beside
`test_ingest_properties.py`:

1. Mutations of the social fixtures (tests/data/good/social) never raise: ok frames that
   match the spec, or problems.
2. Round trips through each export's own quirks: X's overview dates with their weekday,
   newest first; TikTok's year-less dates in English or Spanish (month names from Babel's
   CLDR data, never a hand-written list) over any stretch of less than a year, read with the
   year of the last day; Facebook's description row under the header, present or not.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from babel.dates import format_date
from hypothesis import given
from hypothesis import strategies as st
from test_ingest import assert_valid
from test_ingest_properties import SETTINGS, mutated

from smmkpi.ingest import parse_file

SOCIAL_FILES = sorted((Path(__file__).parent / "data" / "good" / "social").glob("*.csv"))
_count = st.integers(0, 10**9)


@SETTINGS
@given(mutated(SOCIAL_FILES))
def test_mutated_social_exports_never_raise(case):
    name, data = case
    assert_valid(parse_file(data, name=name, year=2026))


def _days(draw, span: int) -> list[dt.date]:
    first = draw(st.dates(min_value=dt.date(2001, 1, 1), max_value=dt.date(2036, 12, 31)))
    offsets = draw(st.lists(st.integers(0, span), min_size=1, max_size=25, unique=True))
    return sorted({first + dt.timedelta(days=o) for o in offsets})


@st.composite
def x_overview_case(draw):
    days = _days(draw, 400)
    rows = [(d, draw(_count), draw(_count), draw(st.integers(0, 50))) for d in days]
    return rows


@SETTINGS
@given(x_overview_case())
def test_x_overview_round_trip(rows):
    lines = ["Date,Impressions,Likes,Engagements,Bookmarks,Shares,New follows,Unfollows,"
             "Replies,Reposts,Profile visits,Create Post,Video views,Media views"]
    for d, imp, eng, posts in reversed(rows):  # newest first, as X writes it
        when = format_date(d, "EEE, MMM d, y", locale="en")  # "Tue, Aug 26, 2025"
        lines.append(f'"{when}",{imp},0,{eng},0,0,0,0,0,0,0,{posts},0,0')
    pf = parse_file(("\n".join(lines) + "\n").encode(), name="account_overview_analytics.csv")
    assert pf.ok and pf.fmt == "x_overview", [str(p) for p in pf.problems]
    got = pf.frames["social_daily"].sort("date")
    assert got["date"].to_list() == [r[0] for r in rows]
    assert got["impressions"].to_list() == [r[1] for r in rows]
    assert got["engagements"].to_list() == [r[2] for r in rows]
    assert got["posts"].to_list() == [r[3] for r in rows]
    assert set(got["platform"]) == {"x"}


@st.composite
def tiktok_case(draw):
    # a stretch of less than a year (as any TikTok Studio download), never 29 February:
    # it exists only in some years, and a year-less "February 29" is a problem on its row
    days = [d for d in _days(draw, 330) if (d.month, d.day) != (2, 29)]
    locale = draw(st.sampled_from(["en", "es"]))
    return days, locale, [draw(_count) for _ in days]


@SETTINGS
@given(tiktok_case())
def test_tiktok_year_less_dates_round_trip(case):
    days, locale, views = case
    if not days:
        return
    pattern = "MMMM d" if locale == "en" else "d 'de' MMMM"  # "July 16", "16 de julio"
    lines = ['"Date","Video Views","Profile Views","Likes","Comments","Shares"']
    lines += [f'"{format_date(d, pattern, locale=locale)}","{v}","0","1","2","3"'
              for d, v in zip(days, views, strict=True)]
    pf = parse_file(("\n".join(lines) + "\n").encode(), name="overview.csv",
                    year=days[-1])  # the export's last day itself
    assert pf.ok and pf.fmt == "tiktok_overview", [str(p) for p in pf.problems]
    got = pf.frames["social_daily"].sort("date")
    assert got["date"].to_list() == days
    assert got["impressions"].to_list() == views
    assert set(got["engagements"]) == {6}


@st.composite
def facebook_case(draw):
    days = _days(draw, 90)
    rows = [(d, draw(_count), draw(_count), draw(_count), draw(_count)) for d in days]
    return rows, draw(st.booleans())


@SETTINGS
@given(facebook_case())
def test_facebook_description_row_is_never_data(case):
    rows, described = case
    lines = ["Date,Lifetime Total Likes,Daily Page Engaged Users,Daily Total Reach,"
             "Daily Total Impressions"]
    if described:
        lines.append(',"Lifetime: The total number of people who have liked your Page. '
                     '(Unique Users)","Daily: The number of people who engaged with your Page. '
                     '(Unique Users)","Daily: The number of people who had any content from '
                     'your Page enter their screen. (Unique Users)","Daily: The number of '
                     'times any content from your Page entered a person\'s screen. (Total '
                     'Count)"')
    lines += [f"{d:%m/%d/%Y},{a},{b},{c},{e}" for d, a, b, c, e in rows]
    pf = parse_file(("\n".join(lines) + "\n").encode(), name="page.csv")
    assert pf.ok and pf.fmt == "facebook_insights", [str(p) for p in pf.problems]
    got = pf.frames["social_daily"]
    assert got.height == len(rows)
    assert list(zip(got["date"], got["followers"], got["engagements"], got["reach"],
                    got["impressions"], strict=True)) == rows
    assert pf.source_rows["social_daily"].to_list() == [
        i + (3 if described else 2) for i in range(len(rows))]
