"""Importing files: parse them, combine them per dataset, and write them all or nothing in
one transaction with the audit entry (action `import`, the files named in its detail).

The CLI's `import` and the Upload page's Import button both go through `combine` and
`write` (the page parses each upload itself, cached per file, with `ingest.parse_file` as
`read_files` does for the CLI)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
from sqlalchemy import Engine

from smmkpi import ingest, store
from smmkpi.ingest import DateOrder, ParsedFile, Problem, YearHint, not_a_file

__all__ = ["IMPORT_ACTION", "Batch", "combine", "not_a_file", "read_files", "write"]

IMPORT_ACTION = "import"


@dataclass(frozen=True)
class Batch:
    """Parsed files combined per dataset: the frames an import writes and every problem,
    of each file and between files. `write` refuses a batch with problems."""

    files: tuple[str, ...] = ()
    frames: dict[str, pl.DataFrame] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    total: int = 0  # every problem found, also those beyond a file's listed ones

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def rows(self) -> int:
        return sum(f.height for f in self.frames.values())


def read_files(files: Sequence[Path], *, dataset: str | None = None,
               date_order: DateOrder | None = None,
               year: YearHint | None = None) -> list[ParsedFile]:
    """`ingest.parse_file` of each file; before reading any, FileNotFoundError naming the
    first path that is not a regular file and saying what it is (missing, a folder, a
    pipe...), so a folder or a FIFO is never opened (a FIFO would block forever). `year`:
    the year of the exports' last day, for dates without a year."""
    for f in files:
        problem = not_a_file(f)
        if problem:
            if f.is_dir():
                problem += (" (name the files, e.g. FOLDER/*.csv, or use "
                            "`report --data FOLDER`)")
            raise FileNotFoundError(f"{f}: {problem}")
    return [ingest.parse_file(f, name=f.name, dataset=dataset, date_order=date_order, year=year)
            for f in files]


def combine(parsed: Sequence[ParsedFile]) -> Batch:
    """The files that are ok, combined per dataset (`ingest.combine`), with every problem."""
    frames, problems = ingest.combine(list(parsed))
    listed = sum(len(pf.problems) for pf in parsed)
    total = sum(pf.problem_count for pf in parsed) + max(0, len(problems) - listed)
    return Batch(tuple(pf.name for pf in parsed), frames, problems, total)


def write(engine: Engine, batch: Batch, *, actor: str, origin: str | None = None,
          progress: store.Progress | None = None) -> dict[str, store.WriteResult]:
    """Upsert the batch's frames in one transaction with the data version bump and the
    audit entry (detail: `origin: ` and the file names). Raises store.StoreError (nothing
    stored) when the batch has problems or the database refuses it."""
    if not batch.ok:
        raise store.StoreError(f"{batch.total} problem(s) in the files, nothing was stored")
    names = ", ".join(batch.files)
    return store.write_frames(engine, batch.frames, actor=actor, action=IMPORT_ACTION,
                              detail=f"{origin}: {names}" if origin else names,
                              progress=progress)


def record_refusal(engine: Engine, *, actor: str, files: Sequence[str], reason: str) -> None:
    """Note in the audit log that an import of `files` was refused and why (nothing was
    stored): the "import refused" alert rule reports these."""
    store.record_refusal(engine, actor=actor, detail=f"{', '.join(files)}: {reason}")
