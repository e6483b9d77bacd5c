"""Meta Business Suite insights, one metric per file (smmkpi.ingest.formats.meta_insights):
UTF-16 with a BOM, the `sep=,` line, the metric's title line, `"Date","Primary"`; the
platform and the column from the title; files of one account merged per day; follows and
a title without a platform refused in one sentence."""

from __future__ import annotations

from pathlib import Path

from socialfixtures import SOCIAL, D, by_day, read_ok, total

from smmkpi.ingest import combine, parse_file

BAD = Path(__file__).parent.parent / "data" / "bad"


def test_facebook_reach():
    pf = read_ok(SOCIAL / "meta_facebook_reach.csv")
    assert pf.fmt == "meta_insights" and pf.encoding == "utf-16"
    days = by_day(pf)
    assert sorted(days) == [D(2025, 8, 1), D(2025, 8, 2), D(2025, 8, 3)]
    assert {d["platform"] for d in days.values()} == {"facebook"}
    assert days[D(2025, 8, 2)]["reach"] == 988
    assert total(pf, "reach") == 1204 + 988 + 1530
    assert pf.frames["social_daily"]["impressions"].null_count() == 3


def test_instagram_views_are_impressions():
    pf = read_ok(SOCIAL / "meta_instagram_views.csv")
    days = by_day(pf)
    assert {d["platform"] for d in days.values()} == {"instagram"}
    assert days[D(2025, 8, 1)]["impressions"] == 4410


def test_two_metrics_of_one_account_fill_one_row_per_day():
    reach = read_ok(SOCIAL / "meta_facebook_reach.csv")
    text = (SOCIAL / "meta_facebook_reach.csv").read_bytes().decode("utf-16")
    views = parse_file(text.replace("Facebook reach", "Facebook views")
                       .replace('"1204"', '"3001"').encode("utf-8"), name="views.csv")
    frames, problems = combine([reach, views])
    assert problems == []
    days = {r["date"]: r for r in frames["social_daily"].iter_rows(named=True)}
    assert len(days) == 3
    assert (days[D(2025, 8, 1)]["reach"], days[D(2025, 8, 1)]["impressions"]) == (1204, 3001)


def test_follows_are_refused_in_one_sentence():
    pf = parse_file(BAD / "meta_facebook_follows.csv")
    assert not pf.ok and pf.fmt == "meta_insights"
    (p,) = pf.problems
    assert (p.row, p.column) == (None, "Primary")
    assert p.message.startswith("this is a Meta Business Suite insights export of 'Facebook "
                                "follows': followers gained per day, not the follower count")
    assert "export Reach, Views, Content interactions or Link clicks instead" in p.message


def test_a_title_without_a_platform_asks_for_it():
    pf = parse_file(BAD / "meta_views_no_platform.csv")
    assert not pf.ok
    (p,) = pf.problems
    assert "does not say whether it is Facebook's or Instagram's" in p.message
    assert "'Facebook Views' or 'Instagram Views'" in p.message


def test_without_the_title_line_it_says_so():
    pf = parse_file(b'"Date","Primary"\n"2025-08-01T00:00:00","20"\n', name="reach.csv")
    assert not pf.ok and pf.fmt == "meta_insights"
    (p,) = pf.problems
    assert p.message.startswith("this is a Meta Business Suite insights export without its "
                                "title line")
