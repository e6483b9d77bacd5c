"""X tweet activity "By day" export (smmkpi.ingest.formats.x_daily), from a fixture with the
export's exact header: lower-case metric names, counts as floats on one day, the promoted
columns `-`, and no platform column (the file can only come from X)."""

from __future__ import annotations

from socialfixtures import SOCIAL, D, by_day, read_ok, total

FILE = SOCIAL / "daily_tweet_activity_metrics_brightmug_20261101_20261104_en.csv"


def test_days_become_social_daily_for_x():
    pf = read_ok(FILE)
    assert pf.fmt == "x_daily"
    days = by_day(pf)
    assert sorted(days) == [D(2026, 11, 1), D(2026, 11, 2), D(2026, 11, 3)]
    assert {d["platform"] for d in days.values()} == {"x"}
    assert {d["campaign_id"] for d in days.values()} == {None}
    third = days[D(2026, 11, 3)]
    assert (third["impressions"], third["engagements"], third["link_clicks"], third["posts"]) == (
        3974, 76, 45, 4)
    assert days[D(2026, 11, 2)]["impressions"] == 1244  # written "1244.0"
    # hand-summed over the three days
    assert (total(pf, "impressions"), total(pf, "engagements"), total(pf, "link_clicks"),
            total(pf, "posts")) == (1088 + 1244 + 3974, 13 + 19 + 76, 2 + 0 + 45, 0 + 2 + 4)


def test_follows_and_promoted_columns_are_not_stored():
    pf = read_ok(FILE)
    assert pf.frames["social_daily"]["followers"].null_count() == 3
    assert pf.mapping["follows"] is None and pf.mapping["promoted impressions"] is None
    assert pf.mapping["url clicks"] == "link_clicks"
    assert any("follows are people who followed from a tweet" in n for n in pf.notes)


def test_a_file_from_x_is_never_refused_for_its_missing_platform_column():
    """Only the first five columns of the export: still X's, still platform x."""
    head = ",".join(FILE.read_text().splitlines()[0].split(",")[:5])
    pf = read_ok((head + '\n"2026-11-05","1","10","2","0.2"\n').encode())
    (row,) = pf.frames["social_daily"].iter_rows(named=True)
    assert (row["platform"], row["impressions"], row["engagements"]) == ("x", 10, 2)
