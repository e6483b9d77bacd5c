"""Visitor journeys: do social visitors reach the website, or bounce from site to site?

Seeds: "take your visitors on a journey", "where should your campaigns drive traffic";
visitors should follow a planned path to a destination, not be "bounced around from site
to site". Data: the `journeys` dataset (date, path, visitors, conversions), a path being
touchpoints joined by ` > ` such as `instagram > blog > website > purchase`.

Touchpoints are compared case-insensitively and without surrounding blanks; a touchpoint
that names a social platform is normalized like a session source
(`channels.platform_expr`: `fb`, `l.facebook.com` -> facebook; `twitter`, `t.co` -> x;
...), and that is what makes it a *social touchpoint*. A path *starts on social* when its
first touchpoint is social. The destination (default `website`) is configurable.

- `journey_site_reach_rate`: visitors on paths that start on social and contain the
  destination / visitors on paths that start on social.
- `journey_bounce_rate`: visitors on paths that start on social, have two or more
  social touchpoints (each step counts, so `instagram > instagram > blog` has two) and
  never reach the destination / visitors on paths that start on social. Lower is better.

Both are sums of visitors over the period's rows (dates), recomputed as a ratio; their
`daily` frames decompose them by day.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from smmkpi.channels import platform_expr
from smmkpi.kpis.base import KPI, Area, ratio_expr, ratio_of, sum_or_null

if TYPE_CHECKING:
    from smmkpi.workspace import Workspace

DEFAULT_DESTINATION = "website"
SEPARATOR = " > "
OTHER = "other"  # the node of a step's less frequent touchpoints in the Sankey


def _clean(expr: pl.Expr) -> pl.Expr:
    return expr.str.strip_chars().str.to_lowercase()


def normalize_touchpoint(name: str) -> str:
    """One touchpoint name as the journeys functions compare it (e.g. "Website" -> website,
    "FB" -> facebook)."""
    s = pl.Series("t", [name], dtype=pl.String)
    out = pl.DataFrame({"t": s}).select(
        pl.coalesce(platform_expr(_clean(pl.col("t"))), _clean(pl.col("t")))
    )
    return out.item() or ""


def path_steps(paths: pl.Series | pl.DataFrame | pl.LazyFrame) -> pl.LazyFrame:
    """One row per (path, step): path (as given), step (0-based), touchpoint (normalized)
    and social (the touchpoint names a social platform). Empty touchpoints are skipped."""
    if isinstance(paths, pl.Series):
        lf = pl.LazyFrame({"path": paths.cast(pl.String)})
    else:
        lf = paths.lazy().select("path")
    return (
        lf.unique()
        .with_columns(_tp=pl.col("path").str.split(">"))
        .explode("_tp")
        .with_columns(_tp=_clean(pl.col("_tp")))
        .filter(pl.col("_tp").is_not_null() & (pl.col("_tp") != ""))
        .with_columns(_platform=platform_expr(pl.col("_tp")))
        .with_columns(
            step=pl.int_range(pl.len()).over("path"),
            touchpoint=pl.coalesce("_platform", "_tp"),
            social=pl.col("_platform").is_not_null(),
        )
        .select("path", "step", "touchpoint", "social")
    )


def touchpoints(journeys: pl.DataFrame) -> list[str]:
    """The normalized touchpoints that occur in the frame's paths, most visitors first
    (ties alphabetically): the choices for the destination."""
    per_path = journeys.lazy().group_by("path").agg(pl.col("visitors").sum())
    return (
        path_steps(journeys)
        .select("path", "touchpoint")
        .unique()
        .join(per_path, on="path")
        .group_by("touchpoint")
        .agg(pl.col("visitors").sum())
        .sort(["visitors", "touchpoint"], descending=[True, False])
        .collect()
        .get_column("touchpoint")
        .to_list()
    )


def path_flags(paths: pl.Series | pl.DataFrame | pl.LazyFrame, destination: str) -> pl.LazyFrame:
    """Per distinct path: normalized (touchpoints joined by " > "), starts_on_social,
    social_touchpoints (count of social steps) and reaches_destination."""
    dest = normalize_touchpoint(destination)
    return (
        path_steps(paths)
        .group_by("path")
        .agg(
            pl.col("touchpoint").sort_by("step").str.join(SEPARATOR).alias("normalized"),
            pl.col("social").sort_by("step").first().alias("starts_on_social"),
            pl.col("social").sum().cast(pl.Int64).alias("social_touchpoints"),
            (pl.col("touchpoint") == dest).any().alias("reaches_destination"),
        )
    )


def starting_on_social(journeys: pl.DataFrame) -> pl.DataFrame:
    """The rows whose path starts on a social touchpoint (the Sankey's social-only view)."""
    flags = path_flags(journeys, DEFAULT_DESTINATION).filter("starts_on_social").select("path")
    return journeys.lazy().join(flags, on="path", how="semi").collect()


def journey_daily(
    journeys: pl.DataFrame | None, destination: str = DEFAULT_DESTINATION
) -> pl.DataFrame | None:
    """Per day: visitors, social_start_visitors, reached_visitors (start on social and
    reach the destination) and bounced_visitors (start on social, two or more social
    touchpoints, never reach it). None when the journeys dataset is absent."""
    if journeys is None:
        return None
    flags = path_flags(journeys, destination)
    start = pl.col("starts_on_social")
    return (
        journeys.lazy()
        .join(flags, on="path", how="inner")
        .group_by("date")
        .agg(
            pl.col("visitors").sum().cast(pl.Int64).alias("visitors"),
            pl.col("visitors").filter(start).sum().cast(pl.Int64)
            .alias("social_start_visitors"),
            pl.col("visitors").filter(start & pl.col("reaches_destination")).sum()
            .cast(pl.Int64).alias("reached_visitors"),
            pl.col("visitors")
            .filter(start & (pl.col("social_touchpoints") >= 2) & ~pl.col("reaches_destination"))
            .sum().cast(pl.Int64).alias("bounced_visitors"),
        )
        .sort("date")
        .collect()
    )


def sankey_table(
    journeys: pl.DataFrame,
    max_steps: int = 5,
    max_nodes_per_step: int = 8,
    destination: str = DEFAULT_DESTINATION,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Nodes and links of a Sankey of visitor paths (all dates of the frame together).

    Paths are cut after `max_steps` touchpoints. At each step, when more than
    `max_nodes_per_step` touchpoints occur, the most frequent `max_nodes_per_step - 1`
    keep their own node (the destination always does) and the rest share one node
    "other"; ties break alphabetically.

    nodes: node (0-based id), step, touchpoint, visitors (arriving there), social_start
    (of those, visitors whose path starts on social), exits (visitors whose path, as
    shown, ends there), is_other, is_destination, social (the touchpoint names a social
    platform; false for "other"); ordered by step, then visitors.
    links: source, target (node ids), step (of the source), starts_on_social, visitors.
    One link per (source, target, starts_on_social) so the page can highlight the paths
    that start on social. Counts are conserved: the visitors leaving step k (its links)
    are the visitors at step k + 1, and a node's visitors are its outgoing links plus
    its exits.
    """
    if max_steps < 1 or max_nodes_per_step < 2:
        raise ValueError("max_steps must be at least 1 and max_nodes_per_step at least 2")
    dest = normalize_touchpoint(destination)
    per_path = journeys.lazy().group_by("path").agg(
        pl.col("visitors").sum().cast(pl.Int64)
    )
    steps = path_steps(journeys).filter(pl.col("step") < max_steps)
    first = steps.filter(pl.col("step") == 0).select(
        "path", pl.col("social").alias("starts_on_social")
    )
    steps = steps.join(per_path, on="path").join(first, on="path")

    counts = (
        steps.group_by("step", "touchpoint")
        .agg(pl.col("visitors").sum())
        .sort(
            ["step", pl.col("touchpoint") == dest, "visitors", "touchpoint"],
            descending=[False, True, True, False],
        )
        .with_columns(
            _rank=pl.int_range(pl.len()).over("step"),
            _n=pl.len().over("step"),
        )
        .with_columns(
            label=pl.when(
                (pl.col("_n") > max_nodes_per_step) & (pl.col("_rank") >= max_nodes_per_step - 1)
            )
            .then(pl.lit(OTHER))
            .otherwise(pl.col("touchpoint")),
            _is_other=(pl.col("_n") > max_nodes_per_step)
            & (pl.col("_rank") >= max_nodes_per_step - 1),
        )
        .select("step", "touchpoint", "label", "_is_other")
    )
    labelled = steps.join(counts, on=["step", "touchpoint"]).select(
        "path", "step", "label", "_is_other", "visitors", "starts_on_social"
    )
    links = (
        labelled.join(
            labelled.select(
                "path", (pl.col("step") - 1).alias("step"), pl.col("label").alias("target_label"),
                pl.col("_is_other").alias("_target_other"),
            ),
            on=["path", "step"],
        )
        .group_by("step", "label", "_is_other", "target_label", "_target_other",
                  "starts_on_social")
        .agg(pl.col("visitors").sum().cast(pl.Int64))
    )
    outgoing = links.group_by("step", "label", "_is_other").agg(
        pl.col("visitors").sum().alias("_out")
    )
    nodes = (
        labelled.group_by("step", "label", "_is_other")
        .agg(
            pl.col("visitors").sum().cast(pl.Int64).alias("visitors"),
            pl.col("visitors").filter("starts_on_social").sum().cast(pl.Int64)
            .alias("social_start"),
        )
        .join(outgoing, on=["step", "label", "_is_other"], how="left")
        .with_columns(exits=(pl.col("visitors") - pl.col("_out").fill_null(0)).cast(pl.Int64))
        .sort(["step", "_is_other", "visitors", "label"], descending=[False, False, True, False])
        .with_row_index("node")
        .with_columns(pl.col("node").cast(pl.Int64))
        .collect()
    )
    ids = nodes.lazy().select("step", "label", "_is_other", "node")
    links_out = (
        links.join(ids, on=["step", "label", "_is_other"])
        .rename({"node": "source"})
        .join(
            ids.select(
                (pl.col("step") - 1).alias("step"), pl.col("label").alias("target_label"),
                pl.col("_is_other").alias("_target_other"), pl.col("node").alias("target"),
            ),
            on=["step", "target_label", "_target_other"],
        )
        .sort(["source", "target", "starts_on_social"])
        .select("source", "target", "step", "starts_on_social", "visitors")
        .collect()
    )
    nodes_out = nodes.select(
        "node", "step", pl.col("label").alias("touchpoint"), "visitors", "social_start",
        "exits", pl.col("_is_other").alias("is_other"),
        ((pl.col("label") == dest) & ~pl.col("_is_other")).alias("is_destination"),
        (platform_expr(pl.col("label")).is_not_null() & ~pl.col("_is_other")).alias("social"),
    )
    return nodes_out, links_out


def paths_not_reaching(
    journeys: pl.DataFrame, destination: str = DEFAULT_DESTINATION, top: int = 20
) -> pl.DataFrame:
    """The most common paths that never reach the destination: path (normalized
    touchpoints), visitors, share (of all visitors in the frame), conversions (null if
    not reported), starts_on_social, social_touchpoints; most visitors first, at most
    `top` rows."""
    total = journeys.get_column("visitors").sum()
    flags = path_flags(journeys, destination)
    return (
        journeys.lazy()
        .join(flags, on="path", how="inner")
        .filter(~pl.col("reaches_destination"))
        .group_by("normalized")
        .agg(
            pl.col("visitors").sum().cast(pl.Int64),
            sum_or_null("conversions").cast(pl.Int64),
            pl.col("starts_on_social").first(),
            pl.col("social_touchpoints").first(),
        )
        .with_columns(share=ratio_expr("visitors", pl.lit(total)))
        .sort(["visitors", "normalized"], descending=[True, False])
        .head(top)
        .select(
            pl.col("normalized").alias("path"), "visitors", "share", "conversions",
            "starts_on_social", "social_touchpoints",
        )
        .collect()
    )


# --- KPIs over a workspace -------------------------------------------------------------


def destination_of(ws: Workspace) -> str:
    """The destination touchpoint: `settings.journey_destination` if the settings have it,
    else "website"."""
    return str(getattr(ws.settings, "journey_destination", DEFAULT_DESTINATION))


def _daily(ws: Workspace) -> pl.DataFrame | None:
    dest = destination_of(ws)
    return ws.memo(("journeys", "daily", dest), lambda: journey_daily(ws.frame("journeys"), dest))


_JOURNEYS = Area("traffic", ("journeys",))

KPIS: list[KPI] = [
    _JOURNEYS.kpi(
        "journey_site_reach_rate", "Journey site reach rate", "ratio", "higher", ("traffic",),
        "Of visitors whose path starts on a social touchpoint, the share whose path reaches "
        "the website (the destination touchpoint).",
        ratio_of(_daily, "reached_visitors", "social_start_visitors"),
    ),
    _JOURNEYS.kpi(
        "journey_bounce_rate", "Journey bounce rate", "ratio", "lower", ("traffic",),
        "Of visitors whose path starts on social, the share that visit two or more social "
        "touchpoints and never reach the website: bounced around from site to site.",
        ratio_of(_daily, "bounced_visitors", "social_start_visitors"),
    ),
]
