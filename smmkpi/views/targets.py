"""What the Targets and Goals pages show, as pure functions: evaluated targets with their goal
types, filters, status counts, a KPI's cumulative trend through a target's period with the
pace line, and the goal view's campaign × KPI tables."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Mapping, Sequence

import polars as pl

from smmkpi import datasets as ds
from smmkpi import formatting
from smmkpi.kpis import target_edits as te
from smmkpi.kpis.base import KPI
from smmkpi.kpis.targets import STATUS_ORDER

TILE_STATUSES: tuple[str, ...] = ("off track", "at risk", "on track", "not started")
BRAND = ""  # the campaign filter's value for brand-wide targets


def with_goals(results: pl.DataFrame, campaigns: pl.DataFrame | None,
               catalog: Mapping[str, KPI]) -> pl.DataFrame:
    """`evaluate_targets` rows with `goals` (list of goal types): the campaign's goal, or
    for brand-wide targets the goals the KPI serves."""
    kpi_goals = pl.DataFrame(
        {"kpi": list(catalog), "_kpi_goals": [list(k.goals) for k in catalog.values()]},
        schema={"kpi": pl.String, "_kpi_goals": pl.List(pl.String)},
    )
    camp = (campaigns.select("campaign_id", pl.col("goal").alias("_goal"))
            if campaigns is not None else pl.DataFrame(
                schema={"campaign_id": pl.String, "_goal": pl.String}))
    return (
        results.join(kpi_goals, on="kpi", how="left")
        .join(camp.unique("campaign_id"), on="campaign_id", how="left")
        .with_columns(
            pl.when(pl.col("campaign_id").is_null()).then(pl.col("_kpi_goals"))
            .otherwise(pl.concat_list(pl.col("_goal"))).alias("goals"))
        .drop("_kpi_goals", "_goal")
    )


def filter_targets(df: pl.DataFrame, goals: Sequence[str] = (), campaigns: Sequence[str] = (),
                   statuses: Sequence[str] = ()) -> pl.DataFrame:
    """Targets serving any of `goals`, of any of `campaigns` (BRAND = brand-wide) and with
    any of `statuses`; an empty selection keeps everything."""
    out = df
    if goals:
        out = out.filter(pl.col("goals").list.eval(pl.element().is_in(list(goals))).list.any())
    if campaigns:
        out = out.filter(pl.col("campaign_id").fill_null(BRAND).is_in(list(campaigns)))
    if statuses:
        out = out.filter(pl.col("status").is_in(list(statuses)))
    return out


def status_counts(df: pl.DataFrame) -> dict[str, int]:
    """Targets per status, every status of STATUS_ORDER present (zero when none)."""
    counts = dict(df.group_by("status").len().iter_rows())
    return {s: int(counts.get(s, 0)) for s in STATUS_ORDER}


def cumulative_trend(kpi: KPI, daily: pl.DataFrame | None, start: dt.date, end: dt.date,
                     as_of: dt.date, target: float) -> pl.DataFrame | None:
    """Every day of the target's period: the KPI's value from the period's start to that
    day (`actual`, null after `as_of`) and the pace line (`pace`: additive KPIs
    target × days elapsed / period days, ratios the target). Additive KPIs sum `num`;
    ratios divide the running sums of `num` and `den` (null while the denominator is 0).
    None when the KPI has no daily decomposition or no data."""
    if daily is None:
        return None
    n = (end - start).days + 1
    days = pl.date_range(start, end, "1d", eager=True).alias("date").to_frame()
    cols = ["num"] + ([] if kpi.additive else ["den"])
    per_day = daily.filter(pl.col("date").is_between(start, min(end, as_of))).group_by(
        "date").agg([pl.col(c).sum().cast(pl.Float64) for c in cols])
    df = days.join(per_day, on="date", how="left").sort("date").with_columns(
        [pl.col(c).fill_null(0.0) for c in cols])
    df = df.with_columns([pl.col(c).cum_sum() for c in cols])
    if kpi.additive:
        value = pl.col("num")
    else:
        value = pl.when(pl.col("den") > 0).then(pl.col("num") / pl.col("den"))
    day_no = pl.int_range(1, n + 1, dtype=pl.Int64)
    pace = pl.lit(target) * day_no / n if kpi.additive else pl.lit(target, dtype=pl.Float64)
    return df.select(
        "date",
        pl.when(pl.col("date") <= as_of).then(value).otherwise(None).alias("actual"),
        pace.cast(pl.Float64).alias("pace"),
    )


def axis_format(unit: str, symbol: str, largest: float | None = None) -> tuple[str, str, str]:
    """(d3 number format, prefix, suffix) for a KPI unit in Plotly figures; money and other
    values lose their decimals when the `largest` value shown is 100 or more."""
    big = largest is not None and abs(largest) >= 100
    return {
        "ratio": (".1%", "", ""),
        "currency": (",.0f" if big else ",.2f", symbol, ""),
        "minutes": (",.0f", "", " min"),
        "days": (",.1f", "", " days"),
        "number": (",.0f" if big else ",.2f", "", ""),
    }.get(unit, (",.0f", "", ""))


# ------------------------------------------------------------------------------ goal view


# KPIs whose value for one campaign is true by construction, so it is not shown per
# campaign: the campaign's website sessions are (almost all) its own social traffic.
TRUE_BY_CONSTRUCTION: dict[str, str] = {
    "social_share_of_sessions": "a campaign's website sessions are its own (social) "
    "traffic, so its share of them is 100 % by construction",
}


def per_campaign_meaningless(kpi_id: str, campaigns: Sequence[str]) -> str | None:
    """Why a KPI's value means nothing for the selected campaigns (None: it does)."""
    return TRUE_BY_CONSTRUCTION.get(kpi_id) if campaigns else None


def campaign_scoped(kpi: KPI) -> bool:
    """Whether the KPI follows a campaign filter (some dataset it needs has a campaign
    column); otherwise its value is the brand's whatever the campaign."""
    return any(ds.get(d).campaign_column for d in kpi.datasets)


def goal_campaigns(campaigns: pl.DataFrame | None) -> dict[str, pl.DataFrame]:
    """Campaigns per goal type in the order of `datasets.GOALS` (latest start first)."""
    if campaigns is None:
        return {}
    out = {}
    for goal in ds.GOALS:
        part = campaigns.filter(pl.col("goal") == goal).sort("start_date", descending=True)
        if part.height:
            out[goal] = part
    return out


WHOLE_BRAND = "Whole brand"


def goal_table(campaigns: pl.DataFrame, values: Mapping[str, Mapping[str, float | None]],
               brand: Mapping[str, float | None], kpis: Sequence[KPI],
               results: pl.DataFrame | None = None) -> pl.DataFrame:
    """One row per campaign (in the given order) and a last "Whole brand" row (campaign_id
    null): name, `targets` (the statuses of the campaign's targets; for the brand row, of
    the brand-wide targets on these KPIs) and one Float64 column per KPI id, from
    `values[campaign_id][kpi]` and `brand[kpi]`."""
    ids = campaigns.get_column("campaign_id").to_list()
    kpi_ids = [k.id for k in kpis]
    # true by construction for one campaign: not shown (n/a), explained in the matrix
    values = {c: {k: (None if k in TRUE_BY_CONSTRUCTION else v) for k, v in vals.items()}
              for c, vals in values.items()}
    schema = {"campaign_id": pl.String, "name": pl.String, **{k: pl.Float64 for k in kpi_ids}}
    rows = pl.DataFrame(
        {"campaign_id": [*ids, None],
         "name": [*campaigns.get_column("name").to_list(), WHOLE_BRAND],
         **{k: [*(values.get(c, {}).get(k) for c in ids), brand.get(k)] for k in kpi_ids}},
        schema=schema)
    summary = target_summary(results) if results is not None else None
    if summary is not None and results is not None:
        brand_summary = target_summary(
            results.filter(pl.col("campaign_id").is_null() & pl.col("kpi").is_in(kpi_ids)))
        summary = pl.concat([summary.drop_nulls("campaign_id"),
                             brand_summary.filter(pl.col("campaign_id").is_null())])
        rows = rows.join(summary, on="campaign_id", how="left", nulls_equal=True,
                         maintain_order="left")
    else:
        rows = rows.with_columns(pl.lit(None, dtype=pl.String).alias("targets"))
    return rows.select("campaign_id", "name", "targets", *kpi_ids)


def formatted(table: pl.DataFrame, kpis: Sequence[KPI], currency: str) -> pl.DataFrame:
    """The KPI columns of a goal table as text by unit ("n/a" when missing)."""
    return table.with_columns([
        pl.Series(k.id, [formatting.value(v, k.unit, currency) for v in table[k.id].to_list()],
                  dtype=pl.String) for k in kpis])


def target_summary(results: pl.DataFrame) -> pl.DataFrame:
    """Per campaign (brand-wide targets: campaign_id null), its targets' statuses in words,
    worst first: "1 off track · 2 on track"."""
    if results.height == 0:
        return pl.DataFrame(schema={"campaign_id": pl.String, "targets": pl.String})
    counted = (
        results.group_by("campaign_id", "status").len()
        .with_columns(pl.col("status").replace_strict(STATUS_ORDER, default=9).alias("_r"))
        .sort("campaign_id", "_r", nulls_last=True)
    )
    return counted.group_by("campaign_id", maintain_order=True).agg(
        formatting.template("{} {}", pl.col("len"), pl.col("status"))
        .str.join(" · ").alias("targets"))


STATUS_MARKS: dict[str, str] = {
    "off track": "✖ off track",
    "at risk": "▲ at risk",
    "on track": "✔ on track",
    "not started": "○ not started",
    "no data": "– no data",
}


def display_targets(df: pl.DataFrame, catalog: Mapping[str, KPI], names: Mapping[str, str],
                    currency: str = "USD") -> pl.DataFrame:
    """Evaluated targets for people: KPI label, campaign name (`names[campaign_id or '']`),
    period, status, values formatted by the KPI's unit, attainments in percent (0-100+)."""
    def fmt(col: str) -> list[str]:
        return [formatting.value(v, catalog[k].unit, currency)
                for v, k in zip(df[col].to_list(), df["kpi"].to_list(), strict=True)]

    return pl.DataFrame({
        "KPI": [catalog[k].label for k in df["kpi"].to_list()],
        "Campaign": [names.get(c or BRAND, c or BRAND) for c in df["campaign_id"].to_list()],
        "Status": [STATUS_MARKS.get(s, s) for s in df["status"].to_list()],
        "Actual": fmt("actual"),
        "Expected by now": fmt("pace"),
        "Target": fmt("target"),
        "Of pace": df["pace_attainment"] * 100,
        "Attainment": df["attainment"] * 100,
        "Forecast": fmt("forecast"),
        "Forecast attainment": df["forecast_attainment"] * 100,
        "Period": [f"{s:%d %b %Y} – {e:%d %b %Y}" for s, e in
                   zip(df["period_start"].to_list(), df["period_end"].to_list(), strict=True)],
        "Days elapsed": [f"{a} of {b}" for a, b in
                         zip(df["elapsed_days"].to_list(), df["period_days"].to_list(),
                             strict=True)],
    }, schema_overrides={"Of pace": pl.Float64, "Attainment": pl.Float64,
                         "Forecast attainment": pl.Float64})


def target_labels(df: pl.DataFrame, catalog: Mapping[str, KPI],
                  names: Mapping[str, str]) -> list[str]:
    """One line per target: "KPI · campaign · start – end"."""
    return [
        f"{catalog[k].label} · {names.get(c or BRAND, c or BRAND)} · {s:%d %b} – {e:%d %b %Y}"
        for k, c, s, e in df.select("kpi", "campaign_id", "period_start", "period_end").rows()
    ]


def bullet_frame(df: pl.DataFrame, catalog: Mapping[str, KPI], names: Mapping[str, str],
                 symbol: str) -> pl.DataFrame:
    """The input of `charts.target_bullets`: label (KPI, then campaign and period on a
    second line, HTML-escaped), the figures and the unit's number format per target."""
    labels = [html.escape(lab).replace(" · ", "<br>", 1)
              for lab in target_labels(df, catalog, names)]
    largest = df.select(pl.max_horizontal("actual", "pace", "target", "forecast"))
    fmts = [axis_format(catalog[k].unit, symbol, m) for k, m in
            zip(df["kpi"].to_list(), largest.to_series().to_list(), strict=True)]
    return df.select("actual", "pace", "target", "forecast", "status").with_columns(
        label=pl.Series(labels, dtype=pl.String),
        fmt=pl.Series([f[0] for f in fmts], dtype=pl.String),
        prefix=pl.Series([f[1] for f in fmts], dtype=pl.String),
        suffix=pl.Series([f[2] for f in fmts], dtype=pl.String),
    )


def goal_matrix(table: pl.DataFrame, kpis: Sequence[KPI], currency: str) -> pl.DataFrame:
    """A goal table turned for reading side by side: one row per KPI ("KPI", "Better": ↑ or
    ↓, "Measured on": campaign or whole brand) and one text column per campaign (its name;
    a repeated name gets its id) and the whole brand, values formatted by unit."""
    text = formatted(table, kpis, currency)
    fixed = ("KPI", "Better", "Measured on")
    headers: list[str] = []
    for cid, name in text.select("campaign_id", "name").iter_rows():
        headers.append(name if name not in (*fixed, *headers) else f"{name} ({cid})")
    cells = {h: [text[k.id][i] for k in kpis] for i, h in enumerate(headers)}
    return pl.DataFrame({
        "KPI": [k.label for k in kpis],
        "Better": ["↑ higher" if k.direction == "higher" else "↓ lower" for k in kpis],
        "Measured on": ["whole brand only"
                        if k.id in TRUE_BY_CONSTRUCTION else
                        "campaign" if campaign_scoped(k) else "whole brand" for k in kpis],
        **cells,
    })


def target_scope(campaign_id: str | None, campaign_name: str,
                 campaigns: Sequence[str], platforms: Sequence[str]) -> str:
    """Whom a target covers, and which of the selected filters do not apply to it (targets
    are evaluated over their own period for their own campaign, never by platform):
    "brand-wide", "brand-wide, all platforms", "Spring sale, all platforms"."""
    scope = "brand-wide" if not campaign_id else campaign_name
    if campaigns and campaign_id and tuple(campaigns) != (campaign_id,):
        scope += " (not the selected campaigns)"
    elif campaigns and not campaign_id:
        scope += ", all campaigns"
    if platforms:
        scope += ", all platforms"
    return scope


def target_line(row: Mapping[str, object], unit: str, currency: str, scope: str,
                markdown: bool = False) -> str:
    """One target in words, the same on a tile, in a list and in a digest: "Q4 2026 target
    461k (1 Oct – 31 Dec, brand-wide): 108 % of pace · on track"."""
    from smmkpi.periods import target_period_parts

    name, span = target_period_parts(row["period_start"], row["period_end"])  # type: ignore[arg-type]
    head = f"{name} {formatting.value(row['target'], unit, currency)}"  # type: ignore[arg-type]
    return (f"{head} ({span}, {scope}): "
            f"{formatting.percent(row.get('pace_attainment'), 0)} of pace · "  # type: ignore[arg-type]
            + (f"**{row['status']}**" if markdown else str(row["status"])))


def filters_not_applying(kpi: KPI, campaigns: Sequence[str], platforms: Sequence[str],
                         ) -> list[str]:
    """The selected filters ("campaign", "platform") that a KPI's figure does not follow,
    because a dataset it reads has no such column (orders carry no campaign or platform):
    its value is then brand-wide and must say so."""
    return [f for f, _ in _unfiltered(kpi, campaigns, platforms)]


def _unfiltered(kpi: KPI, campaigns: Sequence[str], platforms: Sequence[str],
                ) -> list[tuple[str, list[str]]]:
    specs = [ds.get(d) for d in kpi.datasets]
    out = []
    if campaigns:
        without = [s.label.lower() for s in specs if s.campaign_column is None]
        if without:
            out.append(("campaign", without))
    if platforms:
        without = [s.label.lower() for s in specs
                   if s.platform_column is None and s.platform_rule == "column"]
        if without:
            out.append(("platform", without))
    return out


def unfiltered_note(kpi: KPI, campaigns: Sequence[str], platforms: Sequence[str]) -> str | None:
    """A figure's note when selected filters do not apply to it: "For all platforms: orders
    carry no platform"; None when every selected filter applies."""
    parts = _unfiltered(kpi, campaigns, platforms)
    if not parts:
        return None
    head = " and ".join(f"all {f}s" for f, _ in parts)
    carriers: dict[str, list[str]] = {}
    for f, datasets in parts:
        for d in datasets:
            carriers.setdefault(d, []).append(f)
    why = "; ".join(f"{d} carry no {' or '.join(fs)}" for d, fs in carriers.items())
    return f"For {head}: {why}"


# ------------------------------------------------------------------------ entering targets
# The Targets editor and the suggested targets show and take each target in its KPI's unit
# (formatting.entry_text / parse_entry): rates as percentages ("3.8 %"; typing "3.8" means
# 3.8 % too), money with its sign ("$715,000", "715k"), times in minutes ("45 min",
# "1.5 h"). Stored targets stay fractions, amounts and minutes.

ABOVE_ZERO = "the target must be above zero (a zero or negative target has no attainment)"
SHARE_MAX = "this KPI is a share: at most 100 %"


def _unit(catalog: Mapping[str, KPI], kpi: object) -> str:
    return catalog[kpi].unit if isinstance(kpi, str) and kpi in catalog else "number"


def entry_frame(rows: pl.DataFrame, catalog: Mapping[str, KPI],
                currency: str = "USD") -> pl.DataFrame:
    """Editor rows with `target` as text in its KPI's unit, as people type it."""
    texts = [formatting.entry_text(v, _unit(catalog, k), currency)
             for v, k in zip(rows["target"].to_list(), rows["kpi"].to_list(), strict=True)]
    return rows.with_columns(pl.Series("target", texts, dtype=pl.String))


def parse_targets(edited: pl.DataFrame, catalog: Mapping[str, KPI], currency: str = "USD",
                  original: pl.DataFrame | None = None, match_on: str = te.ROW_ID,
                  ) -> tuple[pl.DataFrame, list[te.RowError]]:
    """The editor's rows with `target` back in the stored unit (rates as fractions), and
    a RowError (row 1 = the first row shown) per target that is no number of its unit, not
    above zero, or a share above 100 %. A target left as `entry_frame` showed it keeps the
    stored value of `original` (matched on `match_on`) to the last digit."""
    kept: dict[object, tuple[str, object, float]] = {}
    if original is not None and match_on in original.columns:
        for m, k, v in zip(original[match_on].to_list(), original["kpi"].to_list(),
                           original["target"].to_list(), strict=True):
            if m is not None and v is not None:
                kept[m] = (k, formatting.entry_text(v, _unit(catalog, k), currency), v)
    keys = edited[match_on].to_list() if match_on in edited.columns else [None] * edited.height
    values: list[float | None] = []
    errors: list[te.RowError] = []
    for i, (text, kpi, key) in enumerate(
            zip(edited["target"].to_list(), edited["kpi"].to_list(), keys, strict=True), 1):
        unit = _unit(catalog, kpi)
        before = kept.get(key)
        if before is not None and before[0] == kpi and str(text).strip() == before[1]:
            values.append(before[2])
            continue
        try:
            value = formatting.parse_entry(text, unit, currency)
        except ValueError as e:
            errors.append(te.RowError(i, "target", text, str(e)))
            values.append(None)
            continue
        if value is not None and value <= 0:
            errors.append(te.RowError(i, "target", text, ABOVE_ZERO))
        elif value is not None and kpi in catalog and te.is_share(catalog[kpi]) and value > 1:
            errors.append(te.RowError(i, "target", text, SHARE_MAX))
        values.append(value)
    return edited.with_columns(pl.Series("target", values, dtype=pl.Float64)), errors


def merge_errors(entry: Sequence[te.RowError], rules: Sequence[te.RowError],
                 ) -> list[te.RowError]:
    """Entry errors and the rule errors of `target_edits.validate`, by row, without a
    second message for a target already refused as typed."""
    refused = {e.row for e in entry}
    rest = [e for e in rules if not (e.column == "target" and e.row in refused)]
    return sorted([*entry, *rest], key=lambda e: e.row)
