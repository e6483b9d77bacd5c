"""Rows that are not data, recognized in every file before its values are checked: totals
rows (labelled `Total`, `Total: ...`, `Grand total`, or unlabelled with every dimension
empty and the sums of the other rows as figures), an export's "No data available." in
place of its rows, and a row under the header that describes the columns. Each is left out
with a note that says what it held, never counted and never reported as a bad row.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import polars as pl

from smmkpi import datasets
from smmkpi.ingest.core import (
    NO_DATA,
    ROW,
    Format,
    describe_totals,
    empty_as_null,
    totals_mask,
)
from smmkpi.ingest.numeric import clean_num, to_float
from smmkpi.ingest.problems import Collector
from smmkpi.ingest.table import Table


def refuse_no_data(
    table: Table, col: Collector, known: Callable[[], Format | None]
) -> None:
    """An export that says "No data available." instead of a table (under its header, or
    alone in the file) is refused in one sentence, naming the export when `known()` tells
    it; the line itself is never a row."""
    alone = len(table.headers) == 1 and re.search(NO_DATA, table.headers[0]) is not None
    names = [c for c in table.raw.columns if c != ROW]
    if names and table.raw.height:  # workbooks: the words in the first cell of a row
        mask = table.raw.select(pl.all_horizontal(
            pl.col(names[0]).is_not_null(), *(pl.col(c).is_null() for c in names[1:]))).to_series()
        if mask.any():  # the words are looked for on the (few) rows of one value only
            said = table.raw.filter(mask).get_column(names[0]).str.contains(NO_DATA)
            mask = mask.scatter(mask.arg_true(), said)
        if mask.any():
            table.raw, table.no_data = table.raw.filter(~mask), True
    if not (alone or (table.no_data and table.raw.height == 0)):
        return
    fmt = None if alone else known()
    what = f"this {fmt.label or fmt.name}" if fmt is not None else "the export"
    raise col.fatal(f"{what} holds no data for its period (it says 'No data available.'): "
                    "export it again for a date range in which there was activity")


def drop_totals(
    raw: pl.DataFrame, fmt: Format | None, notes: list[str], col: Collector
) -> pl.DataFrame:
    """The records without totals rows (`Total`, `Total: ...`, `Grand total` as their first
    value): they sum the other rows and are never counted; a note says how many and what
    they state. A file of nothing but totals rows is a problem."""
    mask = totals_mask(raw)
    n = int(mask.sum())
    if n == 0:
        return raw
    totals = raw.filter(mask)
    shown = describe_totals(totals.head(5), raw.columns, fmt.total_of if fmt else ())
    more = f"; and {n - 5:,} more" if n > 5 else ""
    rows = ", ".join(str(r) for r in totals[ROW].head(5).to_list())
    notes.append(f"{n} total {'row' if n == 1 else 'rows'} dropped, not counted "
                 f"({'row' if n == 1 else 'rows'} {rows}): {shown}{more}")
    if n == raw.height:
        col.file_problem("the file holds only totals rows, no rows to count: export it with "
                         "its rows (by day, campaign or source), not the summary alone")
    return raw.filter(~mask)


# a word of two letters or more (any script) that starts the value or follows a space: a
# sentence has several, a value such as '=HYPERLINK("http://...")' or 'A-1' has one at most
_WORD = r"(?:^|\s)[^\W\d_]{2,}"


def drop_description_row(
    frame: pl.DataFrame, ds: datasets.Dataset, labels: dict[str, str], notes: list[str]
) -> pl.DataFrame:
    """The canonical text frame without a row that describes the columns under the header
    (as Meta Business Suite writes 'Lifetime: The number of people who ...'): the first row,
    when every number column of the dataset the file has holds a sentence there (two words
    or more apart) instead of a number, and every other value in it is empty or a sentence
    too. A note says so; a first row with one bad value is left for the checks."""
    cols = [c for c in ds.columns if c.name in frame.columns]
    nums = [c.name for c in cols if c.type in ("int", "float")]
    if frame.height < 2 or not nums:
        return frame
    first = frame.head(1)
    words = {c.name: pl.col(c.name).str.count_matches(_WORD).fill_null(0) >= 2 for c in cols}
    described = first.select(pl.all_horizontal(
        *(words[c] for c in nums),
        *(pl.col(c.name).is_null() | words[c.name] for c in cols if c.name not in nums),
    )).item()
    if not described:
        return frame
    sample = first[nums[0]].item()
    sample = sample if len(sample) <= 60 else sample[:57] + "..."
    notes.append(f"row {first[ROW].item()} describes the columns ({labels.get(nums[0], nums[0])}: "
                 f"{sample!r}), it is not data: left out")
    return frame.slice(1)


def drop_unlabelled_total(
    frame: pl.DataFrame, ds: datasets.Dataset, labels: dict[str, str], notes: list[str]
) -> pl.DataFrame:
    """The canonical text frame without a totals row that has no label: its first or last
    row, when every text and date column is empty there and each of its numbers equals the
    sum of the other rows (read with a decimal point or a decimal comma), as an export
    writes its summary row. A note states it; any other row with empty dimensions is left
    for the checks to report."""
    have = [c for c in ds.columns if c.name in frame.columns]
    dims = [c.name for c in have if c.type not in ("int", "float")]
    nums = [c.name for c in have if c.type in ("int", "float")]
    if frame.height < 3 or not dims or not nums:
        return frame
    empty = pl.all_horizontal(pl.col(c).is_null() | (pl.col(c).str.strip_chars() == "")
                              for c in dims)
    for at in (0, frame.height - 1):
        row = frame.slice(at, 1)
        if not row.select(empty).item():
            continue
        present = [c for c in nums if row[c].item() is not None]
        if present and all(_is_sum(frame, at, c) for c in present):
            shown = ", ".join(f"{labels.get(c, c)} {row[c].item()}" for c in present[:4])
            notes.append(f"1 total row dropped, not counted (row {row[ROW].item()}): no label, "
                         f"empty {', '.join(labels.get(c, c) for c in dims[:3])}, its "
                         f"figures the sums of the other rows ({shown})")
            return frame.filter(pl.int_range(pl.len()) != at)
    return frame


def _is_sum(frame: pl.DataFrame, at: int, name: str) -> bool:
    """Whether row `at`'s number in column `name` is the sum of the others' (either decimal
    separator; at least two other rows carry a number)."""
    text = empty_as_null(clean_num(frame[name]))
    for decimal in (".", ","):
        v = to_float(text, decimal)
        total, others = v[at], v.filter(pl.int_range(v.len(), eager=True) != at)
        if total is None or others.count() < 2:
            continue
        # exact, but for half a cent of rounding per row
        if abs(float(others.sum()) - float(total)) <= 0.005 * (others.count() + 1):
            return True
    return False
