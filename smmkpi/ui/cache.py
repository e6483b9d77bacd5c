"""Streamlit caching, keyed by small values only (never by hashing a frame).

- the engine per URL, migrated once per process (`st.cache_resource`);
- the stored data's version, re-read every few seconds, so an import by anyone shows up;
- a DbSource per (URL, version);
- frames per (source key, dataset, dates, filters) in `st.cache_resource`: shared by every
  viewer without a pickled copy per session; a new data version means new keys.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import streamlit as st
from sqlalchemy import Engine

from smmkpi import db, store
from smmkpi.ui.sections import run_budgeted
from smmkpi.workspace import DbSource, Filters, Source, Workspace


@st.cache_resource(show_spinner="Connecting to the database…")
def engine(url: str) -> Engine:
    e = db.make_engine(url)
    db.migrate(e)
    store.ensure_summaries(e)
    return e


@st.cache_data(ttl=5, show_spinner=False)
def data_version(url: str) -> int:
    return store.data_version(engine(url))


@st.cache_resource(max_entries=8, show_spinner=False)
def _setting_overrides(url: str, version: int) -> dict[str, str]:
    return store.setting_overrides(engine(url))


def setting_overrides(url: str) -> dict[str, str]:
    """The settings admins changed in the app (re-read when stored data changes)."""
    return _setting_overrides(url, data_version(url))


@st.cache_resource(max_entries=8, show_spinner=False)
def db_source(url: str, version: int) -> DbSource:
    return DbSource(engine(url))


@st.cache_resource(max_entries=8, show_spinner=False)
def shared_results(source_key: str) -> dict:
    """One dict per source and data version for Workspace.shared (period-independent
    results such as every order sorted per customer), shared by all sessions."""
    return {}


@st.cache_resource(max_entries=128, ttl=3600, show_spinner=False)
def _read(
    source_key: str,
    dataset: str,
    start: dt.date | None,
    end: dt.date | None,
    campaigns: tuple[str, ...],
    platforms: tuple[str, ...],
    _source: Source,
) -> pl.DataFrame | None:
    return _source.read(dataset, start, end, Filters(campaigns, platforms))


def cached_read(
    source: Source, dataset: str, start: dt.date | None, end: dt.date | None, filters: Filters
) -> pl.DataFrame | None:
    """The Workspace reader for pages: cached across sessions by small keys."""
    return _read(source.key, dataset, start, end, filters.campaigns, filters.platforms, source)


@st.cache_resource(max_entries=64, ttl=3600, show_spinner="Checking targets…")
def _targets(
    source_key: str,
    start: dt.date,
    end: dt.date,
    campaigns: tuple[str, ...],
    platforms: tuple[str, ...],
    kpis: tuple[str, ...] | None,
    _ws: Workspace,
) -> pl.DataFrame:
    from smmkpi.kpis.catalog import CATALOG
    from smmkpi.kpis.targets import evaluate_targets

    return run_budgeted(("targets", source_key, start, end, campaigns, platforms, kpis),
                        lambda: evaluate_targets(_ws, CATALOG, kpis=kpis,
                                                 brand_only=kpis is not None))


def targets(ws: Workspace) -> pl.DataFrame:
    """Every target overlapping the workspace's period, evaluated (cached by small keys)."""
    f = ws.filters
    return _targets(ws.source.key, ws.start, ws.end, f.campaigns, f.platforms, None, ws)


def tile_targets(ws: Workspace, kpis: list[str]) -> dict[str, dict]:
    """For a page's tiles: per KPI the brand-wide target that holds the period's end, only
    those KPIs evaluated (so a Traffic page never reads the order history for targets)."""
    from smmkpi.views.overview import headline_targets

    f = ws.filters
    evaluated = _targets(ws.source.key, ws.start, ws.end, f.campaigns, f.platforms,
                         tuple(sorted(kpis)), ws)
    return headline_targets(evaluated, ws.end)


@st.cache_resource(max_entries=256, ttl=3600, show_spinner=False)
def _kpi_values(
    source_key: str,
    start: dt.date,
    end: dt.date,
    campaigns: tuple[str, ...],
    platforms: tuple[str, ...],
    ids: tuple[str, ...],
    _ws: Workspace,
) -> dict[str, float | None]:
    from smmkpi.kpis.catalog import compute_all

    return run_budgeted(("kpis", source_key, start, end, campaigns, platforms, ids),
                        lambda: compute_all(_ws, list(ids)))


def kpi_values(ws: Workspace, ids: list[str]) -> dict[str, float | None]:
    """KPI values for a workspace (cached by small keys)."""
    f = ws.filters
    return _kpi_values(ws.source.key, ws.start, ws.end, f.campaigns, f.platforms, tuple(ids), ws)


@st.cache_resource(max_entries=512, ttl=3600, show_spinner=False)
def _computed(
    name: str,
    source_key: str,
    start: dt.date,
    end: dt.date,
    campaigns: tuple[str, ...],
    platforms: tuple[str, ...],
    extra: tuple,
    _fn: object,
    _ws: Workspace,
) -> object:
    return run_budgeted((name, source_key, start, end, campaigns, platforms, extra),
                        lambda: _fn(_ws))  # type: ignore[operator]


def computed(name: str, ws: Workspace, fn, extra: tuple = ()):  # type: ignore[no-untyped-def]
    """Cache `fn(ws)` (a table or figure input a page derives from the workspace) across
    sessions, keyed by `name`, the source, period and filters and `extra` small values
    (e.g. a grain or a setting). `name` must identify `fn` uniquely."""
    f = ws.filters
    return _computed(name, ws.source.key, ws.start, ws.end, f.campaigns, f.platforms, extra,
                     fn, ws)
