"""Shared by the daily account export tests: where the fixtures are and how a day reads
back."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from smmkpi import datasets as ds
from smmkpi.ingest import ParsedFile, parse_file

SOCIAL = Path(__file__).parent.parent / "data" / "good" / "social"
D = dt.date


def read_ok(path: Path | bytes, **options: object) -> ParsedFile:
    pf = parse_file(path, **options)  # type: ignore[arg-type]
    assert pf.ok, [str(p) for p in pf.problems]
    assert pf.dataset == "social_daily" and list(pf.frames) == ["social_daily"]
    assert pf.frames["social_daily"].schema == ds.get("social_daily").schema
    return pf


def by_day(pf: ParsedFile) -> dict[dt.date, dict]:
    """Each day's row as a dict, by date."""
    return {r["date"]: r for r in pf.frames["social_daily"].iter_rows(named=True)}


def total(pf: ParsedFile, column: str) -> int | float | None:
    return pf.frames["social_daily"][column].sum()
