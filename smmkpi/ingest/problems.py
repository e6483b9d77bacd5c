"""What is wrong with a file: `Problem`, and the per-file collector that orders and caps them.

Whole-file problems come first, in the order found; row problems follow sorted by spreadsheet
row (and, on one row, in the order the checks ran). At most `MAX_LISTED` are listed, then one
line gives the total, so that a file with a million bad values stays readable and cheap:
row problems are kept as Polars frames until the end, never as a Python object per row.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from smmkpi.ingest.core import ROW, RawProblem

MAX_LISTED = 1000  # problems listed per file; the rest are counted


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file, located as precisely as possible."""

    file: str
    row: int | None  # spreadsheet row (header = 1 in a plain file); None = the whole file
    column: str | None  # the column as named in the file (or the canonical name if missing)
    value: str | None  # the offending value as written, if any
    message: str  # what is wrong and what is expected

    def __str__(self) -> str:
        """'file, row 3, column 'Total': 'ten' is not a number ...' (the parts that are known)."""
        where = [self.file] if self.file else []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        text = self.message if self.value is None else f"{_show(self.value)} {self.message}"
        return f"{', '.join(where)}: {text}" if where else text


def _show(value: str) -> str:
    """A value quoted for a message, cut to 60 characters."""
    return repr(value if len(value) <= 60 else value[:57] + "...")


class Bad(Exception):
    """A problem that ends the reading of a file (internal control flow: the problem itself is
    already in the collector)."""


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


class Collector:
    """Problems of one file: whole-file ones first, row ones sorted by row, capped."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.general: list[Problem] = []
        self.row_frames: list[pl.DataFrame] = []
        self.total = 0

    def file_problem(
        self, message: str, column: str | None = None, value: str | None = None
    ) -> None:
        """A problem of the whole file (no row)."""
        self.general.append(Problem(self.file, None, column, value, message))
        self.total += 1

    def fatal(self, message: str, column: str | None = None) -> Bad:
        """Record a whole-file problem and return the exception that stops reading: callers
        `raise col.fatal(...)`."""
        self.file_problem(message, column)
        return Bad(message)

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

    def raw(self, items: list[RawProblem]) -> None:
        """The problems a known format found while converting (row None = whole file)."""
        for row, column, value, message in items:
            if row is None:
                self.file_problem(message, column, value)
            else:
                found = pl.DataFrame(
                    {ROW: [row], "value": [value]}, schema={ROW: pl.Int64, "value": pl.String}
                )
                self.rows(found, column, message, 1)

    def finish(self) -> tuple[list[Problem], int]:
        """The listed problems (capped, with a closing count when some are left out) and the
        total found."""
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
