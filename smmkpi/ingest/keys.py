"""Keys: exact duplicate rows are dropped (with a note), the same key with different values is
a problem, within one file (`dedupe`) and across files (`combine`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from smmkpi import datasets, formatting
from smmkpi.datasets import Dataset
from smmkpi.ingest.core import ROW
from smmkpi.ingest.problems import MAX_LISTED, Collector, Problem

if TYPE_CHECKING:
    from smmkpi.ingest.files import ParsedFile


def dedupe(
    df: pl.DataFrame, ds: Dataset, labels: dict[str, str], notes: list[str], col: Collector
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
        notes.append(f"{dropped.height} exact duplicate rows dropped (rows {rows}{more})")
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
        if ds.merge_empty:
            df = _merge_rows(df, ds)
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


def _merge_rows(df: pl.DataFrame, ds: Dataset) -> pl.DataFrame:
    """Rows of one key from several files made one where they agree (each value given in
    at most one way, e.g. a platform export's metrics and a file of UTM tags): the first
    value given of each column, placed at the first row. Keys whose files disagree stay
    as they are, for `combine` to report."""
    key = list(ds.key)
    vals = [c for c in ds.names if c not in key]
    agree = pl.all_horizontal(
        pl.col(c).drop_nulls().n_unique().over(key) <= 1 for c in vals)
    flagged = df.with_columns(__agree=agree, __n=pl.len().over(key))
    keep = flagged.filter(~pl.col("__agree") | (pl.col("__n") == 1))
    merged = (
        flagged.filter(pl.col("__agree") & (pl.col("__n") > 1))
        .group_by(key, maintain_order=True)
        .agg(*(pl.col(c).drop_nulls().first() for c in vals), pl.col("__file").first(),
             pl.col("__r").first())
    )
    if merged.height == 0:
        return df
    rest = keep.drop("__agree", "__n")
    return pl.concat([rest, merged.select(rest.columns)])


def _key_text(row: dict[str, object], key: list[str]) -> str:
    """A key's values as shown in a problem: 'a, b' (empty for null)."""
    return ", ".join("" if row[k] is None else str(row[k]) for k in key)
