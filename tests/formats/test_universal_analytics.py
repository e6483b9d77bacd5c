"""Universal Analytics exports in the interface's language
(smmkpi.ingest.formats.universal_analytics)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from smmkpi.ingest import parse_file
from smmkpi.ingest.formats import detect_format
from smmkpi.ingest.formats.universal_analytics import symbols

GOOD = Path(__file__).parent.parent / "data" / "good"


def test_dutch_source_medium_export():
    pf = parse_file(GOOD / "ua_source_medium_nl.csv")
    assert pf.ok, [str(p) for p in pf.problems]
    assert (pf.fmt, pf.dataset) == ("ua_report", "web_sessions")
    # "2.546" is 2546 sessions in Dutch, "€ 1.234,56" is 1234.56; "99,88%" is not read
    assert pf.frames["web_sessions"].rows() == [
        (date(2020, 1, 1), "google", "organic", None, 2546, None, 12, 1234.56, None),
        (date(2020, 1, 1), "(direct)", "(none)", None, 950, None, 4, 310.0, None),
        (date(2020, 1, 2), "google", "organic", None, 1200, None, 3, 99.9, None),
    ]
    assert any("(nl: numbers read with ',' as decimal and '.' as group symbol)" in n
               for n in pf.notes)
    assert any("lines after the first table ignored" in n for n in pf.notes)
    assert pf.mapping["Bouncepercentage"] is None


def test_symbols_come_from_cldr():
    assert symbols("nl") == (",", ".")
    assert symbols("en") == (".", ",")
    assert symbols("fr")[0] == "," and symbols("fr")[1].isspace()


def test_german_export_without_date_over_a_month_is_refused():
    csv = ("# ----------------------------------------\n# Alle Websitedaten\n"
           "# 20200101-20200131\n# ----------------------------------------\n\n"
           "Quelle/Medium,Nutzer,Sitzungen,Absprungrate\n"
           'google / organic,"1.000","1.234","45,10 %"\n')
    pf = parse_file(csv.encode())
    assert pf.fmt == "ua_report"
    (p,) = pf.problems
    assert "covers 20200101 to 20200131" in p.message and "Secondary dimension → Date" in p.message


def test_french_numbers_with_a_narrow_space_group():
    csv = ("Source/Support,Date,Utilisateurs,Sessions,Taux de rebond,Transactions,Revenu\n"
           'google / organic,20200101,"1\u202f100","1\u202f234","45,10 %",3,"12,50 €"\n')
    pf = parse_file(csv.encode())
    assert pf.ok, [str(p) for p in pf.problems]
    assert pf.frames["web_sessions"].rows() == [
        (date(2020, 1, 1), "google", "organic", None, 1234, None, 3, 12.5, None),
    ]


def test_a_bad_number_is_named_not_dropped():
    csv = ("Source / Medium,Date,Users,Sessions\n"
           "google / organic,20200101,10,lots\n")
    (p,) = parse_file(csv.encode()).problems
    assert (p.row, p.column, p.value) == (2, "Sessions", "lots")


@pytest.mark.parametrize(
    "headers",
    [["Source / Medium", "Users", "Sessions"], ["Fuente/Medio", "Usuarios", "Sesiones"]],
)
def test_detect_format(headers):
    assert detect_format(headers, []).name == "ua_report"


def test_an_overview_by_day_index_is_refused_with_what_to_export():
    csv = ("# ----------------------------------------\n# All Web Site Data\n# Audience Overview\n"
           "# 20200101-20200131\n# ----------------------------------------\n\n"
           "Day Index,Sessions\n1/1/20,80\n1/2/20,95\n\n,Sessions\n,175\n")
    pf = parse_file(csv.encode())
    assert pf.fmt == "ua_report"
    (p,) = pf.problems
    assert p.message.startswith("this is a Universal Analytics overview covering 20200101 to "
                                "20200131 (sessions per Day Index, without their traffic source)")
    assert "Source/Medium with Secondary dimension → Date" in p.message
