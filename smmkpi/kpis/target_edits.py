"""Editing targets: validation of edited rows, the diff against the rows the editor started
from (what to delete, update and insert; `smmkpi.actions.targets` saves it in one
transaction), and suggested targets for a campaign that has none.

Pure (no database, no Streamlit): the rules of a target, used by the Targets page's view
and by the save action (`smmkpi.actions.targets`), which must check every row before it
writes. Views and actions are one layer and never import each other, so the rules live
below both, with the KPIs they check against.

Rules for a target row (docs/kpis.md, "Editing targets"), each checked on every row before
anything is saved; one bad row refuses the whole save:
- the KPI is a catalog id;
- the campaign is an existing campaign id, or empty for a brand-wide target;
- the period has a start and an end, and the start is on or before the end;
- the target is a number above zero (a zero target has no attainment: actual / 0), and a
  share (a KPI shown as a percentage, except revenue uplift, a change) is at most 1 (100 %):
  shares are entered as fractions, 12 % as 0.12;
- no two rows have the same campaign, KPI, start and end (the key of `kpi_targets`), and no
  row repeats the key of a stored target that is not among the edited rows.

Suggested targets start from the previous comparable period's actual (docs/kpis.md, "Suggested
targets"): 10 % better for counts, sums, money, times and other values (× 1.1 when higher is
better, × 0.9 when lower is better); for shares where higher is better, the smaller of
× 1.1 and 10 % of the way from the previous value to 100 % (5 % → 5.5 %, 80 % → 82 %), so a
suggestion never passes 100 %. Counts are rounded to whole numbers (up when higher is better,
down but at least 1 when lower is better), shares to 0.1 percentage point, other values to
two decimals. KPIs without a positive previous value get no suggestion.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import polars as pl

from smmkpi import formatting
from smmkpi.config import Settings
from smmkpi.kpis.base import KPI
from smmkpi.workspace import Filters, Period, Reader, Source, Workspace, direct_read

KEY: tuple[str, ...] = ("campaign_id", "kpi", "period_start", "period_end")
COLUMNS: tuple[str, ...] = (*KEY, "target")
ROW_ID = "row_id"  # hidden editor column: the row's position in the original frame
BRAND_OPTION = "(brand-wide)"  # the editor's campaign value for brand-wide (empty shows "None")
COLUMN_LABELS: dict[str, str] = {
    "campaign_id": "Campaign",
    "kpi": "KPI",
    "period_start": "Start",
    "period_end": "End",
    "target": "Target",
}
UNBOUNDED_RATIOS: frozenset[str] = frozenset({"revenue_uplift"})  # ratio unit, not a share
SUGGEST_STEP = 0.10


def is_share(kpi: KPI) -> bool:
    """A KPI shown as a percentage of a whole (0 to 1)."""
    return kpi.unit == "ratio" and kpi.id not in UNBOUNDED_RATIOS


# ------------------------------------------------------------------------ editor frames


def editor_frame(targets: pl.DataFrame) -> pl.DataFrame:
    """Stored targets as the editor shows them: a hidden row id, BRAND_OPTION for
    brand-wide."""
    return targets.select(
        pl.int_range(pl.len(), dtype=pl.Int64).alias(ROW_ID),
        pl.col("campaign_id").fill_null(BRAND_OPTION),
        *[pl.col(c) for c in COLUMNS[1:]],
    )


def normalize_edits(edited: pl.DataFrame) -> pl.DataFrame:
    """The editor's result in the target columns' types: dates (the editor returns
    datetimes), text stripped and empty as null (so is BRAND_OPTION), the row id as an
    integer (new rows: null). Unreadable values become null and `validate` reports them."""
    out = edited
    for c in (ROW_ID, *COLUMNS):
        if c not in out.columns:
            out = out.with_columns(pl.lit(None).alias(c))
    exprs = [_as_int(out, ROW_ID), _as_text(out, "campaign_id", BRAND_OPTION),
             _as_text(out, "kpi"),
             _as_date(out, "period_start"), _as_date(out, "period_end"),
             pl.col("target").cast(pl.Float64, strict=False)]
    return out.select(exprs)


def _as_text(df: pl.DataFrame, c: str, empty: str = "") -> pl.Expr:
    s = pl.col(c).cast(pl.String).str.strip_chars()
    return pl.when(s.is_in(["", empty])).then(None).otherwise(s).alias(c)


def _as_int(df: pl.DataFrame, c: str) -> pl.Expr:
    return pl.col(c).cast(pl.Float64, strict=False).cast(pl.Int64, strict=False).alias(c)


def _as_date(df: pl.DataFrame, c: str) -> pl.Expr:
    dtype = df.schema[c]
    col = pl.col(c)
    if isinstance(dtype, pl.Datetime):
        return col.dt.date().alias(c)
    if dtype == pl.String:
        return col.str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False).alias(c)
    if dtype == pl.Date:
        return col
    return col.cast(pl.Date, strict=False).alias(c)


# --------------------------------------------------------------------------- validation


@dataclass(frozen=True)
class RowError:
    """One refused cell: the row number as the editor shows it (1 = first row)."""

    row: int
    column: str
    value: Any
    rule: str

    def __str__(self) -> str:
        shown = "empty" if self.value is None else str(self.value)
        label = COLUMN_LABELS.get(self.column, self.column)
        return f"Row {self.row}, {label} = {shown}: {self.rule}"


def _key_frame(df: pl.DataFrame) -> pl.DataFrame:
    """Key columns with '' for brand-wide (null or BRAND_OPTION), so keys compare without
    null rules."""
    cid = pl.col("campaign_id")
    return df.select(pl.when(cid == BRAND_OPTION).then(pl.lit("")).otherwise(cid.fill_null(""))
                     .alias("campaign_id"), *[pl.col(c) for c in KEY[1:]])


def validate(
    rows: pl.DataFrame,
    catalog: Mapping[str, KPI],
    campaign_ids: Collection[str],
    stored_elsewhere: pl.DataFrame | None = None,
) -> list[RowError]:
    """Every broken rule of every row of a normalized edit (see the module's rules).
    `stored_elsewhere`: stored targets not among the edited rows (their keys are taken)."""
    shares = [k.id for k in catalog.values() if is_share(k)]
    df = rows.with_row_index("_row", offset=1).with_columns(pl.col("_row").cast(pl.Int64))
    checks: list[tuple[str, pl.Expr, str | pl.Expr]] = [
        ("kpi", pl.col("kpi").is_null(), "a KPI is required"),
        ("kpi", pl.col("kpi").is_not_null() & ~pl.col("kpi").is_in(list(catalog)),
         "not a KPI of the catalog; choose one from the list"),
        ("campaign_id", pl.col("campaign_id").is_not_null()
         & ~pl.col("campaign_id").is_in(list(campaign_ids)),
         "no campaign has this id; leave it empty for a brand-wide target"),
        ("period_start", pl.col("period_start").is_null(), "a start date is required"),
        ("period_end", pl.col("period_end").is_null(), "an end date is required"),
        ("period_end", pl.col("period_end") < pl.col("period_start"),
         formatting.template("the period must end on or after its start ({})",
                   pl.col("period_start").cast(pl.String))),
        ("target", pl.col("target").is_null() | pl.col("target").is_nan(),
         "a target is required"),
        ("target", pl.col("target") <= 0,
         "the target must be above zero (a zero or negative target has no attainment)"),
        ("target", pl.col("kpi").is_in(shares) & (pl.col("target") > 1),
         "this KPI is a share: enter it as a fraction of 1 (12 % is 0.12), at most 1"),
    ]
    parts = []
    for column, bad, rule in checks:
        rule_expr = rule if isinstance(rule, pl.Expr) else pl.lit(rule)
        parts.append(
            df.filter(bad.fill_null(False)).select(
                "_row", pl.lit(column).alias("column"),
                pl.col(column).cast(pl.String).alias("value"), rule_expr.alias("rule"),
            )
        )
    parts.append(_duplicates(df))
    if stored_elsewhere is not None and stored_elsewhere.height:
        taken = _key_frame(stored_elsewhere).unique()
        keyed = df.with_columns(pl.col("campaign_id").fill_null(""))
        clash = keyed.drop_nulls(["kpi", "period_start", "period_end"]).join(
            taken, on=list(KEY), how="semi")
        parts.append(clash.select(
            "_row", pl.lit("kpi").alias("column"), pl.col("kpi").alias("value"),
            pl.lit("a stored target already has this campaign, KPI and period (it is not "
                   "among the rows shown: show every period to edit it)").alias("rule"),
        ))
    found = pl.concat(parts).sort("_row", maintain_order=True)
    return [RowError(int(r), c, v, rule) for r, c, v, rule in found.iter_rows()]


def _duplicates(df: pl.DataFrame) -> pl.DataFrame:
    """Rows whose key repeats an earlier row's key."""
    keyed = df.with_columns(pl.col("campaign_id").fill_null("")).drop_nulls(
        ["kpi", "period_start", "period_end"])
    first = keyed.group_by(list(KEY)).agg(pl.col("_row").min().alias("_first"))
    return (
        keyed.join(first, on=list(KEY))
        .filter(pl.col("_row") > pl.col("_first"))
        .select("_row", pl.lit("kpi").alias("column"), pl.col("kpi").alias("value"),
                formatting.template("the same campaign, KPI and period as row {}",
                          pl.col("_first")).alias("rule"))
    )


# ------------------------------------------------------------------------------- diffing


class TargetWrites(NamedTuple):
    """Target keys (campaign_id, kpi, period_start, period_end; brand-wide: '') to delete,
    (key, new target) pairs to update, and rows (key and target) to insert."""

    deletes: list[tuple[Any, ...]]
    updates: list[tuple[tuple[Any, ...], float]]
    inserts: list[tuple[Any, ...]]


@dataclass(frozen=True)
class TargetChanges:
    """What an edit changes: rows added, rows changed (new values and the old key as
    old_*), rows removed (their keys)."""

    added: pl.DataFrame
    changed: pl.DataFrame
    removed: pl.DataFrame

    @property
    def inserted(self) -> int:
        return self.added.height

    @property
    def updated(self) -> int:
        return self.changed.height

    @property
    def deleted(self) -> int:
        return self.removed.height

    @property
    def empty(self) -> bool:
        return not (self.inserted or self.updated or self.deleted)

    def summary(self) -> str:
        return (f"{self.inserted} added, {self.updated} changed, {self.deleted} deleted")

    def writes(self) -> TargetWrites:
        """What to write, in the order that lets keys move between rows within one save:
        deletes first (removed rows and the old keys of re-keyed rows), then target-only
        updates, then inserts (added rows and the new keys of re-keyed rows)."""
        old = [f"old_{c}" for c in KEY]
        rekeyed = self.changed.filter(_key_changed())
        retargeted = self.changed.filter(~_key_changed())
        deletes = [*self.removed.select(KEY).iter_rows(), *rekeyed.select(old).iter_rows()]
        updates = [(tuple(key), target)
                   for *key, target in retargeted.select(*old, "target").iter_rows()]
        inserts = pl.concat([self.added.select(COLUMNS), rekeyed.select(COLUMNS)]).rows()
        return TargetWrites(deletes, updates, inserts)


def _key_changed() -> pl.Expr:
    """Any key column differs from its old_ value (brand-wide is '' on both sides)."""
    return pl.any_horizontal([pl.col(c).ne_missing(pl.col(f"old_{c}")) for c in KEY])


def diff(original: pl.DataFrame, edited: pl.DataFrame) -> TargetChanges:
    """Compare the editor's rows (normalized, with row ids) with the rows it started from
    (`editor_frame` of the stored targets). Rows without a known row id are new; original
    rows whose id is gone were deleted; others changed when their key or target differs."""
    orig = original.select(
        ROW_ID,
        pl.when(pl.col("campaign_id") == BRAND_OPTION).then(None).otherwise(
            pl.col("campaign_id")).fill_null("").alias("campaign_id"),
        *COLUMNS[1:])
    edit = edited.select(ROW_ID, pl.col("campaign_id").fill_null(""), *COLUMNS[1:])
    known = edit.join(orig.select(ROW_ID), on=ROW_ID, how="semi")
    added = edit.join(orig.select(ROW_ID), on=ROW_ID, how="anti").select(COLUMNS)
    removed = orig.join(edit.drop_nulls(ROW_ID), on=ROW_ID, how="anti").select(KEY)
    paired = known.join(
        orig.rename({c: f"old_{c}" for c in COLUMNS}), on=ROW_ID, how="inner"
    ).unique(ROW_ID, keep="first", maintain_order=True)
    differs = _key_changed() | pl.col("target").ne_missing(pl.col("old_target"))
    changed = paired.filter(differs).select(*COLUMNS, *[f"old_{c}" for c in KEY])
    return TargetChanges(added=added, changed=changed, removed=removed)


def stored_elsewhere(stored: pl.DataFrame, original: pl.DataFrame) -> pl.DataFrame:
    """Stored targets that the editor did not start from (their keys stay taken)."""
    return _key_frame(stored).join(_key_frame(original), on=list(KEY), how="anti")


def check_edits(
    original: pl.DataFrame,
    edited: pl.DataFrame,
    *,
    catalog: Mapping[str, KPI],
    campaign_ids: Collection[str],
    stored: pl.DataFrame | None = None,
) -> tuple[TargetChanges, list[RowError]]:
    """The changes of an edit and every broken rule of its rows. `original` is the
    `editor_frame` the editor started from, `edited` its result, `stored` every stored
    target (keys outside the editor stay taken)."""
    rows = normalize_edits(edited)
    elsewhere = stored_elsewhere(stored, original) if stored is not None else None
    return diff(original, rows), validate(rows, catalog, campaign_ids, elsewhere)


# ------------------------------------------------------------------------- suggestions


def suggested_value(kpi: KPI, previous: float | None) -> float | None:
    """The suggested target from the previous period's actual (module docstring's rule),
    rounded as a person would write it; None without a positive starting point."""
    if previous is None or math.isnan(previous) or previous <= 0:
        return None
    higher = kpi.direction == "higher"
    if is_share(kpi):
        raw = (min(previous * (1 + SUGGEST_STEP), previous + SUGGEST_STEP * (1 - previous))
               if higher else previous * (1 - SUGGEST_STEP))
        value = round(min(raw, 1.0), 3)
    elif kpi.unit == "count":
        raw = previous * (1 + SUGGEST_STEP) if higher else previous * (1 - SUGGEST_STEP)
        value = float(math.ceil(raw) if higher else max(math.floor(raw), 1))
    else:
        raw = previous * (1 + SUGGEST_STEP) if higher else previous * (1 - SUGGEST_STEP)
        value = round(raw, 2)
    return value if value > 0 else None


def suggestion_rule(kpi: KPI) -> str:
    """The rule `suggested_value` applies to this KPI, in words."""
    if is_share(kpi) and kpi.direction == "higher":
        return "× 1.1, at most +10 % of the gap to 100 %"
    if kpi.direction == "higher":
        return "× 1.1 (10 % more)"
    return "× 0.9 (10 % less)"


def suggestion_periods(start: dt.date, end: dt.date | None, selected: Period) -> tuple[
        Period, Period]:
    """(the target period, the previous comparable period) for a campaign: its own run when
    it has an end date, else the selected period (from the campaign's start at the
    earliest); the previous period has the same length and ends the day before."""
    if end is not None and end >= start:
        target = Period(start, end)
    elif start > selected.end:
        target = Period(start, start + dt.timedelta(days=selected.days - 1))
    else:
        target = Period(max(start, selected.start), selected.end)
    return target, target.previous()


SUGGESTION_SCHEMA: dict[str, pl.DataType] = {
    "campaign_id": pl.String(), "kpi": pl.String(), "period_start": pl.Date(),
    "period_end": pl.Date(), "previous": pl.Float64(), "target": pl.Float64(),
    "rule": pl.String(),
}


def suggest(kpis: Sequence[KPI], previous: Mapping[str, float | None], campaign_id: str | None,
            period: Period) -> pl.DataFrame:
    """One suggested target per KPI (target null where there is no starting point)."""
    rows = [
        {"campaign_id": campaign_id, "kpi": k.id, "period_start": period.start,
         "period_end": period.end, "previous": previous.get(k.id),
         "target": suggested_value(k, previous.get(k.id)), "rule": suggestion_rule(k)}
        for k in kpis
    ]
    return pl.DataFrame(rows, schema=SUGGESTION_SCHEMA)


def previous_actuals(source: Source, kpis: Sequence[KPI], campaign_id: str | None,
                     previous: Period, *, settings: Settings, reader: Reader = direct_read,
                     shared: dict[Any, Any] | None = None) -> dict[str, float | None]:
    """The KPIs over the previous period for the campaign (datasets without a campaign
    column are brand-wide). `reader` and `shared` as for a `Workspace` (the pages pass
    their cached reader and the source's shared results)."""
    ws = Workspace(source, previous, Filters(campaigns=(campaign_id,) if campaign_id else ()),
                   settings=settings, reader=reader,
                   shared={} if shared is None else shared)
    return {k.id: k.compute(ws) for k in kpis}

