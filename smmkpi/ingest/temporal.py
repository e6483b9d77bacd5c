"""Dates and timestamps written by people and spreadsheets, parsed column-wise with Polars.

Accepted dates: ISO `2026-03-01`, `2026/03/01`, `20260301`, `01/03/2026`, `03/01/2026`,
`1.3.2026` (day first), `Mar 1, 2026`, `1 Mar 2026`, Excel serial numbers (20000-80000).
Timestamps: any of the dates followed by `14:05`, `14:05:09`, `14:05:09.123`, `2:05 PM`, with
an optional zone `Z`, `UTC`, `+01:00`, `+0100`, `-05` (offsets -12:00 ... +14:00, minutes
below 60: others are refused by name); converted to UTC, no zone = UTC.

How: first, layouts that need no day/month order (ISO, YYYYMMDD, dotted) are read by strptime,
one layout at a time; the slash dates left decide the day/month order (a part above 12 decides,
per column, else per file; when no value decides it the file is refused until `date_order` is
given); the rest go through the general patterns below. Month names are the English ones (the
table below; Babel's English abbreviations are the same twelve, and a locale's names would
need the file's locale, which is not known).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import polars as pl

import smmkpi.ingest.yearless as yearless
from smmkpi.datasets import Column
from smmkpi.ingest.core import DateOrder, frame_select, strip
from smmkpi.ingest.problems import Collector

_TIME = (
    r"(?:(?:[Tt]|\s+|\s*,\s*)(?P<H>[0-9]{1,2}):(?P<M>[0-9]{2})"
    r"(?::(?P<S>[0-9]{2})(?:[.,](?P<f>[0-9]{1,9}))?)?\s*(?P<ap>[AaPp]\.?[Mm]\.?)?)?"
)
_TZ = r"\s*(?P<tz>[Zz]|UTC|GMT|[+-][0-9]{2}(?::?[0-9]{2})?)?"
_DATE_PATTERNS = {
    "iso": r"^(?P<y>[0-9]{4})[-/.](?P<m>[0-9]{1,2})[-/.](?P<d>[0-9]{1,2})" + _TIME + _TZ + "$",
    "compact": r"^(?P<y>[0-9]{4})(?P<m>[0-9]{2})(?P<d>[0-9]{2})$",
    "slash": r"^(?P<a>[0-9]{1,2})(?P<sep>[-/.])(?P<b>[0-9]{1,2})[-/.](?P<y>[0-9]{4}|[0-9]{2})"
    + _TIME
    + _TZ
    + "$",
    "named_mdy": r"^(?P<mon>[A-Za-z]{3,9})\.?\s+(?P<d>[0-9]{1,2})(?:st|nd|rd|th)?,?\s+"
    r"(?P<y>[0-9]{4})" + _TIME + _TZ + "$",
    "named_dmy": r"^(?P<d>[0-9]{1,2})(?:st|nd|rd|th)?[-\s]+(?P<mon>[A-Za-z]{3,9})\.?,?[-\s]+"
    r"(?P<y>[0-9]{4})" + _TIME + _TZ + "$",
}
_MONTHS = {
    name: i + 1
    for i, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ]
    )
    for name in names
}
_SERIAL = r"^[0-9]{5}(?:\.[0-9]+)?$"
ZONE_MIN, ZONE_MAX = -12 * 60, 14 * 60  # the offsets in use on Earth, in minutes


class TemporalColumns:
    """The date and datetime columns of one frame, read together: a column whose slash dates
    do not tell day from month takes the order the other columns' dates tell.

    Built with the first pass over every temporal column (the layouts that need no order);
    `parse` then finishes one column, and `notes` says which orders and whether Excel serial
    numbers were used.
    """

    def __init__(
        self, columns: list[Column], text: Callable[[str], pl.Series], given: DateOrder | None,
        year: yearless.YearHint | None = None,
    ) -> None:
        self.given = given
        self.year = year
        self.yearless: list[tuple[str, yearless.Reading | None]] = []  # (label, reading)
        self.text = text
        self.partial: dict[str, tuple[pl.Series, pl.Series]] = {}  # name -> (values, to do)
        for c in columns:
            t = text(c.name)
            empty = pl.repeat(None, t.len(), dtype=c.dtype, eager=True).alias(c.name)
            self.partial[c.name] = _parse_layouts(t, c.type, None, empty, t.is_not_null())
        self.slow = {c: strip(text(c)) for c, (_, todo) in self.partial.items() if todo.any()}
        self.evidence = {
            c: _slash_evidence(t.filter(self.partial[c][1])) for c, t in self.slow.items()
        }
        self.file_dmy = sum(int(e["dmy"]) for e in self.evidence.values())  # type: ignore[call-overload]
        self.file_mdy = sum(int(e["mdy"]) for e in self.evidence.values())  # type: ignore[call-overload]
        self.orders_used: set[str] = set()
        self.serial_used = False

    def parse(
        self, c: Column, label: str, col: Collector, ambiguous: list[str],
        needs_year: list[str] | None = None,
    ) -> tuple[pl.Series, pl.Series, pl.Series | None, list[tuple[pl.Series, str]]]:
        """(the column's text as checked, its values: null where not readable, the values
        whose time-zone offset is out of range or None when there is none, and checks of
        its own as (bad rows, message)). An undecided day/month order is a whole-file
        problem, and `label` goes to `ambiguous`; so are dates without a year when no year
        was given (`label` goes to `needs_year`; the values are read with the current year
        meanwhile, for the preview)."""
        v, todo = self.partial[c.name]
        s = self.slow.get(c.name, self.text(c.name))
        zone = None
        checks: list[tuple[pl.Series, str]] = []
        if todo.any():
            ev = self.evidence[c.name]
            order = _date_order(
                ev, self.given, self.file_dmy, self.file_mdy, label, col, ambiguous
            )
            if order is not None and (ev["dmy"] or ev["mdy"] or ev["amb"]):
                self.orders_used.add(order)
            v, todo = _parse_layouts(s, c.type, order, v, todo & s.is_not_null())
            if todo.any():
                rest, used, bad_zone = _slow_temporal(s.filter(todo), c.type, order)
                v = v.scatter(todo.arg_true(), rest)
                self.serial_used |= used
                if bad_zone.any():
                    zone = pl.repeat(False, s.len(), eager=True)
                    zone = zone.scatter(todo.arg_true().filter(bad_zone), True)
            left = v.is_null() & s.is_not_null()
            if left.any():
                v, checks = self._yearless(c, s, v, left, label, col, needs_year)
        return s, v, zone, checks

    def _yearless(
        self, c: Column, s: pl.Series, v: pl.Series, left: pl.Series, label: str,
        col: Collector, needs_year: list[str] | None,
    ) -> tuple[pl.Series, list[tuple[pl.Series, str]]]:
        """The values still unread that are dates without a year, read with the year given
        (`yearless`); without one, a whole-file problem asks for it."""
        mask = left & yearless.is_month_day(s)
        if not mask.any():
            return v, []
        hint = self.year
        if hint is None:
            example = s.filter(mask).first()
            col.file_problem(
                "has dates without a year (e.g. " + repr(example) + "): give the year of the "
                "export's last day (the Upload page asks for it; on the command line "
                "--year 2026); dates after that day in the calendar are read as the year "
                "before", label)
            if needs_year is not None:
                needs_year.append(label)
            hint = dt.datetime.now(dt.UTC).year  # a preview meanwhile; the file is refused
        reading = yearless.read(s.filter(mask), c.type, hint)
        self.yearless.append((label, reading if self.year is not None else None))
        v = v.scatter(mask.arg_true(), reading.value)
        bad = mask & v.is_null()
        what = ("is 29 February in a year without one (the year counted back from the "
                f"export's last day, {reading.last_day})")
        return v, [(bad, what)] if bad.any() else []

    def notes(self) -> list[str]:
        """What was assumed for the columns parsed so far."""
        out = [
            "dates read as DD/MM/YYYY (day first)"
            if o == "dmy"
            else "dates read as MM/DD/YYYY (month first)"
            for o in sorted(self.orders_used)
        ]
        if self.serial_used:
            out.append("Excel serial numbers read as dates (days since 1899-12-30)")
        for label, r in self.yearless:
            if r is not None and r.first is not None and r.last_day is not None:
                out.append(
                    f"{label}: dates without a year read as {r.first} to {r.newest} (the "
                    f"export's last day taken as {r.last_day}; later days of the calendar "
                    "are the year before)")
        return out


def _date_parts(s: pl.Expr, order: DateOrder | None, present: set[str]) -> tuple[pl.Expr, ...]:
    """(y, m, d, H, M, S, us, offset_minutes, valid, zone_ok) from text, by the patterns
    above (only those `present` in the column are evaluated). `zone_ok` is false for an
    offset outside -12:00 ... +14:00 or with minutes of 60 or more."""
    g = {k: s.str.extract_groups(p) for k, p in _DATE_PATTERNS.items() if k in present}

    def f(k: str, name: str) -> pl.Expr:
        """Group `name` of pattern `k` (null when the pattern is not evaluated)."""
        return g[k].struct.field(name) if k in g else pl.lit(None, dtype=pl.String)

    def i(e: pl.Expr) -> pl.Expr:
        """Digits as Int32 (null when absent)."""
        return e.cast(pl.Int32, strict=False)

    names = pl.Series(list(_MONTHS))
    numbers = pl.Series(list(_MONTHS.values()), dtype=pl.Int32)

    def mon(k: str) -> pl.Expr:
        """The month number of pattern `k`'s month name."""
        return (
            f(k, "mon")
            .str.to_lowercase()
            .replace_strict(names, numbers, default=None, return_dtype=pl.Int32)
        )

    is_iso, is_compact = f("iso", "y").is_not_null(), f("compact", "y").is_not_null()
    is_slash = f("slash", "y").is_not_null()
    is_nmdy, is_ndmy = f("named_mdy", "y").is_not_null(), f("named_dmy", "y").is_not_null()
    dayfirst = (f("slash", "sep") == ".") | pl.lit(order == "dmy")
    a, b = i(f("slash", "a")), i(f("slash", "b"))
    slash_y = i(f("slash", "y"))
    slash_y = pl.when(slash_y < 100).then(slash_y + 2000).otherwise(slash_y)

    def pick(field_: str) -> pl.Expr:
        """Group `field_` of whichever pattern with a time part matched."""
        return (
            pl.when(is_iso)
            .then(f("iso", field_))
            .when(is_slash)
            .then(f("slash", field_))
            .when(is_nmdy)
            .then(f("named_mdy", field_))
            .when(is_ndmy)
            .then(f("named_dmy", field_))
        )

    y = (
        pl.when(is_compact)
        .then(i(f("compact", "y")))
        .when(is_iso)
        .then(i(f("iso", "y")))
        .when(is_slash)
        .then(slash_y)
        .when(is_nmdy)
        .then(i(f("named_mdy", "y")))
        .when(is_ndmy)
        .then(i(f("named_dmy", "y")))
    )
    m = (
        pl.when(is_compact)
        .then(i(f("compact", "m")))
        .when(is_iso)
        .then(i(f("iso", "m")))
        .when(is_slash)
        .then(pl.when(dayfirst).then(b).otherwise(a))
        .when(is_nmdy)
        .then(mon("named_mdy"))
        .when(is_ndmy)
        .then(mon("named_dmy"))
    )
    d = (
        pl.when(is_compact)
        .then(i(f("compact", "d")))
        .when(is_iso)
        .then(i(f("iso", "d")))
        .when(is_slash)
        .then(pl.when(dayfirst).then(a).otherwise(b))
        .when(is_nmdy)
        .then(i(f("named_mdy", "d")))
        .when(is_ndmy)
        .then(i(f("named_dmy", "d")))
    )
    hh, mi, ss = i(pick("H")).fill_null(0), i(pick("M")).fill_null(0), i(pick("S")).fill_null(0)
    us = pick("f").str.slice(0, 6).str.pad_end(6, "0").cast(pl.Int64, strict=False).fill_null(0)
    ap = pick("ap").str.to_uppercase().str.slice(0, 1)
    ok_ap = ap.is_null() | hh.is_between(1, 12)
    hh = (
        pl.when(ap == "P")
        .then(pl.when(hh == 12).then(12).otherwise(hh + 12))
        .when(ap == "A")
        .then(pl.when(hh == 12).then(0).otherwise(hh))
        .otherwise(hh)
    )
    tz = pick("tz")
    tzd = tz.str.extract_groups(r"^(?P<sign>[+-])(?P<h>[0-9]{2}):?(?P<m>[0-9]{2})?$")
    off = (
        i(tzd.struct.field("h")).fill_null(0) * 60 + i(tzd.struct.field("m")).fill_null(0)
    ) * pl.when(tzd.struct.field("sign") == "-").then(-1).otherwise(1)
    off = pl.when(tz.str.contains(r"^[+-]")).then(off).otherwise(0)
    zone_ok = (
        off.is_between(ZONE_MIN, ZONE_MAX) & (i(tzd.struct.field("m")).fill_null(0) < 60)
    ).fill_null(True)
    leap = ((y % 4 == 0) & (y % 100 != 0)) | (y % 400 == 0)
    dim = (
        pl.when(m.is_in([4, 6, 9, 11]))
        .then(30)
        .when(m == 2)
        .then(pl.when(leap).then(29).otherwise(28))
        .otherwise(31)
    )
    valid = (
        y.is_between(1, 9999)
        & m.is_between(1, 12)
        & d.is_between(1, dim)
        & hh.is_between(0, 23)
        & mi.is_between(0, 59)
        & ss.is_between(0, 59)
        & ok_ap
    ).fill_null(False)
    return y, m, d, hh, mi, ss, us, off, valid, zone_ok


def _slash_evidence(s: pl.Series) -> dict[str, object]:
    """Counts of slash dates only readable day first, only month first, or either."""
    g = frame_select(s, pl.col("s").str.extract_groups(_DATE_PATTERNS["slash"])).struct
    a = g.field("a").cast(pl.Int32, strict=False)
    b = g.field("b").cast(pl.Int32, strict=False)
    slashy = g.field("sep").is_in(["/", "-"]).fill_null(False)
    amb = (
        slashy & (a <= 12).fill_null(False) & (b <= 12).fill_null(False) & (a != b).fill_null(False)
    )
    return {
        "dmy": int((slashy & (a > 12) & (b <= 12)).sum() or 0),
        "mdy": int((slashy & (b > 12) & (a <= 12)).sum() or 0),
        "amb": int(amb.sum() or 0),
        "ex": s.filter(amb).first() if amb.any() else None,
    }


_ISO_STAMP = re.compile(
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}(?P<sep>[T ])[0-9]{2}:[0-9]{2}(?P<sec>:[0-9]{2}(?:\.[0-9]+)?)?"
    r"(?P<zone>Z|(?P<space> ?)[+-][0-9]{2}:?[0-9]{2})?$"
)


_SLASH_STAMP = re.compile(
    r"^[0-9]{1,2}(?P<sep>[/.-])[0-9]{1,2}(?P=sep)[0-9]{4}"
    r"(?:(?P<time> +[0-9]{1,2}:[0-9]{2})(?P<sec>:[0-9]{2})?(?P<ap> *[AaPp][Mm])?)?$"
)


def _layout(sample: str, kind: str, order: DateOrder | None) -> tuple[str, bool, bool] | None:
    """(strptime format, has a zone offset, AM/PM) for the layout of one value, when it is an
    ISO or (order known, or dotted) slash layout; else None."""
    if kind == "date" and re.fullmatch(r"[0-9]{8}", sample):
        return "%Y%m%d", False, False
    if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", sample):
        return "%Y-%m-%d", False, False
    m = _ISO_STAMP.match(sample)
    if m is not None:
        fmt_ = "%Y-%m-%d" + m["sep"] + "%H:%M" + (":%S%.f" if m["sec"] else "")
        zone = m["zone"]
        if zone is None or zone == "Z":
            return fmt_ + (zone or ""), False, False
        if kind == "date":  # a date is taken as written, whatever the zone: general path
            return None
        return fmt_ + (m["space"] or "") + "%#z", True, False
    m = _SLASH_STAMP.match(sample)
    if m is None:
        return None
    sep = m["sep"]
    order = "dmy" if sep == "." else order
    if order is None:
        return None
    fmt_ = f"%d{sep}%m{sep}%Y" if order == "dmy" else f"%m{sep}%d{sep}%Y"
    if m["time"]:
        fmt_ += (" %I:%M" if m["ap"] else " %H:%M") + (":%S" if m["sec"] else "")
        fmt_ += " %p" if m["ap"] else ""
    return fmt_, False, bool(m["ap"])


def _strptime(s: pl.Series, kind: str, fmt_: str, aware: bool, ampm: bool) -> pl.Series:
    """`s` parsed by one format into the column's type; values it does not fit are null, and so
    are years without four digits (chrono reads '26' as the year 26)."""
    if ampm:
        s = s.str.replace(r"\s*([AaPp][Mm])$", " $1")
    if fmt_ in ("%Y-%m-%d", "%Y%m%d"):
        v = s.str.to_date(fmt_, strict=False)
        v = v if kind == "date" else v.cast(pl.Datetime("us")).dt.replace_time_zone("UTC")
    elif aware:
        v = s.str.to_datetime(fmt_, strict=False, time_unit="us", time_zone="UTC")
        # chrono takes any two-digit offset (+99:99): those go to the general patterns,
        # which refuse them by name
        zone = s.str.extract_groups(r"(?P<sign>[+-])(?P<h>[0-9]{2}):?(?P<m>[0-9]{2})$").struct
        hours = zone.field("h").cast(pl.Int32, strict=False)
        minutes = zone.field("m").cast(pl.Int32, strict=False)
        off = (hours * 60 + minutes) * pl.select(
            pl.when(zone.field("sign") == "-").then(-1).otherwise(1)
        ).to_series()
        good = (off.is_between(ZONE_MIN, ZONE_MAX) & (minutes < 60)).fill_null(True)
        if not good.all():
            v = pl.select(pl.when(good).then(v)).to_series()
    else:
        v = s.str.to_datetime(fmt_, strict=False, time_unit="us").dt.replace_time_zone("UTC")
    if kind == "date" and v.dtype != pl.Date:
        v = v.dt.date()
    return frame_select(v, pl.when(pl.col("s").dt.year().is_between(1000, 9999)).then("s"))


def _parse_layouts(
    s: pl.Series, kind: str, order: DateOrder | None, out: pl.Series, todo: pl.Series
) -> tuple[pl.Series, pl.Series]:
    """Fill `out` where `todo`, one strptime layout at a time (the layout of the first values
    still to do), while that makes progress. Returns (out, still to do)."""
    for _ in range(6):
        rest = s.filter(todo)
        if rest.len() == 0:
            break
        found = next(
            (f for v in rest.head(50).to_list() if (f := _layout(v, kind, order)) is not None),
            None,
        )
        if found is None:
            break
        parsed = _strptime(rest, kind, *found)
        ok = parsed.is_not_null()
        if not ok.any():
            break
        if rest.len() == s.len() and ok.all():  # the whole column in one layout
            return parsed.alias(out.name), ok.not_()
        idx = todo.arg_true()
        out = out.scatter(idx.filter(ok), parsed.filter(ok))
        todo = todo.scatter(idx.filter(ok), False)
    return out, todo


def _slow_temporal(
    s: pl.Series, kind: str, order: DateOrder | None
) -> tuple[pl.Series, bool, pl.Series]:
    """The column parsed by the general patterns (and Excel serials), whether serials were
    used, and which values have a time-zone offset outside -12:00 ... +14:00 (null values)."""
    x = pl.col("s")
    present = {k for k, p in _DATE_PATTERNS.items() if s.str.contains(p).any()}
    y, m, d, hh, mi, ss, us, off, valid, zone_ok = _date_parts(x, order, present)
    bad_zone = valid & ~zone_ok
    valid = valid & zone_ok
    y0 = pl.when(valid).then(y).otherwise(2000)
    m0 = pl.when(valid).then(m).otherwise(1)
    d0 = pl.when(valid).then(d).otherwise(1)
    serial_text = x.str.contains(_SERIAL).fill_null(False)
    serial = pl.when(serial_text).then(x.cast(pl.Float64, strict=False))
    serial = pl.when(serial.is_between(20000, 80000)).then(serial)
    if kind == "date":
        value = pl.when(valid).then(pl.date(y0, m0, d0))
        from_serial = pl.date(1899, 12, 30) + pl.duration(days=serial.floor().cast(pl.Int64))
        expr = pl.coalesce(value, from_serial)
    else:
        zero = {
            k: pl.when(valid).then(e).otherwise(0)
            for k, e in (("h", hh), ("mi", mi), ("s", ss), ("us", us))
        }
        naive = pl.datetime(
            y0, m0, d0, zero["h"], zero["mi"], zero["s"], zero["us"], time_unit="us"
        )
        value = pl.when(valid).then(naive - pl.duration(minutes=off))
        from_serial = pl.datetime(1899, 12, 30, time_unit="us") + pl.duration(
            # Excel keeps about a millisecond of precision
            milliseconds=(serial * 86_400_000).round(0).cast(pl.Int64)
        )
        expr = pl.coalesce(value, from_serial).dt.replace_time_zone("UTC")
    out = s.to_frame("s").select(
        expr.alias("v"), (serial_text & ~valid).any().alias("serial"), bad_zone.alias("zone")
    )
    return out["v"], bool(out["serial"][0]), out["zone"]


def _date_order(
    ev: dict[str, object],
    given: DateOrder | None,
    file_dmy: int,
    file_mdy: int,
    label: str,
    col: Collector,
    ambiguous: list[str],
) -> DateOrder | None:
    """The day/month order for a column's slash dates (None = undecided, reported)."""
    if given is not None:
        return given
    if ev["dmy"] and ev["mdy"]:
        col.file_problem(
            f"dates mix day-first and month-first orders ({ev['dmy']} values only readable as "
            f"DD/MM/YYYY, {ev['mdy']} only as MM/DD/YYYY); make the column consistent",
            label,
        )
        return None
    if ev["dmy"] or ev["mdy"]:
        return "dmy" if ev["dmy"] else "mdy"
    if not ev["amb"]:
        return None
    if file_dmy and not file_mdy:
        return "dmy"
    if file_mdy and not file_dmy:
        return "mdy"
    ambiguous.append(label)
    col.file_problem(
        "could be day first (DD/MM/YYYY) or month first (MM/DD/YYYY) and no value in the file "
        "tells which; choose the date order (date_order='dmy' or 'mdy') and read the file again",
        label,
        str(ev["ex"]),
    )
    return None
