"""Figure builders: frames in, `go.Figure` out, never displayed here.

Colours: the Okabe-Ito palette (safe for the common colour-vision deficiencies) on
transparent backgrounds, so figures read in Streamlit's light and dark themes alike.
Every figure gets a title that names its unit and period.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go
import polars as pl

from smmkpi import formatting

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


TITLE_FITS = 52  # characters of a chart title that fit a half-width chart at 1280 px
# (bold: "New followers per day, followers, 2026-10-04 – 2026-10-31", 57, was cut)


def fit_title(title: str) -> str:
    """A long title ("What, unit, period") on two lines, the last part (the period, or
    scope) smaller below, so it is not cut in a half-width chart; short titles and titles
    already broken stay as they are."""
    if len(title) <= TITLE_FITS or "<br>" in title or ", " not in title:
        return title
    head, _, tail = title.rpartition(", ")
    return f"{head}<br><sup>{tail}</sup>"


def base_layout(fig: go.Figure, title: str, height: int = 380) -> go.Figure:
    """Shared look: title, transparent background, readable grid, legend on top.

    Set property by property: the same layout as one `update_layout(...)` and
    `update_xaxes`/`update_yaxes` call (tests/test_charts_layout.py compares them), at a
    half the cost (2.4 against 4.5 ms a figure), since Plotly parses every nested key
    of an update; a warm page run builds a dozen figures."""
    layout = fig.layout
    # nested objects merged as update_layout merges them (what a chart set before stays)
    title_ = layout.title
    title_.text, title_.x, title_.xanchor = fit_title(title), 0, "left"
    layout.height = height
    layout.colorway = list(PALETTE)
    layout.paper_bgcolor = "rgba(0,0,0,0)"
    layout.plot_bgcolor = "rgba(0,0,0,0)"
    m = layout.margin
    m.l, m.r, m.t, m.b = 10, 10, 60, 10
    legend = layout.legend
    legend.orientation, legend.yanchor, legend.y, legend.xanchor, legend.x = (
        "h", "bottom", 1.0, "right", 1)
    layout.hovermode = "x unified"
    for axis in (*fig.select_xaxes(), *fig.select_yaxes()):
        axis.gridcolor = GRID
        axis.zeroline = False
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
        yaxis={"title": {"text": left_label}, "rangemode": "tozero", "tickformat": "~s",
               **_whole_ticks(df[left])},
        yaxis2={"title": {"text": right_label}, "overlaying": "y", "side": "right",
                "rangemode": "tozero", "tickprefix": right_prefix, "tickformat": "~s",
                "showgrid": False, "tickmode": "auto", **_whole_ticks(df[right])},
    )
    return base_layout(fig, title)


def _whole_ticks(values: pl.Series) -> dict:
    """Axis settings for a series of counts or money that is all zero (or empty): ticks 0
    and 1, not Plotly's SI fractions (200m, 400m: "milli") on an empty axis."""
    top = values.drop_nulls().max()
    if top is None or float(top) < 1:  # type: ignore[arg-type]
        return {"range": [0, 1], "dtick": 1}
    return {}


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


# --- community care, reputation and audience --------------------------------------------

SENTIMENT_COLOURS: dict[str, str] = {
    "positive": "#009E73",  # bluish green
    "neutral": "#999999",  # grey
    "negative": "#D55E00",  # vermillion
}


def add_guide(fig: go.Figure, y: float, label: str, *, percent: bool = False) -> go.Figure:
    """A dashed horizontal reference line (an SLA, a limit) with its label on the right."""
    fig.add_hline(y=y, line={"dash": "dash", "color": PALETTE[5], "width": 1.5},
                  annotation={"text": label, "font": {"color": PALETTE[5]}},
                  annotation_position="top right")
    if percent:
        fig.update_yaxes(tickformat=".0%")
    return fig


def sentiment_bars(
    df: pl.DataFrame, x: str, *, title: str, y_title: str = "Mentions",
    marks: pl.DataFrame | None = None, mark_label: str = "Negative spike",
) -> go.Figure:
    """Mentions stacked by sentiment (columns positive, neutral, negative) per `x`.

    `marks` (columns `x` and `text`) puts a triangle above the bar of each marked `x`
    value, e.g. the days with a negative spike; its hover shows `text`."""
    fig = go.Figure()
    xs = df[x].to_list()
    for s in ("negative", "neutral", "positive"):
        fig.add_trace(go.Bar(x=xs, y=df[s].to_list(), name=s.capitalize(),
                             marker_color=SENTIMENT_COLOURS[s], marker_line_width=0))
    if marks is not None and marks.height:
        top = df.select(pl.col(x).alias("x"),
                        (pl.col("positive") + pl.col("neutral") + pl.col("negative")).alias("y"))
        m = (marks.group_by("x").agg(pl.col("text").str.join("<br>"))
             .join(top, on="x", how="inner").sort("x"))
        if m.height:
            ymax = float(top["y"].max() or 0)
            fig.add_trace(go.Scatter(
                x=m["x"].to_list(), y=(m["y"] + 0.04 * ymax).to_list(), mode="markers",
                name=mark_label, text=m["text"].to_list(), hovertemplate="%{text}<extra></extra>",
                marker={"symbol": "triangle-down", "size": 14, "color": SENTIMENT_COLOURS[
                    "negative"], "line": {"width": 1.5, "color": "#F0E442"}}))
    fig.update_layout(barmode="stack", bargap=0.15)
    fig.update_yaxes(title={"text": y_title}, rangemode="tozero")
    return base_layout(fig, title)


def weekday_hour_heatmap(
    df: pl.DataFrame, z: str, *, title: str, z_title: str,
    ticks: Sequence[tuple[float, str]], count: str | None = None, count_label: str = "",
    days: Sequence[str] = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
) -> go.Figure:
    """A weekday x hour-of-day grid (columns weekday_name, hour, `z`) coloured on a log
    scale, since response times run from minutes to days; `ticks` (value, label) mark the
    colour bar, empty cells stay blank. `count` adds a column to the hover."""
    cells = {(r["weekday_name"], r["hour"]): r for r in df.iter_rows(named=True)}
    hours = list(range(24))

    def log(v: float | None) -> float | None:
        return None if v is None or v <= 0 else math.log10(v)

    zs = [[log(cells.get((d, h), {}).get(z)) for h in hours] for d in days]
    raw = [[cells.get((d, h), {}).get(z) for h in hours] for d in days]
    counts = [[cells.get((d, h), {}).get(count, 0) if count else 0 for h in hours] for d in days]
    custom = [[[raw[i][j], counts[i][j]] for j in range(24)] for i in range(len(days))]
    lo = min(v for v, _ in ticks)
    hi = max(v for v, _ in ticks)
    hover = "%{y} %{x}:00–%{x}:59<br>" + z_title + ": %{customdata[0]:.0f} min"
    if count:
        hover += "<br>" + count_label + ": %{customdata[1]}"
    fig = go.Figure(go.Heatmap(
        z=zs, x=[f"{h:02d}" for h in hours], y=list(days), customdata=custom,
        colorscale="Cividis", zmin=math.log10(lo), zmax=math.log10(hi), hoverongaps=False,
        hovertemplate=hover + "<extra></extra>", xgap=1, ygap=1,
        colorbar={"title": {"text": z_title}, "tickvals": [math.log10(v) for v, _ in ticks],
                  "ticktext": [t for _, t in ticks]},
    ))
    fig.update_xaxes(title={"text": "Hour of day (opened)"}, type="category", showgrid=False)
    fig.update_yaxes(autorange="reversed", type="category", showgrid=False)
    fig.update_layout(hovermode="closest")
    return base_layout(fig, title, height=340)


def grouped_bars(
    df: pl.DataFrame, x: str, ys: Sequence[str], labels: Sequence[str], *, title: str,
    y_title: str, stacked: bool = False, percent: bool = False,
) -> go.Figure:
    """Several bars per category, side by side or stacked (e.g. questions and suggestions
    per platform)."""
    fig = go.Figure()
    for i, (y, label) in enumerate(zip(ys, labels, strict=True)):
        fig.add_trace(go.Bar(x=df[x].to_list(), y=df[y].to_list(), name=label,
                             marker_color=PALETTE[i % len(PALETTE)]))
    fig.update_layout(barmode="stack" if stacked else "group", hovermode="x unified")
    fig.update_yaxes(title={"text": y_title}, tickformat=".0%" if percent else "~s",
                     rangemode="tozero")
    return base_layout(fig, title)


def share_with_limit(
    df: pl.DataFrame, x: str, group: str, y: str, *, title: str, y_title: str, limit: float,
    limit_label: str, overall: pl.DataFrame | None = None, overall_label: str = "All",
    show: Sequence[str] | None = None,
) -> go.Figure:
    """A share per group over time (one line each) against a ceiling: the band above
    `limit` is shaded as the zone to stay out of. `overall` (columns `x`, `y`) adds a
    thicker line for all groups together. With `show`, only those groups are drawn at
    first; the others wait in the legend (a click shows them), which keeps many noisy
    small series from hiding the ones that matter."""
    fig = go.Figure()
    for i, g in enumerate(df[group].unique(maintain_order=True).to_list()):
        part = df.filter(pl.col(group) == g).sort(x)
        fig.add_trace(go.Scatter(x=part[x].to_list(), y=part[y].to_list(), name=str(g),
                                 mode="lines+markers", marker={"size": 5},
                                 visible=True if show is None or g in show else "legendonly",
                                 line={"color": PALETTE[i % len(PALETTE)], "width": 2}))
    if overall is not None and overall.height:
        o = overall.sort(x)
        fig.add_trace(go.Scatter(x=o[x].to_list(), y=o[y].to_list(), name=overall_label,
                                 mode="lines", line={"color": "#888888", "width": 4}))
    top = max(float(df[y].max() or 0), limit) * 1.1 if df.height else limit * 1.5
    fig.add_hrect(y0=limit, y1=max(top, limit * 1.5), line_width=0,
                  fillcolor=SENTIMENT_COLOURS["negative"], opacity=0.08, layer="below")
    add_guide(fig, limit, limit_label)
    fig.update_yaxes(title={"text": y_title}, tickformat=".0%", rangemode="tozero",
                     range=[0, max(top, limit * 1.5)])
    return base_layout(fig, title)


# --- traffic and journeys -----------------------------------------------------------------

HIGHLIGHT: tuple[str, ...] = ("#D55E00", "#E69F00")  # vermillion, orange: what a view stresses
# Okabe-Ito without the highlight colours, then Paul Tol's muted scheme: distinct enough for
# the ten or so channel groups a site usually has.
MUTED: tuple[str, ...] = ("#0072B2", "#56B4E9", "#009E73", "#CC79A7", "#999999", "#F0E442",
                          "#332288", "#44AA99", "#882255", "#DDCC77", "#117733", "#AA4499")


def _rgba(hex_colour: str, alpha: float) -> str:
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def _compact(v: float | None) -> str:
    """12 → 12, 1234 → 1.2k, 999_950 → 1M (bar labels), as everywhere else."""
    return formatting.compact(v)


def _pct(v: float | None) -> str:
    return formatting.percent(v)


def stacked_channels(
    df: pl.DataFrame, x: str, group: str, y: str, *, title: str, y_title: str,
    order: Sequence[str], highlight: Sequence[str] = (), height: int = 420,
) -> go.Figure:
    """A stacked area per channel group: the highlighted groups (social) at the bottom of the
    stack in strong colours, so their size reads against the baseline; the other groups
    above them in muted colours. The legend lists every group in `order` (GA4's order)."""
    present = set(df[group].unique().to_list())
    rank = {g: i for i, g in enumerate(order)}
    groups = sorted(present, key=lambda g: (g not in highlight, rank.get(g, len(rank)), g))
    fig = go.Figure()
    muted = 0
    for g in groups:
        part = df.filter(pl.col(group) == g).sort(x)
        if g in highlight:
            colour = HIGHLIGHT[list(highlight).index(g) % len(HIGHLIGHT)]
            line, fill = {"width": 1.5, "color": colour}, _rgba(colour, 0.85)
        else:
            colour = MUTED[muted % len(MUTED)]
            muted += 1
            line, fill = {"width": 0.5, "color": colour}, _rgba(colour, 0.35)
        fig.add_trace(go.Scatter(
            x=part[x].to_list(), y=part[y].to_list(), name=str(g), mode="lines",
            stackgroup="one", line=line, fillcolor=fill,
            legendrank=rank.get(g, len(rank)) + 1,
            hovertemplate="%{y:,.0f}",
        ))
    fig.update_yaxes(title={"text": y_title}, rangemode="tozero", tickformat="~s")
    fig = base_layout(fig, title, height=height)
    fig.update_layout(legend={"traceorder": "normal", "y": 1.02}, margin={"t": 90})
    return fig


def bar_panels(
    df: pl.DataFrame,
    category: str,
    panels: Sequence[dict],
    *,
    title: str,
    highlight: Sequence[str] = (),
    height: int | None = None,
) -> go.Figure:
    """Several measures of the same categories side by side: one panel of horizontal bars
    per measure, each on its own scale (impressions and conversions differ by orders of
    magnitude), categories in the frame's order from the top.

    A panel is a dict: `column`, `title`, `kind` ("count", "percent" or "money"), optional
    `prefix` (currency symbol for money), `colour`, and `rate` / `rate_label`: a ratio
    column shown beside each bar (e.g. link clicks with "CTR"). Categories listed in
    `highlight` are drawn in the highlight colour in every panel.

    The figure is what `make_subplots(rows=1, cols=n, shared_yaxes=True,
    horizontal_spacing=0.03, subplot_titles=...)` and one trace per panel make (the panel
    titles then flush left over the bars, size 13), written out as one layout: built
    through make_subplots and per-panel updates it took 0.14 s, the most of a warm Traffic
    page (tests/test_charts_layout.py compares the two).
    """
    n = len(panels)
    cats = [str(c) for c in df[category].to_list()]
    spacing = 0.03
    width = (1.0 - spacing * (n - 1)) / n
    traces: list[dict] = []
    layout: dict[str, Any] = {"annotations": []}
    for i, p in enumerate(panels, start=1):
        values = df[p["column"]].to_list()
        kind = p.get("kind", "count")
        prefix = p.get("prefix", "")
        if kind == "percent":
            text = [_pct(v) for v in values]
        elif kind == "money":
            text = ["n/a" if v is None else f"{prefix}{v:,.2f}" for v in values]
        else:
            text = [_compact(v) for v in values]
        if p.get("rate"):
            rates = df[p["rate"]].to_list()
            text = [f"{t} · {_pct(r)} {p.get('rate_label', '')}".rstrip()
                    for t, r in zip(text, rates, strict=True)]
        base = p.get("colour", PALETTE[(i - 1) % len(PALETTE)])
        colours = [HIGHLIGHT[0] if c in highlight else base for c in cats]
        top = max((v for v in values if v is not None), default=0) or 1
        suffix = "" if i == 1 else str(i)
        traces.append({
            "type": "bar", "x": [0 if v is None else v for v in values], "y": cats,
            "orientation": "h", "marker": {"color": colours}, "text": text,
            "textposition": "outside", "cliponaxis": False, "name": p["title"],
            "showlegend": False,
            "hovertemplate": "%{y}: %{text}<extra>" + p["title"] + "</extra>",
            "xaxis": f"x{suffix}", "yaxis": f"y{suffix}",
        })
        x0 = width * (i - 1) + spacing * (i - 1)  # as make_subplots computes the domains
        x1 = min(x0 + width, 1.0)
        layout[f"xaxis{suffix}"] = {"anchor": f"y{suffix}", "domain": [x0, x1],
                                    "range": [0, top * 1.9], "showticklabels": False,
                                    "showgrid": False}
        yaxis: dict[str, Any] = {"anchor": f"x{suffix}", "domain": [0.0, 1.0],
                                 "showgrid": False}
        if i == 1:
            yaxis["autorange"] = "reversed"
        else:  # shared with the first panel's
            yaxis.update(matches="y", showticklabels=False)
        layout[f"yaxis{suffix}"] = yaxis
        layout["annotations"].append({
            "font": {"size": 13}, "showarrow": False, "text": p["title"], "x": x0,
            "xanchor": "left", "xref": "paper", "y": 1.0, "yanchor": "bottom",
            "yref": "paper"})
    fig = go.Figure(data=traces, layout=layout)
    fig = base_layout(fig, title, height=height or max(260, 90 + 46 * len(cats)))
    fig.layout.hovermode, fig.layout.bargap = "closest", 0.35
    fig.layout.margin.t = 84  # the panel titles clear a title's second line (its period)
    return fig


def sankey(
    nodes: pl.DataFrame, links: pl.DataFrame, *, title: str, height: int = 560,
) -> go.Figure:
    """A Sankey of visitor paths, one column per step.

    nodes: node, step, touchpoint, visitors, social_start, exits, is_other, is_destination
    and optionally social (the touchpoint is a social platform) and label (the touchpoint
    as people write it, e.g. "TikTok"; default the touchpoint); links: source, target,
    starts_on_social, visitors. Flows of visitors whose path starts on social are drawn in
    the highlight colour, the others in grey; the destination's nodes are green, social
    touchpoints orange, "other" grey. Node ids must be 0..n-1 in row order.

    Legible at a laptop's width: nodes sit where we put them (one column per step, each
    column's nodes stacked in row order with a gap), the first step's labels stand in the
    left margin instead of over the flows leaving it, and the other labels are short.
    """
    social = nodes["social"].to_list() if "social" in nodes.columns else [False] * nodes.height
    colours = [
        STATUS_COLOURS["on track"] if dest else "#999999" if other
        else HIGHLIGHT[1] if soc else PALETTE[0]
        for dest, other, soc in zip(nodes["is_destination"].to_list(),
                                    nodes["is_other"].to_list(), social, strict=True)
    ]
    steps = nodes["step"].to_list()
    visitors = [float(v or 0) for v in nodes["visitors"].to_list()]
    names = nodes["label" if "label" in nodes.columns else "touchpoint"].to_list()
    full = [f"{n} · {_compact(v)}" for n, v in zip(names, visitors, strict=True)]
    n_steps = (max(steps) + 1) if steps else 1
    xs, ys = _sankey_positions(steps, visitors, n_steps)
    node_custom = list(zip([s + 1 for s in steps], nodes["visitors"].to_list(),
                           nodes["social_start"].to_list(), nodes["exits"].to_list(), full,
                           strict=True))
    start_social = links["starts_on_social"].to_list()
    fig = go.Figure(go.Sankey(
        arrangement="fixed",
        valueformat=",.0f",
        node={
            # step 1: labelled in the left margin (annotations below), not over its flows
            "label": ["" if s == 0 else f for s, f in zip(steps, full, strict=True)],
            "x": xs, "y": ys,
            "color": colours,
            "pad": 18,
            "thickness": 14,
            "line": {"width": 0},
            "customdata": node_custom,
            "hovertemplate": "<b>%{customdata[4]}</b> (step %{customdata[0]})<br>"
            "%{customdata[1]:,} visitors, %{customdata[2]:,} of them started on social<br>"
            "%{customdata[3]:,} end their path here<extra></extra>",
        },
        link={
            "source": links["source"].to_list(),
            "target": links["target"].to_list(),
            "value": links["visitors"].to_list(),
            "color": [_rgba(HIGHLIGHT[0], 0.55) if s else "rgba(153,153,153,0.30)"
                      for s in start_social],
            "customdata": [
                f"{full[a]} → {full[b]}<br>"
                + ("started on social" if soc else "did not start on social")
                for a, b, soc in zip(links["source"].to_list(), links["target"].to_list(),
                                     start_social, strict=True)],
            "hovertemplate": "%{customdata}<br>%{value:,.0f} visitors<extra></extra>",
        },
    ))
    left = 150
    for i, s in enumerate(steps):  # the first step's labels, right-aligned left of its nodes
        if s == 0:
            fig.add_annotation(text=full[i], showarrow=False, xref="paper", yref="paper",
                               x=0, xshift=-6, xanchor="right", y=1 - ys[i], yanchor="middle",
                               font={"size": 12})
    for s in range(n_steps):  # column headers
        fig.add_annotation(text=f"Step {s + 1}", showarrow=False, yref="paper", y=1.0,
                           yanchor="bottom", xref="paper", x=_column_x(s, n_steps),
                           xanchor="left" if s == 0 else "right" if s == n_steps - 1
                           else "center", font={"size": 12, "color": "#999999"})
    fig = base_layout(fig, title, height=height)
    fig.update_layout(hovermode="closest", margin={"l": left, "r": 10, "t": 80, "b": 10})
    return fig


def _column_x(step: int, n_steps: int) -> float:
    return step / (n_steps - 1) if n_steps > 1 else 0.5


def _sankey_positions(steps: Sequence[int], visitors: Sequence[float], n_steps: int,
                      gap: float = 0.03) -> tuple[list[float], list[float]]:
    """Node centres (x, y in 0..1, y from the top) for a fixed Sankey: each step a column,
    its nodes stacked in order, heights in proportion to visitors on one scale for every
    column (the tallest column fills the height) and `gap` between nodes."""
    totals: dict[int, float] = {}
    counts: dict[int, int] = {}
    for s, v in zip(steps, visitors, strict=True):
        totals[s] = totals.get(s, 0.0) + v
        counts[s] = counts.get(s, 0) + 1
    room = {s: 1 - gap * (counts[s] - 1) for s in counts}
    scale = min(room[s] / totals[s] for s in totals if totals[s] > 0) if any(
        totals.values()) else 1.0
    xs, ys, used = [], [], dict.fromkeys(counts, 0.0)
    for s, v in zip(steps, visitors, strict=True):
        h = v * scale
        y = used[s] + h / 2
        used[s] += h + gap
        xs.append(min(max(_column_x(s, n_steps), 0.001), 0.999))
        ys.append(min(max(y, 0.001), 0.999))
    return xs, ys


# ---------------------------------------------------------------------------- targets

TARGET_LINE = "#CC79A7"  # the target marker: reads on light and dark backgrounds
PACE_BAND = "rgba(128,128,128,0.35)"


def target_bullets(df: pl.DataFrame, *, title: str, row_height: int = 64) -> go.Figure:
    """One bullet per row (a target): the bar is the actual to date in its status colour,
    the grey band runs to the pace (what the actual should be by now) and the line marks
    the target. Each row has its own scale in its KPI's unit.

    Columns: label (may hold <br>), actual, pace, target, forecast, status, and the unit's
    d3 format as fmt, prefix, suffix. A missing actual draws no bar."""
    fig = go.Figure()
    n = max(df.height, 1)
    gap = 0.35 / n
    for i, r in enumerate(df.iter_rows(named=True)):
        y1 = 1 - i / n
        y0 = y1 - 1 / n + gap
        values = [v for v in (r["actual"], r["pace"], r["target"], r["forecast"]) if v]
        hi = max(values) * 1.08 if values else 1.0
        has = r["actual"] is not None
        fig.add_trace(go.Indicator(
            mode="number+gauge" if has else "gauge",
            value=r["actual"] if has else 0,
            number={"valueformat": r["fmt"], "prefix": r["prefix"], "suffix": r["suffix"],
                    "font": {"size": 15, "color": STATUS_COLOURS.get(r["status"], "#999999")}},
            domain={"x": [0.34, 0.88], "y": [y0, y1]},
            title={"text": r["label"], "font": {"size": 12}, "align": "right"},
            gauge={
                "shape": "bullet",
                "axis": {"range": [0, hi], "tickformat": r["fmt"], "tickprefix": r["prefix"],
                         "ticksuffix": r["suffix"], "tickfont": {"size": 10}, "nticks": 6},
                "bar": {"color": STATUS_COLOURS.get(r["status"], "#999999"),
                        "thickness": 0.5 if has else 0},
                "bgcolor": "rgba(0,0,0,0)",
                "borderwidth": 0,
                "steps": [{"range": [0, r["pace"]], "color": PACE_BAND}],
                "threshold": {"line": {"color": TARGET_LINE, "width": 3}, "thickness": 0.95,
                              "value": r["target"]},
            },
        ))
    fig = base_layout(fig, title, height=90 + row_height * n)
    fig.update_layout(margin={"l": 10, "r": 10, "t": 60, "b": 10})
    return fig


def target_trend(
    df: pl.DataFrame, *, title: str, y_title: str, fmt: str, prefix: str = "",
    suffix: str = "", status: str = "on track", target: float | None = None,
    forecast: tuple[object, float] | None = None,
) -> go.Figure:
    """A KPI through a target's period: the value so far (`actual`, status colour), the
    pace line (`pace`, dashed), the target (dotted; for a rate the pace is the target, one
    line) and, when given, the forecast as a dotted segment from the last actual to
    (period end, forecast)."""
    colour = STATUS_COLOURS.get(status, PALETTE[0])
    pace = df["pace"].to_list()
    flat = target is not None and all(p == target for p in pace)  # a rate: pace = target
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=df["date"].to_list(), y=pace,
                             name="Target (= expected for a rate)" if flat else "Expected (pace)",
                             mode="lines",
                             line={"color": TARGET_LINE if flat else "#999999", "width": 2,
                                   "dash": "dash"}))
    fig.add_trace(go.Scatter(x=df["date"].to_list(), y=df["actual"].to_list(),
                             name="Actual so far", mode="lines",
                             line={"color": colour, "width": 3}))
    if forecast is not None:
        last = df.drop_nulls("actual").tail(1)
        if last.height:
            fig.add_trace(go.Scatter(
                x=[last["date"].item(), forecast[0]], y=[last["actual"].item(), forecast[1]],
                name="Forecast", mode="lines", line={"color": colour, "width": 2,
                                                     "dash": "dot"}))
    if target is not None and not flat:
        fig.add_hline(y=target, line={"color": TARGET_LINE, "width": 2, "dash": "dot"},
                      annotation_text="target", annotation_position="top left",
                      annotation_font_color=TARGET_LINE)
    fig.update_yaxes(title={"text": y_title}, tickformat=fmt, tickprefix=prefix,
                     ticksuffix=suffix, rangemode="tozero")
    fig.update_traces(hovertemplate=f"{prefix}%{{y:{fmt}}}{suffix}")
    return base_layout(fig, title, height=320)


def legend_below(fig: go.Figure) -> go.Figure:
    """Move the legend under the plot, for figures whose title and legend would collide
    at half width."""
    fig.update_layout(legend={"orientation": "h", "yanchor": "top", "y": -0.12,
                              "xanchor": "left", "x": 0})
    return fig


def log_y(fig: go.Figure, ticks: Sequence[tuple[float, str]]) -> go.Figure:
    """A log-scale y axis with labelled ticks (value, label), for values that run from
    minutes to days, such as response times."""
    fig.update_yaxes(type="log", rangemode="normal", tickvals=[v for v, _ in ticks],
                     ticktext=[t for _, t in ticks])
    # plotly.js places shapes on a log axis by value but annotations by log10 of the value
    for note in fig.layout.annotations:
        if note.yref == "y" and note.y:
            note.y = math.log10(note.y)
    return fig


# ---------------------------------------------------------------------------- retention

COHORT_SCALE = "Cividis"  # sequential, colour-blind safe, reads on light and dark


def _cohort_label(day: object, grain: str) -> str:
    return f"{day:%Y-%m}" if grain == "month" else f"{day:%Y-%m-%d}"


def cohort_heatmap(
    long: pl.DataFrame, *, grain: str, measure: str, title: str, money_prefix: str = "",
    cell_text: bool | None = None,
) -> go.Figure:
    """Cohort retention: one row per cohort (oldest on top), one column per k periods since
    the first order, coloured by `share`; the cohort's size is a bar beside its row.

    `long` is `retention.cohort_matrix_long` (columns cohort, k, cohort_size, customers,
    revenue, cohort_revenue, share): cells absent from it (not reachable yet) stay blank,
    never 0. The colour scale tops out at the largest share for k >= 1, so that k = 0
    (always 100 % of customers) does not wash out the cells that matter. `cell_text` writes
    the percentage in each cell (default: when there are at most 30 columns)."""
    unit = "Month" if grain == "month" else "Week"
    sizes = long.filter(pl.col("k") == 0).sort("cohort")
    cohorts = sizes["cohort"].to_list()
    labels = [_cohort_label(c, grain) for c in cohorts]
    n_k = int(long["k"].max()) + 1 if long.height else 1  # type: ignore[arg-type]
    ks = list(range(n_k))
    cells = {(r["cohort"], r["k"]): r for r in long.iter_rows(named=True)}
    z: list[list[float | None]] = []
    custom: list[list[list[object]]] = []
    text: list[list[str]] = []
    for c in cohorts:
        z.append([cells[(c, k)]["share"] if (c, k) in cells else None for k in ks])
        custom.append([[cells[(c, k)]["customers"], cells[(c, k)]["revenue"],
                        cells[(c, k)]["cohort_size"]] if (c, k) in cells else [None] * 3
                       for k in ks])
        text.append(["" if (c, k) not in cells or cells[(c, k)]["share"] is None
                     else f"{100 * cells[(c, k)]['share']:.0f}%" for k in ks])
    later = long.filter(pl.col("k") >= 1)["share"].drop_nulls()
    zmax = float(later.max()) if later.len() else 1.0  # type: ignore[arg-type]
    zmax = max(zmax, 0.01)
    show_text = n_k <= 30 if cell_text is None else cell_text
    what = "of the cohort ordered" if measure == "customers" else "of its first-period revenue"
    hover = (f"Cohort %{{y}} (%{{customdata[2]:,}} customers)<br>{unit} %{{x}}: "
             f"<b>%{{z:.1%}}</b> {what}<br>%{{customdata[0]:,}} customers ordered, "
             f"{money_prefix}%{{customdata[1]:,.0f}} revenue<extra></extra>")
    size_list = sizes["cohort_size"].to_list()
    heatmap = {
        "type": "heatmap", "z": z, "x": ks, "y": labels, "customdata": custom,
        "colorscale": COHORT_SCALE, "zmin": 0, "zmax": zmax,
        "text": text if show_text else None,
        "texttemplate": "%{text}" if show_text else None,
        "textfont": {"size": 10 if n_k <= 20 else 9}, "hoverongaps": False,
        "hovertemplate": hover, "xgap": 1, "ygap": 1, "xaxis": "x", "yaxis": "y",
        "colorbar": {"title": {"text": "Share"}, "tickformat": ".0%", "x": 1.0,
                     "xanchor": "left", "len": 0.9},
    }
    bar = {
        "type": "bar", "x": size_list, "y": labels, "orientation": "h",
        "marker": {"color": "#999999"}, "text": [_compact(v) for v in size_list],
        "textposition": "inside", "insidetextanchor": "start", "textfont": {"size": 10},
        "name": "Cohort size", "hovertemplate": "Cohort %{y}: %{x:,} customers<extra></extra>",
        "showlegend": False, "xaxis": "x2", "yaxis": "y2",
    }
    # the layout make_subplots(rows=1, cols=2, shared_yaxes=True, column_widths=[0.88,
    # 0.12], horizontal_spacing=0.015) and the axis updates made, written out (a third of
    # the time; tests/test_charts_layout.py compares the two)
    spacing = 0.015
    heat_w, size_w = ((1.0 - spacing) * w for w in (0.88, 0.12))
    y = {"domain": [0.0, 1.0], "type": "category", "autorange": "reversed",
         "showgrid": False}
    fig = go.Figure(data=[heatmap, bar], layout={
        "xaxis": {"anchor": "y", "domain": [0.0, heat_w],
                  "title": {"text": f"{unit}s since the first order"},
                  "dtick": 1 if n_k <= 30 else None, "showgrid": False},
        "yaxis": {"anchor": "x", **y},
        "xaxis2": {"anchor": "y2", "domain": [heat_w + spacing,
                                              min(heat_w + spacing + size_w, 1.0)],
                   "title": {"text": "Cohort size"}, "showticklabels": False,
                   "showgrid": False},
        "yaxis2": {"anchor": "x2", "matches": "y", "showticklabels": False, **y},
    })
    fig = base_layout(fig, title, height=max(300, 120 + 24 * len(labels)))
    fig.layout.hovermode = "closest"
    return fig


def retention_curve_figure(
    curve: pl.DataFrame, *, grain: str, measure: str, title: str
) -> go.Figure:
    """The average retention curve from k = 1 on (k = 0 is 100 % by definition and would
    flatten the rest): `share` per k, with how many cohorts and customers each point rests
    on in the hover. `curve` is `retention.retention_curve`."""
    unit = "Month" if grain == "month" else "Week"
    c = curve.filter(pl.col("k") >= 1).sort("k")
    base = "cohort_size" if measure == "customers" else "cohort_revenue"
    fig = go.Figure(go.Scatter(
        x=c["k"].to_list(), y=c["share"].to_list(), mode="lines+markers",
        line={"color": PALETTE[0], "width": 2.5}, marker={"size": 6},
        customdata=list(zip(c["cohorts"].to_list(), c[base].to_list(), strict=True)),
        name="Average", hovertemplate=f"{unit} %{{x}}: <b>%{{y:.1%}}</b><br>over "
        "%{customdata[0]} cohorts (%{customdata[1]:,.0f} "
        + ("customers" if measure == "customers" else "first-period revenue")
        + ")<extra></extra>",
    ))
    fig.update_xaxes(title={"text": f"{unit}s since the first order"}, rangemode="tozero")
    fig.update_yaxes(title={"text": "Share of the cohort" if measure == "customers"
                            else "Share of first-period revenue"},
                     tickformat=".0%", rangemode="tozero")
    fig = base_layout(fig, title, height=340)
    fig.update_layout(hovermode="closest", showlegend=False)
    return fig


_NICE_BINS = (1, 2, 7, 14, 30, 60, 91, 182, 365)


def days_histogram(
    days: pl.Series, *, title: str, median: float | None = None, max_bins: int = 60,
    tail: float = 0.95, x_title: str = "Days from the first to the second order",
    y_title: str = "Customers",
) -> go.Figure:
    """A histogram of whole days, binned here (1, 2, 7, 14, 30... days per bar, the
    narrowest that gives at most `max_bins` bars up to the `tail` quantile) so that the
    browser gets bars rather than one value per customer. Values past the bars go into one
    grey bar at the right, labelled "≥ N", so that a long tail does not squash the bulk.
    The median is marked with a dashed line."""
    d = days.drop_nulls().cast(pl.Int64)
    top = int(d.max()) if d.len() else 0  # type: ignore[arg-type]
    cap = int(d.quantile(tail, "higher")) if d.len() else 0  # type: ignore[arg-type]
    width = next((w for w in _NICE_BINS if cap // w + 1 <= max_bins), _NICE_BINS[-1])
    edge = (cap // width + 1) * width  # first day past the regular bars
    if top < edge + width:  # a short tail: no overflow bar, every value in its own bin
        edge = (top // width + 1) * width
    bins = (pl.DataFrame({"d": d}).filter(pl.col("d") < edge)
            .group_by(lo=pl.col("d") // width * width).agg(n=pl.len()).sort("lo"))
    over = int((d >= edge).sum())
    lo = bins["lo"].to_list()
    span = [f"{a}" if width == 1 else f"{a}–{a + width - 1}" for a in lo]
    fig = go.Figure(go.Bar(
        x=[v + width / 2 for v in lo], y=bins["n"].to_list(), width=[width] * len(lo),
        marker_color=PALETTE[0], marker_line_width=0, customdata=span, name="Customers",
        hovertemplate="%{customdata} days: %{y:,} customers<extra></extra>",
    ))
    if over:
        fig.add_trace(go.Bar(
            x=[edge + width * 1.5], y=[over], width=[width * 2], marker_color="#999999",
            marker_line_width=0, text=[f"≥ {edge}"], textposition="outside",
            constraintext="none", textfont={"size": 11}, cliponaxis=False, name="Longer",
            hovertemplate=f"{edge} days or more: %{{y:,}} customers<extra></extra>",
        ))
    if median is not None:
        fig.add_vline(x=median + 0.5, line={"dash": "dash", "color": PALETTE[1], "width": 2},
                      annotation={"text": f"median {median:g} days",
                                  "font": {"color": PALETTE[1]}},
                      annotation_position="top right")
    fig.update_xaxes(title={"text": x_title + (f" ({width}-day bars)" if width > 1 else "")},
                     rangemode="tozero")
    fig.update_yaxes(title={"text": y_title}, rangemode="tozero", tickformat="~s")
    fig = base_layout(fig, title, height=340)
    fig.update_layout(hovermode="closest", showlegend=False, bargap=0.05)
    return fig


def labelled_bars(
    df: pl.DataFrame, x: str, ys: Sequence[str], labels: Sequence[str], *, title: str,
    y_title: str, percent: bool = True, colours: Sequence[str] | None = None,
    height: int = 360, horizontal: bool = False,
) -> go.Figure:
    """Bars side by side per category, each labelled with its value (e.g. followers against
    non-followers per KPI, or KPIs per acquisition channel). A missing value draws no bar
    and is labelled n/a. `horizontal` puts the categories on the y axis, top to bottom in
    the frame's order (long category names, narrow columns); `y_title` then names the value
    axis all the same."""
    fig = go.Figure()
    fmt = _pct if percent else _compact
    palette = colours or PALETTE
    cats = df[x].to_list()
    for i, (y, label) in enumerate(zip(ys, labels, strict=True)):
        vals = df[y].to_list()
        pos = {"y": cats, "x": vals, "orientation": "h"} if horizontal else {"x": cats, "y": vals}
        fig.add_trace(go.Bar(
            **pos, name=label, marker_color=palette[i % len(palette)],
            text=[fmt(v) for v in vals], textposition="outside", cliponaxis=False,
            hovertemplate=f"{label}: %{{text}}<extra></extra>",
        ))
    value_axis = fig.update_xaxes if horizontal else fig.update_yaxes
    value_axis(title={"text": y_title}, tickformat=".0%" if percent else "~s",
               rangemode="tozero")
    if horizontal:
        fig.update_yaxes(autorange="reversed", showgrid=False)
        fig.update_layout(legend={"traceorder": "normal"})
    fig.update_layout(barmode="group", uniformtext={"minsize": 9, "mode": "hide"})
    fig = base_layout(fig, title, height=height)
    fig.update_layout(hovermode="y unified" if horizontal else "x unified",
                      margin={"l": 10, "r": 30, "t": 80, "b": 10})
    return fig


def cost_bubbles(
    df: pl.DataFrame, label: str, x: str, y: str, size: str, *, title: str, x_title: str,
    y_title: str, prefix: str = "", kind: str = "kind", height: int = 440,
) -> go.Figure:
    """One bubble per row: `x` (a cost, money) against `y` (a rate), bubble area
    proportional to `size`, each labelled with `label`. `kind` says how a row is coloured:
    "social" (the highlight colour), "paid" (blue) or "organic" (green: no media cost, drawn
    at x = 0). Rows without an x or y value are left out (the caller says which)."""
    colours = {"social": HIGHLIGHT[0], "paid": PALETTE[0], "organic": PALETTE[2]}
    names = {"social": "Social", "paid": "Paid channels", "organic": "No media cost"}
    shown = df.filter(pl.col(x).is_not_null() & pl.col(y).is_not_null())
    biggest = float(shown[size].max() or 1) if shown.height else 1.0
    shown = shown.with_columns(_pos=pl.Series(_label_positions(
        [float(v) for v in shown[x].to_list()], [float(v) for v in shown[y].to_list()]),
        dtype=pl.String))
    fig = go.Figure()
    for k in ("social", "paid", "organic"):
        part = shown.filter(pl.col(kind) == k)
        if part.height == 0:
            continue
        sizes = part[size].to_list()
        fig.add_trace(go.Scatter(
            x=part[x].to_list(), y=part[y].to_list(), mode="markers+text", name=names[k],
            text=part[label].to_list(),
            textposition=part["_pos"].to_list(),
            marker={"size": [max(math.sqrt((v or 0) / biggest) * 60, 8) for v in sizes],
                    "color": _rgba(colours[k], 0.55), "line": {"color": colours[k], "width": 1}},
            customdata=[[formatting.compact(v), formatting.percent(r),
                         f"{prefix}{c:,.2f}"] for v, r, c in
                        zip(sizes, part[y].to_list(), part[x].to_list(), strict=True)],
            hovertemplate="%{text}<br>cost per conversion %{customdata[2]}<br>conversion rate "
                          "%{customdata[1]}<br>%{customdata[0]} sessions<extra></extra>",
        ))
    top = float(shown[x].max() or 0) if shown.height else 0.0
    # room left of zero for the organic bubbles, right of the dearest for its label
    fig.update_xaxes(title={"text": x_title}, tickprefix=prefix,
                     range=[-0.06 * (top or 1.0), 1.15 * (top or 1.0)])
    fig.update_yaxes(title={"text": y_title}, tickformat=".1%", rangemode="tozero")
    fig = base_layout(fig, title, height=height)
    fig.update_layout(hovermode="closest")
    return fig


def _label_positions(xs: Sequence[float], ys: Sequence[float]) -> list[str]:
    """Where each point's label goes so that labels of neighbouring points do not overlap:
    to the right of the point by default, else above or below it, else to its left."""
    if not xs:
        return []
    xr = (max(xs) - min(xs)) or 1.0
    yr = (max(ys) - min(ys)) or 1.0
    offsets = {"middle right": (0.0, 0.0), "top right": (0.0, 0.07),
               "bottom right": (0.0, -0.07), "middle left": (-0.3, 0.0)}
    placed: list[tuple[float, float]] = []
    out: list[str] = [""] * len(xs)
    for i in sorted(range(len(xs)), key=lambda j: -ys[j]):
        for pos, (dx, dy) in offsets.items():  # noqa: B007 - the last tried is kept
            lx, ly = xs[i] / xr + dx, ys[i] / yr + dy
            if all(abs(lx - px) > 0.28 or abs(ly - py) > 0.06 for px, py in placed):
                break
        out[i] = pos
        placed.append((lx, ly))
    return out


# --- text from data is text ---------------------------------------------------------------
# Plotly renders a little HTML in every string of a figure (labels, legend names, ticks,
# hover text): `<a href=...>` in a platform or campaign name would become a live link. Only
# the formatting tags the builders themselves use survive; everything else is escaped.
_SAFE_TAG = re.compile(r"(</?(?:br|b|i|em|sup|sub|extra)\s*/?>)", re.IGNORECASE)


def plain_markup(text: str) -> str:
    """`text` with every character Plotly would read as markup escaped, except the plain
    formatting tags <br>, <b>, <i>, <em>, <sup>, <sub> and <extra> (no attributes)."""
    parts = _SAFE_TAG.split(text)
    return "".join(p if i % 2 else html.escape(html.unescape(p), quote=False)
                   for i, p in enumerate(parts))


def _sanitized(value: Any) -> Any:
    if isinstance(value, str):
        return plain_markup(value)
    if isinstance(value, dict):
        return {k: _sanitized(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_sanitized(v) for v in value]
    return value  # numbers, arrays of numbers, None


def sanitized_dict(fig: go.Figure) -> dict[str, Any]:
    """The figure as plain data with every string made inert (see `plain_markup`)."""
    return _sanitized(fig.to_plotly_json())  # type: ignore[no-any-return]


def sanitize(fig: go.Figure) -> go.Figure:
    """The figure with every string made inert (see `plain_markup`), as a figure again
    (validated by Plotly: slow; the UI shows `sanitized_dict` without rebuilding)."""
    return go.Figure(sanitized_dict(fig), skip_invalid=True)


def mark_partial(fig: go.Figure, buckets: Sequence[tuple[object, int, int]],
                 grain: str) -> go.Figure:
    """Shade the buckets that lie partly outside the period (the earliest week counted
    back from the period's end, a month cut by the period) and say how many of their days
    are in it: (first day, days in the period, days in a whole bucket) per partial bucket,
    on a date x axis."""
    import datetime as dt

    for start, days, full in buckets:
        if not isinstance(start, dt.date):
            continue
        fig.add_vrect(
            x0=start - dt.timedelta(hours=12),  # type: ignore[operator]
            x1=start + dt.timedelta(days=full) - dt.timedelta(hours=12),  # type: ignore[operator]
            fillcolor="rgba(128,128,128,0.14)", line_width=0, layer="below",
            annotation_text=f"partial {grain}: {days} of {full} days",
            annotation_position="top left", annotation_font={"size": 10, "color": "#999999"})
    return fig
# --- content ------------------------------------------------------------------------------


def median_spread(
    df: pl.DataFrame, x: str, median: str, lo: str, hi: str, count: str, *, title: str,
    y_title: str, percent: bool = False, height: int = 360,
) -> go.Figure:
    """The median per post of each category as a bar, the middle half of the posts (25th
    to 75th percentile) as its error bar, and the number of posts above it: a few great
    posts cannot pass for a good category."""
    med = df[median].to_list()
    err_hi = [None if h is None or m is None else h - m
              for h, m in zip(df[hi].to_list(), med, strict=True)]
    err_lo = [None if lo_ is None or m is None else m - lo_
              for lo_, m in zip(df[lo].to_list(), med, strict=True)]
    fmt = _pct if percent else _compact
    # two short lines: one line ("1.8 % · 71 posts") overlaps its neighbours at 8 bars
    labels = [f"{fmt(m)}<br>{n:,} posts" if m is not None else f"n/a<br>{n:,} posts"
              for m, n in zip(med, df[count].to_list(), strict=True)]
    fig = go.Figure(go.Bar(
        x=df[x].to_list(), y=med, marker_color=PALETTE[0], name="Median per post",
        error_y={"type": "data", "symmetric": False, "array": err_hi, "arrayminus": err_lo,
                 "color": PALETTE[7], "thickness": 1.5, "width": 6},
        text=labels, textposition="outside", cliponaxis=False, textfont={"size": 11},
        outsidetextfont={"size": 11}, constraintext="none",
        customdata=[[a, b, n] for a, b, n in zip(df[lo].to_list(), df[hi].to_list(),
                                                 df[count].to_list(), strict=True)],
        hovertemplate="%{x}: median %{y" + (":.2%" if percent else ":,.0f")
        + "} (%{customdata[2]:,} posts)<br>middle half of the posts: %{customdata[0]"
        + (":.2%" if percent else ":,.0f") + "} – %{customdata[1]"
        + (":.2%" if percent else ":,.0f") + "}<extra></extra>",
    ))
    fig.update_yaxes(title={"text": y_title}, tickformat=".1%" if percent else "~s",
                     rangemode="tozero")
    fig.update_layout(hovermode="closest", showlegend=False)
    fig = base_layout(fig, title, height=height)
    fig.update_layout(margin={"l": 10, "r": 10, "t": 80, "b": 10})
    return fig


def weekday_hour_rates(
    df: pl.DataFrame, z: str, *, title: str, z_title: str, enough: str = "enough",
    count: str = "posts", x_title: str = "Hour of day (published)",
    days: Sequence[str] = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
) -> go.Figure:
    """A weekday x hour grid (columns weekday_name, hour, `z` a rate, `count`, `enough`)
    coloured by `z` where `enough` posts back it; cells with a few posts are grey (their
    median says little), cells without any are blank."""
    cells = {(r["weekday_name"], r["hour"]): r for r in df.iter_rows(named=True)}
    hours = list(range(24))

    def val(d: str, h: int, grey: bool) -> float | None:
        c = cells.get((d, h))
        if c is None or not c.get(count):
            return None
        if bool(c.get(enough)) == grey:
            return None
        return 1.0 if grey else c.get(z)

    rated = [[val(d, h, False) for h in hours] for d in days]
    thin = [[val(d, h, True) for h in hours] for d in days]
    custom = [[[cells.get((d, h), {}).get(z), cells.get((d, h), {}).get(count, 0)]
               for h in hours] for d in days]
    hover = ("%{y} %{x}:00–%{x}:59<br>" + z_title + ": %{customdata[0]:.2%}<br>"
             "posts: %{customdata[1]}<extra></extra>")
    xs = [f"{h:02d}" for h in hours]
    fig = go.Figure()
    fig.add_trace(go.Heatmap(
        z=thin, x=xs, y=list(days), customdata=custom, showscale=False, hoverongaps=False,
        colorscale=[[0, "rgba(153,153,153,0.35)"], [1, "rgba(153,153,153,0.35)"]],
        hovertemplate=hover.replace("<extra>", " (too few to tell)<extra>"), xgap=1, ygap=1,
        name="Too few posts"))
    fig.add_trace(go.Heatmap(
        z=rated, x=xs, y=list(days), customdata=custom, colorscale="Cividis",
        hoverongaps=False, hovertemplate=hover, xgap=1, ygap=1, name=z_title,
        colorbar={"title": {"text": z_title}, "tickformat": ".1%"}))
    fig.update_xaxes(title={"text": x_title}, type="category", showgrid=False)
    fig.update_yaxes(autorange="reversed", type="category", showgrid=False)
    fig.update_layout(hovermode="closest")
    return base_layout(fig, title, height=340)


# --- annotations on time series -----------------------------------------------------------

ANNOTATION_COLOUR = "#7F6A93"  # muted purple: apart from the palette's series colours
_ANNOTATION_AXIS = "y9"  # a hidden 0..1 axis over the plot for the markers


def _first_x(trace: dict) -> Any:
    xs = trace.get("x")
    if xs is None:
        return None
    for v in xs:
        if v is not None:
            return v
    return None


def is_time_series(fig: dict[str, Any]) -> bool:
    """Whether a figure (as `to_plotly_json` data) plots over dates on one x axis: every
    trace on the one x axis and at least one with dates as x."""
    import datetime as dt

    traces = fig.get("data") or []
    if not traces or any(t.get("xaxis", "x") != "x" for t in traces):
        return False
    return any(isinstance(_first_x(t), dt.date) for t in traces)


def with_annotations(fig: dict[str, Any], notes: pl.DataFrame | None, *,
                     labels: bool = False) -> dict[str, Any]:
    """A time-series figure (plain data, see `is_time_series`) with the annotations that
    fall within its dates: a dotted line at a day, a light band over a range, and a marker
    at the top whose hover shows the title and note. `notes` has date, end_date, title
    and note (`views.annotations`). Returns a new dict; the figure itself is unchanged
    (it may be cached). `labels`: also write each title at its line (static images, where
    nothing hovers)."""
    import datetime as dt

    if notes is None or notes.height == 0 or not is_time_series(fig):
        return fig
    xs = [v for t in fig["data"] for v in (t.get("x") or []) if isinstance(v, dt.date)]
    days = [v.date() if isinstance(v, dt.datetime) else v for v in xs]
    lo, hi = min(days), max(days)
    shown = notes.filter((pl.col("date") <= hi)
                         & (pl.coalesce("end_date", "date") >= lo)).sort("date", "title")
    if shown.height == 0:
        return fig
    layout = dict(fig.get("layout") or {})
    shapes = list(layout.get("shapes") or [])
    xs_m, texts = [], []
    for row in shown.iter_rows(named=True):
        start, end = max(row["date"], lo), min(row["end_date"] or row["date"], hi)
        line = {"color": ANNOTATION_COLOUR, "width": 1, "dash": "dot"}
        if end > start:
            shapes.append({"type": "rect", "xref": "x", "yref": "paper", "x0": start,
                           "x1": end, "y0": 0, "y1": 1, "fillcolor": _rgba(ANNOTATION_COLOUR,
                                                                           0.10),
                           "line": {"width": 0}, "layer": "below"})
        shapes.append({"type": "line", "xref": "x", "yref": "paper", "x0": start, "x1": start,
                       "y0": 0, "y1": 1, "line": line, "layer": "below"})
        span = (f"{row['date']:%d %b %Y}" if not row["end_date"] else
                f"{row['date']:%d %b %Y} – {row['end_date']:%d %b %Y}")
        note = f"<br>{html.escape(row['note'])}" if row.get("note") else ""
        xs_m.append(start)
        texts.append(f"<b>{html.escape(row['title'])}</b> ({span}){note}")
    layout["shapes"] = shapes
    if labels:
        layout["annotations"] = [*(layout.get("annotations") or []), *(
            {"x": x, "y": 1.0, "xref": "x", "yref": "paper", "text": html.escape(t),
             "showarrow": False, "xanchor": "left", "yanchor": "top", "textangle": 0,
             "font": {"size": 10, "color": ANNOTATION_COLOUR}, "xshift": 4,
             "yshift": -14 * (i % 3)}
            for i, (x, t) in enumerate(zip(xs_m, shown["title"].to_list(), strict=True)))]
    if len(fig["data"]) == 1 and "showlegend" not in layout:
        layout["showlegend"] = False  # one series had no legend: the marker adds none
    layout["yaxis9"] = {"overlaying": "y", "range": [0, 1], "visible": False,
                        "fixedrange": True}
    marker = {"type": "scatter", "x": xs_m, "y": [0.97] * len(xs_m), "yaxis": _ANNOTATION_AXIS,
              "mode": "markers", "name": "Annotations", "showlegend": False,
              "marker": {"symbol": "triangle-down", "size": 11, "color": ANNOTATION_COLOUR},
              "hovertext": texts, "hoverinfo": "text", "hovertemplate": "%{hovertext}"
              "<extra></extra>"}
    return {**fig, "data": [*fig["data"], marker], "layout": layout}
