"""Read CSV/XLSX files into typed dataset frames, or say exactly what is wrong with them.

`parse_file(src)` takes bytes, a binary file object or a path and returns a `ParsedFile`:
the detected dataset, the column mapping, typed frames that match `datasets.DATASETS[name].schema`
exactly, and a list of `Problem`s (file, spreadsheet row, column, value, what was expected).
It never raises for bad input: a file is importable when `ParsedFile.ok`.

What it accepts:
- UTF-8 with or without BOM, UTF-16 (with or without BOM), cp1252 / latin-1; XLSX (first
  sheet, needs the `fastexcel` package; zips that are not workbooks or that expand to more than
  20 times the size limit are refused).
- comma, semicolon, tab or pipe delimiters (sniffed; an Excel `sep=;` first line is honoured);
  quoted fields with embedded line breaks; blank lines and empty trailing columns;
  comment lines starting with `#` before the header.
- numbers with decimal points or decimal commas (decided per column from values such as `12,50`
  or `1.234,56`, else per file, else `;`-delimited files use commas), thousands separators
  (`,` `.` space, no-break space, `'`), currency symbols; integers must be whole.
- dates: ISO `2026-03-01`, `2026/03/01`, `20260301`, `01/03/2026`, `03/01/2026`, `1.3.2026`
  (day first), `Mar 1, 2026`, `1 Mar 2026`, Excel serial numbers (20000-80000). Slash dates
  are read day-first or month-first from the values (a part above 12 decides, per column,
  else per file); when no value decides it the file is refused until `date_order` is given.
- timestamps: any of the dates followed by `14:05`, `14:05:09`, `14:05:09.123`, `2:05 PM`,
  with an optional zone `Z`, `UTC`, `+01:00`, `+0100`, `-05`; converted to UTC, no zone = UTC.
- booleans: true/false, yes/no, y/n, t/f, 1/0 (and ja/nein, oui/non, si/no, wahr/falsch).
- header names are matched case-, space- and underscore-insensitively against each column's
  name and aliases (`datasets.py`), also without a trailing `(...)` such as a currency.
- known export formats (Shopify orders, GA4 report, Meta Ads Manager), see `ingest_formats`.

Rules: categorical text (a column with allowed `values`) and platform names are lower-cased;
empty optional text is null; negative numbers are refused where the column is non-negative;
exact duplicate rows are dropped with a note; the same key with different values is a problem.
Row numbers are spreadsheet rows: the header is row 1 of a plain file, comment and blank lines
count as rows, a quoted line break does not start a new row.
At most `MAX_LISTED` problems are listed, followed by one that gives the total.

How: the file is split into records and typed column by column with Polars (every value read
as text, then vectorized casts; a failing row is `parsed is null and text is not null`);
Python never loops over rows except for files whose quoting the fast reader cannot split.
Validation is hand-written rather than pandera: the rules come from `datasets.py`, and the
problems need spreadsheet rows and locale-aware parsing that a schema library does not give.
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Literal

import numpy as np
import polars as pl

from smmkpi import config, datasets, formatting
from smmkpi import ingest_formats as formats
from smmkpi.datasets import Dataset
from smmkpi.ingest_formats import ROW, norm

MAX_LISTED = 1000  # problems listed per file; the rest are counted
DateOrder = Literal["dmy", "mdy"]
_DELIMITERS = (",", ";", "\t", "|")
_DELIM_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
_PREVIEW_ROWS = 20


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file, located as precisely as possible."""

    file: str
    row: int | None  # spreadsheet row (header = 1 in a plain file); None = the whole file
    column: str | None  # the column as named in the file (or the canonical name if missing)
    value: str | None  # the offending value as written, if any
    message: str  # what is wrong and what is expected

    def __str__(self) -> str:
        where = [self.file] if self.file else []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        text = self.message if self.value is None else f"{_show(self.value)} {self.message}"
        return f"{', '.join(where)}: {text}" if where else text


@dataclass
class ParsedFile:
    """The outcome of reading one file. Import its frames only when `ok`."""

    name: str
    dataset: str | None = None
    frames: dict[str, pl.DataFrame] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    mapping: dict[str, str | None] = field(default_factory=dict)
    encoding: str = ""
    delimiter: str = ""
    rows: int = 0  # data rows read (blank lines not counted)
    fmt: str = "canonical"  # or a known format: shopify_orders, ga4_report, meta_ads, ...
    notes: list[str] = field(default_factory=list)
    problem_count: int = 0  # all problems found, including those beyond MAX_LISTED
    source_rows: dict[str, pl.Series] = field(default_factory=dict)  # frame row -> file row
    preview: pl.DataFrame | None = None  # the first rows as text, with the file's headers
    scores: list[tuple[str, float]] = field(default_factory=list)  # dataset detection scores
    ambiguous_dates: list[str] = field(default_factory=list)  # columns that need `date_order`

    @property
    def ok(self) -> bool:
        return not self.problems and self.dataset is not None and bool(self.frames)


def _show(value: str) -> str:
    return repr(value if len(value) <= 60 else value[:57] + "...")


class _Bad(Exception):
    """A problem that ends the reading of a file (internal control flow)."""


# --- public API --------------------------------------------------------------------------------


def parse_file(
    src: bytes | BinaryIO | str | Path,
    *,
    name: str | None = None,
    dataset: str | None = None,
    mapping: dict[str, str | None] | None = None,
    date_order: DateOrder | None = None,
    max_bytes: int | None = None,
    fmt: str | None = None,
) -> ParsedFile:
    """Read one CSV/XLSX file into typed frames plus problems; never raises for bad input.

    `dataset` forces the dataset instead of detecting it; `mapping` maps source headers to
    canonical columns (None or "" ignores a column) on top of the automatic aliases (canonical
    files only); `date_order` reads slash dates day first ("dmy") or month first ("mdy");
    `fmt` forces "canonical" or a known format name; `max_bytes` defaults to the upload limit
    in the settings (0 = no limit). Frames are filled even when there are problems (for a
    preview); import them only when `ok`.
    """
    label = name or _name_of(src)
    pf = ParsedFile(name=label)
    col = _Collector(label)
    try:
        limit = max_bytes if max_bytes is not None else config.get_settings().max_upload_mb << 20
        _parse(pf, col, src, dataset, mapping or {}, date_order, limit, fmt)
    except _Bad:
        pass
    except Exception as exc:  # a bug must not become a traceback on the page or the CLI
        col.file_problem(
            f"internal error while reading the file ({type(exc).__name__}: {exc}); please report it"
        )
    pf.problems, pf.problem_count = col.finish()
    return pf


def parse_files(
    sources: Iterable[bytes | BinaryIO | str | Path], **options: object
) -> list[ParsedFile]:
    """`parse_file` for each source (same options for all)."""
    return [parse_file(s, **options) for s in sources]  # type: ignore[arg-type]


def load_folder(
    folder: Path | str, **options: object
) -> tuple[dict[str, pl.DataFrame], list[Problem]]:
    """Every *.csv / *.xlsx file of a folder, frames concatenated per dataset (see `combine`)."""
    folder = Path(folder)
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in (".csv", ".xlsx"))
    parsed = [parse_file(p, **options) for p in files]  # type: ignore[arg-type]
    return combine(parsed)


def combine(parsed: list[ParsedFile]) -> tuple[dict[str, pl.DataFrame], list[Problem]]:
    """Frames of the files that are ok, concatenated per dataset, with all problems.

    Rows repeated exactly across files are kept once; the same key with different values in
    two files is a problem naming both places.
    """
    problems = [p for f in parsed for p in f.problems]
    parts: dict[str, list[pl.DataFrame]] = {}
    for f in parsed:
        if not f.ok:
            continue
        for ds_name, frame in f.frames.items():
            rows = f.source_rows.get(
                ds_name, pl.repeat(None, frame.height, dtype=pl.Int64, eager=True)
            )
            parts.setdefault(ds_name, []).append(
                frame.with_columns(__file=pl.lit(f.name), __r=rows.cast(pl.Int64))
            )
    out: dict[str, pl.DataFrame] = {}
    for ds_name, frames in parts.items():
        ds = datasets.get(ds_name)
        df = pl.concat(frames, how="vertical")
        df = df.filter(pl.struct(ds.names).is_first_distinct())
        key = list(ds.key)
        firsts = pl.struct("__file", "__r").first().over(key)
        clash = df.with_columns(__first=firsts, __n=pl.len().over(key)).filter(pl.col("__n") > 1)
        clash = clash.filter(pl.col("__first") != pl.struct("__file", "__r"))
        for row in clash.head(MAX_LISTED).iter_rows(named=True):
            first = row["__first"]
            problems.append(
                Problem(
                    row["__file"],
                    row["__r"],
                    ", ".join(key),
                    _key_text(row, key),
                    f"is also the key of {first['__file']} row {first['__r']}, with different "
                    "values (a key must identify one row)",
                )
            )
        out[ds_name] = df.drop("__file", "__r")
    return out, problems


def detect_dataset(columns: list[str]) -> tuple[str | None, list[tuple[str, float]]]:
    """The dataset these headers belong to, and every dataset's score (best first).

    score = J × (1 + R) / 2, where J is the Jaccard similarity between the file's columns and
    the dataset's columns (after aliases) and R the share of the dataset's required columns
    found. The best dataset is returned when it has at least half of its required columns (the
    missing ones are then reported by `parse_file`); else None.
    """
    headers = [h for h in columns if h.strip()]
    ranked = []
    for ds in datasets.DATASETS.values():
        found = set(_auto_map(headers, ds).values()) - {None}
        union = len(headers) + len(ds.columns) - len(found)
        similarity = len(found) / union if union else 0.0
        req = set(ds.required)
        have = len(req & found) / len(req) if req else 1.0
        ranked.append((round(similarity * (0.5 + 0.5 * have), 3), have, ds.name))
    ranked.sort(key=lambda t: (t[0], t[1]), reverse=True)
    scores = [(n, s) for s, _, n in ranked]
    score, have, best = ranked[0]
    return (best if score > 0 and have >= 0.5 else None), scores


def problems_frame(problems: list[Problem]) -> pl.DataFrame:
    """Problems as a table (file, row, column, value, problem) for display or download."""
    return pl.DataFrame(
        {
            "file": [p.file for p in problems],
            "row": [p.row for p in problems],
            "column": [p.column for p in problems],
            "value": [p.value for p in problems],
            "problem": [p.message for p in problems],
        },
        schema={
            "file": pl.String,
            "row": pl.Int64,
            "column": pl.String,
            "value": pl.String,
            "problem": pl.String,
        },
    )


# --- problem collection --------------------------------------------------------------------------


class _Collector:
    """Problems of one file: whole-file ones first, row ones sorted by row, capped."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.general: list[Problem] = []
        self.row_frames: list[pl.DataFrame] = []
        self.total = 0

    def file_problem(
        self, message: str, column: str | None = None, value: str | None = None
    ) -> None:
        self.general.append(Problem(self.file, None, column, value, message))
        self.total += 1

    def fatal(self, message: str, column: str | None = None) -> _Bad:
        self.file_problem(message, column)
        return _Bad(message)

    def rows(self, found: pl.DataFrame, column: str | None, message: str, count: int) -> None:
        """Row problems: `found` has ROW, 'value' and optionally a per-row 'message' (else
        `message` applies); `count` is the total, of which the first MAX_LISTED are kept."""
        if count == 0:
            return
        self.total += count
        msg = pl.col("message").cast(pl.String) if "message" in found.columns else pl.lit(message)
        self.row_frames.append(
            found.sort(ROW)
            .head(MAX_LISTED)
            .select(
                pl.col(ROW).cast(pl.Int64),
                pl.col("value").cast(pl.String),
                pl.lit(column, dtype=pl.String).alias("column"),
                msg.alias("message"),
                pl.lit(len(self.row_frames)).alias("order"),
            )
        )

    def raw(self, items: list[formats.RawProblem]) -> None:
        for row, column, value, message in items:
            if row is None:
                self.file_problem(message, column, value)
            else:
                found = pl.DataFrame(
                    {ROW: [row], "value": [value]}, schema={ROW: pl.Int64, "value": pl.String}
                )
                self.rows(found, column, message, 1)

    def finish(self) -> tuple[list[Problem], int]:
        listed = list(self.general)
        if self.row_frames:
            allrows = pl.concat(self.row_frames).sort([ROW, "order"]).head(MAX_LISTED)
            listed += [Problem(self.file, r, c, v, m) for r, v, c, m, _ in allrows.iter_rows()]
        if self.total > len(listed):
            listed.append(
                Problem(
                    self.file,
                    None,
                    None,
                    None,
                    f"... and {self.total - len(listed):,} more problems not listed "
                    f"({self.total:,} in all)",
                )
            )
        return listed, self.total


# --- reading bytes -------------------------------------------------------------------------------


def _name_of(src: object) -> str:
    if isinstance(src, (str, Path)):
        return Path(src).name
    n = getattr(src, "name", None)
    return Path(n).name if isinstance(n, str) else "upload"


def _read_source(src: object, limit: int, col: _Collector) -> bytes:
    size = f"{limit / 2**20:,.1f} MB" if limit >= 2**20 else f"{limit:,} bytes"
    too_big = (
        f"the file is larger than the limit of {size} (a setting: SMMKPI_MAX_UPLOAD_MB); "
        "split it or raise the limit"
    )
    if isinstance(src, (str, Path)):
        p = Path(src)
        try:
            if limit > 0 and p.stat().st_size > limit:
                raise col.fatal(too_big)
            return p.read_bytes()
        except OSError as exc:
            raise col.fatal(f"cannot read the file ({exc.strerror or exc})") from None
    if isinstance(src, (bytes, bytearray, memoryview)):
        data = bytes(src)
    elif hasattr(src, "read"):
        got = src.read(limit + 1) if limit > 0 else src.read()  # type: ignore[union-attr]
        data = got.encode("utf-8") if isinstance(got, str) else bytes(got)
    else:
        raise col.fatal(f"cannot read a {type(src).__name__} (expected bytes, a file or a path)")
    if limit > 0 and len(data) > limit:
        raise col.fatal(too_big)
    return data


_SIGNATURES = (
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"GIF8", "a GIF image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\xd0\xcf\x11\xe0", "an old Excel .xls (or other Office) file: save it as .xlsx or CSV"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
)


def _decode(data: bytes, col: _Collector) -> tuple[bytes, str]:
    """UTF-8 bytes of a text file and the encoding found, or a fatal problem."""
    for sig, what in _SIGNATURES:
        if data.startswith(sig):
            raise col.fatal(f"this is not a CSV or XLSX file: it looks like {what}")
    if data.startswith(b"\xef\xbb\xbf"):
        data, enc = data[3:], "utf-8-sig"
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise col.fatal("the file starts like UTF-16 text but cannot be decoded") from None
        data, enc = text.encode("utf-8"), "utf-16"
    else:
        enc = "utf-8"
    sample = data[:65536]
    if enc == "utf-8" and b"\x00" in sample:
        # UTF-16 without a byte order mark: NUL in every other byte of ASCII text
        even, odd = sample[0::2], sample[1::2]
        guess = (
            "utf-16-le"
            if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even)
            else "utf-16-be"
            if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd)
            else None
        )
        if guess is not None:
            with contextlib.suppress(UnicodeDecodeError):
                data, enc = data.decode(guess).encode("utf-8"), guess
        sample = data[:65536]
    if b"\x00" in sample:
        raise col.fatal("this is a binary file, not a CSV text file (it contains NUL bytes)")
    if enc != "utf-16":
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            for candidate in ("cp1252", "latin-1"):
                try:
                    data, enc = data.decode(candidate).encode("utf-8"), candidate
                    break
                except UnicodeDecodeError:
                    continue
    text = data[:65536].decode("utf-8", errors="replace")
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\n\r\f") + text.count("\ufffd")
    if text and controls / len(text) > 0.01:
        raise col.fatal("this is a binary file, not a CSV text file (it has control characters)")
    if re.search(rb"[^ \t\r\n\f]", data) is None:
        raise col.fatal("the file is empty (expected a header row and at least one data row)")
    if b"\n" not in data and b"\r" in data:  # old Mac line ends
        data = data.replace(b"\r", b"\n")
    return data, enc


# --- CSV structure -------------------------------------------------------------------------------


@dataclass
class _Table:
    """A file's table as text: header names, records (ROW first) and what was found."""

    headers: list[str]
    raw: pl.DataFrame  # ROW + one String column per header (unique names), blank rows removed
    preamble: list[str]
    encoding: str
    delimiter: str
    header_row: int
    notes: list[str] = field(default_factory=list)


def _is_blank_line(line: str) -> bool:
    return not line.strip().strip(",;\t|").strip(" \"'")


def _find_header(data: bytes) -> tuple[int, int, int, list[str], str | None]:
    """(start, end, records before it, preamble lines, sep= hint) of the header record."""
    pos, index, preamble, sep = 0, 0, [], None
    n = len(data)
    while pos < n and index < 10000:
        end = data.find(b"\n", pos)
        end = n if end < 0 else end + 1
        line = data[pos:end].decode("utf-8", errors="replace").rstrip("\r\n")
        low = line.strip().lower()
        if _is_blank_line(line) or line.lstrip().startswith("#"):
            preamble.append(line)
        elif re.fullmatch(r"\"?sep=(.)\"?,*", low):
            sep = re.fullmatch(r"\"?sep=(.)\"?,*", line.strip(), re.IGNORECASE).group(1)  # type: ignore[union-attr]
        else:
            # a header with a quoted line break continues on the next lines
            while data[pos:end].count(b'"') % 2 and end < n:
                nxt = data.find(b"\n", end)
                end = n if nxt < 0 else nxt + 1
            return pos, end, index, preamble, sep
        pos, index = end, index + 1
    return -1, -1, index, preamble, sep


def _sniff(header: str, sample: list[str], forced: str | None) -> str:
    if forced is not None:
        return forced
    best, best_key = ",", (-1.0, 0)
    for d in _DELIMITERS:
        try:
            width = len(next(csv.reader([header], delimiter=d)))
        except (csv.Error, StopIteration):
            continue
        if width < 2:
            continue
        counts = []
        for line in sample:
            if _is_blank_line(line):
                continue
            try:
                counts.append(len(next(csv.reader([line], delimiter=d))))
            except (csv.Error, StopIteration):
                counts.append(0)
        fit = sum(1 for c in counts if c == width) / len(counts) if counts else 1.0
        key = (fit if fit >= 0.5 else 0.0, width)
        if key > best_key:
            best, best_key = d, key
    return best


def _parse_header(text: str, d: str) -> list[str]:
    try:
        names = next(csv.reader([text.rstrip("\r\n")], delimiter=d))
    except (csv.Error, StopIteration):
        names = text.split(d)
    return [n.replace("\ufeff", "").strip() for n in names]


def _unique_names(headers: list[str]) -> list[str]:
    out: list[str] = []
    seen: set[str] = set()
    for i, h in enumerate(headers):
        base = h if h else f"(unnamed column {_letter(i)})"
        cand, k = base, 2
        while cand in seen or cand == ROW:
            cand, k = f"{base} ({k})", k + 1
        seen.add(cand)
        out.append(cand)
    return out


def _letter(i: int) -> str:
    s, i = "", i + 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def _record_stats(body: bytes, d: str) -> pl.DataFrame:
    """Per record of `body`: its field count, whether it starts with '#', and its text with
    quoted line breaks and delimiters masked (quote-aware and vectorized)."""
    if b'"' in body:
        # mask line breaks and delimiters inside quotes so that each line is one record
        a = np.frombuffer(body, np.uint8)
        inside = np.bitwise_xor.accumulate((a == 34).view(np.uint8)).view(bool)
        special = a == 10
        special |= a == ord(d)
        special &= inside
        masked = a.copy()
        np.putmask(masked, special, 31)
        body = masked.tobytes()
    lines = pl.read_csv(
        body,
        has_header=False,
        separator="\x00",
        quote_char=None,
        schema={"line": pl.String},
        truncate_ragged_lines=True,
        missing_columns="insert",
        extra_columns="ignore",
        empty_string_is_null=False,
    )
    return lines.select(
        fc=pl.col("line").str.count_matches(d, literal=True).cast(pl.Int64) + 1,
        hash=pl.col("line").str.starts_with("#"),
        line=pl.col("line"),
    )


def _empty_as_null(s: pl.Series) -> pl.Series:
    if (s == "").any():
        s = pl.select(pl.when(s != "").then(s)).to_series().alias(s.name)
    return s


def _strip(s: pl.Series) -> pl.Series:
    """Surrounding white space removed; empty text is null."""
    if s.str.contains(r"^\s|\s$").any():
        s = _empty_as_null(s.str.strip_chars())
    return s


def _read_csv(data: bytes, enc: str, col: _Collector, fmt_hint: str | None) -> _Table:
    start, end, before, preamble, sep = _find_header(data)
    if start < 0:
        raise col.fatal("the file has no header row (only blank or '#' comment lines)")
    header_text = data[start:end].decode("utf-8", errors="replace")
    body = data[end:]
    sample = body[:65536].decode("utf-8", errors="replace").split("\n")[:50]
    d = _sniff(header_text, sample, sep)
    headers = _parse_header(header_text, d)
    header_row = before + 1
    names = _unique_names(headers)
    width = len(names)
    if re.search(rb'[^ \t\r\n,;|"]', body) is None:  # nothing but blank lines
        empty = pl.DataFrame(schema={ROW: pl.Int64, **dict.fromkeys(names, pl.String)})
        return _Table(headers, empty, preamble, enc, d, header_row)
    if not body.endswith(b"\n"):
        body += b"\n"
    try:
        stats = _record_stats(body, d)
        raw = pl.read_csv(
            body,
            has_header=False,
            separator=d,
            quote_char='"',
            schema=dict.fromkeys(names, pl.String),
            truncate_ragged_lines=True,
            missing_columns="insert",
            extra_columns="ignore",
            empty_string_is_null=True,
        )
        fast = raw.height == stats.height
    except pl.exceptions.PolarsError:  # malformed quoting the fast reader refuses
        fast = False
    if not fast:
        raw, stats = _read_with_csv_module(body, d, names, col)
    raw = raw.with_columns(_empty_as_null(raw[n]) for n in names)
    raw = raw.with_columns(
        pl.int_range(header_row + 1, header_row + 1 + raw.height, dtype=pl.Int64).alias(ROW)
    ).select(ROW, *names)
    # blank: every value empty or white space (cheap length test first, strip only the few)
    short = [pl.col(n).is_null() | (pl.col(n).str.len_bytes() <= 8) for n in names]
    blank = raw.select(pl.all_horizontal(short)).to_series()
    if blank.any():
        few = raw.filter(blank)
        is_blank = few.select(
            pl.all_horizontal(
                pl.col(n).str.strip_chars().str.len_bytes().fill_null(0) == 0 for n in names
            )
        ).to_series()
        blank = _scatter(blank, is_blank)
    stats = stats.with_columns(blank=blank)
    # A known format's table ends at the first blank or comment line (GA4: further tables).
    notes: list[str] = []
    fmt = formats.get_format(fmt_hint) if fmt_hint else formats.detect_format(headers, preamble)
    if fmt is not None and fmt.cut_at_blank:
        stop = stats.select((pl.col("blank") | pl.col("hash")).arg_true().first()).item()
        if stop is not None:
            rest = stats.slice(stop).filter(~pl.col("blank")).height
            if rest:
                notes.append(
                    f"{rest} lines after the first table ignored (from row {header_row + 1 + stop})"
                )
            raw, stats = raw.head(stop), stats.head(stop)
    _check_ragged(raw, stats, width, d, col)
    raw = raw.filter(~stats["blank"])
    return _Table(headers, raw, preamble, enc, d, header_row, notes)


def _scatter(mask: pl.Series, values: pl.Series) -> pl.Series:
    """`mask` with its True positions replaced, in order, by `values`."""
    idx = mask.arg_true()
    return mask.scatter(idx, values)


def _check_ragged(
    raw: pl.DataFrame, stats: pl.DataFrame, width: int, d: str, col: _Collector
) -> None:
    """Rows with more or fewer values than the header has columns (trailing empty values and
    blank lines are fine)."""
    more = stats["fc"] > width
    if more.any():
        if "tail_empty" in stats.columns:
            tail = stats["tail_empty"]
        else:
            dq = re.escape(d)
            tail = stats.select(
                pl.col("line")
                .str.extract(rf"^(?:[^{dq}]*{dq}){{{width}}}(.*)$", 1)
                .str.replace_all(rf"[\s{dq}\"\x1f]", "")
                .str.len_bytes()
                .fill_null(0)
                == 0
            ).to_series()
        more = more & ~tail
    fewer = (stats["fc"] < width) & ~stats["blank"]
    for mask, hint in (
        (more, "check for an unquoted delimiter inside a value"),
        (fewer, "check for a missing value or an unquoted line break"),
    ):
        n = int(mask.sum())
        if n:
            found = pl.DataFrame({ROW: raw[ROW].filter(mask), "fc": stats["fc"].filter(mask)})
            message = formatting.template(
                "has {} values but the header has {} columns ({})",
                "fc",
                pl.lit(width),
                pl.lit(hint),
            )
            found = found.select(
                ROW, pl.lit(None, dtype=pl.String).alias("value"), message.alias("message")
            )
            col.rows(found, None, "", n)


def _read_with_csv_module(
    body: bytes, d: str, names: list[str], col: _Collector
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Slow path for irregular quoting that the fast reader splits differently."""
    csv.field_size_limit(1 << 30)
    text = body.decode("utf-8", errors="replace")
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=d))
    except csv.Error as exc:
        raise col.fatal(f"the file cannot be split into rows ({exc})") from None
    width = len(names)
    columns: list[list[str | None]] = [[] for _ in names]
    fcs, hashes, tails = [], [], []
    for rec in records:
        fcs.append(max(len(rec), 1))
        hashes.append(bool(rec) and rec[0].startswith("#"))
        tails.append(all(not v.strip() for v in rec[width:]))
        for i in range(width):
            v = rec[i] if i < len(rec) else None
            columns[i].append(v if v else None)
    raw = pl.DataFrame(
        dict(zip(names, columns, strict=True)), schema=dict.fromkeys(names, pl.String)
    )
    stats = pl.DataFrame(
        {"fc": fcs, "hash": hashes, "tail_empty": tails},
        schema={"fc": pl.Int64, "hash": pl.Boolean, "tail_empty": pl.Boolean},
    )
    return raw, stats


# --- XLSX ----------------------------------------------------------------------------------------


def _xlsx_first_row(data: bytes) -> int:
    """The sheet row of the first used cell of the first sheet (the reader drops empty rows)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            wb = z.read("xl/workbook.xml").decode("utf-8", "replace")
            rels = z.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
            rid = re.search(r"<sheet\b[^>]*\br:id=\"([^\"]+)\"", wb)
            target = re.search(
                rf"<Relationship\b[^>]*Id=\"{re.escape(rid.group(1))}\"[^>]*Target=\"([^\"]+)\"",  # type: ignore[union-attr]
                rels,
            ) or re.search(
                rf"<Relationship\b[^>]*Target=\"([^\"]+)\"[^>]*Id=\"{re.escape(rid.group(1))}\"",  # type: ignore[union-attr]
                rels,
            )
            path = target.group(1).lstrip("/")  # type: ignore[union-attr]
            path = path if path.startswith("xl/") else "xl/" + path
            with z.open(path) as f:
                head = f.read(1 << 20).decode("utf-8", "replace")
        m = re.search(r"<(?:\w+:)?c\b[^>]*\br=\"[A-Z]+([0-9]+)\"", head)
        return int(m.group(1)) if m else 1
    except Exception:
        return 1


def _check_zip(data: bytes, limit: int, col: _Collector) -> None:
    """An XLSX is a zip: refuse other zips, broken ones and ones that expand enormously."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = set(z.namelist())
            expanded = sum(i.file_size for i in z.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise col.fatal("the file looks like an XLSX (zip) file but is damaged") from None
    if "xl/workbook.xml" not in names:
        raise col.fatal("this is a ZIP archive, not an XLSX workbook: unpack it first")
    if limit > 0 and expanded > 20 * limit:  # XML compresses about 5-10 times
        raise col.fatal(
            f"the XLSX file expands to {expanded / 2**20:,.1f} MB, more than 20 times the "
            "upload limit; save the sheet as CSV instead"
        )


def _read_xlsx(data: bytes, col: _Collector, notes: list[str], limit: int) -> _Table:
    _check_zip(data, limit, col)
    try:
        import fastexcel
    except ImportError:
        raise col.fatal(
            "reading XLSX files needs the 'fastexcel' package; save the sheet as CSV instead"
        ) from None
    try:
        reader = fastexcel.read_excel(data)
        sheet = reader.load_sheet(0, header_row=None, dtypes="string")
        grid = sheet.to_polars()
    except Exception as exc:
        raise col.fatal(f"the XLSX file cannot be read ({exc})") from None
    notes.append(f"read as XLSX, sheet {reader.sheet_names[0]!r}")
    if len(reader.sheet_names) > 1:
        notes.append(f"other sheets ignored: {', '.join(reader.sheet_names[1:])}")
    first = _xlsx_first_row(data)
    if grid.height == 0 or grid.width == 0:
        raise col.fatal("the file is empty (expected a header row and at least one data row)")
    cells = grid.columns
    grid = grid.with_columns(pl.col(c).cast(pl.String).str.strip_chars() for c in cells)
    blank = grid.select(
        pl.all_horizontal(pl.col(c).is_null() | (pl.col(c) == "") for c in cells)
    ).to_series()
    hashy = grid[cells[0]].str.starts_with("#").fill_null(False)
    skip = blank | hashy
    start = skip.arg_min() if not skip.all() else None
    if start is None:
        raise col.fatal("the file has no header row (only blank or '#' comment lines)")
    preamble = [str(v or "") for v in grid[cells[0]].head(start).to_list()]
    headers = [str(v or "").strip() for v in grid.row(start)]
    while (
        headers
        and not headers[-1]
        and grid[cells[len(headers) - 1]].slice(start).null_count() == grid.height - start
    ):
        headers.pop()
    names = _unique_names(headers)
    body = grid.slice(start + 1).select(cells[: len(names)])
    body.columns = names
    rows = pl.int_range(first + start + 1, first + start + 1 + body.height, dtype=pl.Int64)
    body = body.with_columns(rows.alias(ROW)).select(ROW, *names)
    body = body.filter(~blank.slice(start + 1))
    body = body.with_columns(pl.when(pl.col(n) != "").then(pl.col(n)).alias(n) for n in names)
    return _Table(headers, body, preamble, "xlsx", "", first + start)


# --- column mapping ------------------------------------------------------------------------------


def _strip_paren(s: str) -> str:
    return re.sub(r"\s*\([^)]*\)$", "", s).strip()


def _auto_map(headers: list[str], ds: Dataset) -> dict[str, str | None]:
    """Source header -> canonical column (None = not recognized); each used at most once."""
    cands: list[tuple[int, int, str, str]] = []
    for i, h in enumerate(headers):
        n = norm(h)
        if not n:
            continue
        for c in ds.columns:
            names = [norm(c.name)]
            aliases = [norm(a) for a in c.aliases]
            if n in names:
                cands.append((0, i, h, c.name))
            elif n in aliases:
                cands.append((1 + aliases.index(n) / 100, i, h, c.name))
            else:
                s = _strip_paren(n)
                if s != n and (s in names or s in aliases):
                    cands.append((2, i, h, c.name))
    cands.sort(key=lambda t: (t[0], t[1]))
    out: dict[str, str | None] = dict.fromkeys(headers)
    taken: set[str] = set()
    for _, _, h, c in cands:
        if out[h] is None and c not in taken:
            out[h] = c
            taken.add(c)
    return out


# --- typing --------------------------------------------------------------------------------------

_ANY_WS = r"[\s\u00a0\u202f]"
_NUM_JUNK = r"[\s\u00a0\u202f'\u2019$€£¥]"
_DOT_NUM = r"^[+-]?(?:[0-9]+|[0-9]{1,3}(?:,[0-9]{3})+)(?:\.[0-9]*)?$|^[+-]?\.[0-9]+$"
_COMMA_NUM = r"^[+-]?(?:[0-9]+|[0-9]{1,3}(?:\.[0-9]{3})+)(?:,[0-9]*)?$|^[+-]?,[0-9]+$"
_SCI_NUM = r"^[+-]?[0-9]+(?:\.[0-9]+)?[eE][+-]?[0-9]+$"
_INT_NUM = r"^[+-]?[0-9]+$"

_TRUE = ("true", "t", "yes", "y", "1", "ja", "oui", "si", "sí", "wahr", "vrai", "x")
_FALSE = ("false", "f", "no", "n", "0", "nein", "non", "falsch", "faux")

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
# without commas, a decimal point is certain unless the value looks like 1.234 (grouping)
_DOT_DECIMAL = r"^[+-]?(?:[0-9]*\.[0-9]{0,2}|[0-9]*\.[0-9]{4,}|[0-9]{4,}\.[0-9]*)$"
_FAST_DATETIME = ("%Y-%m-%dT%H:%M:%S%.f%#z", "%Y-%m-%d %H:%M:%S%.f%#z")
_FAST_NAIVE = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M")

_EXPECT = {
    "int": "is not a whole number (expected e.g. 42)",
    "float": "is not a number (expected e.g. 12.50)",
    "date": "is not a date (expected e.g. 2026-03-01, 01/03/2026 or 20260301)",
    "datetime": "is not a date and time "
    "(expected e.g. 2026-03-01 14:05 or 2026-03-01T14:05:00+01:00)",
    "bool": "is not yes/no (expected TRUE/FALSE, yes/no or 1/0)",
}


@dataclass
class _Ctx:
    date_order: DateOrder | None
    decimal: str  # default decimal separator when the values do not tell
    notes: list[str]
    ambiguous: list[str]  # columns whose day/month order is undecided


def _frame_select(s: pl.Series, expr: pl.Expr) -> pl.Series:
    """Evaluate an expression over pl.col('s') = `s`."""
    return s.to_frame("s").select(expr.alias("s")).to_series()


def _clean_num(s: pl.Series) -> pl.Series:
    """Text of a number without spaces, currency symbols and apostrophes."""
    return s.str.replace_all(_NUM_JUNK, "") if s.str.contains(_NUM_JUNK).any() else s


def _number_evidence(t: pl.Series) -> tuple[int, int]:
    """(values only readable with a decimal point, values only readable with a decimal comma)."""
    has_comma = bool(t.str.contains(",", literal=True).any())
    if not has_comma:
        if not t.str.contains(".", literal=True).any():
            return 0, 0
        return int(t.str.contains(_DOT_DECIMAL).sum()), 0
    dot, comma = t.str.contains(_DOT_NUM), t.str.contains(_COMMA_NUM)
    return int((dot & ~comma).sum()), int((comma & ~dot).sum())


def _to_number_expr(t: pl.Expr, decimal: str) -> pl.Expr:
    """Float64 from cleaned text with the given decimal separator (null when not a number)."""
    if decimal == ",":
        plain = t.str.replace_all(".", "", literal=True).str.replace(",", ".", literal=True)
        ok = t.str.contains(_COMMA_NUM)
    else:
        plain = t.str.replace_all(",", "", literal=True)
        ok = t.str.contains(_DOT_NUM)
    return (
        pl.when(ok)
        .then(plain.cast(pl.Float64, strict=False))
        .when(t.str.contains(_SCI_NUM))
        .then(t.cast(pl.Float64, strict=False))
    )


def _to_float(t: pl.Series, decimal: str) -> pl.Series:
    if decimal == "." and not t.str.contains(",", literal=True).any():
        v = t.cast(pl.Float64, strict=False)  # fast path: plain numbers
        if not v.is_finite().fill_null(True).all():  # 'inf', 'nan' are not numbers here
            v = _frame_select(v, pl.when(pl.col("s").is_finite()).then(pl.col("s")))
        return v
    return _frame_select(t, _to_number_expr(pl.col("s"), decimal))


def _to_int(t: pl.Series, decimal: str) -> pl.Series:
    v = t.cast(pl.Int64, strict=False)
    if v.null_count() == t.null_count():
        return v
    f = _to_float(t, decimal)
    whole = f.is_not_null() & (f == f.floor()) & (f.abs() < 9.0e15)
    return pl.select(
        pl.when(v.is_not_null()).then(v).when(whole).then(f.cast(pl.Int64, strict=False))
    ).to_series()


def _decimal_choice(texts: dict[str, pl.Series], default: str, ctx: _Ctx) -> dict[str, str]:
    """The decimal separator of each numeric column: its own values decide, else the file's,
    else `default`."""
    ev = {c: _number_evidence(t) for c, t in texts.items()}
    file_dot = sum(d for d, _ in ev.values())
    file_comma = sum(c for _, c in ev.values())
    fallback = (
        "," if file_comma and not file_dot else "." if file_dot and not file_comma else default
    )
    out = {c: "," if cm > dt else "." if dt > cm else fallback for c, (dt, cm) in ev.items()}
    if any(
        out[c] == "," and (cm or texts[c].str.contains(".", literal=True).any())
        for c, (_, cm) in ev.items()
    ):
        ctx.notes.append("decimal commas detected (e.g. '12,50' read as 12.5)")
    return out


def _date_parts(s: pl.Expr, order: DateOrder | None, present: set[str]) -> tuple[pl.Expr, ...]:
    """(y, m, d, H, M, S, us, offset_minutes, valid) from text, by the patterns above (only
    those `present` in the column are evaluated)."""
    g = {k: s.str.extract_groups(p) for k, p in _DATE_PATTERNS.items() if k in present}

    def f(k: str, name: str) -> pl.Expr:
        return g[k].struct.field(name) if k in g else pl.lit(None, dtype=pl.String)

    def i(e: pl.Expr) -> pl.Expr:
        return e.cast(pl.Int32, strict=False)

    names = pl.Series(list(_MONTHS))
    numbers = pl.Series(list(_MONTHS.values()), dtype=pl.Int32)

    def mon(k: str) -> pl.Expr:
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
    return y, m, d, hh, mi, ss, us, off, valid


def _slash_evidence(s: pl.Series) -> dict[str, object]:
    """Counts of slash dates only readable day first, only month first, or either."""
    g = _frame_select(s, pl.col("s").str.extract_groups(_DATE_PATTERNS["slash"])).struct
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
    else:
        v = s.str.to_datetime(fmt_, strict=False, time_unit="us").dt.replace_time_zone("UTC")
    if kind == "date" and v.dtype != pl.Date:
        v = v.dt.date()
    return _frame_select(v, pl.when(pl.col("s").dt.year().is_between(1000, 9999)).then("s"))


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


def _slow_temporal(s: pl.Series, kind: str, order: DateOrder | None) -> tuple[pl.Series, bool]:
    """The column parsed by the general patterns (and Excel serials), and whether serials
    were used."""
    x = pl.col("s")
    present = {k for k, p in _DATE_PATTERNS.items() if s.str.contains(p).any()}
    y, m, d, hh, mi, ss, us, off, valid = _date_parts(x, order, present)
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
    out = s.to_frame("s").select(expr.alias("v"), (serial_text & ~valid).any().alias("serial"))
    return out["v"], bool(out["serial"][0])


def _type_frame(
    raw: pl.DataFrame, ds: Dataset, labels: dict[str, str], ctx: _Ctx, col: _Collector
) -> pl.DataFrame:
    """The canonical typed frame (plus ROW) from canonical-named text; problems to `col`."""
    n = raw.height

    def text(name: str) -> pl.Series:
        if name in raw.columns:
            return raw[name].cast(pl.String)
        return pl.repeat(None, n, dtype=pl.String, eager=True).alias(name)

    checks: list[tuple[str, pl.Series, str]] = []  # (canonical, bad mask, message)
    out: dict[str, pl.Series] = {ROW: raw[ROW]}
    texts: dict[str, pl.Series] = {}  # the normalized text of each column (for messages)
    numeric = {
        c.name: _empty_as_null(_clean_num(text(c.name)))
        for c in ds.columns
        if c.type in ("int", "float")
    }
    decimals = _decimal_choice(numeric, ctx.decimal, ctx)
    # temporal columns: order-free layouts (ISO, YYYYMMDD, dotted) first, by strptime; the
    # slash dates left decide the day/month order together; the rest go the general way
    partial: dict[str, tuple[pl.Series, pl.Series]] = {}
    for c in ds.columns:
        if c.type in ("date", "datetime"):
            t = text(c.name)
            empty = pl.repeat(None, n, dtype=c.dtype, eager=True).alias(c.name)
            partial[c.name] = _parse_layouts(t, c.type, None, empty, t.is_not_null())
    slow = {c: _strip(text(c)) for c, (_, todo) in partial.items() if todo.any()}
    evidence = {c: _slash_evidence(t.filter(partial[c][1])) for c, t in slow.items()}
    file_dmy = sum(int(e["dmy"]) for e in evidence.values())  # type: ignore[call-overload]
    file_mdy = sum(int(e["mdy"]) for e in evidence.values())  # type: ignore[call-overload]
    orders_used: set[str] = set()
    serial_used = False
    for c in ds.columns:
        label = labels.get(c.name, c.name)
        if c.type == "str":
            s = v = _strip(text(c.name))
            if c.values is not None or c.name == ds.platform_column or c.name == "platform":
                v = s.str.to_lowercase()
            if c.values is not None:
                allowed = list(c.values)
                bad = v.is_not_null() & ~v.is_in(allowed)
                checks.append(
                    (c.name, bad, f"is not one of the allowed values: {', '.join(allowed)}")
                )
        elif c.type in ("int", "float"):
            s = numeric[c.name]
            mode = decimals[c.name]
            v = _to_int(s, mode) if c.type == "int" else _to_float(s, mode)
            checks.append((c.name, v.is_null() & s.is_not_null(), _EXPECT[c.type]))
            if c.nonnegative:
                checks.append(
                    (c.name, (v < 0).fill_null(False), "is negative (expected 0 or more)")
                )
        elif c.type == "bool":
            s = _strip(text(c.name))
            low = s.str.to_lowercase()
            v = pl.select(
                pl.when(low.is_in(list(_TRUE))).then(True).when(low.is_in(list(_FALSE))).then(False)
            ).to_series()
            checks.append((c.name, v.is_null() & s.is_not_null(), _EXPECT["bool"]))
        else:  # date, datetime
            v, todo = partial[c.name]
            s = slow.get(c.name, text(c.name))
            if todo.any():
                ev = evidence[c.name]
                order = _date_order(ev, ctx.date_order, file_dmy, file_mdy, label, col, ctx)
                if order is not None and (ev["dmy"] or ev["mdy"] or ev["amb"]):
                    orders_used.add(order)
                v, todo = _parse_layouts(s, c.type, order, v, todo & s.is_not_null())
                if todo.any():
                    rest, used = _slow_temporal(s.filter(todo), c.type, order)
                    v = v.scatter(todo.arg_true(), rest)
                    serial_used |= used
            checks.append((c.name, v.is_null() & s.is_not_null(), _EXPECT[c.type]))
        texts[c.name] = s
        out[c.name] = v.cast(c.dtype).alias(c.name)
        if c.required:
            checks.append((c.name, s.is_null(), "no value (this column is required)"))
    for o in sorted(orders_used):
        ctx.notes.append(
            "dates read as DD/MM/YYYY (day first)"
            if o == "dmy"
            else "dates read as MM/DD/YYYY (month first)"
        )
    if serial_used:
        ctx.notes.append("Excel serial numbers read as dates (days since 1899-12-30)")
    for cname, mask, message in checks:
        count = int(mask.sum() or 0)
        if count:
            found = pl.DataFrame({ROW: raw[ROW].filter(mask), "value": texts[cname].filter(mask)})
            col.rows(found, labels.get(cname, cname), message, count)
    return pl.DataFrame(out)


def _date_order(
    ev: dict[str, object],
    given: DateOrder | None,
    file_dmy: int,
    file_mdy: int,
    label: str,
    col: _Collector,
    ctx: _Ctx,
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
    ctx.ambiguous.append(label)
    col.file_problem(
        "could be day first (DD/MM/YYYY) or month first (MM/DD/YYYY) and no value in the file "
        "tells which; choose the date order (date_order='dmy' or 'mdy') and read the file again",
        label,
        str(ev["ex"]),
    )
    return None


def _dedupe(
    df: pl.DataFrame, ds: Dataset, labels: dict[str, str], ctx: _Ctx, col: _Collector
) -> pl.DataFrame:
    """Drop exact duplicate rows (with a note); report a key repeated with different values."""
    key = list(ds.key)
    keys = df[key[0]] if len(key) == 1 else df.select(pl.struct(key)).to_series()
    if keys.hash().n_unique() == df.height:  # distinct hashes: every key is unique
        return df
    first = df.select(pl.struct(ds.names).is_first_distinct()).to_series()
    dropped = df.filter(~first)
    if dropped.height:
        rows = ", ".join(str(r) for r in dropped[ROW].head(10).to_list())
        more = " ..." if dropped.height > 10 else ""
        ctx.notes.append(f"{dropped.height} exact duplicate rows dropped (rows {rows}{more})")
        df = df.filter(first)
    required_keys = [k for k in key if ds.column(k).required]
    cand = df.filter(pl.all_horizontal(pl.col(k).is_not_null() for k in required_keys))
    clash = cand.with_columns(__first=pl.col(ROW).min().over(key), __n=pl.len().over(key)).filter(
        (pl.col("__n") > 1) & (pl.col(ROW) != pl.col("__first"))
    )
    if clash.height:
        key_label = ", ".join(labels.get(k, k) for k in key)
        value = pl.concat_str(
            [pl.col(k).cast(pl.String).fill_null("") for k in key], separator=", "
        )
        message = formatting.template(
            "is the same key as row {} but with different values (a key must identify one row)",
            "__first",
        )
        found = clash.select(ROW, value.alias("value"), message.alias("message"))
        col.rows(found, key_label, "", clash.height)
    return df


def _key_text(row: dict[str, object], key: list[str]) -> str:
    return ", ".join("" if row[k] is None else str(row[k]) for k in key)


# --- the whole reading ---------------------------------------------------------------------------


def _parse(
    pf: ParsedFile,
    col: _Collector,
    src: object,
    dataset: str | None,
    mapping: dict[str, str | None],
    date_order: DateOrder | None,
    limit: int,
    fmt_name: str | None,
) -> None:
    if dataset is not None and dataset not in datasets.DATASETS:
        raise col.fatal(f"unknown dataset {dataset!r} (known: {', '.join(datasets.DATASETS)})")
    if date_order not in (None, "dmy", "mdy"):
        raise col.fatal(f"unknown date order {date_order!r} (expected 'dmy' or 'mdy')")
    if fmt_name not in (None, "auto", "canonical") and formats.get_format(fmt_name) is None:
        names = ", ".join(["canonical", *(f.name for f in formats.FORMATS)])
        raise col.fatal(f"unknown format {fmt_name!r} (known: {names})")
    data = _read_source(src, limit, col)
    if re.search(rb"[^ \t\r\n\f]", data) is None or data in (
        b"\xef\xbb\xbf",
        b"\xff\xfe",
        b"\xfe\xff",
    ):
        raise col.fatal("the file is empty (expected a header row and at least one data row)")
    if data.startswith(b"PK\x03\x04"):
        table = _read_xlsx(data, col, pf.notes, limit)
        decimal = "."
    else:
        text, enc = _decode(data, col)
        hint = fmt_name if fmt_name not in (None, "auto", "canonical") else None
        table = _read_csv(text, enc, col, hint)
        decimal = "," if table.delimiter == ";" else "."
    pf.encoding, pf.delimiter = table.encoding, table.delimiter
    if pf.delimiter:
        pf.notes.append(
            f"read as {pf.encoding}, {_DELIM_NAMES.get(pf.delimiter, pf.delimiter)}-delimited"
        )
    pf.notes += table.notes
    raw = table.raw
    names = [c for c in raw.columns if c != ROW]
    pf.rows = raw.height
    pf.preview = raw.head(_PREVIEW_ROWS).drop(ROW)
    if not any(h.strip() for h in table.headers):
        raise col.fatal("the header row is empty (expected column names in the first row)")
    # unnamed columns: ignored, unless they hold values
    unnamed = [n for n, h in zip(names, table.headers, strict=False) if not h.strip()]
    for n in unnamed:
        if raw[n].null_count() < raw.height:
            pf.notes.append(f"{n} has values but no header: ignored")
    if raw.height == 0:
        col.file_problem("the file has a header but no data rows")
    ctx = _Ctx(date_order, decimal, pf.notes, pf.ambiguous_dates)

    known = None
    if fmt_name not in ("canonical",):
        fmt = (
            formats.get_format(fmt_name)
            if fmt_name not in (None, "auto")
            else formats.detect_format(names, table.preamble)
        )
        if fmt is not None and (dataset is None or dataset == fmt.dataset):
            known = fmt
    if known is not None:
        if mapping:
            pf.notes.append(
                f"the column mapping is not used for a {known.name} file "
                "(read it with fmt='canonical' to map its columns yourself)"
            )
        _parse_known(pf, col, known, raw, names, table.preamble, ctx)
        return

    # canonical dataset file
    named = [n for n, h in zip(names, table.headers, strict=False) if h.strip()]
    best, scores = detect_dataset(named)
    pf.scores = scores
    ds_name = dataset or best
    if ds_name is None:
        pf.mapping = dict.fromkeys(names)
        close = [f"{n} ({s:.0%} alike)" for n, s in scores[:3] if s > 0]
        hint = f"closest: {', '.join(close)}" if close else "no dataset has any of these columns"
        raise col.fatal(
            f"no dataset recognized from the columns {', '.join(named)} ({hint}); rename the "
            "columns as in the CSV formats of the README, or choose the dataset and map the "
            "columns"
        )
    ds = datasets.get(ds_name)
    pf.dataset = ds_name
    auto = _auto_map(named, ds)
    auto.update(dict.fromkeys(unnamed))
    for src_col, target in mapping.items():
        if src_col not in auto:
            col.file_problem(
                f"the mapping names a column that is not in the file (found: {', '.join(named)})",
                src_col,
            )
            continue
        if target in (None, ""):
            auto[src_col] = None
            continue
        if target not in ds.names:
            col.file_problem(
                f"is not a column of {ds_name} (expected one of: {', '.join(ds.names)})",
                src_col,
                str(target),
            )
            continue
        for other, t in auto.items():
            if t == target:
                auto[other] = None
        auto[src_col] = target
    pf.mapping = auto
    ignored = [h for h, t in auto.items() if t is None and h not in unnamed]
    if ignored:
        pf.notes.append(f"columns not used: {', '.join(ignored)}")
    mapped = {t: h for h, t in auto.items() if t is not None}
    missing = [c for c in ds.required if c not in mapped]
    for c in missing:
        accepted = ", ".join([c, *ds.column(c).aliases])
        col.file_problem(
            f"required column of {ds_name} is missing (accepted names: {accepted}); "
            f"the file's columns are: {', '.join(named)}",
            c,
        )
    if missing:
        raise _Bad("missing columns")
    canon = raw.select(ROW, *[pl.col(h).alias(t) for t, h in mapped.items()])
    typed = _type_frame(canon, ds, mapped, ctx, col)
    typed = _dedupe(typed, ds, mapped, ctx, col)
    _store(pf, {ds_name: typed})


def _parse_known(
    pf: ParsedFile,
    col: _Collector,
    fmt: formats.Format,
    raw: pl.DataFrame,
    names: list[str],
    preamble: list[str],
    ctx: _Ctx,
) -> None:
    pf.fmt, pf.dataset = fmt.name, fmt.dataset
    cols = {norm(h): h for h in reversed(names)}
    prep = fmt.prepare(raw, cols, preamble)
    pf.mapping = prep.mapping
    pf.notes += prep.notes
    col.raw(prep.problems)
    if any(row is None for row, *_ in prep.problems):
        raise _Bad("the file cannot be converted")
    typed: dict[str, pl.DataFrame] = {}
    for ds_name, frame in prep.frames.items():
        ds = datasets.get(ds_name)
        typed[ds_name] = _type_frame(frame, ds, prep.labels.get(ds_name, {}), ctx, col)
    finished = fmt.finish(typed, pf.notes)
    out = {}
    for ds_name, frame in finished.items():
        ds = datasets.get(ds_name)
        out[ds_name] = _dedupe(frame, ds, prep.labels.get(ds_name, {}), ctx, col)
    _store(pf, out)


def _store(pf: ParsedFile, frames: dict[str, pl.DataFrame]) -> None:
    for ds_name, frame in frames.items():
        ds = datasets.get(ds_name)
        pf.source_rows[ds_name] = frame[ROW].alias("row")
        pf.frames[ds_name] = frame.select(ds.names).cast(ds.schema)  # type: ignore[arg-type]
