"""Targets: every target of the period against its actual, pace and forecast; editing
targets; suggested targets for campaigns without any."""

import html

import polars as pl
import streamlit as st

from smmkpi import charts, export, formatting, periods, store
from smmkpi import datasets as ds
from smmkpi.actions import targets as ta
from smmkpi.kpis import target_edits as te
from smmkpi.kpis.catalog import CATALOG, for_goal
from smmkpi.kpis.targets import STATUS_ORDER
from smmkpi.ui import auth, cache
from smmkpi.ui.components import chart, header, md_escape
from smmkpi.ui.context import current
from smmkpi.ui.refresh import stored_data_changed
from smmkpi.ui.sections import section
from smmkpi.ui.tables import Col, table
from smmkpi.views import targets as tv
from smmkpi.workspace import Filters, Period

EDITOR_GEN = "_target_editor_gen"  # bumped after a save: fresh editors on new data
FLASH = "_target_flash"
MAX_BULLETS = 30
MAX_ERRORS = 25

ctx = current()
header("Targets", "Which targets are on track, which are behind, and by how much?", ctx)
cur = ctx.settings.currency
symbol = formatting.CURRENCY_SYMBOLS.get(cur, "")
names = {c: ctx.campaign_name(c) for c in
         ([""] + (ctx.campaigns["campaign_id"].to_list() if ctx.campaigns is not None else []))}
if (flash := st.session_state.pop(FLASH, None)) is not None:
    st.success(flash, icon=":material/check_circle:")

progress_tab, edit_tab, suggest_tab = st.tabs(["Progress", "Edit targets", "Suggested targets"])


def evaluated() -> pl.DataFrame:
    return tv.with_goals(cache.targets(ctx.ws), ctx.campaigns, CATALOG)


def after_save(message: str) -> None:
    """After a save: new editors, the message shown on the fresh run that sees the data."""
    st.session_state[EDITOR_GEN] = st.session_state.get(EDITOR_GEN, 0) + 1
    st.session_state[FLASH] = message
    stored_data_changed()


def show_errors(errors: list[te.RowError]) -> None:
    lines = "\n".join(f"- {md_escape(e)}" for e in errors[:MAX_ERRORS])
    more = f"\n\n…and {len(errors) - MAX_ERRORS} more." if len(errors) > MAX_ERRORS else ""
    st.error(f"Nothing was saved: {len(errors)} problem{'s' if len(errors) != 1 else ''} to "
             f"fix first.\n\n{lines}{more}", icon=":material/block:")


# ------------------------------------------------------------------------------ progress
with progress_tab, section("Target progress"):
    rows = evaluated()
    if rows.height == 0:
        st.info(f"No targets cover {ctx.period}. Add some under **Edit targets**, accept "
                "**Suggested targets** for a campaign, or import a `kpi_targets` CSV.",
                icon=":material/flag:")
    else:
        goals_present = sorted({g for gs in rows["goals"].to_list() for g in gs},
                               key=list(ds.GOALS).index)
        camps_present = sorted({c or tv.BRAND for c in rows["campaign_id"].to_list()},
                               key=lambda c: (c != tv.BRAND, names.get(c, c)))
        f1, f2, f3 = st.columns(3)
        goals = f1.multiselect("Goal type", goals_present, format_func=ds.GOAL_LABELS.get,
                               placeholder="All goal types", key="tgt_goal",
                               help="A campaign's target serves the campaign's goal; a "
                               "brand-wide target serves every goal its KPI serves.")
        # the sidebar's campaigns preselected (a campaign chosen there is the one asked about)
        camps = f2.multiselect("Campaign", camps_present,
                               format_func=lambda c: names.get(c, c),
                               default=None if "tgt_campaign" in st.session_state else
                               [c for c in ctx.filters.campaigns if c in camps_present],
                               placeholder="All campaigns and brand-wide", key="tgt_campaign")
        statuses = f3.multiselect("Status", [s for s in STATUS_ORDER if s in
                                             set(rows["status"].to_list())],
                                  placeholder="Every status", key="tgt_status")
        scoped = tv.filter_targets(rows, goals, camps)
        counts = tv.status_counts(scoped)
        tiles = list(tv.TILE_STATUSES) + (["no data"] if counts["no data"] else [])
        for col, s in zip(st.columns(len(tiles)), tiles, strict=True):
            with col, st.container(border=True):
                st.metric(s.capitalize(), f"{counts[s]:,}",
                          help={"off track": "More than 10 % behind the pace.",
                                "at risk": "Behind the pace by at most 10 %.",
                                "on track": "At or better than the pace.",
                                "not started": "The target's period starts after "
                                f"{ctx.ws.end:%d %b %Y}.",
                                "no data": "The KPI's data is missing for the period."}[s])
        shown = tv.filter_targets(scoped, statuses=statuses)
        st.caption(
            f"Targets overlapping {ctx.period}, each measured over its own period up to "
            f"{ctx.ws.end:%d %b %Y}, worst first. **Expected by now** (pace) is target × days "
            "elapsed / period days for counts and sums, and the target itself for rates. "
            "**Forecast**: the run rate to the period's end (counts, sums) or the value so "
            "far (rates). Status compares the actual with the pace: on track at or better, "
            "at risk within 10 % worse, off track beyond."
        )
        if shown.height == 0:
            st.info("No targets match these filters.", icon=":material/filter_alt_off:")
        else:
            spans = list(zip(shown["period_start"].to_list(), shown["period_end"].to_list(),
                             strict=True))
            units = [CATALOG[k].unit for k in shown["kpi"].to_list()]
            year = f" {ctx.ws.end.year}"  # a span in the selected year reads without it
            progress = tv.display_targets(shown, CATALOG, names, cur).with_columns(
                pl.Series("Period", [periods.period_name(a, b)
                                     or periods.span_label(a, b).removesuffix(year)
                                     for a, b in spans], dtype=pl.String),
                pl.Series("Days elapsed", [f"{a}/{b}" for a, b in zip(
                    shown["elapsed_days"].to_list(), shown["period_days"].to_list(),
                    strict=True)], dtype=pl.String))

            def per_unit(col: str) -> pl.Series:
                """A figure column in each row's unit, as a report holds it."""
                return pl.Series(col, [export.report_value(v, u) for v, u in
                                       zip(shown[col].to_list(), units, strict=True)],
                                 dtype=pl.Float64)

            progress_numbers = pl.DataFrame({
                "KPI": progress["KPI"], "Campaign": progress["Campaign"],
                "Status": shown["status"], "Unit": [export.unit_word(u, cur) for u in units],
                "Actual": per_unit("actual"), "Expected by now": per_unit("pace"),
                "Target": per_unit("target"), "Forecast": per_unit("forecast"),
                "Of pace (%)": (shown["pace_attainment"] * 100).round(1),
                "Attainment (%)": (shown["attainment"] * 100).round(1),
                "Forecast attainment (%)": (shown["forecast_attainment"] * 100).round(1),
                "Period start": shown["period_start"], "Period end": shown["period_end"],
                "Days elapsed": shown["elapsed_days"], "Period days": shown["period_days"],
            })
            # most needed first: at a laptop's width (1280 px) the forecast and the
            # attainments scroll into view last; the downloads hold every column
            right = "right"
            table(progress, {
                "KPI": Col(pinned=True, width=170),
                "Campaign": Col(width=136),
                "Status": Col(width=88),
                "Actual": Col(alignment=right),
                "Expected by now": Col("Pace", alignment=right,
                                       help="Expected by now: target × days elapsed / period "
                                       "days for counts and sums, the target for rates."),
                "Target": Col(alignment=right),
                "Of pace": Col(unit="percent", help="Actual against the pace (lower-is-better "
                               "KPIs: pace / actual). 100 % or more is on track."),
                "Period": Col(help="The target's own period"),
                "Days elapsed": Col("Days", alignment=right,
                                    help="Days of the target's period elapsed / its days"),
                "Forecast": Col(alignment=right, help="The run rate to the period's end "
                                "(counts, sums) or the value so far (rates)."),
                "Attainment": Col("Attained", unit="percent", export_label="Attainment",
                                  help="Attainment: actual / target (lower is better: "
                                  "target / actual) so far."),
                "Forecast attainment": Col("Forecast att.", unit="percent",
                                           help="Forecast attainment: the forecast against "
                                           "the target."),
            }, key="targets_table", name="targets_progress", ctx=ctx,
                height="content" if shown.height <= 25 else "auto",
                download_df=progress_numbers,
                download_help="Figures in the unit of each row (Unit): percentages for "
                f"rates, {cur} for money, minutes for response times.")
            bullets = shown.head(MAX_BULLETS)
            more = (f" (the first {MAX_BULLETS} of {shown.height})"
                    if shown.height > MAX_BULLETS else "")
            title = (f"Actual to date against pace and target{more}, as of "
                     f"{ctx.ws.end:%d %b %Y}, each in its KPI's unit")
            # building 30 bullet traces takes ~0.2 s: cache the figure by the filters
            chart(cache.computed(
                "target-bullets", ctx.ws,
                lambda _ws: charts.target_bullets(
                    tv.bullet_frame(bullets, CATALOG, names, symbol), title=title),
                extra=(tuple(goals), tuple(camps), tuple(statuses), symbol)),
                "target_bullets")
            st.caption("Bar: the actual so far, coloured by status · grey band: expected by "
                       "now (pace) · pink line: the target. For lower-is-better KPIs the bar "
                       "should stay short of the band.")

            st.subheader("A target through its period")
            all_labels = tv.target_labels(shown, CATALOG, names)
            pick = st.selectbox("Target", range(shown.height), format_func=all_labels.__getitem__,
                                key="tgt_trend")
            t = shown.row(pick or 0, named=True)
            kpi = CATALOG[t["kpi"]]
            as_of = ctx.ws.end
            if t["elapsed_days"] == 0:
                st.info(f"This target's period starts on {t['period_start']:%d %b %Y}.",
                        icon=":material/schedule:")
            elif kpi.daily is None:
                st.info(f"No daily trend for this KPI: {kpi.label} cannot be split by day. "
                        f"So far it is {formatting.value(t['actual'], kpi.unit, cur)} against "
                        f"a target of {formatting.value(t['target'], kpi.unit, cur)}.",
                        icon=":material/show_chart:")
            else:
                cid = t["campaign_id"]
                sub = ctx.workspace(Period(t["period_start"], min(t["period_end"], as_of)),
                                    Filters(campaigns=(cid,) if cid else ()))
                daily = cache.computed(f"target-daily:{kpi.id}", sub, kpi.daily)
                trend = tv.cumulative_trend(kpi, daily, t["period_start"], t["period_end"],
                                            as_of, t["target"])
                fmt, prefix, suffix = tv.axis_format(kpi.unit, symbol, t["target"])
                what = "running total" if kpi.additive else "value from the period's start"
                title = (f"{kpi.label} ({what}), {html.escape(names.get(cid or '', cid))}, "
                         f"{t['period_start']:%d %b %Y} – {t['period_end']:%d %b %Y}")
                if trend is None:
                    chart(charts.empty_figure(title, "No data for this KPI in the period"),
                          "target_trend")
                else:
                    forecast = ((t["period_end"], t["forecast"]) if kpi.additive and
                                t["forecast"] is not None and t["period_end"] > as_of else None)
                    chart(charts.target_trend(
                        trend, title=title, y_title=kpi.label, fmt=fmt, prefix=prefix,
                        suffix=suffix, status=t["status"], target=t["target"],
                        forecast=forecast), "target_trend")
                    st.caption(
                        f"{t['status'].capitalize()}: "
                        f"{formatting.value(t['actual'], kpi.unit, cur)} after "
                        f"{t['elapsed_days']} of {t['period_days']} days against "
                        f"{formatting.value(t['pace'], kpi.unit, cur)} expected by now; "
                        f"forecast {formatting.value(t['forecast'], kpi.unit, cur)} for a "
                        f"target of {formatting.value(t['target'], kpi.unit, cur)}.")

# --------------------------------------------------------------------------------- editing


def stored_targets() -> pl.DataFrame:
    df = cache.cached_read(ctx.source, "kpi_targets", None, None, Filters())
    return df if df is not None else ds.get("kpi_targets").empty_frame()


def campaign_ids() -> set[str]:
    """Every stored campaign (a target's campaign must be one of them)."""
    return set(ctx.campaigns["campaign_id"].to_list()) if ctx.campaigns is not None else set()


def campaign_options(stored: pl.DataFrame) -> list[str]:
    """Brand-wide, the campaigns by name, then ids only found in targets (shown so that
    validation can name them)."""
    known = sorted(campaign_ids(), key=lambda c: names.get(c, c))
    orphans = sorted(set(stored["campaign_id"].drop_nulls().to_list()) - set(known))
    return [te.BRAND_OPTION, *known, *orphans]


KPI_OPTIONS = list(CATALOG)


def kpi_label(k: str | None) -> str:
    return CATALOG[k].label if k in CATALOG else (k or "")


may_edit = auth.can("edit_targets")
with edit_tab, section("Editing targets"):
    if not may_edit:
        st.info("Your role may view targets but not change them; an editor or admin can.",
                icon=":material/lock:")
    elif ctx.reviewing_uploads:
        st.info("Targets are edited in the stored data. Switch *Data source* in the sidebar to "
                "**Stored data** to edit them.", icon=":material/edit_off:")
    else:
        engine = cache.engine(ctx.settings.database_url)
        stored = stored_targets()
        scope = st.segmented_control(
            "Show", ["period", "all"], default="period", required=True, key="tgt_scope",
            format_func={"period": f"Targets overlapping {ctx.period}",
                         "all": "Every target"}.get)
        scoped_rows = stored if scope == "all" else stored.filter(
            (pl.col("period_start") <= ctx.period.end) & (pl.col("period_end") >= ctx.period.start))
        original = te.editor_frame(
            scoped_rows.sort(pl.col("campaign_id").fill_null(""), "kpi", "period_start"))
        gen = st.session_state.get(EDITOR_GEN, 0)
        st.caption(
            "Change a cell, add a row at the bottom or select rows and delete them, then "
            "**Save**. Rules: a KPI from the list; a campaign, or *Brand-wide*; a start on or "
            "before the end; a target above zero, in the KPI's unit: rates as percentages "
            "(12.5 % or just 12.5), money in " + cur + " (" + symbol + "1,200 or "
            + symbol + "1.2k), response times in minutes (45 min, 1.5 h), counts as numbers "
            "(12,000 or 12k); one target per campaign, KPI and period. Every row is "
            "checked; if one is wrong nothing is saved.")
        edited = st.data_editor(
            tv.entry_frame(original, CATALOG, cur), num_rows="dynamic", hide_index=True,
            key=f"target_edits_{gen}_{scope}", column_order=list(te.COLUMNS), width="stretch",
            column_config={
                te.ROW_ID: None,
                "campaign_id": st.column_config.SelectboxColumn(
                    "Campaign", options=campaign_options(stored), default=te.BRAND_OPTION,
                    format_func=lambda c: "Brand-wide" if c in ("", te.BRAND_OPTION)
                    else names.get(c, c), width="medium",
                    help="Brand-wide (or empty): the target applies to the whole brand."),
                "kpi": st.column_config.SelectboxColumn(
                    "KPI", options=KPI_OPTIONS, format_func=kpi_label, required=True,
                    width="medium"),
                "period_start": st.column_config.DateColumn("Start", format="YYYY-MM-DD",
                                                            required=True),
                "period_end": st.column_config.DateColumn("End", format="YYYY-MM-DD",
                                                          required=True),
                "target": st.column_config.TextColumn(
                    "Target", required=True, alignment="right", width="medium",
                    help="In the KPI's unit: rates as percentages (12.5 %), money in "
                    f"{cur} ({symbol}715,000 or {symbol}715k), times in minutes (45 min or "
                    "1.5 h), counts as numbers (12,000 or 12k)."),
            },
        )
        buttons = st.container(horizontal=True)
        if buttons.button("Save", type="primary", key="tgt_save", icon=":material/save:"):
            rows_in, typed = tv.parse_targets(edited, CATALOG, cur, original)
            try:
                if typed:  # refused as typed: nothing to save, every rule still checked
                    _, rules = te.check_edits(original, rows_in, catalog=CATALOG,
                                              campaign_ids=campaign_ids(), stored=stored)
                    result = ta.SaveResult(te.diff(original, te.normalize_edits(rows_in)),
                                           tv.merge_errors(typed, rules))
                else:
                    result = ta.save_edits(
                        engine, original, rows_in, catalog=CATALOG,
                        campaign_ids=campaign_ids(), stored=stored,
                        actor=auth.actor())
            except store.StoreError as e:
                st.error(str(e), icon=":material/error:")
            else:
                if result.errors:
                    show_errors(result.errors)
                elif result.changes.empty:
                    st.info("Nothing to save: no row was changed.", icon=":material/info:")
                else:
                    after_save(f"Targets saved: {result.changes.summary()}.")
        if buttons.button("Discard changes", key="tgt_discard", icon=":material/undo:"):
            st.session_state[EDITOR_GEN] = gen + 1
            st.rerun()
        st.caption(
            "Targets can also be imported from a `kpi_targets` CSV (columns campaign_id, kpi, "
            "period_start, period_end, target) on the **Upload** page or with "
            "`python -m smmkpi import targets.csv`; rows with the same campaign, KPI and "
            "period replace the stored ones.")
        with st.expander("KPI ids, units and directions"):
            table(pl.DataFrame({
                "KPI": [k.label for k in CATALOG.values()],
                "Id": list(CATALOG),
                "Unit": [k.unit for k in CATALOG.values()],
                "Entered as": [formatting.entry_hint(k.unit, cur) for k in CATALOG.values()],
                "Better": [k.direction for k in CATALOG.values()],
                "Pace": ["target × elapsed / period days" if k.additive else "the target"
                         for k in CATALOG.values()],
                "Goals": [", ".join(ds.GOAL_LABELS[g] for g in k.goals)
                          for k in CATALOG.values()],
            }), {"KPI": Col(pinned=True), "Id": Col(), "Unit": Col(), "Entered as": Col(),
                 "Better": Col(), "Pace": Col(), "Goals": Col()},
                key="kpi_catalog", name="targets_kpi_catalog")

# ------------------------------------------------------------------------------ suggestions
with suggest_tab, section("Suggested targets"):
    running = ctx.ws.frame("campaigns")
    if not may_edit:
        st.info("Your role may view targets but not change them; an editor or admin can.",
                icon=":material/lock:")
    elif ctx.reviewing_uploads:
        st.info("Suggested targets are saved to the stored data. Switch *Data source* to "
                "**Stored data** to use them.", icon=":material/edit_off:")
    elif running is None or running.height == 0:
        st.info(f"No campaign runs in {ctx.period}.", icon=":material/campaign:")
    else:
        stored = stored_targets()
        in_period = stored.filter((pl.col("period_start") <= ctx.period.end)
                                  & (pl.col("period_end") >= ctx.period.start))
        with_targets = set(in_period["campaign_id"].drop_nulls().to_list())
        running = running.sort("start_date", descending=True)
        ids = running["campaign_id"].to_list()
        without = [c for c in ids if c not in with_targets]
        st.caption(
            "For a campaign, the KPIs of its goal type with the previous comparable period's "
            "actual as a starting point: the period before the campaign's run (or, for a "
            "campaign without an end date, before the selected period) with the same number "
            "of days. Suggested: 10 % better than the previous actual (× 1.1 when higher is "
            "better, × 0.9 when lower is better; counts rounded to whole numbers); for shares "
            "where higher is better, at most 10 % of the way to 100 % (5 % → 5.5 %, "
            "80 % → 82 %).")
        if without:
            st.markdown("Running in this period **without targets**: " + ", ".join(
                md_escape(names.get(c, c)) for c in without) + ".")
        else:
            st.markdown("Every campaign running in this period has targets; you can still "
                        "start from suggestions for one of them.")
        choice = st.selectbox(
            "Campaign", without + [c for c in ids if c in with_targets], key="sug_campaign",
            format_func=lambda c: names.get(c, c) + ("" if c in with_targets
                                                     else "  (no targets)"))
        camp = running.filter(pl.col("campaign_id") == choice).row(0, named=True)
        target_p, prev_p = te.suggestion_periods(camp["start_date"], camp["end_date"],
                                                 ctx.period)
        kpis = for_goal(camp["goal"])
        prev_ws = ctx.workspace(prev_p, Filters(campaigns=(choice,)))
        previous = cache.computed(
            f"suggest-previous:{camp['goal']}", prev_ws,
            lambda w: te.previous_actuals(w.source, kpis, choice, w.period, settings=w.settings,
                                          reader=w.reader, shared=w.shared))
        sug = te.suggest(kpis, previous, choice, target_p)
        usable = sug.filter(pl.col("target").is_not_null())
        st.markdown(f"**{md_escape(camp['name'])}** · goal: "
                    f"{ds.GOAL_LABELS.get(camp['goal'], camp['goal'])} · target period "
                    f"{target_p}, starting from {prev_p}")
        no_start = sug.filter(pl.col("target").is_null())["kpi"].to_list()
        if usable.height == 0:
            st.info("No KPI of this goal has data in the previous period to start from. Add "
                    "targets by hand under **Edit targets**.", icon=":material/info:")
        else:
            view = tv.entry_frame(usable, CATALOG, cur).with_columns(
                pl.Series("previous_text", [
                    formatting.value_in_full(v, CATALOG[k].unit, cur) for v, k in
                    zip(usable["previous"].to_list(), usable["kpi"].to_list(), strict=True)]),
                pl.Series("data", ["this campaign" if tv.campaign_scoped(CATALOG[k])
                                   else "whole brand" for k in usable["kpi"].to_list()]),
            )
            accepted = st.data_editor(
                view, num_rows="delete", hide_index=True, width="stretch",
                key=f"suggest_{st.session_state.get(EDITOR_GEN, 0)}_{choice}",
                column_order=["kpi", "previous_text", "target", "period_start", "period_end",
                              "data", "rule"],  # how it was suggested (see above) last
                disabled=["kpi", "data", "previous_text", "rule"],
                column_config={
                    "campaign_id": None, "previous": None,
                    "kpi": st.column_config.SelectboxColumn("KPI", options=KPI_OPTIONS,
                                                            format_func=kpi_label),
                    "data": st.column_config.TextColumn(
                        "Measured on", help="Whole brand: the KPI's data (orders, customers, "
                        "mentions, journeys) carries no campaign."),
                    "previous_text": st.column_config.TextColumn(
                        "Previous period", alignment="right",
                        help="The KPI's actual in the previous comparable period"),
                    "rule": st.column_config.TextColumn("Suggested as"),
                    "period_start": st.column_config.DateColumn("Start", format="YYYY-MM-DD"),
                    "period_end": st.column_config.DateColumn("End", format="YYYY-MM-DD"),
                    "target": st.column_config.TextColumn(
                        "Target", required=True, alignment="right",
                        help="Edit before accepting, in the KPI's unit like the previous "
                        "period: rates as percentages (12.5 %), money in " + cur + "."),
                },
            )
            if no_start:
                st.caption("No starting point (no data in the previous period) for: " +
                           ", ".join(CATALOG[k].label for k in no_start) + ".")
            if st.button("Accept these targets", type="primary", key="sug_accept",
                         icon=":material/done_all:"):
                parsed, typed = tv.parse_targets(accepted, CATALOG, cur, usable, match_on="kpi")
                rows = parsed.select(te.COLUMNS).with_columns(
                    pl.lit(None, dtype=pl.Int64).alias(te.ROW_ID))
                try:
                    result = (ta.SaveResult(te.diff(te.editor_frame(stored.clear()),
                                                    te.normalize_edits(rows)), typed)
                              if typed else ta.save_edits(
                        cache.engine(ctx.settings.database_url),
                        te.editor_frame(stored.clear()), rows, catalog=CATALOG,
                        campaign_ids=campaign_ids(), stored=stored,
                        actor=auth.actor(), action="targets_suggested"))
                except store.StoreError as e:
                    st.error(str(e), icon=":material/error:")
                else:
                    if result.errors:
                        show_errors(result.errors)
                    elif result.changes.empty:
                        st.info("No rows to save.", icon=":material/info:")
                    else:
                        after_save(f"{result.changes.inserted} suggested targets saved for "
                                   f"{names.get(choice, choice)}.")
