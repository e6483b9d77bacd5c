"""What a KPI is: one definition used by pages, the CLI report and the tests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import polars as pl

if TYPE_CHECKING:
    from smmkpi.workspace import Workspace

Unit = Literal["count", "currency", "ratio", "minutes", "days", "number"]
Direction = Literal["higher", "lower"]


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
    compute: Callable[[Workspace], float | None]
    daily: Callable[[Workspace], pl.DataFrame | None] | None = None


def ratio(num: float | int | None, den: float | int | None) -> float | None:
    """num / den, or None when either is missing or the denominator is zero."""
    if num is None or den is None or den == 0:
        return None
    return float(num) / float(den)


def daily_columns(
    table: Callable[[Workspace], pl.DataFrame | None], num: str, den: str | None = None
) -> Callable[[Workspace], pl.DataFrame | None]:
    """A KPI's `daily` from a per-day table of the workspace: its `date`, `num` (and `den`)
    columns as floats; None when the table is."""

    def daily(ws: Workspace) -> pl.DataFrame | None:
        d = table(ws)
        if d is None:
            return None
        cols = [pl.col("date"), pl.col(num).cast(pl.Float64).alias("num")]
        if den is not None:
            cols.append(pl.col(den).cast(pl.Float64).alias("den"))
        return d.select(cols)

    return daily
