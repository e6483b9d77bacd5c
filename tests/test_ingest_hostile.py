"""Bad data that used to get in and break what came after: years no reader handles, runaway
quotes, non-finite and huge numbers, impossible time-zone offsets, XLSX zip bombs, and a
named pipe in a folder. Each is refused with file, row and column, and nothing is stored."""

from __future__ import annotations

import os
import struct
import threading
import time
import zipfile
import zlib
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest

from smmkpi import datasets
from smmkpi.config import get_settings
from smmkpi.ingest import load_folder, parse_file
from smmkpi.ingest.csvfile import MAX_QUOTED_LINES

ORDERS = "order_id,customer_id,ordered_at,revenue,channel\n"


def problems(data: bytes | str, **kw: object) -> list[tuple[int | None, str | None, str]]:
    """(row, column, message) of every problem of a file given as text or bytes."""
    raw = data.encode() if isinstance(data, str) else data
    pf = parse_file(raw, name="t.csv", **kw)  # type: ignore[arg-type]
    assert not any("internal error" in p.message for p in pf.problems)
    return [(p.row, p.column, p.message) for p in pf.problems]


@pytest.fixture
def settings_env(monkeypatch):
    """Set SMMKPI_* variables for one test (the settings are read again, and again after)."""

    def set_(**env: str) -> None:
        for k, v in env.items():
            monkeypatch.setenv(k, v)
        get_settings.cache_clear()

    yield set_
    monkeypatch.undo()
    get_settings.cache_clear()


# --- 1. years every reader handles -------------------------------------------------------------


def test_timestamps_outside_the_years_are_refused_in_utc():
    got = problems(
        ORDERS
        + "o1,c1,9999-12-31T23:00:00-05:00,1,\n"  # 10000-01-01 04:00 UTC
        + "o2,c1,0001-01-01T00:30:00+01:00,2,\n"  # year 0 in UTC
        + "o3,c1,2200-12-31T23:59:59Z,3,\n"  # the last second allowed
        + "o4,c1,1900-01-01 00:00,4,\n"  # the first
        + "o5,c1,2200-12-31T23:00:00-05:00,5,\n"  # 2201 in UTC
        + "o6,c1,1899-12-31 23:59,6,\n"
    )
    assert [(r, c) for r, c, _ in got] == [(2, "ordered_at"), (3, "ordered_at"),
                                           (6, "ordered_at"), (7, "ordered_at")]
    assert all("outside the years 1900 to 2200 (in UTC)" in m for _, _, m in got)
    assert all("SMMKPI_YEAR_MIN" in m for _, _, m in got)


def test_dates_outside_the_years_are_refused_in_every_layout():
    got = problems(
        "date,platform,positive,neutral,negative\n"
        "0001-01-01,x,1,1,1\n"
        "31.12.9999,x,1,1,1\n"
        "18991231,x,1,1,1\n"
        '"Jan 1, 2201",x,1,1,1\n'
        "2026-03-01,x,1,1,1\n"
    )
    assert [(r, c) for r, c, _ in got] == [(2, "date"), (3, "date"), (4, "date"), (5, "date")]
    assert "(in UTC)" not in got[0][2]


def test_the_year_range_is_a_setting(settings_env):
    settings_env(SMMKPI_YEAR_MIN="2000", SMMKPI_YEAR_MAX="2100")
    got = problems(ORDERS + "o1,c1,2150-01-01T00:00:00Z,1,\no2,c1,1999-12-31,1,\n")
    assert [(r, m.split(";")[0]) for r, _, m in got] == [
        (2, "is outside the years 2000 to 2100 (in UTC)"),
        (3, "is outside the years 2000 to 2100 (in UTC)"),
    ]
    settings_env(SMMKPI_YEAR_MIN="0")
    with pytest.raises(ValueError, match="SMMKPI_YEAR_MIN"):
        get_settings()


def test_refused_values_never_reach_the_frame():
    pf = parse_file((ORDERS + "o1,c1,9999-12-31T23:00:00-05:00,1e309,\n").encode())
    assert not pf.ok
    row = pf.frames["orders"].row(0, named=True)
    assert row["ordered_at"] is None and row["revenue"] is None


# --- 2. runaway quotes -------------------------------------------------------------------------


def _rows(start: int, n: int) -> str:
    return "".join(f"o{i},c1,2026-01-01T00:00:00Z,1,web\n" for i in range(start, start + n))


def test_an_unclosed_quote_that_swallows_the_rest_of_the_file_is_reported():
    text = ORDERS + 'o2,c1,2026-01-01T00:00:00Z,1,"web\n' + _rows(3, 999)
    pf = parse_file(text.encode(), name="t.csv")
    assert not pf.ok
    assert [(p.file, p.row, p.column) for p in pf.problems] == [("t.csv", 2, "channel")]
    message = pf.problems[0].message
    assert "closing quote is missing" in message and "swallowing 999 lines" in message
    assert "ragged" not in message and "values but the header has" not in message


def test_a_quote_closed_rows_later_is_reported_not_taken():
    text = (
        ORDERS
        + 'o2,c1,2026-01-01T00:00:00Z,1,"web\n'
        + _rows(3, 5)
        + 'o8,c1,2026-01-01T00:00:00Z,"1",x\n'  # its first quote closes the runaway value
        + _rows(9, 3)
    )
    got = problems(text)
    assert [(r, c) for r, c, _ in got] == [(2, "channel")]
    assert "swallowed 6 lines, 5 of which look like whole rows" in got[0][2]


def test_a_quoted_value_of_too_many_lines_is_reported():
    text = ORDERS + 'o1,c1,2026-01-01,1,"' + "line\n" * (MAX_QUOTED_LINES + 5) + '"\n'
    got = problems(text + _rows(3, 2))
    assert [(r, c) for r, c, _ in got] == [(2, "channel")]
    assert f"more than {MAX_QUOTED_LINES}" in got[0][2]


def test_an_unclosed_quote_in_the_header_is_reported():
    got = problems('order_id,"customer_id,ordered_at,revenue\no1,c1,2026-01-01,1\n')
    assert [(r, c) for r, c, _ in got] == [(1, None)]
    assert "header whose quote is not closed" in got[0][2]


def test_quoted_values_with_a_few_line_breaks_still_read():
    text = (
        ORDERS
        + 'o1,c1,2026-01-01,1,"Street 1, Apt 2\nSpringfield, IL 62701\nUSA"\n'
        + 'o2,c1,2026-01-01,2,"New post!\n\nLink in bio, 50% off, today only"\n'
        + 'o3,c1,2026-01-01,3,"24"" monitor"\n'
        + "o4,c1,2026-01-01,4,plain\n"
    )
    pf = parse_file(text.encode())
    assert pf.ok, [str(p) for p in pf.problems]
    assert pf.frames["orders"]["channel"].to_list() == [
        "Street 1, Apt 2\nSpringfield, IL 62701\nUSA",
        "New post!\n\nLink in bio, 50% off, today only",
        '24" monitor',
        "plain",
    ]
    assert pf.source_rows["orders"].to_list() == [2, 3, 4, 5]
    assert parse_file(Path(__file__).parent / "data/good/campaigns_multiline.csv").ok


# --- 3. numbers --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, kind",
    [
        ("1e309", "finite"),
        ("-1e309", "finite"),
        ("inf", "finite"),
        ("-inf", "finite"),
        ("nan", "finite"),
        ("NaN", "finite"),
        ("1e308", "large"),
        ("1000000000000.01", "large"),
        ("-5", "negative"),
    ],
)
def test_non_finite_and_huge_amounts_are_refused(value, kind):
    for other in ('"1,000.50"', "1000.50"):  # a thousands comma takes the other code path
        got = problems(ORDERS + f"o1,c1,2026-01-01,{other},\no2,c1,2026-01-01,{value},\n")
        assert [(r, c) for r, c, _ in got] == [(3, "revenue")], (value, other, got)
        expected = {"finite": "is not a finite number", "large": "is too large for this column",
                    "negative": "is negative"}[kind]
        assert expected in got[0][2]


def test_decimal_comma_files_refuse_them_too():
    got = problems(
        "order_id;customer_id;ordered_at;revenue\n"
        "o1;c1;2026-01-01;1.000,50\no2;c1;2026-01-01;1e309\no3;c1;2026-01-01;2.000.000.000.000,00\n"
    )
    assert [(r, c) for r, c, _ in got] == [(3, "revenue"), (4, "revenue")]
    assert "not a finite number" in got[0][2] and "at most 1,000,000,000,000" in got[1][2]


@pytest.mark.parametrize(
    "value, expected",
    [
        ("9223372036854775807", "is too large for this column (at most 1,000,000,000,000)"),
        ("99999999999999999999", "is too large for this column"),
        ("1000000000001", "is too large for this column"),
        ("1e309", "is not a finite number"),
        ("-3", "is negative"),
        ("2.5", "is not a whole number"),
    ],
)
def test_counts_beyond_their_bounds_are_refused(value, expected):
    got = problems(f"date,source,sessions\n2026-01-01,x,7\n2026-01-02,y,{value}\n")
    assert [(r, c) for r, c, _ in got] == [(3, "sessions")]
    assert expected in got[0][2]


def test_the_largest_values_allowed_are_read():
    pf = parse_file(b"date,source,sessions,revenue\n2026-01-01,x,1000000000000,1e12\n")
    assert pf.ok, [str(p) for p in pf.problems]
    assert pf.frames["web_sessions"].row(0, named=True)["sessions"] == 10**12


def test_every_number_column_states_its_bounds():
    for d in datasets.DATASETS.values():
        for c in d.columns:
            if c.type in ("int", "float"):
                assert c.bounds is not None, (d.name, c.name)
                lo, hi = c.bounds
                assert lo <= 0 < hi <= 10**12, (d.name, c.name)
                assert c.nonnegative == (lo >= 0), (d.name, c.name)
            else:
                assert c.bounds is None, (d.name, c.name)


def test_sums_of_a_million_values_at_their_bounds_stay_exact():
    n = 10**6
    counts = pl.Series([int(datasets.COUNTS[1])] * n, dtype=pl.Int64)
    amounts = pl.Series([float(datasets.AMOUNTS[1])] * n, dtype=pl.Float64)
    assert counts.sum() == 10**18  # below 2^63 - 1: no wrap-around
    assert amounts.sum() == 1e18


# --- 4. time-zone offsets ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "stamp",
    [
        "2026-01-01T00:00:00+99:99",
        "2026-01-01T00:00:00+25:00",
        "2026-01-01T00:00:00-13:00",
        "2026-01-01T00:00:00+14:01",
        "2026-01-01T00:00:00+05:60",
        "2026-01-01T00:00:00+2500",
        "2026-01-01 00:00 +99",
        "01/13/2026 10:00 +25:00",
    ],
)
def test_offsets_outside_the_earths_are_refused(stamp):
    got = problems(ORDERS + f"o1,c1,2026-01-01T00:00:00+01:00,1,\no2,c1,{stamp},2,\n")
    assert [(r, c) for r, c, _ in got] == [(3, "ordered_at")]
    assert "time-zone offset outside -12:00 to +14:00" in got[0][2]


def test_offsets_at_the_edges_are_read():
    pf = parse_file(
        (ORDERS + "o1,c1,2026-01-01T14:00:00+14:00,1,\no2,c1,2026-01-01T00:00:00-12:00,2,\n"
         "o3,c1,2026-01-01T05:45:00+05:45,3,\n").encode()
    )
    assert pf.ok, [str(p) for p in pf.problems]
    assert pf.frames["orders"]["ordered_at"].to_list() == [
        datetime(2026, 1, 1, 0, 0, tzinfo=UTC),
        datetime(2026, 1, 1, 12, 0, tzinfo=UTC),
        datetime(2026, 1, 1, 0, 0, tzinfo=UTC),
    ]


# --- nothing half-written ----------------------------------------------------------------------


def test_check_and_import_refuse_them_and_store_nothing(tmp_path, capsys):
    from smmkpi import db, store
    from smmkpi.__main__ import main

    bad = tmp_path / "orders.csv"
    bad.write_text(
        ORDERS
        + "ok,c1,2026-01-01T00:00:00Z,1,\n"
        + "y,c1,9999-12-31T23:00:00-05:00,1,\n"
        + "z,c1,2026-01-01T00:00:00+99:99,1,\n"
        + "n,c1,2026-01-01T00:00:00Z,1e309,\n"
        + 'q,c1,2026-01-01T00:00:00Z,1,"web\n'
        + _rows(100, 50)
    )
    url = f"sqlite:///{tmp_path / 'x.db'}"
    engine = db.make_engine(url)
    db.migrate(engine)
    assert main(["check", str(bad)]) == 2
    err = capsys.readouterr().err
    for row in ("row 3, column 'ordered_at'", "row 4, column 'ordered_at'",
                "row 5, column 'revenue'", "row 6, column 'channel'"):
        assert f"orders.csv, {row}" in err, err
    assert main(["--database", url, "import", str(bad)]) == 2
    assert "nothing stored" in capsys.readouterr().err
    assert store.read_dataset(engine, "orders").height == 0
    db.close_pools()


# --- 5. XLSX zip bombs -------------------------------------------------------------------------

_XLSX_PARTS = {
    "[Content_Types].xml": "<Types/>",
    "xl/workbook.xml": '<workbook><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets>'
    "</workbook>",
}


def _zeros_deflated(mb: int) -> bytes:
    """A raw deflate stream of `mb` MB of zero bytes, built in milliseconds: one fully flushed
    block (no back references into earlier blocks) repeated, then the final block."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = c.compress(bytes(1 << 20)) + c.flush(zlib.Z_FULL_FLUSH)
    return block * mb + c.flush()


def _zip(parts: list[tuple[str, bytes, int, int]]) -> bytes:
    """A zip built by hand: (name, deflated bytes, declared unpacked size, crc) per part; the
    declared sizes go into both the local header and the central directory, as a lying zip
    bomb writes them."""
    out, central = bytearray(), bytearray()
    for name, comp, size, crc in parts:
        offset = len(out)
        n = name.encode()
        out += struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0, crc, len(comp), size,
                           len(n), 0) + n + comp
        central += struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 8, 0, 0, crc,
                               len(comp), size, len(n), 0, 0, 0, 0, 0, offset) + n
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(parts), len(parts), len(central),
                      len(out), 0)
    return bytes(out + central + end)


def _honest(name: str, data: bytes) -> tuple[str, bytes, int, int]:
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return name, c.compress(data) + c.flush(), len(data), zlib.crc32(data)


def _lying_bomb(mb: int) -> bytes:
    """An XLSX whose sheet declares 2.3 KB and inflates to `mb` MB."""
    parts = [_honest(n, x.encode()) for n, x in _XLSX_PARTS.items()]
    return _zip([*parts, ("xl/worksheets/sheet1.xml", _zeros_deflated(mb), 2355, 0)])


def _huge_ratio_sheet(mb: int) -> bytes:
    """An honest XLSX (true sizes and CRCs) whose sheet unpacks to about `mb` MB, almost
    all of it white space between two rows."""
    sheet = (
        '<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>order_id</t></is>'
        "</c></row>" + " " * (mb << 20) + "</sheetData></worksheet>"
    ).encode()
    parts = [_honest(n, x.encode()) for n, x in _XLSX_PARTS.items()]
    return _zip([*parts, _honest("xl/worksheets/sheet1.xml", sheet)])


def test_a_zip_bomb_that_lies_about_its_size_is_refused_by_real_bytes(settings_env):
    settings_env(SMMKPI_MAX_XLSX_UNPACKED_MB="2")
    bomb = _lying_bomb(50)
    with zipfile.ZipFile(__import__("io").BytesIO(bomb)) as z:
        assert sum(i.file_size for i in z.infolist()) < 3000  # what the old guard trusted
    got = problems(bomb)
    assert [(r, c) for r, c, _ in got] == [(None, None)]
    assert "unpacks to more than 2.0 MB" in got[0][2]
    assert "SMMKPI_MAX_XLSX_UNPACKED_MB" in got[0][2] and "whatever sizes" in got[0][2]


def test_an_honest_sheet_that_unpacks_too_far_is_refused(settings_env):
    settings_env(SMMKPI_MAX_XLSX_UNPACKED_MB="3")
    big = _huge_ratio_sheet(5)
    assert len(big) < 100_000  # a ratio of over 50: under any upload limit
    assert "unpacks to more than 3.0 MB" in problems(big)[0][2]
    assert "20 times the upload limit" in problems(big, max_bytes=50_000)[0][2]
    settings_env(SMMKPI_MAX_XLSX_UNPACKED_MB="10")
    assert "unpacks to more than" not in " ".join(m for *_, m in problems(big))


def test_a_two_gigabyte_bomb_is_refused_in_seconds_at_the_real_limits(settings_env):
    settings_env()  # the defaults: 1000 MB, and 20 x the 200 MB upload limit
    bomb = _lying_bomb(2048)
    assert len(bomb) < 3 << 20
    started = time.perf_counter()
    got = problems(bomb)
    assert time.perf_counter() - started < 10
    assert "unpacks to more than 1,000.0 MB" in got[0][2]


def test_zips_with_too_many_parts_or_odd_compression_are_refused():
    parts = [_honest(n, x.encode()) for n, x in _XLSX_PARTS.items()]
    many = _zip(parts + [_honest(f"p{i}", b"") for i in range(10_001)])
    assert "more than 10,000 parts" in problems(many)[0][2]
    odd = bytearray(_zip(parts))
    at = odd.find(b"PK\x01\x02")
    odd[at + 10 : at + 12] = struct.pack("<H", 12)  # bzip2 in the central directory
    assert "compression Excel does not write" in problems(bytes(odd))[0][2]


def test_a_real_workbook_still_reads():
    pf = parse_file(Path(__file__).parent / "data/good/orders_excel.xlsx")
    assert pf.ok, [str(p) for p in pf.problems]


# --- 6. a folder with a named pipe -------------------------------------------------------------


def test_load_folder_names_a_pipe_or_a_folder_and_never_opens_them(tmp_path):
    (tmp_path / "a.csv").write_text(ORDERS + "o1,c1,2026-01-01,1,\n")
    os.mkfifo(tmp_path / "x.csv")
    (tmp_path / "old.csv").mkdir()
    result: list = []
    t = threading.Thread(target=lambda: result.append(load_folder(tmp_path)), daemon=True)
    t.start()
    t.join(30)
    if t.is_alive():  # release the reader blocked on the pipe, then fail
        os.close(os.open(tmp_path / "x.csv", os.O_WRONLY | os.O_NONBLOCK))
        pytest.fail("load_folder opened the named pipe")
    frames, found = result[0]
    assert frames["orders"].height == 1
    assert [(p.file, p.row, p.column) for p in found] == [("old.csv", None, None),
                                                          ("x.csv", None, None)]
    assert "is a folder, not a file" in found[0].message
    assert "is a named pipe, not a file" in found[1].message


def test_report_with_a_pipe_in_the_folder_returns(tmp_path):
    import subprocess
    import sys

    (tmp_path / "a.csv").write_text(ORDERS + "o1,c1,2026-01-01,1,\n")
    os.mkfifo(tmp_path / "x.csv")
    root = Path(__file__).resolve().parent.parent
    run = subprocess.run(
        [sys.executable, "-m", "smmkpi", "report", "--data", str(tmp_path)],
        cwd=root, capture_output=True, text=True, timeout=120,
    )
    assert run.returncode == 2, run.stderr
    assert "x.csv: is a named pipe, not a file" in run.stderr


def test_the_import_command_keeps_its_folder_hint(tmp_path):
    from smmkpi.actions import imports

    with pytest.raises(FileNotFoundError, match="is a folder, not a file .name the files"):
        imports.read_files([tmp_path])
    assert imports.not_a_file(tmp_path / "missing.csv") == "no such file"

