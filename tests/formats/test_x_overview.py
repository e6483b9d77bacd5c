"""X account overview export of 2025 (smmkpi.ingest.formats.x_overview), from a fixture with
the export's exact header: newest day first, `Date` with its weekday ("Tue, Aug 26, 2025"),
New follows and Unfollows, and no platform column."""

from __future__ import annotations

from socialfixtures import SOCIAL, D, by_day, read_ok, total

from smmkpi.ingest import parse_file

FILE = SOCIAL / "account_overview_analytics.csv"


def test_days_newest_first_become_social_daily_for_x():
    pf = read_ok(FILE)
    assert pf.fmt == "x_overview"
    days = by_day(pf)
    assert list(days) == [D(2025, 8, 26), D(2025, 8, 25), D(2025, 8, 24)]  # as in the file
    assert {d["platform"] for d in days.values()} == {"x"}
    tue = days[D(2025, 8, 26)]
    assert (tue["impressions"], tue["engagements"], tue["posts"]) == (2871, 43, 2)
    assert (total(pf, "impressions"), total(pf, "engagements"), total(pf, "posts")) == (
        2871 + 2199 + 336, 43 + 26 + 15, 2 + 2 + 1)


def test_follows_are_not_a_follower_count():
    pf = read_ok(FILE)
    assert pf.frames["social_daily"]["followers"].null_count() == 3
    assert pf.mapping["New follows"] is None and pf.mapping["Unfollows"] is None


def test_a_bad_value_names_the_row_and_the_column():
    text = FILE.read_text().replace('"Mon, Aug 25, 2025",2199', '"Mon, Aug 25, 2025",lots')
    pf = parse_file(text.encode(), name="account_overview_analytics.csv")
    assert not pf.ok
    (p,) = pf.problems
    assert (p.file, p.row, p.column, p.value) == ("account_overview_analytics.csv", 3,
                                                  "Impressions", "lots")


def test_dates_with_and_without_the_weekday():
    """"mar" is Tuesday in Spanish and March in English: only a weekday followed by its comma
    is taken off, so a date written without one reads as it is."""
    head = FILE.read_text().splitlines()[0]
    rows = ['"Wed, Mar 26, 2025",1,0,1,0,0,0,0,0,0,0,0,0,0',
            '"Mar 25, 2025",2,0,1,0,0,0,0,0,0,0,0,0,0',
            '"Sun, Mar 2, 2025",3,0,1,0,0,0,0,0,0,0,0,0,0']
    pf = read_ok(("\n".join([head, *rows]) + "\n").encode())
    assert list(by_day(pf)) == [D(2025, 3, 26), D(2025, 3, 25), D(2025, 3, 2)]
