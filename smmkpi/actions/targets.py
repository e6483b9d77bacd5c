"""Saving target edits: every row checked (`smmkpi.kpis.target_edits`), then every change
in one transaction with the data version bump and an audit row, or nothing."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

import polars as pl
from sqlalchemy import Engine

from smmkpi import store
from smmkpi.kpis.base import KPI
from smmkpi.kpis.target_edits import RowError, TargetChanges, check_edits

EDIT_ACTION = "targets_edit"
DEFAULT_ACTOR = "local user"


@dataclass(frozen=True)
class SaveResult:
    """The outcome of a save: the changes (saved when `errors` is empty)."""

    changes: TargetChanges
    errors: list[RowError]

    @property
    def saved(self) -> bool:
        return not self.errors and not self.changes.empty


def statements(changes: TargetChanges) -> list[Any]:
    """The SQLModel statements that store `changes`: deletes, then target-only updates,
    then inserts, so keys can move between rows within one save."""
    return store.target_statements(*changes.writes())


def save_edits(
    engine: Engine,
    original: pl.DataFrame,
    edited: pl.DataFrame,
    *,
    catalog: Mapping[str, KPI],
    campaign_ids: Collection[str],
    stored: pl.DataFrame | None = None,
    actor: str = DEFAULT_ACTOR,
    action: str = EDIT_ACTION,
) -> SaveResult:
    """Validate every edited row and, only if all pass, save every change in one
    transaction (data version bump and audit row included). `original` is the
    `editor_frame` the editor started from, `edited` its result, `stored` every stored
    target (keys outside the editor stay taken). Raises store.StoreError when the database
    refuses the change (nothing saved)."""
    changes, errors = check_edits(original, edited, catalog=catalog,
                                  campaign_ids=campaign_ids, stored=stored)
    if errors or changes.empty:
        return SaveResult(changes, errors)
    store.run_statements(
        engine, statements(changes), actor=actor, action=action, dataset="kpi_targets",
        inserted=changes.inserted, updated=changes.updated, deleted=changes.deleted,
        detail=changes.summary(),
    )
    return SaveResult(changes, [])
