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


@SETTINGS
@given(st.text(alphabet=st.sampled_from(list(',;\t"\n\r #=-.:/0123456789abcTZ')), max_size=400))
def test_random_csv_like_text_never_raises(text):
    assert_valid(parse_file(text.encode("utf-8"), name="random.csv"))


@st.composite
def mutated(draw):
    path = draw(st.sampled_from(GOOD_FILES))
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
