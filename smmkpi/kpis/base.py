"""What a KPI is: one definition used by pages, the CLI report and the tests.

A KPI that decomposes by day is stated once, as a per-day table and its columns
(`additive(table, col)` or `ratio_of(table, num, den)`): its period value and its daily
frame both come from that one declaration, so they cannot disagree. KPIs that do not
decompose by day (medians, percentiles, cohorts, snapshots) state an explicit `compute`.
`Area.kpi` builds the catalog entry either way.

Safe division and sums of possibly unreported columns live here too, for the whole
library: `ratio` for Python values, `ratio_expr` and `sum_or_null` for Polars columns.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import polars as pl

if TYPE_CHECKING:
    from smmkpi.workspace import Workspace

Unit = Literal["count", "currency", "ratio", "minutes", "days", "number"]
Direction = Literal["higher", "lower"]
# A per-day table of a workspace (a `date` column and figures), None when its data is absent.
Table = Callable[["Workspace"], "pl.DataFrame | None"]
Compute = Callable[["Workspace"], "float | None"]


@dataclass(frozen=True)
class KPI:
    """A catalog entry.

    `compute(ws)` returns the value for the workspace's period, or None when the data it
    needs is absent or its denominator is zero (shown as "n/a", never as 0).
    `daily(ws)`, where the KPI decomposes by day, returns a frame with columns `date`,
    `num` and, for ratios, `den`: the value over any range of days is sum(num) / sum(den)
    (or sum(num) for additive KPIs). Targets use it for trends and pacing.
    """

    id: str
    label: str
    unit: Unit
    direction: Direction
    additive: bool
    goals: tuple[str, ...]
    area: str  # traffic, retention, care, audience
    description: str
    datasets: tuple[str, ...]  # what it needs
    compute: Compute
    daily: Table | None = None


# --- safe division and sums ------------------------------------------------------------


def ratio(num: float | int | None, den: float | int | None) -> float | None:
    """num / den, or None when either is missing or the denominator is zero."""
    if num is None or den is None or den == 0:
        return None
    return float(num) / float(den)


def ratio_expr(num: str | pl.Expr, den: str | pl.Expr) -> pl.Expr:
    """`ratio` for columns: num / den as Float64, null where the denominator is zero or
    null. Named after `num`."""
    n = pl.col(num) if isinstance(num, str) else num
    d = pl.col(den) if isinstance(den, str) else den
    return pl.when(d != 0).then(n.cast(pl.Float64) / d.cast(pl.Float64)).otherwise(None)


def sum_or_null(col: str | pl.Expr) -> pl.Expr:
    """Sum of a column, null when no row reports a value (absent data is not zero).
    Named after the column."""
    e = pl.col(col) if isinstance(col, str) else col
    return pl.when(e.count() > 0).then(e.sum()).otherwise(None)


# --- KPIs stated by day ----------------------------------------------------------------


def _total(d: pl.DataFrame, col: str) -> float | None:
    """Sum of a per-day column, None when no day reports it."""
    s = d.get_column(col)
    return None if s.count() == 0 else float(s.sum())


@dataclass(frozen=True)
class ByDay:
    """A KPI stated by its per-day parts: `table(ws)` has a row per day with `date`, the
    numerator column `num` and, for a ratio, the denominator column `den`.

    The period value is sum(num) (additive) or sum(num) / sum(den); it is None when the
    table is, when a column is never reported (all null) or when the denominator sums to
    zero. `empty` is the value of an additive KPI over a table without rows: None where no
    rows means nothing was reported, 0.0 where it means nothing happened (no questions).
    """

    table: Table
    num: str
    den: str | None = None
    empty: float | None = None

    @property
    def additive(self) -> bool:
        return self.den is None

    def daily(self, ws: Workspace) -> pl.DataFrame | None:
        """`date`, `num` (and `den`) as floats, a day's unreported figure as 0; None when
        the table is absent or a column is never reported in it."""
        d = self.table(ws)
        if d is None:
            return None
        parts = {"num": self.num} if self.den is None else {"num": self.num, "den": self.den}
        if d.height and any(d.get_column(c).count() == 0 for c in parts.values()):
            return None
        return d.select(
            pl.col("date"), *(pl.col(c).fill_null(0).cast(pl.Float64).alias(a)
                              for a, c in parts.items())
        )

    def compute(self, ws: Workspace) -> float | None:
        """The value for the workspace's period, from the same table as `daily`."""
        d = self.table(ws)
        if d is None:
            return None
        if self.den is None:
            return self.empty if d.height == 0 else _total(d, self.num)
        return ratio(_total(d, self.num), _total(d, self.den))


def additive(table: Table, col: str, *, empty: float | None = None) -> ByDay:
    """An additive KPI: the sum of `col` over the period's days (see `ByDay` for `empty`)."""
    return ByDay(table, col, None, empty)


def ratio_of(table: Table, num: str, den: str) -> ByDay:
    """A ratio KPI: the period's summed `num` over its summed `den`."""
    return ByDay(table, num, den)


@dataclass(frozen=True)
class Area:
    """What the KPIs of one module share: their catalog area and the datasets they need
    unless a KPI says otherwise."""

    name: str
    datasets: tuple[str, ...]

    def kpi(
        self,
        id: str,
        label: str,
        unit: Unit,
        direction: Direction,
        goals: tuple[str, ...],
        description: str,
        value: ByDay | Compute,
        *,
        datasets: tuple[str, ...] | None = None,
        additive: bool = False,
        daily: Table | None = None,
    ) -> KPI:
        """A catalog entry. `value` is either a `ByDay` declaration (`additive`, `ratio_of`),
        which gives compute, daily and additivity, or an explicit compute for a KPI that
        does not decompose that way (then `additive` and `daily` may be given)."""
        if isinstance(value, ByDay):
            if additive or daily is not None:
                raise TypeError(f"{id}: a ByDay KPI takes additivity and daily from itself")
            additive, compute, daily = value.additive, value.compute, value.daily
        else:
            compute = value
        return KPI(
            id=id,
            label=label,
            unit=unit,
            direction=direction,
            additive=additive,
            goals=goals,
            area=self.name,
            description=description,
            datasets=self.datasets if datasets is None else datasets,
            compute=compute,
            daily=daily,
        )
