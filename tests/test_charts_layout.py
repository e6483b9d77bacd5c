"""`charts.base_layout` sets the same layout as Plotly's own update calls, on every shape of
figure the pages draw (one axis, subplots, a second y axis, axis-less, pre-set values)."""

from __future__ import annotations

import plotly.graph_objects as go
import pytest
from plotly.subplots import make_subplots

from smmkpi import charts


def _reference(fig: go.Figure, title: str, height: int) -> go.Figure:
    """The shared look through `update_layout`, `update_xaxes` and `update_yaxes`."""
    fig.update_layout(
        title={"text": charts.fit_title(title), "x": 0, "xanchor": "left"}, height=height,
        colorway=list(charts.PALETTE), paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)", margin={"l": 10, "r": 10, "t": 60, "b": 10},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "right", "x": 1},
        hovermode="x unified")
    fig.update_xaxes(gridcolor=charts.GRID, zeroline=False)
    fig.update_yaxes(gridcolor=charts.GRID, zeroline=False)
    return fig


def _lines() -> go.Figure:
    return go.Figure([go.Scatter(x=[1, 2], y=[3, 4]), go.Bar(x=[1, 2], y=[1, 2])])


def _panels() -> go.Figure:
    fig = make_subplots(rows=1, cols=4, shared_yaxes=True)
    for i in range(4):
        fig.add_trace(go.Bar(x=[1, 2], y=["a", "b"], orientation="h"), row=1, col=i + 1)
    return fig


def _second_axis() -> go.Figure:
    fig = go.Figure([go.Scatter(x=[1, 2], y=[3, 4]),
                     go.Scatter(x=[1, 2], y=[30, 40], yaxis="y2")])
    fig.update_layout(yaxis2={"overlaying": "y", "side": "right"})
    return fig


def _preset() -> go.Figure:
    fig = go.Figure([go.Scatter(x=[1, 2], y=[3, 4])])
    fig.update_xaxes(visible=False, gridcolor="#ff0000")
    fig.update_layout(title={"text": "old", "font": {"size": 20}}, margin={"l": 99})
    return fig


@pytest.mark.parametrize("make", [_lines, _panels, _second_axis, _preset, go.Figure,
                                  lambda: go.Figure(go.Pie(values=[1, 2]))])
def test_base_layout_equals_plotlys_own_updates(make):
    title = "Sessions per day by channel group, with a long enough title to be broken"
    got = charts.base_layout(make(), title, 420).to_plotly_json()
    want = _reference(make(), title, 420).to_plotly_json()
    assert got == want


def _bar_panels_reference(df, category, panels, *, title, highlight=(), height=None):
    """`charts.bar_panels` as it was built before it wrote its layout out: through
    make_subplots and per-panel Plotly updates."""
    n = len(panels)
    cats = [str(c) for c in df[category].to_list()]
    fig = make_subplots(rows=1, cols=n, shared_yaxes=True, horizontal_spacing=0.03,
                        subplot_titles=[p["title"] for p in panels])
    for i, p in enumerate(panels, start=1):
        values = df[p["column"]].to_list()
        kind = p.get("kind", "count")
        if kind == "percent":
            text = [charts._pct(v) for v in values]
        elif kind == "money":
            text = ["n/a" if v is None else f"{p.get('prefix', '')}{v:,.2f}" for v in values]
        else:
            text = [charts._compact(v) for v in values]
        if p.get("rate"):
            text = [f"{t} · {charts._pct(r)} {p.get('rate_label', '')}".rstrip()
                    for t, r in zip(text, df[p["rate"]].to_list(), strict=True)]
        base = p.get("colour", charts.PALETTE[(i - 1) % len(charts.PALETTE)])
        top = max((v for v in values if v is not None), default=0) or 1
        fig.add_trace(go.Bar(
            x=[0 if v is None else v for v in values], y=cats, orientation="h",
            marker_color=[charts.HIGHLIGHT[0] if c in highlight else base for c in cats],
            text=text, textposition="outside", cliponaxis=False, name=p["title"],
            showlegend=False, hovertemplate="%{y}: %{text}<extra>" + p["title"] + "</extra>"),
            row=1, col=i)
        fig.update_xaxes(row=1, col=i, range=[0, top * 1.9], showticklabels=False,
                         showgrid=False)
    fig.update_yaxes(autorange="reversed", row=1, col=1)
    fig = charts.base_layout(fig, title, height=height or max(260, 90 + 46 * len(cats)))
    fig.update_yaxes(showgrid=False)
    fig.update_layout(hovermode="closest", bargap=0.35)
    fig.update_annotations(font={"size": 13})
    for i, ann in enumerate(fig.layout.annotations):
        dom = fig.layout[f"xaxis{'' if i == 0 else i + 1}"].domain
        ann.update(x=dom[0], xanchor="left")
    fig.update_layout(margin={"t": 84})  # since: the panel titles clear the title's period
    return fig


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5])
def test_bar_panels_draws_what_make_subplots_drew(n):
    """The written-out layout of `bar_panels` is the figure make_subplots and the
    per-panel updates made: every panel count, kind, rate, highlight, null values."""
    import polars as pl

    df = pl.DataFrame({"label": ["Instagram", "X", "<b>Other</b>", "TikTok"],
                       "a": [1200.0, None, 3.0, 0.0], "b": [0.1, 0.25, None, 1.0],
                       "r": [0.5, 0.01, None, 0.2]})
    kinds = [{"column": "a", "title": "Impressions"},
             {"column": "b", "title": "Rate", "kind": "percent", "colour": "#123456"},
             {"column": "a", "title": "Revenue", "kind": "money", "prefix": "€"},
             {"column": "a", "title": "Clicks · CTR", "rate": "r", "rate_label": "CTR"},
             {"column": "b", "title": "Share"}]
    args = (df, "label", kinds[:n])
    for kw in ({"title": "Funnel, visitors, 2026-10-04 – 2026-10-31 and more words here"},
               {"title": "Short", "highlight": ["X"], "height": 300}):
        assert (charts.bar_panels(*args, **kw).to_plotly_json()
                == _bar_panels_reference(*args, **kw).to_plotly_json())


def _cohort_heatmap_reference(fig: go.Figure, grain: str, n_k: int, n_cohorts: int,
                              title: str) -> go.Figure:
    """`charts.cohort_heatmap`'s layout as it was built before it was written out:
    make_subplots and axis updates, around the same two traces."""
    unit = "Month" if grain == "month" else "Week"
    ref = make_subplots(rows=1, cols=2, shared_yaxes=True, column_widths=[0.88, 0.12],
                        horizontal_spacing=0.015)
    for col, trace in enumerate(fig.data, start=1):
        ref.add_trace(trace.update(xaxis=None, yaxis=None), row=1, col=col)
    ref.update_yaxes(type="category", autorange="reversed", showgrid=False)
    ref.update_xaxes(title={"text": f"{unit}s since the first order"},
                     dtick=1 if n_k <= 30 else None, showgrid=False, row=1, col=1)
    ref.update_xaxes(title={"text": "Cohort size"}, showticklabels=False, showgrid=False,
                     row=1, col=2)
    ref = charts.base_layout(ref, title, height=max(300, 120 + 24 * n_cohorts))
    ref.update_layout(hovermode="closest", margin={"l": 10, "r": 10, "t": 60, "b": 10})
    return ref


@pytest.mark.parametrize(("grain", "n"), [("month", 1), ("month", 24), ("week", 40)])
def test_cohort_heatmap_draws_what_make_subplots_drew(grain, n):
    import datetime as dt

    import polars as pl

    start = dt.date(2024, 1, 1)
    rows = [{"cohort": start + dt.timedelta(days=7 * c) if grain == "week"
             else dt.date(2024 + c // 12, c % 12 + 1, 1), "k": k, "cohort_size": 1000 + c,
             "customers": 100 - k, "revenue": 10.0 * k, "cohort_revenue": 5.0,
             "share": None if (c, k) == (1, 1) else (1.0 if k == 0 else 0.3 / k)}
            for c in range(n) for k in range(n - c)]
    long = pl.DataFrame(rows)
    title = "Cohort retention, share of customers, 2024-01 – 2026-10 (brand-wide)"
    fig = charts.cohort_heatmap(long, grain=grain, measure="customers", title=title,
                                money_prefix="$")
    want = _cohort_heatmap_reference(go.Figure(fig), grain, n, n, title).to_plotly_json()
    assert fig.to_plotly_json() == want
