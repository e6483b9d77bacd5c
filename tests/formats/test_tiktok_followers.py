"""TikTok Studio follower history (smmkpi.ingest.formats.tiktok_followers): year-less dates,
the count per day stored as followers, the daily difference (negative on one day) not
stored; with the overview export of the same days, one row per day holds both."""

from __future__ import annotations

from socialfixtures import SOCIAL, D, by_day, read_ok

from smmkpi.ingest import combine, parse_file

FILE = SOCIAL / "tiktok_follower_history.csv"


def test_follower_counts():
    pf = read_ok(FILE, year=2026)
    assert pf.fmt == "tiktok_followers"
    days = by_day(pf)
    assert [days[d]["followers"] for d in sorted(days)] == [10250, 10262, 10301, 10296]
    assert {d["platform"] for d in days.values()} == {"tiktok"}
    assert pf.mapping["Difference in followers from previous day"] is None


def test_with_the_overview_each_day_is_one_row():
    files = [parse_file(SOCIAL / n, year=2026) for n in
             ("tiktok_overview.csv", "tiktok_follower_history.csv")]
    frames, problems = combine(files)
    assert problems == []
    days = {r["date"]: r for r in frames["social_daily"].iter_rows(named=True)}
    assert len(days) == 4
    jan1 = days[D(2026, 1, 1)]
    assert (jan1["impressions"], jan1["engagements"], jan1["followers"]) == (2210, 372, 10301)


def test_imported_one_after_the_other_neither_blanks_the_other(engine):
    """The overview, then the follower history in a later import (SQLite and PostgreSQL):
    the stored rows keep the overview's views (an empty value never replaces a stored
    one)."""
    from smmkpi import store

    for name in ("tiktok_overview.csv", "tiktok_follower_history.csv"):
        store.write_frames(engine, parse_file(SOCIAL / name, year=2026).frames)
    got = store.read_dataset(engine, "social_daily", D(2025, 12, 30), D(2026, 1, 2))
    days = {r["date"]: r for r in got.iter_rows(named=True)}
    assert (days[D(2026, 1, 1)]["impressions"], days[D(2026, 1, 1)]["followers"]) == (2210, 10301)
    assert sum(r["impressions"] for r in days.values()) == 6115
