"""Property-based tests of smmkpi.ingest.parse_file (hypothesis).

1. Random bytes and random mutations of the good corpus: parse_file returns either ok frames
   that match the spec or a non-empty list of problems, never an exception.
2. Round trip: random valid rows written in a random real-world layout (delimiter, encoding,
   decimal comma, date layout, header aliases, blank lines, quoting) read back equal.
"""

from __future__ import annotations

import csv
import io
import os
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_ingest import assert_valid

from smmkpi.ingest import parse_file

GOOD_FILES = sorted((Path(__file__).parent / "data" / "good").glob("*.csv"))
# a longer hunt: SMMKPI_HYPOTHESIS_EXAMPLES=2000 pytest tests/test_ingest_properties.py
EXAMPLES = int(os.environ.get("SMMKPI_HYPOTHESIS_EXAMPLES", "150"))
SETTINGS = settings(
    max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@SETTINGS
@given(st.binary(max_size=2000))
def test_random_bytes_never_raise(data):
    assert_valid(parse_file(data, name="random.bin"))


@pytest.mark.parametrize("header", ["*", "^date$", "^.*$", "__row", "*,date"])
def test_headers_polars_reads_as_patterns_are_plain_columns(header):
    """`*` is every column and `^...$` a pattern to Polars: such a header (found once as
    b'*\\r!') is a column of its own, not an internal error."""
    pf = parse_file(f"{header},sessions\n1,2\n".encode(), name="odd.csv")
    assert_valid(pf)
    assert not any("internal error" in p.message for p in pf.problems)


@SETTINGS
@given(st.text(alphabet=st.sampled_from(list(',;\t"\n\r #=-.:/0123456789abcTZ')), max_size=400))
def test_random_csv_like_text_never_raises(text):
    assert_valid(parse_file(text.encode("utf-8"), name="random.csv"))


@st.composite
def mutated(draw, files: list[Path] = GOOD_FILES):
    path = draw(st.sampled_from(files))
    data = bytearray(path.read_bytes())
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["flip", "insert", "delete", "truncate", "dup_line", "swap"]))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if kind == "flip" and data:
            data[at] = draw(st.integers(0, 255))
        elif kind == "insert":
            data[at:at] = draw(
                st.sampled_from(
                    [
                        b",",
                        b";",
                        b'"',
                        b"\n",
                        b"\r\n",
                        b"\t",
                        b"#",
                        b"-",
                        b"\x00",
                        b"\xff",
                        b"\xc3",
                        b"9" * 20,
                        b"1/13/2026",
                        b"2026-02-30",
                    ]
                )
            )
        elif kind == "delete":
            del data[at : at + draw(st.integers(1, 30))]
        elif kind == "truncate":
            del data[at:]
        elif kind == "dup_line":
            start = data.rfind(b"\n", 0, at) + 1
            end = data.find(b"\n", at)
            end = len(data) if end < 0 else end + 1
            data[end:end] = data[start:end]
        elif kind == "swap":
            data = bytearray(bytes(data).replace(b",", b";", draw(st.integers(1, 5))))
    return path.name, bytes(data)


@SETTINGS
@given(mutated())
def test_mutated_good_files_never_raise(case):
    name, data = case
    assert_valid(parse_file(data, name=name))


# --- round trip ------------------------------------------------------------------------------

_money = st.decimals(min_value=0, max_value=999999, places=2, allow_nan=False)
_stamp = st.datetimes(min_value=datetime(2001, 1, 1), max_value=datetime(2037, 12, 31)).map(
    lambda d: d.replace(microsecond=0)
)
_ident = (
    st.text(alphabet="abcxyzAB019-_ #,\"'é", min_size=1, max_size=12).map(str.strip).filter(bool)
)


@st.composite
def orders_case(draw):
    n = draw(st.integers(1, 12))
    ids = draw(st.lists(_ident, min_size=n, max_size=n, unique=True))
    rows = [
        {
            "order_id": ids[i],
            "customer_id": draw(_ident),
            "ordered_at": draw(_stamp),
            "revenue": draw(_money),
            "channel": draw(st.one_of(st.none(), _ident)),
        }
        for i in range(n)
    ]
    layout = {
        "delimiter": draw(st.sampled_from([",", ";", "\t", "|"])),
        "decimal_comma": draw(st.booleans()),
        "thousands": draw(st.booleans()),
        "stamp": draw(st.sampled_from(["iso_z", "iso_offset", "space", "dmy", "mdy_ampm"])),
        "encoding": draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"])),
        "headers": draw(
            st.sampled_from(
                [
                    ["order_id", "customer_id", "ordered_at", "revenue", "channel"],
                    ["Order ID", "Customer", "Order date", "Total", "Source"],
                    ["ORDER_ID", "client id", "created_at", "Amount", "channel group"],
                ]
            )
        ),
        "blank_every": draw(st.integers(0, 4)),
        "offset_hours": draw(st.integers(-11, 12)),
    }
    return rows, layout


def _render(rows, layout) -> tuple[bytes, str]:
    d = layout["delimiter"]
    decimal = "," if layout["decimal_comma"] else "."
    if decimal == "," and d == ",":
        d = ";"
    thousands = "." if decimal == "," else ","
    out = io.StringIO()
    w = csv.writer(out, delimiter=d, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    w.writerow(layout["headers"])
    offset = timedelta(hours=layout["offset_hours"])
    for i, r in enumerate(rows):
        money = f"{r['revenue']:,.2f}" if layout["thousands"] else f"{r['revenue']:.2f}"
        money = money.replace(",", "\0").replace(".", decimal).replace("\0", thousands)
        t: datetime = r["ordered_at"]
        stamp = {
            "iso_z": t.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "iso_offset": (t + offset).strftime("%Y-%m-%dT%H:%M:%S")
            + f"{'+' if offset >= timedelta(0) else '-'}{abs(layout['offset_hours']):02d}:00",
            "space": t.strftime("%Y-%m-%d %H:%M:%S"),
            "dmy": t.strftime("%d/%m/%Y %H:%M:%S"),
            "mdy_ampm": t.strftime("%m/%d/%Y %I:%M:%S %p"),
        }[layout["stamp"]]
        w.writerow([r["order_id"], r["customer_id"], stamp, money, r["channel"] or ""])
        if layout["blank_every"] and i % layout["blank_every"] == 0:
            out.write(d * 4 + "\r\n" if i % 2 else "\r\n")
    return out.getvalue().encode(layout["encoding"]), layout["stamp"]


@settings(
    max_examples=max(EXAMPLES * 4 // 5, 1),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(orders_case())
def test_round_trip_in_real_world_layouts(case):
    rows, layout = case
    data, stamp = _render(rows, layout)
    # day or month first is only decidable when some day is above 12; say it explicitly
    order = {"dmy": "dmy", "mdy_ampm": "mdy"}.get(stamp)
    pf = parse_file(data, name="orders.csv", date_order=order)  # type: ignore[arg-type]
    assert_valid(pf)
    assert pf.ok, [str(p) for p in pf.problems]
    got = pf.frames["orders"]
    expected = pl.DataFrame(
        {
            "order_id": [r["order_id"] for r in rows],
            "customer_id": [r["customer_id"] for r in rows],
            "ordered_at": [r["ordered_at"].replace(tzinfo=UTC) for r in rows],
            "revenue": [float(r["revenue"]) for r in rows],
            "channel": [r["channel"] for r in rows],
        },
        schema=got.schema,
    )
    assert got.to_dicts() == expected.to_dicts()


@settings(max_examples=max(EXAMPLES * 2 // 5, 1), deadline=None)
@given(
    st.lists(
        st.dates(min_value=date(2001, 1, 1), max_value=date(2037, 12, 31)),
        min_size=1,
        max_size=20,
        unique=True,
    ),
    st.sampled_from(["%Y-%m-%d", "%Y%m%d", "%d.%m.%Y", "%b %d, %Y", "%d %B %Y"]),
)
def test_date_layouts_round_trip(days, layout):
    lines = ["date,platform,positive,neutral,negative"]
    lines += [f'"{d.strftime(layout)}",x,1,2,3' for d in days]
    pf = parse_file(("\n".join(lines) + "\n").encode())
    assert pf.ok, [str(p) for p in pf.problems]
    assert pf.frames["mentions"]["date"].to_list() == days


# --- hostile values ----------------------------------------------------------------------------

_HUGE = st.sampled_from(
    ["1e309", "-1e309", "inf", "-inf", "nan", "NaN", "Infinity", "1e308", "9223372036854775807",
     "99999999999999999999", "1000000000001", "-1", "1" + "0" * 40]
)
_BAD_YEAR = st.one_of(
    st.integers(1, 1899), st.integers(2201, 9999)
).map(lambda y: f"{y:04d}-06-15T12:00:00Z")
_BAD_ZONE = st.one_of(
    st.integers(15, 99).map(lambda h: f"+{h:02d}:00"),
    st.integers(13, 99).map(lambda h: f"-{h:02d}:00"),
    st.integers(60, 99).map(lambda m: f"+01:{m:02d}"),
).map(lambda z: "2026-01-01T00:00:00" + z)
_EDGE_STAMP = st.sampled_from(
    ["9999-12-31T23:00:00-05:00", "0001-01-01T00:30:00+01:00", "2200-12-31T23:00:00-05:00"]
)


@st.composite
def hostile_orders(draw):
    """Good orders with one hostile value put in a random row: (file bytes, its row, column,
    what the message says)."""
    n = draw(st.integers(1, 8))
    rows = [[f"o{i}", "c1", "2026-01-01T00:00:00Z", "1.50", "web"] for i in range(n)]
    at = draw(st.integers(0, n - 1))
    kind = draw(st.sampled_from(["number", "year", "zone", "edge", "quote"]))
    if kind == "number":
        rows[at][3] = draw(_HUGE)
        column = "revenue"
    elif kind == "quote":
        rows[at][4] = '"web'  # never closed: swallows the rows after it
        column = "channel"
    else:
        rows[at][2] = draw({"year": _BAD_YEAR, "zone": _BAD_ZONE, "edge": _EDGE_STAMP}[kind])
        column = "ordered_at"
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    lines = [delimiter.join(["order_id", "customer_id", "ordered_at", "revenue", "channel"])]
    lines += [delimiter.join(r) for r in rows]
    return ("\n".join(lines) + "\n").encode(), at + 2, column, kind


@SETTINGS
@given(hostile_orders())
def test_hostile_values_never_raise_and_are_always_reported(case):
    data, row, column, kind = case
    pf = parse_file(data, name="hostile.csv")
    assert_valid(pf)
    assert not pf.ok
    assert (row, column) in [(p.row, p.column) for p in pf.problems], [
        str(p) for p in pf.problems
    ]
    if kind != "quote":
        assert not [p for p in pf.problems if p.row != row], [str(p) for p in pf.problems]


@SETTINGS
@given(st.lists(st.one_of(_HUGE, _BAD_YEAR, _BAD_ZONE, _EDGE_STAMP, st.just('"')), max_size=30))
def test_hostile_values_in_any_column_never_raise(values):
    """The same values scattered over every column of a dataset with every column type."""
    header = "date,platform,campaign_id,impressions,reach,spend"
    cells = [*values, *[""] * (-len(values) % 5)]
    lines = [header] + [
        "2026-01-01,x," + ",".join(cells[i : i + 4]) for i in range(0, len(cells), 4)
    ]
    assert_valid(parse_file(("\n".join(lines) + "\n").encode(), name="social.csv"))


# --- report preambles and totals rows ----------------------------------------------------------

_PREAMBLES = [
    "",
    "# ----------------------------------------\n# Free form 1\n# 20241122-20260120\n"
    "# ----------------------------------------\n\n",
    "# ----------------------------------------\n# Traffic acquisition\n# Start date: 20260301\n"
    "# End date: 20260331\n# ----------------------------------------\n",
    "Campaign report\nAll time\n",
    'Sessions report\n"February 1, 2025 - August 4, 2025"\n\n',
]
_TOTAL_LABELS = ["Total", "TOTAL", "Totals", "Grand total", "Grand Total", "Total: Account",
                 " total ", ""]  # "": no label, every dimension empty


@st.composite
def report_case(draw: st.DrawFn) -> dict:
    label = draw(st.sampled_from(_TOTAL_LABELS))
    n = draw(st.integers(1 if label else 2, 10))  # an unlabelled total sums two rows or more
    days = draw(st.lists(st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 12, 31)),
                         min_size=n, max_size=n, unique=True))
    sessions = draw(st.lists(st.integers(0, 10**6), min_size=n, max_size=n))
    return {
        "preamble": draw(st.sampled_from(_PREAMBLES)),
        "label": label,
        "where": draw(st.sampled_from(["first", "last", "none"])),
        # GA4 Explore writes one more field on its (labelled) total row
        "extra": bool(label) and draw(st.booleans()),
        "delimiter": draw(st.sampled_from([",", ";", "\t"])),
        "rows": list(zip(days, sessions, strict=True)),
    }


@SETTINGS
@given(report_case())
def test_preambles_and_totals_rows_are_never_data(case):
    """Whatever title, date-range or comment lines come above the header and wherever the
    totals row is (with or without an extra trailing field), the rows read are exactly the
    data rows: the totals row is dropped with a note stating it, never counted."""
    d = case["delimiter"]
    total = sum(s for _, s in case["rows"])
    body = [d.join([day.isoformat(), "google", "organic", str(s)]) for day, s in case["rows"]]
    tot = d.join([case["label"], "", "", str(total)]) + (d + "2046" if case["extra"] else "")
    if case["where"] == "first":
        body.insert(0, tot)
    elif case["where"] == "last":
        body.append(tot)
    text = case["preamble"] + d.join(["date", "source", "medium", "sessions"]) + "\n"
    pf = parse_file((text + "\n".join(body) + "\n").encode())
    assert pf.ok, [str(p) for p in pf.problems]
    frame = pf.frames["web_sessions"]
    assert sorted(frame["date"].to_list()) == sorted(day for day, _ in case["rows"])
    assert frame["sessions"].sum() == total
    notes = [n for n in pf.notes if "total row dropped, not counted" in n]
    if case["where"] == "none":
        assert notes == []
    else:
        (note,) = notes
        assert note.startswith("1 total row dropped") and f"(sessions {total})" in note
