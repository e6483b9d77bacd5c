"""Small building blocks shared by the pages: header, KPI tiles, empty states."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from smmkpi import formatting
from smmkpi.formatting import WORD_JOINER, md_escape  # noqa: F401 (re-exported)
from smmkpi.kpis.base import KPI
from smmkpi.ui.sidebar import Context
from smmkpi.views.targets import (
    per_campaign_meaningless,
    target_line,
    target_scope,
    unfiltered_note,
)

HOW_TO_ADD = (
    "Add it on the **Upload** page, or from a terminal with "
    "`python -m smmkpi import FILE.csv` (see the README's CSV formats); "
    "`python -m smmkpi demo` loads the demo data."
)


# Readable at a laptop's width (1280 px: five tiles a row are ~170 px wide): tile titles
# wrap onto a second line instead of being cut ("Repeat purch…"), values never wrap
# ("9.4 / %") and shrink a little on narrower screens; table cells wrap their text.
STYLE = """
<style>
[data-testid="stMetricLabel"] p, [data-testid="stMetricLabel"] div {
  white-space: normal !important; overflow: visible !important;
  text-overflow: clip !important; line-height: 1.25;
}
[data-testid="stMetricValue"] div { white-space: nowrap !important; }
[data-testid="stMetricValue"] { font-size: clamp(1.5rem, 2.3vw, 2.25rem) !important; }
</style>
"""


def page_style() -> None:
    """The app's few style rules, once per run (see STYLE)."""
    st.html(STYLE)


def header(title: str, question: str, ctx: Context) -> None:
    """Page title, the one-line question it answers, and the upload-review banner."""
    st.title(title)
    st.caption(question)
    pdf_download(title, ctx)
    if ctx.reviewing_uploads:
        st.warning(
            "You are reviewing **your uploaded files**, not the stored data. Nothing has been "
            "saved. Switch *Data source* in the sidebar to go back to stored data.",
            icon=":material/visibility:",
        )


def pdf_download(title: str, ctx: Context) -> None:
    """"Export this page as PDF": the page's digest (KPI table, charts, targets most behind,
    alerts, annotations) for the sidebar's period and filters, built when clicked."""
    from smmkpi.notify.digests import TITLE_PAGES, file_name, page_pdf

    page = TITLE_PAGES.get(title)
    if page is None or not ctx.source.available():
        return

    def build() -> bytes:
        from smmkpi.config import load_notify_settings
        from smmkpi.ui import cache

        engine = None if ctx.reviewing_uploads else cache.engine(ctx.settings.database_url)
        return page_pdf(ctx.ws, page, ctx.comparison, engine=engine,
                        base_url=load_notify_settings().public_url)

    st.download_button("Export this page as PDF", build, file_name=file_name(page, ctx.period),
                       mime="application/pdf", icon=":material/picture_as_pdf:",
                       key=f"pdf_{page}", on_click="ignore",
                       help="This page's figures for the selected period and filters as a "
                       "PDF: KPI table, charts, targets most behind, alerts, annotations.")


def empty_state(datasets: Sequence[str], what: str) -> None:
    """Say which data is missing and how to add it."""
    from smmkpi import datasets as ds

    names = ", ".join(f"**{ds.get(d).label}** (`{d}`)" for d in datasets)
    st.info(f"{what} needs {names}, which the current data source does not have. {HOW_TO_ADD}",
            icon=":material/database:")


def kpi_tile(
    kpi: KPI,
    value: float | None,
    previous: float | None,
    ctx: Context,
    target: dict | None = None,
) -> None:
    """One KPI: formatted value, change against the comparison period, target attainment."""
    cur = ctx.settings.currency
    why_not = per_campaign_meaningless(kpi.id, ctx.filters.campaigns)
    if why_not:  # e.g. social share of a campaign's own sessions: 100 % by construction
        value = previous = target = None
    with st.container(border=True):
        delta = formatting.change(value, previous, kpi.unit) if ctx.cws else None
        st.metric(
            kpi.label,
            formatting.value(value, kpi.unit, cur),
            delta=delta,
            delta_color=("off" if delta and delta.startswith("0.0") else
                         "normal" if kpi.direction == "higher" else "inverse"),
            delta_arrow="off" if delta and delta.startswith("0.0") else "auto",
            help=kpi.description,
        )
        lines = []
        if why_not:
            lines.append(f"Not shown with a campaign selected: {why_not}.")
        elif ctx.cws:
            lines.append(f"{ctx.comparison_label.capitalize()}: "
                         f"{formatting.value(previous, kpi.unit, cur)}")
        f = ctx.filters
        note = unfiltered_note(kpi, f.campaigns, f.platforms)
        if note:
            lines.append(note)
        if target is not None:
            scope = target_scope(target.get("campaign_id"),
                                 ctx.campaign_name(target.get("campaign_id")),
                                 f.campaigns, f.platforms)
            lines.append(target_line(target, kpi.unit, cur, scope, markdown=True))
        if lines:
            st.caption("  \n".join(lines))


def download_csv(label: str, df: pl.DataFrame, file_name: str, key: str,
                 help: str | None = None) -> None:
    """A CSV download alone, cells a spreadsheet would run as a formula neutralized (OWASP
    CSV injection, smmkpi.export.safe_csv_bytes). Tables offer CSV and XLSX through
    `smmkpi.ui.tables.table` (or `tables.downloads` for a frame that is not shown)."""
    from smmkpi.export import CSV_MIME, safe_csv_bytes

    st.download_button(label, lambda: safe_csv_bytes(df), file_name=file_name, mime=CSV_MIME,
                       icon=":material/download:", key=key, help=help, on_click="ignore")


class _Checked(go.Figure):
    """A figure already built and checked by Plotly, handed to st.plotly_chart as its
    sanitized data: Streamlit only calls `to_dict()` on a figure, and rebuilding one from a
    dict would run Plotly's validation again (about a third of a page's server time)."""

    def __init__(self, data: dict) -> None:  # noqa: D107 - no Figure.__init__: no validation
        self._checked = data

    def to_dict(self) -> dict:
        return self._checked


def chart(fig: go.Figure, key: str, *, annotate: bool = True) -> None:
    """Show a figure with a stable key (identical charts would otherwise clash); text from
    data is shown as text (`charts.sanitized_dict`: no links or markup from a campaign
    name). A time-series figure gets the period's annotations as markers
    (`charts.with_annotations`) unless `annotate` is False."""
    from smmkpi.charts import is_time_series, sanitized_dict, with_annotations

    data = sanitized_dict(fig)
    if annotate and is_time_series(data):
        data = with_annotations(data, current_annotations())
    st.plotly_chart(_Checked(data), key=key, config={"displaylogo": False})


def current_annotations() -> pl.DataFrame | None:
    """The annotations of this run's period and filters (None outside a page run)."""
    from smmkpi.ui import cache
    from smmkpi.ui.sidebar import CTX_KEY
    from smmkpi.views.annotations import annotations_for

    ctx = st.session_state.get(CTX_KEY)
    if ctx is None:
        return None
    return cache.computed("annotations", ctx.ws, annotations_for)


def table(df: pl.DataFrame, **kwargs: object) -> None:
    """A plain st.dataframe without the index, blanks for missing values. New tables use
    `smmkpi.ui.tables.table`: formats from units and CSV/XLSX downloads."""
    kwargs.setdefault("placeholder", "")
    st.dataframe(df, hide_index=True, **kwargs)  # type: ignore[arg-type]
