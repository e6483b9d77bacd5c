"""smmkpi.ingest on the corpus in tests/data and on inputs built here.

Expected values are written out by hand from the files (see tests/data/README.md).
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl
import pytest

from smmkpi import datasets
from smmkpi.ingest import (
    MAX_LISTED,
    ParsedFile,
    Problem,
    combine,
    detect_dataset,
    load_folder,
    parse_file,
    problems_frame,
)

DATA = Path(__file__).parent / "data"
GOOD = DATA / "good"
BAD = DATA / "bad"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def assert_valid(pf: ParsedFile) -> None:
    """The contract of parse_file: ok frames match the spec exactly, else problems are listed."""
    assert isinstance(pf, ParsedFile)
    for p in pf.problems:
        assert "internal error" not in p.message, str(p)
    if not pf.ok:
        assert pf.problems, "a file that is not ok must say why"
        return
    assert pf.dataset in pf.frames
    for name, frame in pf.frames.items():
        ds = datasets.get(name)
        assert frame.schema == pl.Schema(ds.schema), name
        for c in ds.columns:
            s = frame[c.name]
            if c.required:
                assert s.null_count() == 0, (name, c.name)
            if c.nonnegative:
                assert not (s < 0).any(), (name, c.name)
            if c.values is not None:
                assert set(s.drop_nulls().to_list()) <= set(c.values), (name, c.name)
        if len(pf.source_rows.get(name, [])) != frame.height:
            raise AssertionError(f"source_rows of {name} do not match the frame")


def parse_ok(path: Path, **kw: object) -> ParsedFile:
    pf = parse_file(path, **kw)  # type: ignore[arg-type]
    assert_valid(pf)
    assert pf.ok, [str(p) for p in pf.problems]
    return pf


def where(pf: ParsedFile) -> list[tuple[int | None, str | None]]:
    return [(p.row, p.column) for p in pf.problems]


# --- good files ----------------------------------------------------------------------------------


def test_canonical_orders():
    pf = parse_ok(GOOD / "orders_canonical.csv")
    assert (pf.dataset, pf.fmt, pf.encoding, pf.delimiter, pf.rows) == (
        "orders",
        "canonical",
        "utf-8",
        ",",
        3,
    )
    assert pf.frames["orders"].rows() == [
        ("A-1001", "c-001", utc(2026, 3, 1, 9, 15), 49.9, "instagram"),
        ("A-1002", "c-002", utc(2026, 3, 1, 18, 40), 120.0, None),
        ("A-1003", "c-001", utc(2026, 3, 14, 11, 5, 30), 15.5, "email"),
    ]
    assert pf.source_rows["orders"].to_list() == [2, 3, 4]
    assert pf.mapping == {
        c: c for c in ("order_id", "customer_id", "ordered_at", "revenue", "channel")
    }


def test_european_export_cp1252_semicolons_decimal_commas():
    pf = parse_ok(GOOD / "orders_semicolon_cp1252.csv")
    assert (pf.encoding, pf.delimiter) == ("cp1252", ";")
    assert pf.mapping == {
        "Order ID": "order_id",
        "Customer": "customer_id",
        "Order date": "ordered_at",
        "Total": "revenue",
        "Channel": "channel",
    }
    # 13/03/2026 can only be day first, so 01/03/2026 is 1 March and 02/04/2026 is 2 April
    assert pf.frames["orders"].rows() == [
        ("F-1", "Zoë Müller", utc(2026, 3, 1, 14, 5), 1234.56, "Réseaux sociaux"),
        ("F-2", "José Núñez", utc(2026, 3, 13, 9, 0), 12.5, None),
        ("F-3", "Zoë Müller", utc(2026, 4, 2), 0.99, "Newsletter"),
    ]
    assert any("decimal commas" in n for n in pf.notes)
    assert any("DD/MM/YYYY" in n for n in pf.notes)


def test_bom_tab_us_dates_with_am_pm():
    pf = parse_ok(GOOD / "orders_bom_tab_us.csv")
    assert (pf.encoding, pf.delimiter) == ("utf-8-sig", "\t")
    # 3/13/2026 can only be month first; 2:05 PM = 14:05, 12:30 AM = 00:30, 11:59 PM = 23:59
    assert pf.frames["orders"].rows() == [
        ("U-1", "c1", utc(2026, 3, 1, 14, 5), 1250.0, None),
        ("U-2", "c2", utc(2026, 3, 13, 0, 30), 80.0, None),
        ("U-3", "c3", utc(2026, 12, 31, 23, 59), 5.25, None),
    ]
    assert any("MM/DD/YYYY" in n for n in pf.notes)


def test_xlsx_with_offset_header_and_blank_row():
    pf = parse_ok(GOOD / "orders_excel.xlsx")
    assert pf.encoding == "xlsx"
    # 46082.5 days after 1899-12-30 = 2026-03-01 12:00; 46083.25 = 2026-03-02 06:00
    assert pf.frames["orders"].rows() == [
        ("X-1", "c1", utc(2026, 3, 1, 12, 0), 49.9, "instagram"),
        ("X-2", "c2", utc(2026, 3, 2, 6, 0), 120.0, None),
        ("X-3", "c1", utc(2026, 3, 3, 14, 5), 15.5, "email"),
    ]
    # header on sheet row 2, data on 3 and 4, row 5 blank, row 6 data
    assert pf.source_rows["orders"].to_list() == [3, 4, 6]


def test_aliases_blank_lines_and_trailing_empty_columns():
    pf = parse_ok(GOOD / "social_daily_aliases.csv")
    assert pf.mapping["Day"] == "date"
    assert pf.mapping["Views"] == "impressions"
    assert pf.mapping["Amount Spent"] == "spend"
    assert pf.rows == 3  # the blank line and the row of bare commas are not data
    assert pf.frames["social_daily"].rows() == [
        (date(2026, 3, 1), "instagram", "spring", 1200, 900, 45, 30, 10500, 2, 1, 25.0,
         None, None, None),
        (date(2026, 3, 1), "facebook", None, 800, 600, 12, 8, 4200, 1, 0, 0.0,
         None, None, None),
        (date(2026, 3, 2), "instagram", "spring", 1500, 1000, 60, 41, 10530, 3, 1, 30.5,
         None, None, None),
    ]
    assert pf.source_rows["social_daily"].to_list() == [2, 4, 6]


def test_quoted_line_breaks_and_compact_dates():
    pf = parse_ok(GOOD / "campaigns_multiline.csv")
    rows = pf.frames["campaigns"].rows()
    assert rows[0] == (
        "spring",
        'Spring launch,\nphase "one"',
        "traffic",
        "instagram",
        date(2026, 3, 1),
        date(2026, 3, 31),
        1500.0,
        "Ana",
    )
    assert rows[1] == ("care", "Reply faster", "support", None, date(2026, 3, 15), None, None, None)
    assert rows[2][2:4] == ("sales_spike", "tiktok")
    assert rows[2][7] == "Bo\nJensen"
    # a quoted line break does not start a spreadsheet row
    assert pf.source_rows["campaigns"].to_list() == [2, 3, 4]


def test_booleans_and_excel_serial_dates():
    pf = parse_ok(GOOD / "customers_booleans.csv")
    assert pf.frames["customers"].rows() == [
        ("c1", "Organic Social", True, date(2026, 3, 1)),  # serial 46082
        ("c2", "Email", False, date(2026, 3, 2)),
        ("c3", None, True, date(2026, 3, 15)),
        ("c4", "Paid Social", False, None),
        ("c5", "Direct", True, date(2026, 3, 17)),
        ("c6", "Referral", False, date(2026, 3, 18)),
    ]
    assert any("Excel serial" in n for n in pf.notes)


def test_time_zones_become_utc():
    pf = parse_ok(GOOD / "conversations_zones.csv")
    assert pf.frames["conversations"].rows() == [
        # 10:00 at +02:00 = 08:00 UTC
        (
            "t1",
            "instagram",
            utc(2026, 3, 1, 8),
            "question",
            "neutral",
            utc(2026, 3, 1, 8, 30),
            None,
            None,
        ),
        # no zone = UTC; 09:45 at -05:00 = 14:45 UTC
        (
            "t2",
            "x",
            utc(2026, 3, 1, 9),
            "complaint",
            "negative",
            utc(2026, 3, 1, 14, 45),
            utc(2026, 3, 2, 10),
            "spring",
        ),
        (
            "t3",
            "facebook",
            datetime(2026, 3, 2, 12, 0, 0, 250000, tzinfo=UTC),
            "praise",
            "positive",
            None,
            None,
            None,
        ),
    ]


def test_empty_optional_key_is_null():
    pf = parse_ok(GOOD / "kpi_targets.csv")
    assert pf.frames["kpi_targets"].rows() == [
        (None, "sessions", date(2026, 3, 1), date(2026, 3, 31), 12000.0),
        ("spring", "social_sessions", date(2026, 3, 1), date(2026, 3, 31), 3000.0),
    ]


def test_sep_line_and_dotted_dates():
    pf = parse_ok(GOOD / "mentions_sep_line.csv")
    assert pf.delimiter == ";"
    assert pf.frames["mentions"].rows() == [
        (date(2026, 3, 1), "x", 12, 40, 3),
        (date(2026, 3, 2), "instagram", 8, 22, 1),
    ]
    assert pf.source_rows["mentions"].to_list() == [3, 4]  # sep= is row 1, header row 2


def test_sep_line_naming_a_multibyte_delimiter_is_sniffed_instead():
    # found by test_mutated_good_files_never_raise: 'sep=\x80' is 'sep=€' in cp1252, and the
    # CSV reader splits on one byte only (it was an internal error)
    data = (GOOD / "mentions_sep_line.csv").read_bytes().replace(b"sep=;", b"sep=\x80", 1)
    pf = parse_ok(data)
    assert pf.delimiter == ";"
    assert pf.source_rows["mentions"].to_list() == [3, 4]


# --- bad files -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["empty.csv", "whitespace_only.csv"])
def test_empty_files(name):
    pf = parse_file(BAD / name)
    assert_valid(pf)
    assert [str(p) for p in pf.problems] == [
        f"{name}: the file is empty (expected a header row and at least one data row)"
    ]


def test_header_without_rows():
    pf = parse_file(BAD / "header_only.csv")
    assert_valid(pf)
    assert pf.dataset == "orders"
    assert [p.message for p in pf.problems] == ["the file has a header but no data rows"]


def test_missing_required_columns_lists_missing_and_found():
    pf = parse_file(BAD / "missing_required.csv")
    assert_valid(pf)
    assert pf.dataset == "orders"
    assert where(pf) == [(None, "ordered_at"), (None, "revenue")]
    for p in pf.problems:
        assert "the file's columns are: order_id, customer_id, channel" in p.message
    assert "created at" in pf.problems[0].message  # an accepted alias is shown


def test_unknown_columns_only():
    pf = parse_file(BAD / "unknown_columns.csv")
    assert_valid(pf)
    assert pf.dataset is None
    (p,) = pf.problems
    assert p.row is None
    assert "no dataset recognized from the columns colour, size, price_band" in p.message


def test_bad_values_name_row_column_and_value():
    pf = parse_file(BAD / "bad_values.csv")
    assert_valid(pf)
    assert [(p.row, p.column, p.value) for p in pf.problems] == [
        (3, "ordered_at", "2026-02-30 10:00"),
        (3, "revenue", "abc"),
        (4, "customer_id", None),
        (4, "ordered_at", "yesterday"),
        (4, "revenue", "-5"),
        (5, "ordered_at", "2026-03-04 25:00"),
        (5, "revenue", "1,2,3"),
    ]
    assert str(pf.problems[1]) == (
        "bad_values.csv, row 3, column 'revenue': 'abc' is not a number (expected e.g. 12.50)"
    )
    assert "negative" in pf.problems[4].message
    assert "required" in pf.problems[2].message


def test_bad_categorical_values():
    pf = parse_file(BAD / "bad_categoricals.csv")
    assert_valid(pf)
    assert [(p.row, p.column, p.value) for p in pf.problems] == [
        (3, "kind", "rant"),
        (3, "sentiment", "angry"),
    ]
    assert "question, complaint, praise, suggestion, other" in pf.problems[0].message


def test_ragged_rows():
    pf = parse_file(BAD / "ragged_rows.csv")
    assert_valid(pf)
    ragged = [p for p in pf.problems if p.column is None]
    assert [(p.row, p.message.split(" (")[0]) for p in ragged] == [
        (3, "has 6 values but the header has 5 columns"),
        (4, "has 3 values but the header has 5 columns"),
    ]
    assert 5 not in {p.row for p in pf.problems}  # trailing empty values are fine


def test_duplicate_keys():
    pf = parse_file(BAD / "duplicate_keys.csv")
    assert_valid(pf)
    assert [(p.row, p.column, p.value) for p in pf.problems] == [
        (4, "date, platform", "2026-03-01, x")
    ]
    assert "same key as row 2" in pf.problems[0].message
    assert "1 exact duplicate rows dropped (rows 3)" in pf.notes


def test_ambiguous_dates_refused_until_date_order_is_given():
    pf = parse_file(BAD / "ambiguous_dates.csv")
    assert_valid(pf)
    (p,) = pf.problems
    assert (p.row, p.column, p.value) == (None, "date", "03/04/2026")
    assert "date_order" in p.message
    assert pf.ambiguous_dates == ["date"]  # for the page: ask day or month first
    dmy = parse_ok(BAD / "ambiguous_dates.csv", date_order="dmy")
    assert dmy.frames["mentions"]["date"].to_list() == [date(2026, 4, 3), date(2026, 5, 4)]
    mdy = parse_ok(BAD / "ambiguous_dates.csv", date_order="mdy")
    assert mdy.frames["mentions"]["date"].to_list() == [date(2026, 3, 4), date(2026, 4, 5)]


def test_mixed_date_orders():
    pf = parse_file(BAD / "mixed_date_orders.csv")
    assert_valid(pf)
    assert pf.problems[0].column == "date"
    assert "mix day-first and month-first" in pf.problems[0].message


@pytest.mark.parametrize(
    ("name", "text"),
    [("binary.csv", "looks like a PNG image"), ("nul_bytes.csv", "binary file")],
)
def test_binary_files(name, text):
    pf = parse_file(BAD / name)
    assert_valid(pf)
    (p,) = pf.problems
    assert text in p.message


def test_row_numbers_count_comments_blank_lines_not_quoted_breaks():
    pf = parse_file(BAD / "row_numbers.csv")
    assert_valid(pf)
    # row 1, 2: comments; 3: header; 4: data; 5: blank; 6: data with a quoted line break; 7
    assert [(p.row, p.column, p.value) for p in pf.problems] == [(7, "neutral", "two")]


def test_row_numbers_with_crlf_and_quoted_breaks_everywhere():
    text = (
        'date,path,visitors\r\n2026-03-01,"a >\r\nb",1\r\n\r\n'
        '2026-03-02,"c\r\n>\r\nd",2\r\n2026-03-03,e,x\r\n'
    )
    pf = parse_file(text.encode(), name="j.csv")
    # rows: 1 header, 2 "a > b" (two lines), 3 blank, 4 "c > d" (three lines), 5 the bad one
    assert [(p.row, p.column) for p in pf.problems] == [(5, "visitors")]


def test_negative_numbers_refused():
    pf = parse_file(BAD / "negative_numbers.csv")
    assert_valid(pf)
    assert [(p.row, p.column, p.value) for p in pf.problems] == [(2, "conversions", "-1")]


def test_xlsx_problems_use_sheet_rows():
    pf = parse_file(BAD / "orders_excel_bad.xlsx")
    assert_valid(pf)
    assert [(p.row, p.column, p.value) for p in pf.problems] == [
        (4, "revenue", "lots"),
        (5, "customer_id", None),
    ]


# --- inputs built here ---------------------------------------------------------------------------

ORDERS_CSV = b"order_id,customer_id,ordered_at,revenue\nA1,c1,2026-03-01,1\n"


def test_sources_bytes_file_path_and_str():
    assert parse_file(ORDERS_CSV).name == "upload"
    assert parse_file(io.BytesIO(ORDERS_CSV), name="x.csv").name == "x.csv"
    assert parse_file(str(GOOD / "orders_canonical.csv")).ok
    pf = parse_file(GOOD / "nope.csv")
    assert "cannot read the file" in pf.problems[0].message


def test_size_limit():
    pf = parse_file(ORDERS_CSV, name="big.csv", max_bytes=20)
    assert [str(p) for p in pf.problems] == [
        "big.csv: the file is larger than the limit of 20 bytes (a setting: "
        "SMMKPI_MAX_UPLOAD_MB); split it or raise the limit"
    ]
    assert not parse_file(io.BytesIO(ORDERS_CSV), max_bytes=20).ok
    assert not parse_file(GOOD / "orders_canonical.csv", max_bytes=20).ok
    assert parse_file(ORDERS_CSV, max_bytes=len(ORDERS_CSV)).ok


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "latin-1", "utf-8-sig"])
def test_encodings(encoding):
    text = "order_id,customer_id,ordered_at,revenue\nA1,Zoë Ærø,2026-03-01,1\n"
    pf = parse_file(text.encode(encoding))
    assert pf.ok
    assert pf.frames["orders"]["customer_id"].to_list() == ["Zoë Ærø"]


def test_latin1_bytes_that_cp1252_cannot_decode():
    pf = parse_file(b"order_id,customer_id,ordered_at,revenue\nA1,\x81x,2026-03-01,1\n")
    assert pf.encoding == "latin-1"
    assert pf.frames["orders"]["customer_id"].to_list() == ["\x81x"]


def test_old_mac_line_ends_and_white_space():
    pf = parse_file(b"order_id,customer_id,ordered_at,revenue\r A1 , c1 ,2026-03-01 , 1 \r")
    assert pf.ok
    assert pf.frames["orders"].rows() == [("A1", "c1", utc(2026, 3, 1), 1.0, None)]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-03-01T14:05:00Z", utc(2026, 3, 1, 14, 5)),
        ("2026-03-01 14:05", utc(2026, 3, 1, 14, 5)),
        ("2026-03-01T14:05:09.5+01:00", datetime(2026, 3, 1, 13, 5, 9, 500000, tzinfo=UTC)),
        ("2026-03-01 14:05:00 +0530", utc(2026, 3, 1, 8, 35)),
        ("2026-03-01T14:05:00-05", utc(2026, 3, 1, 19, 5)),
        ("2026-03-01 14:05 UTC", utc(2026, 3, 1, 14, 5)),
        ("3/1/2026 2:05 PM", utc(2026, 3, 1, 14, 5)),
        ("03/01/2026 12:00 AM", utc(2026, 3, 1, 0, 0)),
        ("20260301", utc(2026, 3, 1)),
        ("2026/03/01", utc(2026, 3, 1)),
        ("Mar 1, 2026 2:05 PM", utc(2026, 3, 1, 14, 5)),
        ("1 March 2026", utc(2026, 3, 1)),
        ("46082.5868055556", utc(2026, 3, 1, 14, 5)),  # Excel serial: 0.5868055556 d = 14:05
        ("2024-02-29", utc(2024, 2, 29)),
    ],
)
def test_timestamp_layouts(value, expected):
    # month-first is given: "3/1/2026" alone is ambiguous
    csv = f'order_id,customer_id,ordered_at,revenue\nA1,c1,"{value}",1\n'.encode()
    pf = parse_file(csv, date_order="mdy")
    assert pf.ok, [str(p) for p in pf.problems]
    assert pf.frames["orders"]["ordered_at"][0] == expected


@pytest.mark.parametrize(
    "value",
    ["2025-02-29", "2026-13-01", "2026-03-01 24:00", "13:00 PM 3/1/2026", "1/1/2026 0:30 PM"],
)
def test_impossible_timestamps(value):
    csv = f"order_id,customer_id,ordered_at,revenue\nA1,c1,{value},1\n".encode()
    pf = parse_file(csv, date_order="mdy")
    assert [(p.row, p.column, p.value) for p in pf.problems] == [(2, "ordered_at", value)]


@pytest.mark.parametrize(
    ("values", "delimiter", "expected"),
    [
        (["12.50", "1,234.56", "1 000"], ",", [12.5, 1234.56, 1000.0]),
        (["12,50", "1.234,56", "1 000"], ";", [12.5, 1234.56, 1000.0]),
        (["1.234", "2.500"], ";", [1234.0, 2500.0]),  # semicolon file, no decimal shown: grouping
        (["1.234", "2.5"], ";", [1.234, 2.5]),  # 2.5 shows the decimal point
        (["€12", "$3,5", "1\u00a0234,5"], ";", [12.0, 3.5, 1234.5]),
        (["1e3", "+2", ".5"], ",", [1000.0, 2.0, 0.5]),
    ],
)
def test_number_layouts(values, delimiter, expected):
    d = delimiter
    lines = [f"order_id{d}customer_id{d}ordered_at{d}revenue"]
    lines += [f'A{i}{d}c{d}2026-03-01{d}"{v}"' for i, v in enumerate(values)]
    pf = parse_file(("\n".join(lines) + "\n").encode())
    assert pf.ok, [str(p) for p in pf.problems]
    assert pf.frames["orders"]["revenue"].to_list() == pytest.approx(expected)


@pytest.mark.parametrize("value", ["abc", "1.2.3", "inf", "NaN", "12,5,0", "--1"])
def test_not_numbers(value):
    csv = f'order_id,customer_id,ordered_at,revenue\nA1,c1,2026-03-01,"{value}"\n'.encode()
    pf = parse_file(csv)
    assert [(p.row, p.column, p.value) for p in pf.problems] == [(2, "revenue", value)]


def test_integers_must_be_whole():
    csv = b"date,path,visitors\n2026-03-01,a,12.0\n2026-03-02,a,1.5\n"
    pf = parse_file(csv)
    assert [(p.row, p.column, p.value) for p in pf.problems] == [(3, "visitors", "1.5")]
    assert "whole number" in pf.problems[0].message


@pytest.mark.parametrize(
    ("text", "expected"),
    [("TRUE", True), ("false", False), ("Yes", True), ("no", False), ("1", True), ("0", False)],
)
def test_booleans(text, expected):
    pf = parse_file(f"customer_id,follows_on_social\nc1,{text}\n".encode())
    assert pf.frames["customers"]["follows_on_social"].to_list() == [expected]


def test_problems_are_capped_with_a_total():
    rows = "".join(f"A{i},c,2026-03-01,bad\n" for i in range(2500))
    pf = parse_file(("order_id,customer_id,ordered_at,revenue\n" + rows).encode(), name="x.csv")
    assert pf.problem_count == 2500
    assert len(pf.problems) == MAX_LISTED + 1
    assert pf.problems[0].row == 2
    assert pf.problems[MAX_LISTED - 1].row == MAX_LISTED + 1
    assert pf.problems[-1].message == "... and 1,500 more problems not listed (2,500 in all)"


def test_problem_text():
    p = Problem("orders.csv", 7, "revenue", "abc", "is not a number (expected e.g. 12.50)")
    assert str(p) == (
        "orders.csv, row 7, column 'revenue': 'abc' is not a number (expected e.g. 12.50)"
    )
    assert (
        str(Problem("a.csv", None, None, None, "the file is empty")) == "a.csv: the file is empty"
    )
    frame = problems_frame([p])
    assert frame.rows() == [
        ("orders.csv", 7, "revenue", "abc", "is not a number (expected e.g. 12.50)")
    ]


def test_forced_dataset_and_mapping():
    csv = b"id,who,when,amount,colour\nA1,c1,2026-03-01,5,red\n"
    pf = parse_file(csv)
    assert pf.dataset == "orders"
    assert pf.mapping == {
        "id": "order_id",
        "who": None,
        "when": None,
        "amount": "revenue",
        "colour": None,
    }
    assert not pf.ok
    fixed = parse_file(csv, mapping={"who": "customer_id", "when": "ordered_at"})
    assert fixed.ok
    assert fixed.frames["orders"].rows() == [("A1", "c1", utc(2026, 3, 1), 5.0, None)]
    # a mapping can also drop a column, and it is checked
    bad = parse_file(csv, mapping={"nothere": "order_id", "who": "no_such_column"})
    assert [(p.column, p.value) for p in bad.problems][:2] == [
        ("nothere", None),
        ("who", "no_such_column"),
    ]
    forced = parse_file(b"customer_id\nc1\n", dataset="orders")
    assert forced.dataset == "orders"
    assert {p.column for p in forced.problems} == {"order_id", "ordered_at", "revenue"}
    assert "unknown dataset" in parse_file(csv, dataset="nope").problems[0].message


def test_unnamed_column_with_values_is_ignored_with_a_note():
    pf = parse_file(b"order_id,customer_id,ordered_at,revenue,\nA1,c1,2026-03-01,1,zzz\n")
    assert pf.ok
    assert any("(unnamed column E) has values but no header" in n for n in pf.notes)


def test_detect_dataset_scores():
    best, scores = detect_dataset(["date", "platform", "positive", "neutral", "negative"])
    assert best == "mentions"
    assert scores[0] == ("mentions", 1.0)  # J = 5/5, all required: 1.0 * (1 + 1) / 2
    assert detect_dataset(["colour"])[0] is None
    # half the required columns of orders: orders, with the rest reported missing
    assert detect_dataset(["order_id", "customer_id"])[0] == "orders"


def test_preview_keeps_file_headers():
    pf = parse_file(GOOD / "orders_semicolon_cp1252.csv")
    assert pf.preview is not None
    assert pf.preview.columns == ["Order ID", "Customer", "Order date", "Total", "Channel"]
    assert pf.preview["Total"].to_list() == ["1.234,56", "12,50", "0,99"]


# --- folders and several files -------------------------------------------------------------------


def test_combine_concatenates_and_checks_keys_across_files(tmp_path):
    a = tmp_path / "a.csv"
    b = tmp_path / "b.csv"
    a.write_text(
        "order_id,customer_id,ordered_at,revenue\nA1,c1,2026-03-01,1\nA2,c2,2026-03-01,2\n"
    )
    b.write_text(
        "order_id,customer_id,ordered_at,revenue\nA1,c1,2026-03-01,1\nA2,c9,2026-03-01,2\n"
    )
    frames, problems = load_folder(tmp_path)
    # A1 repeats exactly (kept once); A2 differs: a problem naming both places
    assert frames["orders"]["order_id"].to_list() == ["A1", "A2", "A2"]
    assert [(p.file, p.row, p.column, p.value) for p in problems] == [
        ("b.csv", 3, "order_id", "A2")
    ]
    assert "a.csv row 3" in problems[0].message


def test_combine_leaves_out_files_with_problems():
    ok = parse_file(GOOD / "orders_canonical.csv")
    bad = parse_file(BAD / "bad_values.csv")
    frames, problems = combine([ok, bad])
    assert frames["orders"].height == 3
    assert len(problems) == len(bad.problems)


def test_load_folder_reads_the_good_corpus():
    frames, problems = load_folder(GOOD)
    assert problems == []
    # orders: 3 canonical + 3 cp1252 + 3 US + 3 xlsx + 3 Shopify + 3 + 2 WooCommerce;
    # customers: 6 + 2 from Shopify + 2 + 2 from WooCommerce
    assert frames["orders"].height == 20
    assert frames["customers"].height == 12
    for name, frame in frames.items():
        assert frame.schema == pl.Schema(datasets.get(name).schema)


def test_zip_files_that_are_not_workbooks(tmp_path):
    import zipfile

    z = tmp_path / "a.zip"
    with zipfile.ZipFile(z, "w") as f:
        f.writestr("orders.csv", "order_id\n1\n")
    assert "not an XLSX workbook" in parse_file(z).problems[0].message
    assert "damaged" in parse_file(b"PK\x03\x04 not really a zip").problems[0].message
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as f:
        f.writestr("xl/workbook.xml", "<workbook/>")
        f.writestr("xl/worksheets/sheet1.xml", " " * (3 << 20))
    pf = parse_file(bomb, max_bytes=100_000)  # 3 MB expanded > 20 x 100 kB
    assert "unpacks to more than 1.9 MB (20 times the upload limit" in pf.problems[0].message
    assert "cannot be read" in parse_file(bomb, max_bytes=1 << 20).problems[0].message


def test_an_unlabelled_totals_row_is_dropped_only_when_it_sums_the_others():
    """A summary row with every text and date column empty, first or last, whose numbers
    are the sums of the other rows: dropped with a note, never counted. Any other row with
    empty dimensions is a problem, as before."""
    csv = ("date,platform,impressions,spend\n"
           "2026-03-01,x,100,1.50\n2026-03-02,x,250,2.25\n,,350,3.75\n")
    pf = parse_file(csv.encode())
    assert pf.ok, [str(p) for p in pf.problems]
    assert pf.frames["social_daily"]["impressions"].to_list() == [100, 250]
    (note,) = [n for n in pf.notes if "total row dropped" in n]
    assert note.startswith("1 total row dropped, not counted (row 4): no label")
    assert "impressions 350, spend 3.75" in note
    # not the sum: a row without its date, reported
    wrong = csv.replace(",,350,3.75", ",,351,3.75")
    assert [(p.row, p.column) for p in parse_file(wrong.encode()).problems] == [
        (4, "date"), (4, "platform")]


def test_a_description_row_under_the_header_is_no_data():
    csv = ("Date,Platform,Impressions,Reach\n"
           "The day,Where it was posted,Lifetime: The number of times your content was seen,"
           "Lifetime: The number of people who saw it\n"
           "2026-03-01,x,100,80\n2026-03-02,x,120,90\n")
    pf = parse_file(csv.encode())
    assert pf.ok, [str(p) for p in pf.problems]
    assert pf.frames["social_daily"]["impressions"].to_list() == [100, 120]
    assert pf.source_rows["social_daily"].to_list() == [3, 4]
    assert any(n.startswith("row 2 describes the columns (Impressions: 'Lifetime: The number")
               for n in pf.notes)
    # one word where a number belongs is a bad value, not a description
    bad = csv.replace("Lifetime: The number of people who saw it", "lots")
    assert parse_file(bad.encode()).problems


def test_a_bad_first_row_is_never_taken_for_a_description():
    csv = ('order_id,customer_id,ordered_at,revenue\n'
           'A-1,c-1,2026-03-01T10:00:00Z,"=HYPERLINK(""http://evil.example"",""click"")"\n'
           'A-2,c-2,2026-03-01T11:00:00Z,12\n')
    assert [(p.row, p.column) for p in parse_file(csv.encode()).problems] == [(2, "revenue")]
    words = csv.replace('"=HYPERLINK(""http://evil.example"",""click"")"', "twelve euros")
    assert [(p.row, p.column) for p in parse_file(words.encode()).problems] == [(2, "revenue")]
