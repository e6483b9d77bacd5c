"""Admin: who may use the dashboard with which role, and who changed stored data when."""

import polars as pl
import streamlit as st

from smmkpi import config, roles, store
from smmkpi import datasets as ds
from smmkpi.actions import settings as settings_actions
from smmkpi.config import get_settings
from smmkpi.formatting import md_escape
from smmkpi.ui import auth, cache, refresh
from smmkpi.ui.context import ensure_frame
from smmkpi.ui.sections import section
from smmkpi.ui.tables import Col, table

ensure_frame()  # reached without app.py (a fresh server's first visit): build the frame
user = auth.require("admin")
engine = cache.engine(get_settings().database_url)
settings = config.with_overrides(get_settings(), cache.setting_overrides(
    get_settings().database_url))

st.title("Admin")
st.caption("Who may use the dashboard and what they may do; who changed stored data, and when.")

ACTIONS = {"import": "Import", "demo": "Demo data loaded", "targets_edit": "Targets edited",
           "targets_suggested": "Suggested targets added", "roles_edit": "Access changed",
           "settings_edit": "Settings changed",
           "clear": "Data cleared"}
VALUE_LABELS = {"viewer": "Viewer", "editor": "Editor", "admin": "Admin", "none": "No access"}

# ---------------------------------------------------------------- access
with section("Access"):
    st.subheader("Access")
    if user.local:
        st.info("Local mode: there is no login, so everyone who can open this address has every "
                "right. The rules below apply once the app is hosted with a login "
                "(`[auth]` in `.streamlit/secrets.toml`, see the README, Hosting).",
                icon=":material/info:")

    try:
        allow = auth.allow_list()
    except ValueError as e:  # local mode with a malformed list (hosted mode never gets here)
        st.error(f"`[smmkpi.roles]` in secrets is not valid: {e}", icon=":material/error:")
        allow = roles.AllowList({})
    overrides = auth.role_overrides()
    set_here = {r["principal"]: r for r in auth.role_rows()}
    rules = pl.DataFrame(
        [{**row,
          "secrets": VALUE_LABELS.get(row["secrets"] or "", ""),
          "admin_page": VALUE_LABELS.get(row["admin_page"] or "", ""),
          "effective": VALUE_LABELS.get(row["effective"] or "", "No access"),
          "set_by": (set_here.get(row["principal"]) or {}).get("updated_by"),
          "set_at": (set_here.get(row["principal"]) or {}).get("updated_at")}
         for row in roles.effective_rules(allow, overrides)],
        schema={"principal": pl.String, "secrets": pl.String, "admin_page": pl.String,
                "effective": pl.String, "note": pl.String, "set_by": pl.String,
                "set_at": pl.Datetime("us", "UTC")},
        strict=False,
    )
    if rules.height:
        table(
            rules.with_columns(pl.col("set_at").dt.convert_time_zone(settings.display_tz)
                               .dt.replace_time_zone(None)),
            {
                "principal": Col("Email or domain", pinned=True),
                "secrets": Col("In secrets", help="[smmkpi.roles] in .streamlit/secrets.toml"),
                "admin_page": Col("Set here"),
                "effective": Col("Applies", help="An email rule beats a domain rule; for the same "
                                 "email or domain, a rule set here beats the secrets file."),
                "note": Col("Note"),
                "set_by": Col("Set by"),
                "set_at": Col(f"Set at ({settings.display_tz})", "datetime"),
            },
            key="rules_table", name="admin_access_rules",
        )
    else:
        st.caption("No rules yet: nobody but local users can get in.")

    left, right = st.columns(2)
    with left, st.form("set_role", clear_on_submit=True, border=True):
        st.markdown("**Give or change access**")
        who = st.text_input("Email or domain", placeholder="ann@example.com or @example.com",
                            help="A domain (starting with @) covers every verified email in it; an "
                            "email rule beats a domain rule.")
        value = st.selectbox("Role", roles.OVERRIDES, index=0,
                             format_func=roles.ROLE_LABELS.get, key="set_role_value")
        if st.form_submit_button("Save rule", type="primary", icon=":material/save:"):
            try:
                st.success(auth.set_role(who, value), icon=":material/check:")
            except (ValueError, store.StoreError) as e:
                st.error(str(e), icon=":material/error:")
    with right, st.container(border=True):
        st.markdown("**Remove a rule set here**")
        current = sorted(auth.role_overrides())
        if current:
            gone = st.selectbox("Rule", current, key="remove_role_pick",
                                format_func=lambda p: (
                                    f"{p}: {VALUE_LABELS[overrides.get(p, 'none')]}"),
                                help="The secrets file's rule (if any) applies again.")
            if st.button("Remove rule", icon=":material/delete:", key="remove_role"):
                try:
                    st.success(auth.remove_role(gone), icon=":material/check:")
                except (ValueError, store.StoreError) as e:
                    st.error(str(e), icon=":material/error:")
        else:
            st.caption("No rules set here; the secrets file decides.")
        probe = st.text_input("Check someone's access", placeholder="ann@example.com",
                              key="probe_email")
        if probe:
            # what the person would get once logged in with that (verified) email
            grant = roles.resolve(probe, allow, auth.role_overrides(), email_verified=True)
            st.write(f"**{VALUE_LABELS.get(grant.role or 'none')}**: {md_escape(grant.rule)}.")

# ---------------------------------------------------------------- settings
with section("Settings"):
    st.subheader("Settings")
    st.caption("The rules the pages measure by. A value set here replaces the server's default "
               "(its environment variable) for everyone, at once, and is recorded in the audit "
               "log; set it back to the default to remove it.")
    defaults, current = get_settings(), settings
    with st.form("settings"):
        typed: dict[str, str] = {}
        cols = st.columns(2)
        for i, (key, spec) in enumerate(config.EDITABLE.items()):
            value = getattr(current, key)
            shown = f"{value * 100:g}" if key == "promo_share_max" else f"{value}"
            default = getattr(defaults, key)
            default_shown = f"{default * 100:g} %" if key == "promo_share_max" else f"{default}"
            typed[key] = cols[i % 2].text_input(
                spec.label, value=shown, key=f"setting_{key}",
                help=f"{spec.help} Default {default_shown} (environment variable `{spec.env}`).")
        if st.form_submit_button("Save settings", icon=":material/save:"):
            try:
                changed = settings_actions.save_settings(engine, typed, current, defaults,
                                                         actor=auth.actor())
            except (ValueError, store.StoreError) as e:
                st.error(str(e), icon=":material/error:")
            else:
                if changed:
                    st.toast("Saved: " + md_escape("; ".join(changed)), icon=":material/check:")
                    refresh.stored_data_changed()
                else:
                    st.info("Nothing changed.", icon=":material/info:")

# ---------------------------------------------------------------- audit log
with section("Audit log"):
    st.subheader("Audit log")
    st.caption("Every import, target edit and access change: who, when, which data, how many rows. "
               "Newest first; the latest 1,000.")
    log = store.audit_log(engine, limit=1000)
    if not log.height:
        st.caption("Nothing has been changed yet.")
    else:
        labels = {s.name: s.label for s in ds.DATASETS.values()} | {"user_roles": "User roles"}
        shown = log.select(
            pl.col("at").dt.convert_time_zone(settings.display_tz).alias("when"),
            pl.col("actor").alias("who"),
            pl.col("action").replace_strict(ACTIONS, default=pl.col("action")).alias("what"),
            pl.col("dataset").replace_strict(labels, default=pl.col("dataset")).alias("dataset"),
            "inserted", "updated", "unchanged", "deleted", "detail",
        )
        table(
            shown.with_columns(pl.col("when").dt.replace_time_zone(None)),
            {
                "when": Col(f"When ({settings.display_tz})", "datetime",
                            format="YYYY-MM-DD HH:mm:ss", pinned=True),
                "who": Col("Who"),
                "what": Col("What"),
                "dataset": Col("Data"),
                "inserted": Col("Added", "count", help="Rows added", export_label="Rows added"),
                "updated": Col("Changed", "count", help="Rows changed",
                               export_label="Rows changed"),
                "unchanged": Col("Unchanged", "count", help="Rows unchanged",
                                 export_label="Rows unchanged"),
                "deleted": Col("Deleted", "count", help="Rows deleted",
                               export_label="Rows deleted"),
                "detail": Col("Detail", width="medium"),
            },
            key="audit_table", name="admin_audit_log", download="data",
        )
