"""Alerts: who is told what and when (alert rules, scheduled digests) and the annotations
every chart shows. Editors change them; viewers see them."""

import datetime as dt
import json

import polars as pl
import streamlit as st

from smmkpi import config, formatting, store
from smmkpi import datasets as ds
from smmkpi.notify import edits, rules
from smmkpi.notify.digests import PAGES
from smmkpi.ui import auth, cache, refresh
from smmkpi.ui.components import header
from smmkpi.ui.context import current
from smmkpi.ui.sections import section
from smmkpi.ui.tables import Col, table

ctx = current()
header("Alerts", "Who is told what, and when: alert rules, scheduled digests to the CMO, and "
       "the annotations shown on every chart.", ctx)
engine = cache.engine(ctx.settings.database_url)
user = auth.current_user()
can_edit = auth.can("edit_alerts")
FLASH = "_alerts_flash"
try:
    notify = config.load_notify_settings()
except ValueError as e:
    st.error(f"The sending settings are not valid: {e}", icon=":material/error:")
    notify = config.NotifySettings()

if FLASH in st.session_state:
    st.success(st.session_state.pop(FLASH), icon=":material/check_circle:")
if not can_edit:
    st.info("You can see the rules, subscriptions and annotations; changing them needs the "
            "editor role.", icon=":material/lock:")


def done(message: str) -> None:
    """A change was stored: say so after the fresh run that shows it."""
    st.session_state[FLASH] = message
    refresh.stored_data_changed()


def attempt(fn, **kwargs) -> None:  # type: ignore[no-untyped-def]
    """Run an edit; a refused value is said next to the form, nothing stored."""
    try:
        message = fn(engine, role=user.role, actor=auth.actor(), **kwargs)
    except (ValueError, PermissionError) as e:
        st.error(str(e), icon=":material/error:")
        return
    done(message)


def every(df: pl.DataFrame, special: dict[str, Col]) -> dict[str, Col]:
    """Every column of a table of text (the table shows only the columns it is given)."""
    return {c: special.get(c, Col()) for c in df.columns}


def choose_row(label: str, new: str, rows: pl.DataFrame, *, key: str) -> tuple[int, dict | None]:
    """A select box of the rows (by id, shown by name) and a new one (id 0): the chosen id
    and its row (None for a new one)."""
    choices = {0: new} | {r["id"]: r["name"] for r in rows.iter_rows(named=True)}
    pick = st.selectbox(label, list(choices), format_func=choices.get, key=key)
    return pick, next((r for r in rows.iter_rows(named=True) if r["id"] == pick), None)


def count_tile(label: str, n: int, help: str) -> None:
    with st.container(border=True):
        st.metric(label, formatting.compact(n), help=help)


with section("Alert rules and deliveries"):
    rule_rows = store.read_rows(engine, "rules")
    log = store.alert_log(engine)
    unsent = log.filter(pl.col("status") != "sent").height if log.height else 0
    c1, c2, c3 = st.columns(3)
    with c1:
        count_tile("Alert rules on", rule_rows.filter(pl.col("enabled")).height if
                  rule_rows.height else 0, "Rules evaluated by every `alerts run`.")
    with c2:
        count_tile("Alerts sent", log.filter(pl.col("status") == "sent").height if log.height
                  else 0, "Deliveries accepted by the mail server or the webhook (last 200).")
    with c3:
        count_tile("Waiting to be sent", unsent, "Failed or pending deliveries: tried again "
                  "on the next run.")

    st.subheader("Alert rules")
    if rule_rows.height == 0:
        st.caption("No alert rules yet. " + ("Add one below." if can_edit else
                                             "An editor adds them here."))
    else:
        shown = pl.DataFrame([{
            "Name": r["name"],
            "Watches": rules.describe(r["kind"], rules.parse_params(r["kind"], r["params"])),
            "Email to": r["emails"], "Webhook": "yes" if r["webhook_url"] else "",
            "On": "on" if r["enabled"] else "off", "Changed by": r["updated_by"],
        } for r in rule_rows.iter_rows(named=True)])
        table(shown, every(shown, {"Name": Col(pinned=True), "Watches": Col(width="large")}),
              key="alert_rules", name="alert_rules", download="none")

    if can_edit:
        with st.expander("Add or change a rule", icon=":material/edit:"):
            pick, old = choose_row("Rule", "A new rule", rule_rows, key="rule_pick")
            kind = st.selectbox("Watches", list(rules.KINDS),
                                index=list(rules.KINDS).index(old["kind"]) if old else 0,
                                format_func=lambda k: rules.KINDS[k].label, key="rule_kind")
            values = json.loads(old["params"]) if old and old["kind"] == kind else {}
            with st.form("rule_form"):
                k = f"{pick}_{kind}"  # a new choice prefills anew
                name = st.text_input("Name", value=old["name"] if old else "",
                                     placeholder="e.g. Targets off track to the CMO",
                                     key=f"rule_name_{k}")
                params = {}
                for p in rules.KINDS[kind].params:
                    v = values.get(p.name, p.default)
                    if p.name in rules.PERCENT_PARAMS:
                        v = f"{v * 100:g}"
                    params[p.name] = st.text_input(p.label, value=str(v), help=p.help or None,
                                                   key=f"rule_{p.name}_{k}")
                emails = st.text_input("Email to (comma-separated)",
                                       value=old["emails"] if old else "",
                                       key=f"rule_emails_{k}")
                hook = st.text_input("Slack-compatible webhook URL",
                                     value=old["webhook_url"] if old else (
                                         notify.webhook_url or ""),
                                     help="An incoming webhook (Slack, Mattermost, Teams' "
                                     "Slack-compatible hooks); empty: no webhook.",
                                     key=f"rule_hook_{k}")
                on = st.checkbox("On", value=old["enabled"] if old else True,
                                 key=f"rule_on_{k}")
                if st.form_submit_button("Save rule", type="primary",
                                         icon=":material/save:"):
                    attempt(edits.save_rule, name=name, kind=kind, params=params,
                            emails=emails, webhook_url=hook, enabled=on,
                            rule_id=old["id"] if old else None)
            if old is not None and st.button("Delete this rule", icon=":material/delete:",
                                             key="rule_delete"):
                attempt(edits.delete_rule, rule_id=old["id"])

    st.subheader("Deliveries")
    if log.height == 0:
        st.caption("Nothing sent yet. `python -m smmkpi alerts run`, run every hour (the "
                   "hosting guide shows cron and a Kubernetes CronJob), sends what the rules "
                   "find.")
    else:
        tz = ctx.settings.display_tz
        shown = log.with_columns(
            pl.col("fired_at").dt.convert_time_zone(tz),
            pl.col("sent_at").dt.convert_time_zone(tz),
            pl.when(pl.col("channel") == "webhook").then(pl.lit("webhook"))
            .otherwise(pl.col("recipient")).alias("recipient"),
        ).select("fired_at", "status", "subject", "figure", "threshold", "recipient",
                 "attempts", "sent_at", "last_error")
        if unsent:
            st.warning(f"{unsent} deliveries are waiting: each run tries them again; the "
                       "last error says why they failed.", icon=":material/schedule_send:")
        table(shown, {"fired_at": Col("Fired", unit="datetime"), "subject": Col("Alert",
              width="large"), "figure": Col("Figure"), "threshold": Col("Threshold"),
              "recipient": Col("To"), "status": Col("Status"),
              "attempts": Col("Attempts", unit="count"),
              "sent_at": Col("Sent", unit="datetime"), "last_error": Col("Last error")},
              key="alert_log", name="alert_deliveries", ctx=ctx)

with section("Digest subscriptions"):
    st.subheader("Digest subscriptions")
    subs = store.read_rows(engine, "subscriptions")
    if subs.height == 0:
        st.caption("No digests yet. " + ("Add one below: e.g. the Overview, weekly, to the "
                                         "CMO." if can_edit else "An editor adds them here."))
    else:
        shown = pl.DataFrame([{
            "Name": s["name"], "Page": PAGES[s["page"]].title if s["page"] in PAGES else
            s["page"],
            "How often": s["frequency"] if s["frequency"] != "custom" else
            f"every {s['days']} days",
            "Campaigns": s["campaigns"].replace(",", ", ") or "all",
            "Platforms": ", ".join(ds.platform_label(p) for p in s["platforms"].split(",")
                                   if p) or "all",
            "To": s["emails"], "On": "on" if s["enabled"] else "off",
        } for s in subs.iter_rows(named=True)])
        table(shown, every(shown, {"Name": Col(pinned=True)}), key="digest_subs",
              name="digests", download="none")
    if can_edit:
        with st.expander("Add or change a digest", icon=":material/edit:"):
            pick, old = choose_row("Digest", "A new digest", subs, key="sub_pick")
            camp_ids = (ctx.campaigns["campaign_id"].to_list() if ctx.campaigns is not None
                        else [])
            with st.form("sub_form"):
                name = st.text_input("Name", value=old["name"] if old else "",
                                     placeholder="e.g. Monday digest for the CMO",
                                     key=f"sub_name_{pick}")
                page = st.selectbox("Page", list(PAGES), format_func=lambda k: PAGES[k].title,
                                    index=list(PAGES).index(old["page"]) if old else 0)
                freq = st.selectbox("How often", list(edits.FREQUENCIES),
                                    format_func=edits.FREQUENCIES.get,
                                    index=list(edits.FREQUENCIES).index(old["frequency"])
                                    if old else 0)
                days = st.number_input("N days (custom only)", min_value=1, max_value=366,
                                       value=int(old["days"] or 7) if old else 7)
                camps = st.multiselect("Campaigns (none: all)", camp_ids,
                                       default=[c for c in (old["campaigns"].split(",") if old
                                                            else []) if c in camp_ids],
                                       format_func=ctx.campaign_name)
                plats = st.multiselect("Platforms (none: all)", list(ds.PLATFORMS),
                                       default=[p for p in (old["platforms"].split(",") if
                                                            old else []) if p],
                                       format_func=ds.platform_label)
                emails = st.text_input("Email to (comma-separated)",
                                       value=old["emails"] if old else "",
                                       key=f"sub_emails_{pick}")
                on = st.checkbox("On", value=old["enabled"] if old else True,
                                 key=f"sub_on_{pick}")
                if st.form_submit_button("Save digest", type="primary",
                                         icon=":material/save:"):
                    attempt(edits.save_subscription, name=name, emails=emails, page=page,
                            frequency=freq, days=int(days), campaigns=tuple(camps),
                            platforms=tuple(plats), enabled=on,
                            subscription_id=old["id"] if old else None)
            if old is not None and st.button("Delete this digest", icon=":material/delete:",
                                             key="sub_delete"):
                attempt(edits.delete_subscription, subscription_id=old["id"])
    sends = store.digest_log(engine)
    if sends.height:
        names = {s["id"]: s["name"] for s in subs.iter_rows(named=True)}
        shown = sends.with_columns(
            pl.col("subscription_id").replace_strict(names, default="(deleted)",
                                                     return_dtype=pl.String).alias("digest"),
            pl.col("sent_at").dt.convert_time_zone(ctx.settings.display_tz),
        ).select("digest", "period_start", "period_end", "status", "attempts", "sent_at",
                 "last_error")
        table(shown, {"digest": Col("Digest"), "period_start": Col("From", unit="date"),
                      "period_end": Col("To", unit="date"), "status": Col("Status"),
                      "attempts": Col("Attempts", unit="count"),
                      "sent_at": Col("Sent", unit="datetime"),
                      "last_error": Col("Last error")},
              key="digest_log", name="digest_sends", ctx=ctx)

with section("Annotations"):
    from smmkpi.views.annotations import listing

    st.subheader("Annotations")
    st.caption("Launches, PR crises, a platform's algorithm change, a price change: every "
               "time-series chart marks them (hover for the title), the Overview lists "
               "those of its period. Import many at once as an `annotations` CSV (date, "
               "title, end_date, campaign_id, platform, note) on the Upload page.")
    notes = store.read_dataset(engine, "annotations").sort("date", descending=True)
    names = (dict(ctx.campaigns.select("campaign_id", "name").iter_rows())
             if ctx.campaigns is not None else {})
    if notes.height == 0:
        st.caption("No annotations yet.")
    else:
        shown = listing(notes, names)
        table(shown, every(shown, {"Title": Col(pinned=True), "Note": Col(width="large")}),
              key="annotations", name="annotations", ctx=ctx)
    if can_edit:
        with st.expander("Add or change an annotation", icon=":material/edit:"):
            keys = [(r["date"], r["title"]) for r in notes.iter_rows(named=True)]
            pick = st.selectbox("Annotation", [None, *keys], key="note_pick",
                                format_func=lambda k: "A new annotation" if k is None else
                                f"{k[0]:%d %b %Y}: {k[1]}")
            old = next((r for r in notes.iter_rows(named=True)
                        if (r["date"], r["title"]) == pick), None)
            camp_ids = (ctx.campaigns["campaign_id"].to_list() if ctx.campaigns is not None
                        else [])
            with st.form("note_form"):
                k = "new" if pick is None else f"{pick[0]}_{pick[1]}"
                title = st.text_input("Title", value=old["title"] if old else "",
                                      placeholder="e.g. Price change: +5 %",
                                      key=f"note_title_{k}")
                day = st.date_input("Date", value=old["date"] if old else (
                    ctx.last_day or dt.date.today()), key=f"note_date_{k}")
                end = st.date_input("Last day of a range (optional)",
                                    value=old["end_date"] if old else None,
                                    key=f"note_end_{k}")
                camp = st.selectbox("Campaign (optional)", [None, *camp_ids],
                                    index=([None, *camp_ids].index(old["campaign_id"])
                                           if old and old["campaign_id"] in camp_ids else 0),
                                    format_func=lambda c: "—" if c is None else
                                    ctx.campaign_name(c))
                plat = st.selectbox("Platform (optional)", [None, *ds.PLATFORMS],
                                    index=([None, *ds.PLATFORMS].index(old["platform"])
                                           if old and old["platform"] in ds.PLATFORMS else 0),
                                    format_func=lambda p: "—" if p is None else
                                    ds.platform_label(p))
                note = st.text_area("Note (optional)", value=(old["note"] or "") if old
                                    else "")
                if st.form_submit_button("Save annotation", type="primary",
                                         icon=":material/save:"):
                    attempt(edits.save_annotation, day=day, title=title, end_date=end,
                            campaign_id=camp, platform=plat, note=note,
                            replaces=pick)
            if old is not None and st.button("Delete this annotation",
                                             icon=":material/delete:", key="note_delete"):
                attempt(edits.delete_annotation, day=old["date"], title=old["title"])
    st.caption("Sending: `python -m smmkpi alerts run` and `digests run` every hour from cron "
               "or a Kubernetes CronJob (see the hosting guide).")
