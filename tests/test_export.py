"""smmkpi.export: CSV downloads neutralize formula-like cells (OWASP CSV injection)."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from smmkpi.export import safe_csv_bytes, safe_frame
from smmkpi.ingest import parse_file

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def read_back(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # a BOM so that Excel reads UTF-8
    return list(csv.reader(io.StringIO(data[3:].decode("utf-8"), newline="")))


def test_formula_like_text_cells_are_neutralized():
    payloads = [
        "=1+1",
        '=HYPERLINK("http://evil.example","click")',
        "+cmd|' /C calc'!A0",
        "-2+3",
        "@SUM(A1:A2)",
        "\t=1",
        "\r=1",
        "  =1+1",
    ]
    df = pl.DataFrame({"text": payloads})
    rows = read_back(safe_csv_bytes(df))
    assert rows[0] == ["text"]
    assert [r[0] for r in rows[1:]] == ["'" + p for p in payloads]


def test_harmless_text_and_plain_numbers_are_unchanged():
    values = ["hello", "a=b", "x-1", "-12.5", "+3", "1,234.50", "", None]
    rows = read_back(safe_csv_bytes(pl.DataFrame({"i": range(8), "t": values})))
    assert [r[1] for r in rows[1:]] == ["hello", "a=b", "x-1", "-12.5", "+3", "1,234.50", "", ""]


def test_numbers_dates_and_booleans_are_written_as_values():
    df = pl.DataFrame(
        {
            "n": [-5, 3],
            "x": [-1.5, 2.25],
            "d": [date(2026, 3, 1), None],
            "t": [datetime(2026, 3, 1, 14, 5, tzinfo=UTC), None],
            "b": [True, False],
        }
    )
    rows = read_back(safe_csv_bytes(df))
    assert rows[1][:3] == ["-5", "-1.5", "2026-03-01"]
    assert rows[1][3].startswith("2026-03-01T14:05:00")
    assert rows[1][4] == "true"


def test_column_names_and_categoricals_and_lists():
    df = pl.DataFrame({"=cmd": ["=x"], "cat": ["@a"], "l": [["=y"]]}).with_columns(
        pl.col("cat").cast(pl.Categorical)
    )
    rows = read_back(safe_csv_bytes(df))
    assert rows[0] == ["'=cmd", "cat", "l"]
    assert rows[1] == ["'=x", "'@a", "['=y']"]
    assert safe_frame(df).columns == ["'=cmd", "cat", "l"]


def test_a_safe_download_reads_back_into_the_same_data():
    df = pl.DataFrame(
        {
            "order_id": ["=A1", "B2"],
            "customer_id": ["-c1", "c2"],
            "ordered_at": [datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 3, 2, tzinfo=UTC)],
            "revenue": [1.5, 2.0],
        }
    )
    pf = parse_file(safe_csv_bytes(df), name="download.csv")
    assert pf.ok
    # the quote stays part of the text: what a spreadsheet shows as text is what comes back
    assert pf.frames["orders"]["order_id"].to_list() == ["'=A1", "B2"]
    assert pf.frames["orders"]["revenue"].to_list() == [1.5, 2.0]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(max_size=20)), min_size=1, max_size=20))
def test_no_cell_can_start_a_formula(values):
    df = pl.DataFrame(
        {"i": range(len(values)), "v": values}, schema={"i": pl.Int64, "v": pl.String}
    )
    rows = read_back(safe_csv_bytes(df))
    plain_number = re.compile(r"^[+-]?(?:[0-9]+|[0-9]{1,3}(?:,[0-9]{3})+)(?:\.[0-9]+)?$")
    for (_, cell), original in zip(rows[1:], values, strict=True):
        stripped = cell.lstrip(" ")
        if stripped.startswith(DANGEROUS):
            assert plain_number.match(cell), repr(cell)
        if original is not None and cell != original:
            assert cell == "'" + original  # only ever a leading quote is added
