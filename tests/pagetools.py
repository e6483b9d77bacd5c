"""Helpers shared by the page tests (AppTest on the demo database)."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent


def open_page(page: str, query: dict | None = None, *, timeout: int = 180,
              no_errors: bool = False) -> AppTest:
    """The app opened on the Overview (with `query` in the URL), then switched to `page`."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    if no_errors:
        assert not at.error, [e.value for e in at.error]
    return at


def default_workspaces(url: str):
    """The sidebar's default selection: the last 28 days up to the last day with data, and
    the previous 28 days (sharing one source and its shared results)."""
    from smmkpi import periods
    from smmkpi.db import make_engine
    from smmkpi.workspace import DbSource, Workspace

    src = DbSource(make_engine(url))
    period = periods.preset_period("last_28", periods.anchor_day(src.bounds()[1]))
    ws = Workspace(src, period)
    return ws, ws.with_period(period.previous())


def figures(at: AppTest) -> list[dict]:
    """The figure JSON of every Plotly chart on the page."""
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def assert_tiles(at: AppTest, ws, prev, ids: list[str], *, deltas: bool = True) -> None:
    """Each tile shows its catalog value (and change) formatted as smmkpi.formatting does."""
    from smmkpi import formatting
    from smmkpi.kpis.catalog import CATALOG

    shown = {m.label: m for m in at.metric}
    for kid in ids:
        k = CATALOG[kid]
        now = k.compute(ws)
        assert now is not None, kid  # the demo has every dataset the tiles need
        assert shown[k.label].value == formatting.value(now, k.unit), kid
        if deltas:
            assert shown[k.label].proto.delta == formatting.change(now, k.compute(prev),
                                                                   k.unit), kid


@contextlib.contextmanager
def demo_settings(url: str) -> Iterator[None]:
    """The app's settings point at `url` for the block (module-scoped page fixtures)."""
    import pytest

    from smmkpi.config import get_settings

    mp = pytest.MonkeyPatch()
    mp.setenv("SMMKPI_DATABASE_URL", url)
    get_settings.cache_clear()
    try:
        yield
    finally:
        mp.undo()
        get_settings.cache_clear()
