"""TikTok Studio "Overview" export (smmkpi.ingest.formats.tiktok_overview): every value quoted,
`Date` without a year across New Year (English) and in Spanish ("1 de marzo"), read with the
year of the export's last day; refused with a message asking for the year without it."""

from __future__ import annotations

import datetime as dt

import pytest
from socialfixtures import SOCIAL, D, by_day, read_ok, total

from smmkpi.ingest import parse_file

FILE = SOCIAL / "tiktok_overview.csv"


@pytest.mark.parametrize("name", ["tiktok_overview.csv", "tiktok_overview.xlsx"])
def test_overview_across_new_year(name):
    pf = read_ok(SOCIAL / name, year=2026)
    assert pf.fmt == "tiktok_overview"
    days = by_day(pf)
    assert sorted(days) == [D(2025, 12, 30), D(2025, 12, 31), D(2026, 1, 1), D(2026, 1, 2)]
    first = days[D(2026, 1, 1)]
    assert first["platform"] == "tiktok" and first["campaign_id"] is None
    assert (first["impressions"], first["engagements"]) == (2210, 330 + 25 + 17)
    assert total(pf, "impressions") == 1520 + 980 + 2210 + 1405
    assert total(pf, "engagements") == (210 + 12 + 9) + (150 + 8 + 4) + (330 + 25 + 17) + (
        190 + 11 + 6)
    assert pf.mapping["Profile Views"] is None


def test_spanish_month_names():
    pf = read_ok(SOCIAL / "tiktok_overview_es.csv", year=2026)
    days = by_day(pf)
    assert sorted(days) == [D(2026, 2, 27), D(2026, 2, 28), D(2026, 3, 1)]
    assert days[D(2026, 3, 1)]["impressions"] == 1130


def test_the_last_day_itself_decides():
    pf = read_ok(FILE, year=dt.date(2026, 12, 31))
    assert sorted(by_day(pf)) == [D(2026, 1, 1), D(2026, 1, 2), D(2026, 12, 30),
                                  D(2026, 12, 31)]


def test_without_the_year_the_file_asks_for_it():
    pf = parse_file(FILE)
    assert not pf.ok and pf.needs_year == ["Date"]
    (p,) = pf.problems
    assert (p.row, p.column) == (None, "Date")
    assert "give the year of the export's last day" in p.message
