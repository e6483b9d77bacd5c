"""The structure of a CSV file: comment lines, the header, the delimiter, records and their
field counts, with spreadsheet row numbers.

Records are split by Polars' CSV reader (every value as text); the standard `csv` module is
the slow path only for quoting the fast reader splits differently. The delimiter is sniffed
by hand among comma, semicolon, tab and pipe (the one that gives the header at least two
columns and fits most of the first 50 lines): clevercsv's dialect detection chose the same
delimiter on every file of the test corpus at about 30 times the cost, and brings three
packages with it.

Runaway quotes: a quoted value may hold line breaks (post texts, addresses), but one quote
left open swallows the rows after it into one value. A quoted value that holds line breaks
is reported (its row, its column and how many lines it swallowed), never taken, when
- its closing quote is missing: it runs to the end of the file;
- or a line inside it, neither its first nor its last, looks like a whole row: it has as
  many delimiters as the header (at least two);
- or it spans more than `MAX_QUOTED_LINES` lines.
Text with a few line breaks and the odd comma is read as usual. A header whose quote is not
closed ends the reading.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable

import numpy as np
import polars as pl

from smmkpi import formatting
from smmkpi.ingest.core import NO_DATA, ROW, empty_as_null, totals_mask
from smmkpi.ingest.problems import Bad, Collector
from smmkpi.ingest.source import SAMPLE
from smmkpi.ingest.table import Table, unique_names

DELIMITERS = (",", ";", "\t", "|")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
_SAMPLE_LINES = 50  # lines after the header that the delimiter must fit
_SEP_LINE = r"\"?sep=(.)\"?,*"  # Excel's first line naming the delimiter
_TITLE_LINES = 15  # a report's title lines above its table: at most this many
MAX_QUOTED_LINES = 100  # a quoted value spanning more lines has swallowed rows

# (headers, preamble) -> whether the table ends at its first blank or '#' line (a known format
# with further tables below the first, such as a GA4 report)
EndsAtBlank = Callable[[list[str], list[str]], bool]


def read_csv(data: bytes, enc: str, col: Collector, ends_at_blank: EndsAtBlank) -> Table:
    """The table of a decoded CSV file (UTF-8 bytes), with row problems for ragged records."""
    start, end, before, preamble, sep = _find_header(data)
    if start < 0:
        raise col.fatal("the file has no header row (only blank or '#' comment lines)")
    header_text = data[start:end].decode("utf-8", errors="replace")
    body = data[end:]
    header_row = before + 1
    if data[start:end].count(b'"') % 2:
        _unclosed_header(data[start:end], header_row, col)
    sample = body[:SAMPLE].decode("utf-8", errors="replace").split("\n")[:_SAMPLE_LINES]
    d = sniff(header_text, sample, sep)
    headers = _parse_header(header_text, d)
    names = unique_names(headers)
    width = len(names)
    if re.search(rb'[^ \t\r\n,;|"]', body) is None:  # nothing but blank lines
        empty = pl.DataFrame(schema={ROW: pl.Int64, **dict.fromkeys(names, pl.String)})
        return Table(headers, empty, preamble, enc, d)
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
    raw = raw.with_columns(empty_as_null(raw[n]) for n in names)
    raw = raw.with_columns(
        pl.int_range(header_row + 1, header_row + 1 + raw.height, dtype=pl.Int64).alias(ROW)
    ).select(ROW, *names)
    stats = stats.with_columns(blank=_blank_rows(raw, names))
    last_row = raw.height + header_row
    notes: list[str] = []
    if ends_at_blank(headers, preamble):
        stop = stats.select((pl.col("blank") | pl.col("hash")).arg_true().first()).item()
        if stop is not None:
            rest = stats.slice(stop).filter(~pl.col("blank")).height
            if rest:
                notes.append(
                    f"{rest} lines after the first table ignored (from row {header_row + 1 + stop})"
                )
            raw, stats = raw.head(stop), stats.head(stop)
    runaway = _runaway_quotes(raw, body, names, d, last_row, col) if b'"' in body else None
    # an export's "No data available." line stands for the table: no row, and no ragged one
    no_data = stats["fc"] == 1
    if no_data.any():  # the words are looked for on the (few) records of one value only
        said = raw.filter(no_data).get_column(names[0]).str.contains(NO_DATA).fill_null(False)
        no_data = no_data.scatter(no_data.arg_true(), said)
    # a totals row is dropped later (with a note), whatever its number of values
    skip = no_data | totals_mask(raw)
    _check_ragged(raw, stats, width, d, col, skip if runaway is None else runaway | skip)
    raw = raw.filter(~stats["blank"] & ~no_data)
    return Table(headers, raw, preamble, enc, d, notes, no_data=bool(no_data.any()))


def sniff(header: str, sample: list[str], forced: str | None) -> str:
    """The delimiter: `forced` (a `sep=` line) if given, else the one of DELIMITERS that splits
    the header into at least two columns and gives most sample lines the header's width
    (ties: the wider header); comma when none does."""
    if forced is not None:
        return forced
    best, best_key = ",", (-1.0, 0)
    for d in DELIMITERS:
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


def _is_blank_line(line: str) -> bool:
    """Nothing but white space, delimiters and quotes."""
    return not line.strip().strip(",;\t|").strip(" \"'")


def _find_header(data: bytes) -> tuple[int, int, int, list[str], str | None]:
    """(start, end, records before it, preamble lines, sep= hint) of the header record;
    start -1 when there is none."""
    pos, index, preamble, sep = 0, 0, [], None
    n = len(data)
    while pos < n and index < 10000:
        end = data.find(b"\n", pos)
        end = n if end < 0 else end + 1
        line = data[pos:end].decode("utf-8", errors="replace").rstrip("\r\n")
        low = line.strip().lower()
        if _is_blank_line(line) or line.lstrip().startswith("#"):
            preamble.append(line)
        elif re.fullmatch(_SEP_LINE, low):
            named = re.fullmatch(_SEP_LINE, line.strip(), re.IGNORECASE).group(1)  # type: ignore[union-attr]
            # the CSV reader splits on one byte: another delimiter is sniffed instead
            sep = named if named.isascii() else None
        elif _is_title_line(line) and _table_follows(data, end):
            preamble.append(line.strip().strip('"'))
        else:
            # a header with a quoted line break continues on the next lines
            while data[pos:end].count(b'"') % 2 and end < n:
                nxt = data.find(b"\n", end)
                end = n if nxt < 0 else nxt + 1
            return pos, end, index, preamble, sep
        pos, index = end, index + 1
    return -1, -1, index, preamble, sep


def _is_title_line(line: str) -> bool:
    """One value alone (no delimiter outside quotes): a report's title or date-range line
    above its table, as Google Ads ('Campaign report') and Microsoft Advertising
    ('"Report Name: ..."') write them."""
    bare = re.sub(r'"[^"]*"', "", line)
    return bool(line.strip()) and not any(d in bare for d in DELIMITERS)


def _table_follows(data: bytes, pos: int) -> bool:
    """Whether a line of at least two values follows within `_TITLE_LINES` lines, with only
    title, blank or '#' lines before it: then the lines so far are a title, not a header
    (a one-column file keeps its first line as header)."""
    for _ in range(_TITLE_LINES):
        if pos >= len(data):
            return False
        end = data.find(b"\n", pos)
        end = len(data) if end < 0 else end + 1
        line = data[pos:end].decode("utf-8", errors="replace").rstrip("\r\n")
        pos = end
        if _is_blank_line(line) or line.lstrip().startswith("#") or _is_title_line(line):
            continue
        return True
    return False


def _parse_header(text: str, d: str) -> list[str]:
    """The header's names, BOM and surrounding spaces removed."""
    try:
        names = next(csv.reader([text.rstrip("\r\n")], delimiter=d))
    except (csv.Error, StopIteration):
        names = text.split(d)
    return [n.replace("\ufeff", "").strip() for n in names]


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


def _blank_rows(raw: pl.DataFrame, names: list[str]) -> pl.Series:
    """Per record: every value empty or white space (a cheap length test first, then the
    strip only on the few short rows)."""
    short = [pl.col(n).is_null() | (pl.col(n).str.len_bytes() <= 8) for n in names]
    blank = raw.select(pl.all_horizontal(short)).to_series()
    if blank.any():
        few = raw.filter(blank)
        is_blank = few.select(
            pl.all_horizontal(
                pl.col(n).str.strip_chars().str.len_bytes().fill_null(0) == 0 for n in names
            )
        ).to_series()
        blank = blank.scatter(blank.arg_true(), is_blank)
    return blank


def _check_ragged(
    raw: pl.DataFrame,
    stats: pl.DataFrame,
    width: int,
    d: str,
    col: Collector,
    skip: pl.Series | None = None,
) -> None:
    """Rows with more or fewer values than the header has columns (trailing empty values and
    blank lines are fine); rows in `skip` already have a runaway quote reported."""
    if skip is not None:
        stats = stats.with_columns(blank=pl.col("blank") | skip)
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
    if skip is not None:
        more = more & ~skip
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


def _runaway_quotes(
    raw: pl.DataFrame, body: bytes, names: list[str], d: str, last_row: int, col: Collector
) -> pl.Series | None:
    """Report every quoted value that swallowed rows (see the module's rule); the records
    that hold one (a mask over `raw`), or None when there is none."""
    width = len(names)
    need = max(width - 1, 2)  # delimiters on a line that looks like a whole row
    dq = re.escape(d)
    unclosed = body.count(b'"') % 2 == 1
    hit: pl.Series | None = None
    for n in names:
        if not raw[n].str.contains("\n", literal=True).any():
            continue
        multi = raw.filter(pl.col(n).str.contains("\n", literal=True)).select(
            ROW,
            pl.col(n).alias("value"),
            lines=pl.col(n).str.count_matches("\n", literal=True)
            - pl.col(n).str.ends_with("\n").cast(pl.UInt32),
            rowlike=pl.col(n)
            .str.split("\n")
            .list.slice(1, pl.col(n).str.count_matches("\n", literal=True) - 1)
            .list.eval(pl.element().str.count_matches(dq) >= need)
            .list.sum(),
        )
        to_end = pl.lit(unclosed) & (pl.col(ROW) == last_row)
        bad = multi.filter(
            to_end | (pl.col("rowlike") >= 1) | (pl.col("lines") > MAX_QUOTED_LINES)
        )
        if bad.height == 0:
            continue
        missing = "is a quoted value whose closing quote is missing: it runs to the end of the file"
        message = (
            pl.when(to_end & (pl.col("lines") == 0))
            .then(pl.lit(missing + "; add the closing quote or remove the opening one"))
            .when(to_end)
            .then(
                formatting.template(
                    missing + ", swallowing {} lines; add the closing quote or remove the "
                    "opening one",
                    "lines",
                )
            )
            .when(pl.col("rowlike") >= 1)
            .then(
                formatting.template(
                    "is a quoted value that swallowed {} lines, {} of which look like whole "
                    "rows: a quote is missing or extra; check the quotes in this value",
                    "lines",
                    "rowlike",
                )
            )
            .otherwise(
                formatting.template(
                    "is a quoted value that spans {} lines (more than "
                    f"{MAX_QUOTED_LINES}): a quote is probably missing or extra; check the "
                    "quotes in this value",
                    "lines",
                )
            )
        )
        found = bad.select(ROW, pl.col("value").str.slice(0, 200), message.alias("message"))
        col.rows(found, n, "", found.height)
        rows = raw[ROW].is_in(bad[ROW].implode())
        hit = rows if hit is None else hit | rows
    return hit


def _unclosed_header(header: bytes, row: int, col: Collector) -> None:
    """A header whose quote is not closed runs to the end of the file: a problem on its row
    that ends the reading."""
    lines = header.count(b"\n") - header.endswith(b"\n")
    found = pl.DataFrame(
        {ROW: [row], "value": [header[:200].decode("utf-8", errors="replace")]},
        schema={ROW: pl.Int64, "value": pl.String},
    )
    col.rows(
        found,
        None,
        f"is a header whose quote is not closed: it runs to the end of the file and swallowed "
        f"{lines} lines; close the quote or remove it",
        1,
    )
    raise Bad("unclosed quote in the header")


def _read_with_csv_module(
    body: bytes, d: str, names: list[str], col: Collector
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
