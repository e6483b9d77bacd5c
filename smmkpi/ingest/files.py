"""Reading one file from bytes to checked frames (`parse_file`), and a folder of them.

The steps, each in its own module: the bytes and their encoding (`source`), the table
(`csvfile`, `xlsxfile` or `xmlsheet`), the rows that are not data (`nondata`: totals rows,
"No data available.", a description row), the export format (`formats`) or else the dataset and
the column mapping (`mapping`), the typed values and their checks (`values`), duplicate
rows and keys (`keys`); every problem goes to one `problems.Collector`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import polars as pl

from smmkpi import config, datasets
from smmkpi.ingest.core import ROW, DateOrder, norm
from smmkpi.ingest.csvfile import DELIMITER_NAMES, EndsAtBlank, read_csv
from smmkpi.ingest.formats import FORMATS, Format, detect_format, get_format, preferred_sheets
from smmkpi.ingest.keys import combine, dedupe
from smmkpi.ingest.mapping import apply_mapping, auto_map, detect_dataset, require_columns
from smmkpi.ingest.nondata import (
    drop_description_row,
    drop_totals,
    drop_unlabelled_total,
    refuse_no_data,
)
from smmkpi.ingest.problems import Bad, Collector, Problem
from smmkpi.ingest.source import EMPTY, decode, is_empty, name_of, not_a_file, read_source
from smmkpi.ingest.table import Table
from smmkpi.ingest.values import Ctx, type_frame
from smmkpi.ingest.xlsxfile import OLE_SIGNATURE, ZIP_SIGNATURE, read_xlsx
from smmkpi.ingest.xmlsheet import is_xml_spreadsheet, read_xml_spreadsheet
from smmkpi.ingest.yearless import YearHint

_PREVIEW_ROWS = 20
FILE_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xls", ".xml")  # what load_folder reads
_AUTO = (None, "auto")  # `fmt` values that mean: detect the format from the headers


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
    needs_year: list[str] = field(default_factory=list)  # columns of dates without a year

    @property
    def ok(self) -> bool:
        """No problem, a dataset and frames: the file can be imported."""
        return not self.problems and self.dataset is not None and bool(self.frames)


def parse_file(
    src: bytes | BinaryIO | str | Path,
    *,
    name: str | None = None,
    dataset: str | None = None,
    mapping: dict[str, str | None] | None = None,
    date_order: DateOrder | None = None,
    max_bytes: int | None = None,
    fmt: str | None = None,
    year: YearHint | None = None,
) -> ParsedFile:
    """Read one CSV/XLSX file into typed frames plus problems; never raises for bad input.

    `dataset` forces the dataset instead of detecting it; `mapping` maps source headers to
    canonical columns (None or "" ignores a column) on top of the automatic aliases (canonical
    files only); `date_order` reads slash dates day first ("dmy") or month first ("mdy");
    `fmt` forces "canonical" or a known format name; `max_bytes` defaults to the upload limit
    in the settings (0 = no limit); `year` is the year of the export's last day (or that
    day), for dates written without a year (`smmkpi.ingest.yearless`). Frames are filled
    even when there are problems (for a preview); import them only when `ok`.
    """
    label = name or name_of(src)
    pf = ParsedFile(name=label)
    col = Collector(label)
    try:
        limit = max_bytes if max_bytes is not None else config.get_settings().max_upload_mb << 20
        _parse(pf, col, src, dataset, mapping or {}, date_order, limit, fmt, year)
    except Bad:
        pass
    except Exception as exc:  # a bug must not become a traceback on the page or the CLI
        col.file_problem(
            f"internal error while reading the file ({type(exc).__name__}: {exc}); please report it"
        )
    pf.problems, pf.problem_count = col.finish()
    return pf


def load_folder(
    folder: Path | str, **options: object
) -> tuple[dict[str, pl.DataFrame], list[Problem]]:
    """Every CSV or Excel file of a folder (`FILE_SUFFIXES`), frames concatenated per dataset
    (see `combine`); `options` as for `parse_file` (e.g. `year=`). Only regular files are
    read: an entry with such a name that is a folder, a named pipe or a device is a problem
    naming what it is, and is never opened (a pipe would block)."""
    folder = Path(folder)
    entries = sorted(p for p in folder.iterdir() if p.suffix.lower() in FILE_SUFFIXES)
    skipped = [
        Problem(p.name, None, None, None, f"{why}: not read (only regular files are)")
        for p in entries
        if (why := not_a_file(p)) is not None
    ]
    files = [p for p in entries if not any(s.file == p.name for s in skipped)]
    parsed = [parse_file(p, **options) for p in files]  # type: ignore[arg-type]
    frames, problems = combine(parsed)
    return frames, skipped + problems


# --- the steps -----------------------------------------------------------------------------------


def _parse(
    pf: ParsedFile,
    col: Collector,
    src: object,
    dataset: str | None,
    mapping: dict[str, str | None],
    date_order: DateOrder | None,
    limit: int,
    fmt_name: str | None,
    year: YearHint | None = None,
) -> None:
    """Fill `pf` from `src`; a problem that ends the reading raises `Bad`."""
    _check_options(dataset, date_order, fmt_name, col, year)
    data = read_source(src, limit, col)
    if is_empty(data):
        raise col.fatal(EMPTY)
    table, decimal = _read_table(data, fmt_name, limit, pf, col)
    refuse_no_data(table, col, lambda: (get_format(fmt_name) if fmt_name not in (
        *_AUTO, "canonical") else detect_format(table.headers, table.preamble)))
    names, unnamed = _describe(pf, table, col)
    ctx = Ctx(date_order, decimal, pf.notes, pf.ambiguous_dates, year, pf.needs_year)
    known = _known_format(fmt_name, dataset, names, table.preamble)
    table.raw = drop_totals(table.raw, known, pf.notes, col)
    if known is None:
        _parse_canonical(pf, col, table, names, unnamed, dataset, mapping, ctx)
        return
    if mapping:
        pf.notes.append(
            f"the column mapping is not used for a {known.name} file "
            "(read it with fmt='canonical' to map its columns yourself)"
        )
    _parse_known(pf, col, known, table.raw, names, table.preamble, ctx)


def _check_options(
    dataset: str | None, date_order: DateOrder | None, fmt_name: str | None, col: Collector,
    year: YearHint | None = None,
) -> None:
    """Refuse unknown dataset, date order and format names, and a year out of range."""
    if year is not None and not (
        isinstance(year, dt.date) or (isinstance(year, int) and 1900 <= year <= 2200)
    ):
        raise col.fatal(f"the year {year!r} is not a year (expected e.g. 2026, or the "
                        "export's last day as 2026-01-05)")
    if dataset is not None and dataset not in datasets.DATASETS:
        raise col.fatal(f"unknown dataset {dataset!r} (known: {', '.join(datasets.DATASETS)})")
    if date_order not in (None, "dmy", "mdy"):
        raise col.fatal(f"unknown date order {date_order!r} (expected 'dmy' or 'mdy')")
    if fmt_name not in (*_AUTO, "canonical") and get_format(fmt_name) is None:
        names = ", ".join(["canonical", *(f.name for f in FORMATS)])
        raise col.fatal(f"unknown format {fmt_name!r} (known: {names})")


def _read_table(
    data: bytes, fmt_name: str | None, limit: int, pf: ParsedFile, col: Collector
) -> tuple[Table, str]:
    """The file's table, and the decimal separator to assume when the values do not tell
    (a comma for semicolon-delimited files)."""
    sheets = preferred_sheets()
    if data.startswith((ZIP_SIGNATURE, OLE_SIGNATURE)):
        table, decimal = read_xlsx(data, col, pf.notes, limit, sheets), "."
    else:
        text, enc = decode(data, col)
        if is_xml_spreadsheet(text):
            table, decimal = read_xml_spreadsheet(text, col, pf.notes, sheets), "."
        else:
            hint = fmt_name if fmt_name not in (*_AUTO, "canonical") else None
            table = read_csv(text, enc, col, _ends_at_blank(hint))
            decimal = "," if table.delimiter == ";" else "."
    pf.encoding, pf.delimiter = table.encoding, table.delimiter
    if pf.delimiter:
        pf.notes.append(
            f"read as {pf.encoding}, {DELIMITER_NAMES.get(pf.delimiter, pf.delimiter)}-delimited"
        )
    pf.notes += table.notes
    return table, decimal


def _ends_at_blank(hint: str | None) -> EndsAtBlank:
    """Whether the table ends at its first blank or '#' line: the known format given, else the
    one detected from the headers, says so (a file read as canonical included)."""

    def ends(headers: list[str], preamble: list[str]) -> bool:
        """Whether this file's table ends at its first blank or '#' line."""
        fmt = get_format(hint) if hint else detect_format(headers, preamble)
        return fmt is not None and fmt.cut_at_blank

    return ends


def _describe(pf: ParsedFile, table: Table, col: Collector) -> tuple[list[str], list[str]]:
    """Row count, preview and notes of the table; its column names and those without a header.
    An empty header row ends the reading; no data rows is a problem."""
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
    return names, unnamed


def _known_format(
    fmt_name: str | None, dataset: str | None, names: list[str], preamble: list[str]
) -> Format | None:
    """The known format to read the file with: the one named, else the one detected, unless
    the file is read as canonical or as another dataset than the format's."""
    if fmt_name == "canonical":
        return None
    fmt = detect_format(names, preamble) if fmt_name in _AUTO else get_format(fmt_name)
    if fmt is not None and (dataset is None or dataset == fmt.dataset):
        return fmt
    return None


def _parse_canonical(
    pf: ParsedFile,
    col: Collector,
    table: Table,
    names: list[str],
    unnamed: list[str],
    dataset: str | None,
    mapping: dict[str, str | None],
    ctx: Ctx,
) -> None:
    """A canonical dataset file: the dataset (given or detected), the column mapping, then the
    typed and checked frame."""
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
    auto = auto_map(named, ds)
    auto.update(dict.fromkeys(unnamed))
    pf.mapping = apply_mapping(auto, mapping, ds, named, col)
    ignored = [h for h, t in pf.mapping.items() if t is None and h not in unnamed]
    if ignored:
        pf.notes.append(f"columns not used: {', '.join(ignored)}")
    mapped = {t: h for h, t in pf.mapping.items() if t is not None}
    require_columns(mapped, ds, named, col)
    canon = table.raw.select(ROW, *[pl.col(h).alias(t) for t, h in mapped.items()])
    canon = drop_description_row(canon, ds, mapped, ctx.notes)
    canon = drop_unlabelled_total(canon, ds, mapped, ctx.notes)
    typed = type_frame(canon, ds, mapped, ctx, col)
    typed = dedupe(typed, ds, mapped, ctx.notes, col)
    _store(pf, {ds_name: typed})


def _parse_known(
    pf: ParsedFile,
    col: Collector,
    fmt: Format,
    raw: pl.DataFrame,
    names: list[str],
    preamble: list[str],
    ctx: Ctx,
) -> None:
    """A known export: the format's text frames, typed and checked like any file, then the
    format's finish (derived datasets, sums), then duplicates."""
    pf.fmt, pf.dataset = fmt.name, fmt.dataset
    cols = {norm(h): h for h in reversed(names)}
    prep = fmt.prepare(raw, cols, preamble)
    pf.mapping = prep.mapping
    pf.notes += prep.notes
    col.raw(prep.problems)
    if any(row is None for row, *_ in prep.problems):
        raise Bad("the file cannot be converted")
    typed: dict[str, pl.DataFrame] = {}
    for ds_name, frame in prep.frames.items():
        ds = datasets.get(ds_name)
        labels = prep.labels.get(ds_name, {})
        frame = drop_unlabelled_total(frame, ds, labels, ctx.notes)
        typed[ds_name] = type_frame(frame, ds, labels, ctx, col)
        if carried := prep.carry.get(ds_name):
            typed[ds_name] = typed[ds_name].join(frame.select(ROW, *carried), on=ROW,
                                                 how="left", maintain_order="left")
    finished = fmt.finish(typed, pf.notes)
    out = {}
    for ds_name, frame in finished.items():
        ds = datasets.get(ds_name)
        out[ds_name] = dedupe(frame, ds, prep.labels.get(ds_name, {}), ctx.notes, col)
    _store(pf, out)


def _store(pf: ParsedFile, frames: dict[str, pl.DataFrame]) -> None:
    """The frames in the datasets' exact schemas, and each row's spreadsheet row."""
    for ds_name, frame in frames.items():
        ds = datasets.get(ds_name)
        pf.source_rows[ds_name] = frame[ROW].alias("row")
        pf.frames[ds_name] = frame.select(ds.names).cast(ds.schema)  # type: ignore[arg-type]
