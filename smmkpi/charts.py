"""Figure builders: frames in, `go.Figure` out, never displayed here.

Colours: the Okabe-Ito palette (safe for the common colour-vision deficiencies) on
transparent backgrounds, so figures read in Streamlit's light and dark themes alike.
Every figure gets a title that names its unit and period.
"""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go
import polars as pl

PALETTE: tuple[str, ...] = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
    "#999999",  # grey
)
STATUS_COLOURS: dict[str, str] = {
    "on track": "#009E73",
    "at risk": "#E69F00",
    "off track": "#D55E00",
    "no data": "#999999",
    "not started": "#56B4E9",
}
GRID = "rgba(128,128,128,0.25)"


def base_layout(fig: go.Figure, title: str, height: int = 380) -> go.Figure:
    """Shared look: title, transparent background, readable grid, legend on top."""
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left"},
        height=height,
        colorway=list(PALETTE),
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        margin={"l": 10, "r": 10, "t": 60, "b": 10},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "right", "x": 1},
        hovermode="x unified",
    )
    fig.update_xaxes(gridcolor=GRID, zeroline=False)
    fig.update_yaxes(gridcolor=GRID, zeroline=False)
    return fig


def empty_figure(title: str, message: str) -> go.Figure:
    fig = go.Figure()
    fig.add_annotation(text=message, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return base_layout(fig, title, height=240)


def dual_axis_lines(
    df: pl.DataFrame,
    x: str,
    left: str,
    right: str,
    *,
    title: str,
    left_label: str,
    right_label: str,
    right_prefix: str = "",
) -> go.Figure:
    """Two series on their own y axes (e.g. social sessions and revenue per day)."""
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=df[x].to_list(), y=df[left].to_list(), name=left_label,
                             mode="lines", line={"color": PALETTE[0], "width": 2}))
    fig.add_trace(go.Scatter(x=df[x].to_list(), y=df[right].to_list(), name=right_label,
                             mode="lines", line={"color": PALETTE[1], "width": 2, "dash": "dot"},
                             yaxis="y2"))
    fig.update_layout(
        yaxis={"title": {"text": left_label}, "rangemode": "tozero", "tickformat": "~s"},
        yaxis2={"title": {"text": right_label}, "overlaying": "y", "side": "right",
                "rangemode": "tozero", "tickprefix": right_prefix, "tickformat": "~s",
                "showgrid": False, "tickmode": "auto"},
    )
    return base_layout(fig, title)


def lines(
    df: pl.DataFrame,
    x: str,
    ys: Sequence[str],
    labels: Sequence[str],
    *,
    title: str,
    y_title: str,
    percent: bool = False,
) -> go.Figure:
    """Several series on one axis."""
    fig = go.Figure()
    for i, (y, label) in enumerate(zip(ys, labels, strict=True)):
        fig.add_trace(go.Scatter(x=df[x].to_list(), y=df[y].to_list(), name=label, mode="lines",
                                 line={"color": PALETTE[i % len(PALETTE)], "width": 2}))
    fig.update_yaxes(title={"text": y_title}, tickformat=".0%" if percent else None,
                     rangemode="tozero")
    return base_layout(fig, title)


def stacked_area(
    df: pl.DataFrame, x: str, group: str, y: str, *, title: str, y_title: str,
    order: Sequence[str] | None = None, percent: bool = False,
) -> go.Figure:
    """A stacked area per group (e.g. sessions by channel group per week)."""
    fig = go.Figure()
    groups = list(order) if order else df[group].unique(maintain_order=True).to_list()
    present = set(df[group].to_list())
    for i, g in enumerate(x for x in groups if x in present):
        part = df.filter(pl.col(group) == g).sort(x)
        fig.add_trace(go.Scatter(x=part[x].to_list(), y=part[y].to_list(), name=str(g),
                                 mode="lines", stackgroup="one",
                                 line={"width": 0.5, "color": PALETTE[i % len(PALETTE)]}))
    fig.update_yaxes(title={"text": y_title}, tickformat=".0%" if percent else None)
    return base_layout(fig, title)


def bars(
    df: pl.DataFrame, x: str, y: str, *, title: str, y_title: str, horizontal: bool = False,
    colour: str | None = None, percent: bool = False, text: str | None = None,
) -> go.Figure:
    """Simple bars."""
    kw = {"x": df[y].to_list(), "y": df[x].to_list(), "orientation": "h"} if horizontal else {
        "x": df[x].to_list(), "y": df[y].to_list()}
    fig = go.Figure(go.Bar(**kw, marker_color=colour or PALETTE[0],
                           text=df[text].to_list() if text else None, textposition="auto"))
    axis = fig.update_xaxes if horizontal else fig.update_yaxes
    axis(title={"text": y_title}, tickformat=".0%" if percent else None)
    if horizontal:
        fig.update_yaxes(autorange="reversed")
    fig.update_layout(hovermode="closest")
    return base_layout(fig, title)
