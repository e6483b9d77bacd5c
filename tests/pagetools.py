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


def figures(at: AppTest, *, annotations: bool = False) -> list[dict]:
    """The figure JSON of every Plotly chart on the page, without the annotation markers
    that time-series charts carry (`annotations=True` keeps them)."""
    out = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    if not annotations:
        for fig in out:
            fig["data"] = [t for t in fig.get("data", []) if t.get("name") != "Annotations"]
    return out


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


# --- tables and their downloads (smmkpi.ui.tables) ----------------------------------------


def column_config(element) -> dict[str, dict]:  # type: ignore[no-untyped-def]
    """The st.column_config of a shown table (AppTest's Dataframe element), by column."""
    config = json.loads(element.proto.columns or "{}")
    config.pop("_index", None)  # hide_index
    return config


def formats(element) -> dict[str, str | None]:  # type: ignore[no-untyped-def]
    """Each configured column's number or date format (None for text columns)."""
    return {c: (v.get("type_config") or {}).get("format")
            for c, v in column_config(element).items()}


class Downloads:
    """Every file handed to a download button while installed (`install(monkeypatch)`):
    eager bytes and deferred ones (made when asked for, as a click would)."""

    def __init__(self) -> None:
        self.made: dict[str, object] = {}  # file name -> bytes or a callable

    def install(self, monkeypatch) -> Downloads:  # type: ignore[no-untyped-def]
        from streamlit.runtime.media_file_manager import MediaFileManager
        from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

        real_add, real_store = MediaFileManager.add_deferred, MemoryMediaFileStorage.load_and_get_id

        def deferred(mgr, data_callable, mimetype, coordinates, file_name=None, **kw):  # type: ignore[no-untyped-def]
            if file_name:
                self.made[file_name] = data_callable
            return real_add(mgr, data_callable, mimetype, coordinates, file_name=file_name, **kw)

        def eager(storage, data, mimetype, kind, filename=None):  # type: ignore[no-untyped-def]
            if filename and isinstance(data, bytes):
                self.made[filename] = data
            return real_store(storage, data, mimetype, kind, filename)

        monkeypatch.setattr(MediaFileManager, "add_deferred", deferred)
        monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", eager)
        return self

    @property
    def names(self) -> list[str]:
        return sorted(self.made)

    def get(self, name: str) -> bytes:
        data = self.made[name]
        out = data() if callable(data) else data
        return out.encode() if isinstance(out, str) else out  # type: ignore[return-value]

    def starting(self, prefix: str, ext: str) -> bytes:
        """The one file whose name starts with `prefix` and ends with `.ext`."""
        hits = [n for n in self.made if n.startswith(prefix) and n.endswith("." + ext)]
        assert len(hits) == 1, (prefix, ext, self.names)
        return self.get(hits[0])


def xlsx_frame(data: bytes):  # type: ignore[no-untyped-def]
    """An XLSX download read back (first sheet)."""
    import io

    import polars as pl

    return pl.read_excel(io.BytesIO(data))


def csv_frame(data: bytes):  # type: ignore[no-untyped-def]
    """A CSV download read back (after its byte order mark)."""
    import io

    import polars as pl

    assert data.startswith(b"\xef\xbb\xbf")
    return pl.read_csv(io.BytesIO(data[3:]), infer_schema=False)


def assert_downloads(at, keys: list[str]) -> None:  # type: ignore[no-untyped-def]
    """Each table key has a CSV and an XLSX download button."""
    ids = [b.proto.id for b in at.get("download_button")]
    for key in keys:
        for kind in ("csv", "xlsx"):
            assert any(i.endswith(f"-{key}_{kind}") for i in ids), (key, kind, ids)
