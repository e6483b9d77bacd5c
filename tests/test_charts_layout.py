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
