"""Column mapping: which dataset a canonical file's headers belong to, and which header is
which canonical column.

Headers are compared with `core.norm` (case, spaces, underscores, dashes and dots ignored)
against each column's name, then its aliases (`datasets.py`, in the order listed), then the
header without a trailing `(...)` such as a currency; each canonical column is taken by one
header at most, the better match and then the leftmost header first.
"""

from __future__ import annotations

import re

from smmkpi import datasets
from smmkpi.datasets import Dataset
from smmkpi.ingest.core import norm
from smmkpi.ingest.problems import Bad, Collector


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
        found = set(auto_map(headers, ds).values()) - {None}
        union = len(headers) + len(ds.columns) - len(found)
        similarity = len(found) / union if union else 0.0
        req = set(ds.required)
        have = len(req & found) / len(req) if req else 1.0
        ranked.append((round(similarity * (0.5 + 0.5 * have), 3), have, ds.name))
    ranked.sort(key=lambda t: (t[0], t[1]), reverse=True)
    scores = [(n, s) for s, _, n in ranked]
    score, have, best = ranked[0]
    return (best if score > 0 and have >= 0.5 else None), scores


def auto_map(headers: list[str], ds: Dataset) -> dict[str, str | None]:
    """Source header -> canonical column (None = not recognized); each used at most once."""
    cands: list[tuple[float, int, str, str]] = []
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


def _strip_paren(s: str) -> str:
    """A header without a trailing parenthesis, such as 'revenue (eur)' -> 'revenue'."""
    return re.sub(r"\s*\([^)]*\)$", "", s).strip()


def apply_mapping(
    auto: dict[str, str | None],
    mapping: dict[str, str | None],
    ds: Dataset,
    named: list[str],
    col: Collector,
) -> dict[str, str | None]:
    """The automatic mapping with the user's `mapping` on top (None or "" ignores a column;
    a column mapped by the user is taken from any header it was automatically given to).
    Mapping entries that name no header of the file or no column of the dataset are problems
    and are left out."""
    out = dict(auto)
    for src_col, target in mapping.items():
        if src_col not in out:
            col.file_problem(
                f"the mapping names a column that is not in the file (found: {', '.join(named)})",
                src_col,
            )
            continue
        if target in (None, ""):
            out[src_col] = None
            continue
        if target not in ds.names:
            col.file_problem(
                f"is not a column of {ds.name} (expected one of: {', '.join(ds.names)})",
                src_col,
                str(target),
            )
            continue
        for other, t in out.items():
            if t == target:
                out[other] = None
        out[src_col] = target
    return out


def require_columns(mapped: dict[str, str], ds: Dataset, named: list[str], col: Collector) -> None:
    """A problem for each required column of `ds` that no header maps to (with the accepted
    names and the file's columns); reading stops when one is missing."""
    missing = [c for c in ds.required if c not in mapped]
    for c in missing:
        accepted = ", ".join([c, *ds.column(c).aliases])
        col.file_problem(
            f"required column of {ds.name} is missing (accepted names: {accepted}); "
            f"the file's columns are: {', '.join(named)}",
            c,
        )
    if missing:
        raise Bad("missing columns")
