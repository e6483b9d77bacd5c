"""Shared by the post-export tests: where the fixtures are and how a post reads back."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from smmkpi import datasets as ds
from smmkpi.ingest import ParsedFile, parse_file

DATA = Path(__file__).parent.parent / "data"
POSTS = DATA / "good" / "posts"
UTC = dt.UTC


def read_ok(path: Path, **options: object) -> ParsedFile:
    pf = parse_file(path, **options)  # type: ignore[arg-type]
    assert pf.ok, [str(p) for p in pf.problems]
    assert pf.dataset == "posts" and list(pf.frames) == ["posts"]
    assert pf.frames["posts"].schema == ds.get("posts").schema
    return pf


def by_id(pf: ParsedFile) -> dict[str, dict]:
    """Each post as a dict, by post id."""
    return {r["post_id"]: r for r in pf.frames["posts"].iter_rows(named=True)}
