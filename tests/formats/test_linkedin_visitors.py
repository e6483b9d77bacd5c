"""LinkedIn Page visitors export (smmkpi.ingest.formats.linkedin_visitors): the 25
published columns (Date; Overview, Life, Jobs and Total page views and unique visitors,
each desktop, mobile and total) under a description line, text and Excel dates, as XLS
(as LinkedIn downloads it) and XLSX. The Page's total page views become page_views, its
total unique visitors unique_visitors; imported with the followers export of the same
days, each day keeps both."""

from __future__ import annotations

import pytest
from socialfixtures import SOCIAL, D, by_day, read_ok, total

from smmkpi.ingest import combine, parse_file

DAYS = [D(2026, 11, 1), D(2026, 11, 2), D(2026, 11, 3), D(2026, 11, 4)]


@pytest.mark.parametrize("suffix", ["xls", "xlsx"])
def test_page_views_and_unique_visitors_per_day(suffix):
    pf = read_ok(SOCIAL / f"linkedin_visitors.{suffix}")
    assert pf.fmt == "linkedin_visitors"
    assert f"read as {suffix.upper()}, sheet 'Visitor metrics'" in pf.notes
    days = by_day(pf)
    assert sorted(days) == DAYS
    # Total page views (total): overview + life + jobs, desktop + mobile, summed by hand
    # (12+20+3+2+4+2 = 43, 8+11+0+1+2+0 = 22, 1, 25+30+5+6+7+3 = 76)
    assert [days[d]["page_views"] for d in DAYS] == [43, 22, 1, 76]
    assert [days[d]["unique_visitors"] for d in DAYS] == [25, 16, 1, 46]
    assert (total(pf, "page_views"), total(pf, "unique_visitors")) == (142, 88)
    for row in days.values():
        assert row["platform"] == "linkedin" and row["new_followers"] is None
        assert row["impressions"] is None and row["followers"] is None
    assert pf.mapping["Total page views (total)"] == "page_views"
    assert pf.mapping["Overview page views (total)"] is None  # a tab: part of the total


def test_without_the_total_column_desktop_and_mobile_are_summed():
    text = ("Visitor metrics\nDate,Total page views (desktop),Total page views (mobile),"
            "Total unique visitors (desktop),Total unique visitors (mobile)\n"
            "11/01/2026,19,24,11,15\n")
    pf = read_ok(text.encode(), name="visitors.csv")
    (row,) = pf.frames["social_daily"].iter_rows(named=True)
    # unique visitors never summed over devices: a person may use both
    assert (row["page_views"], row["unique_visitors"]) == (43, None)


def test_only_tab_columns_is_refused_with_what_to_export():
    text = ("Visitor metrics\nDate,Overview page views (desktop),Overview page views (mobile),"
            "Overview page views (total)\n11/01/2026,12,20,32\n")
    pf = parse_file(text.encode(), name="visitors.csv")
    assert pf.fmt == "linkedin_visitors" and not pf.ok
    (p,) = pf.problems
    assert (p.file, p.row, p.column) == ("visitors.csv", None, "Overview page views (total)")
    assert "no 'Total page views' columns" in p.message
    assert "Analytics, Visitors, Export" in p.message


def test_with_the_followers_export_each_day_is_one_row():
    frames, problems = combine([parse_file(SOCIAL / n) for n in
                                ("linkedin_followers.xls", "linkedin_visitors.xlsx")])
    assert problems == []
    days = {r["date"]: r for r in frames["social_daily"].iter_rows(named=True)}
    assert sorted(days) == DAYS
    assert [(days[d]["new_followers"], days[d]["page_views"]) for d in DAYS] == [
        (4, 43), (6, 22), (0, 1), (8, 76)]


def test_imported_one_after_the_other_neither_blanks_the_other(engine):
    """The followers export, then the visitors export in a later import, over a stored
    follower count (SQLite and PostgreSQL): every column survives."""
    import polars as pl

    from smmkpi import datasets as ds
    from smmkpi import store

    spec = ds.get("social_daily")
    count = pl.DataFrame({"date": [D(2026, 11, 2)], "platform": ["linkedin"],
                          "followers": [812]}).with_columns(
        [pl.lit(None, dtype=t).alias(c) for c, t in spec.schema.items()
         if c not in ("date", "platform", "followers")]).select(spec.names).cast(spec.schema)
    store.write_frames(engine, {"social_daily": count})
    for name in ("linkedin_followers.xlsx", "linkedin_visitors.xlsx"):
        store.write_frames(engine, parse_file(SOCIAL / name).frames)
    got = store.read_dataset(engine, "social_daily", DAYS[0], DAYS[-1])
    days = {r["date"]: r for r in got.iter_rows(named=True)}
    assert len(days) == 4
    nov2 = days[D(2026, 11, 2)]
    assert (nov2["followers"], nov2["new_followers"], nov2["page_views"],
            nov2["unique_visitors"]) == (812, 6, 22, 16)
    assert days[D(2026, 11, 1)]["followers"] is None  # missing stays missing
    assert sum(r["new_followers"] for r in days.values()) == 18
    assert sum(r["page_views"] for r in days.values()) == 142
