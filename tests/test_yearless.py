"""Dates without a year (smmkpi.ingest.yearless): month names from Babel's CLDR data in
English and Spanish (and the other locales), the year of the export's last day given or the
day itself, later days of the calendar rolled back a year (across New Year), 29 February,
and a file refused with a message that asks for the year when none is given."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from smmkpi import ingest
from smmkpi.ingest import yearless

D = dt.date


@pytest.mark.parametrize(("text", "month", "day"), [
    ("July 16", 7, 16), ("Jul 16", 7, 16), ("jul. 16th", 7, 16), ("16 July", 7, 16),
    ("16 de julio", 7, 16), ("16 jul.", 7, 16), ("3 de septiembre", 9, 3), ("3 sept", 9, 3),
    ("1 ene", 1, 1), ("31 dic.", 12, 31), ("16. Juli", 7, 16), ("16 juil.", 7, 16),
    ("  September 3 ", 9, 3),
])
def test_month_names_from_cldr(text, month, day):
    r = yearless.read(pl.Series([text]), "date", D(2026, 12, 31))
    assert r.value.to_list() == [D(2026, month, day)]


def test_names_are_babels():
    from babel.dates import get_month_names

    names = yearless.month_names()
    for loc in ("en", "es"):
        for m, name in get_month_names("wide", locale=loc).items():
            assert names[name.lower()] == m
        for m, name in get_month_names("abbreviated", locale=loc).items():
            assert names[name.lower().rstrip(".")] == m


def test_not_yearless():
    s = pl.Series(["2026-07-16", "July 2026", "16/07", "Julyy 16", "Foo 3", None])
    assert yearless.is_yearless(s).to_list() == [False, False, False, True, True, False]
    assert yearless.is_month_day(s).to_list() == [False, False, False, False, False, False]


def test_export_across_new_year_with_the_year_only():
    """20 December to 5 January, the year 2026 given: the newest date is 5 January (the
    day before the longest stretch without dates), so December is 2025."""
    s = pl.Series(["January 5", "January 1", "December 31", "December 20"])
    r = yearless.read(s, "date", 2026)
    assert r.value.to_list() == [D(2026, 1, 5), D(2026, 1, 1), D(2025, 12, 31), D(2025, 12, 20)]
    assert (r.last_day, r.first, r.newest) == (D(2026, 1, 5), D(2025, 12, 20), D(2026, 1, 5))


def test_the_last_day_itself():
    """The export's last day decides: 10 March 2026 makes 16 July the year before."""
    r = yearless.read(pl.Series(["July 16", "March 10", "March 11"]), "date", D(2026, 3, 10))
    assert r.value.to_list() == [D(2025, 7, 16), D(2026, 3, 10), D(2025, 3, 11)]


def test_newest_day_of_year():
    s = pl.Series([5, 1, 366, 355], dtype=pl.Int32)  # 5 Jan, 1 Jan, 31 Dec, 20 Dec
    assert yearless.newest_day_of_year(s) == 5
    assert yearless.newest_day_of_year(pl.Series([200], dtype=pl.Int32)) == 200
    assert yearless.newest_day_of_year(pl.Series([], dtype=pl.Int32)) is None


def test_times_of_day_and_leap_days():
    s = pl.Series(["Feb 29, 14:05", "March 1 at 09:30"])
    r = yearless.read(s, "datetime", D(2024, 3, 1))
    assert r.value.to_list() == [dt.datetime(2024, 2, 29, 14, 5, tzinfo=dt.UTC),
                                 dt.datetime(2024, 3, 1, 9, 30, tzinfo=dt.UTC)]
    assert yearless.read(s, "datetime", 2025).value.to_list()[0] is None  # no 29 Feb 2025


CSV = (b'platform,post_id,published_at,likes\n'
       b'tiktok,1,"January 3",4\ntiktok,2,"December 30",5\ntiktok,3,"Feb 29",1\n')


def test_a_file_without_the_year_is_refused_asking_for_it():
    pf = ingest.parse_file(CSV, name="posts.csv")
    assert not pf.ok and pf.needs_year == ["published_at"]
    first = pf.problems[0]
    assert (first.row, first.column) == (None, "published_at")
    assert "give the year of the export's last day" in first.message
    assert "--year" in first.message and "'January 3'" in first.message


def test_with_the_year_the_file_reads_and_says_how():
    pf = ingest.parse_file(CSV, name="posts.csv", year=2026)
    assert pf.needs_year == []
    assert [(p.row, p.column, p.value) for p in pf.problems] == [(4, "published_at", "Feb 29")]
    assert "29 February in a year without one" in pf.problems[0].message
    got = pf.frames["posts"]["published_at"].to_list()
    assert got[:2] == [dt.datetime(2026, 1, 3, tzinfo=dt.UTC),
                       dt.datetime(2025, 12, 30, tzinfo=dt.UTC)]
    assert any("dates without a year read as 2025-12-30 to 2026-01-03" in n for n in pf.notes)


def test_a_year_out_of_range_is_refused():
    pf = ingest.parse_file(CSV, name="posts.csv", year=26)
    assert not pf.ok and "is not a year" in pf.problems[0].message
