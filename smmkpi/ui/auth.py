"""Who is using the app and what they may do.

Local mode (no `[auth]` section in .streamlit/secrets.toml): one local user with every
right, said in the sidebar. Hosted mode (an `[auth]` section): Streamlit's OpenID Connect
login (`st.login` / `st.user`); nothing of the dashboard, not even the sidebar, runs before
the user is logged in and has a role (smmkpi.roles: the `[smmkpi.roles]` allow-list in
secrets, overridden by admins on the Admin page, table `user_roles`).

app.py calls `gate()` once before `st.navigation`; pages ask `can(action)` to show or hide
controls and pass `actor()` to every write (audit log); `require(action)` stops a page
whose user may not see it (the Admin page; and pages reached without app.py, see
`require`). The role is worked out again on every run, so a role taken away on the Admin
page takes effect within seconds, even for sessions already open.

This is the Streamlit side only: the rules are pure (`smmkpi.roles`), stored and read by
`smmkpi.store` and changed by `smmkpi.actions.roles`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

import streamlit as st

from smmkpi import store
from smmkpi.actions import roles as role_actions
from smmkpi.config import get_settings
from smmkpi.formatting import md_escape
from smmkpi.roles import ROLE_LABELS, Action, AllowList, Grant, Role, allowed, resolve
from smmkpi.ui import cache, warmup
from smmkpi.ui.hosting import _secrets, auth_section, hosted  # noqa: F401 (re-exported)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class User:
    email: str | None
    name: str
    role: Role | None
    local: bool
    logged_in: bool = True
    rule: str = ""  # why this role (shown on the Admin page and to users without access)


LOCAL_USER = User(email=None, name="local user", role="admin", local=True,
                  rule="local mode: no login configured")
WARMUP_USER = User(email=None, name="warm-up", role="viewer", local=False,
                   rule="the server's own warm-up session (smmkpi.ui.warmup)")
ANONYMOUS = User(email=None, name="not logged in", role=None, local=False, logged_in=False,
                 rule="not logged in")

# ------------------------------------------------------------------ configuration


def login_providers(section: Mapping[str, Any]) -> list[str | None]:
    """The providers to offer: None for the default one (settings directly in `[auth]`),
    and the name of each `[auth.NAME]` provider section."""
    named = [k for k, v in section.items() if isinstance(v, Mapping) and "client_id" in v]
    return ([None] if "client_id" in section else []) + named


def allow_list() -> AllowList:
    """The `[smmkpi.roles]` section (ValueError when it is malformed)."""
    smmkpi = _secrets().get("smmkpi")
    return AllowList.parse(smmkpi.get("roles") if isinstance(smmkpi, Mapping) else None)


# ------------------------------------------------------------------ roles set by admins


@st.cache_data(max_entries=8, show_spinner=False)
def _overrides(url: str, version: int) -> dict[str, str]:
    return store.role_overrides(cache.engine(url))


def role_overrides(url: str | None = None) -> dict[str, str]:
    """The Admin page's rules {email or @domain: role or 'none'}, re-read when the data
    version changes (every write bumps it, on any instance)."""
    url = url or get_settings().database_url
    return _overrides(url, cache.data_version(url))


def role_rows(url: str | None = None) -> list[dict[str, Any]]:
    """The Admin page's rules with who set them and when."""
    url = url or get_settings().database_url
    return store.read_roles(cache.engine(url)).to_dicts()


def set_role(principal: str, value: str, *, url: str | None = None) -> str:
    """Store an Admin-page rule (role or 'none') for an email or @domain as the current
    user; audited. Returns a sentence saying what changed. ValueError when the rule is
    refused."""
    url = url or get_settings().database_url
    message = role_actions.set_role(cache.engine(url), principal, value,
                                    editor_email=current_user().email, allow=allow_list(),
                                    actor=actor())
    _overrides.clear()
    return message


def remove_role(principal: str, *, url: str | None = None) -> str:
    """Delete an Admin-page rule as the current user (the secrets allow-list applies
    again); audited."""
    url = url or get_settings().database_url
    message = role_actions.remove_role(cache.engine(url), principal,
                                       editor_email=current_user().email, actor=actor())
    _overrides.clear()
    return message


# ------------------------------------------------------------------ the current user


def _claim(key: str) -> Any:
    try:
        return st.user.get(key)
    except Exception:  # st.user outside a script run
        return None


def current_user() -> User:
    """The user of this run, worked out from st.user, secrets and the Admin page's rules
    (cheap: the rules are cached per data version). Raises ValueError when the
    `[smmkpi.roles]` allow-list is malformed."""
    if not hosted():
        return LOCAL_USER
    if warmup.is_warmup():  # the server's own session, by a token only this process knows
        return WARMUP_USER
    if _claim("is_logged_in") is not True:
        return ANONYMOUS
    email = _claim("email")
    email = str(email) if email else None
    name = str(_claim("name") or email or "unknown user")
    verified = _claim("email_verified")
    grant: Grant = resolve(email, allow_list(), role_overrides(),
                           email_verified=verified)
    return User(email=email, name=name, role=grant.role, local=False, rule=grant.rule)


def can(action: Action) -> bool:
    """May the current user do this? Pages hide controls the user may not use."""
    try:
        return allowed(current_user().role, action)
    except ValueError:
        return False


def actor() -> str:
    """The name written to the audit log for the current user's changes."""
    u = current_user()
    return u.email or u.name


# ------------------------------------------------------------------ gate and views


def _login_view() -> None:
    st.title("smmkpi")
    st.write("The social media KPI dashboard. Log in with your company account to see it.")
    for provider in login_providers(auth_section()):
        label = "Log in" if provider is None else f"Log in with {provider.capitalize()}"
        st.button(label, type="primary", icon=":material/login:", key=f"login_{provider}",
                  on_click=st.login, args=(provider,) if provider else ())


def _no_access_view(user: User) -> None:
    st.title("No access")
    who = f"**{md_escape(user.email)}**" if user.email else "this account"
    st.write(f"You are logged in as {who}, but this dashboard has not been shared with you. "
             "Ask the person who runs it to give you access, then reload this page.")
    st.button("Log out", icon=":material/logout:", key="logout_no_access", on_click=st.logout)


def _config_error_view(error: ValueError) -> None:
    st.title("Access is misconfigured")
    st.error(f"The access list in the app's secrets is not valid, so nobody can get in: "
             f"{error}. Whoever runs this app: fix `[smmkpi.roles]` in "
             "`.streamlit/secrets.toml` (see the README, Hosting).", icon=":material/error:")
    st.button("Log out", icon=":material/logout:", key="logout_config", on_click=st.logout)


def _requested_page() -> str:
    """The page name in the browser's address (e.g. 'overview' for /overview), or ''."""
    try:
        path = urlparse(st.context.url or "").path
    except Exception:
        return ""
    name = path.rstrip("/").rsplit("/", 1)[-1]
    return name if re.fullmatch(r"[A-Za-z0-9_-]{1,64}", name) else ""


def _blocked(view: Any, *args: Any) -> None:
    """Show only `view` (no sidebar, no other page) and end the run.

    The view is registered as the only page, at the root and at the address asked for
    (so /overview shows the login instead of Streamlit's "page not found" dialog), in hidden
    navigation. Calling st.navigation also ends Streamlit's legacy handling of the pages/
    folder for this process, which would otherwise run a page file directly, without
    app.py."""
    def show() -> None:
        view(*args)

    pages = [st.Page(show, title="smmkpi", url_path="smmkpi-signin", default=True)]
    asked = _requested_page()
    if asked and asked != "smmkpi-signin":
        pages.append(st.Page(show, title="smmkpi", url_path=asked))
    st.navigation(pages, position="hidden").run()
    st.stop()


def _resolve_or_block() -> User:
    """The current user, or the login / no-access view and the end of this run."""
    try:
        user = current_user()
    except ValueError as e:
        log.error("invalid [smmkpi.roles] in secrets: %s", e)
        _blocked(_config_error_view, e)
        raise  # unreachable: st.stop() ended the run
    if not user.logged_in:
        _blocked(_login_view)
    if user.role is None:
        _blocked(_no_access_view, user)
    return user


def gate() -> User:
    """Call once in app.py before st.navigation. Local mode: the local user, said in the
    sidebar. Hosted: the logged-in user with a role, shown in the sidebar with a logout
    button; anyone else gets only the login or the no-access view (the run stops)."""
    user = _resolve_or_block()
    box = st.sidebar.container(key="who")
    if user.local:
        box.caption(":material/person: **Local mode**: no login, every right (configure "
                    "`[auth]` in `.streamlit/secrets.toml` to host it; see the README, Hosting).")
    else:
        who = f":material/account_circle: **{md_escape(user.name)}**"
        if user.email and user.email != user.name:
            who += f"  \n{md_escape(user.email)}"
        box.caption(f"{who}  \nRole: **{(user.role or 'none').capitalize()}**",
                    help=ROLE_LABELS[user.role or "none"])
        box.button("Log out", icon=":material/logout:", key="logout", on_click=st.logout)
    return user


def require(action: Action = "view") -> User:
    """Stop this page unless the current user may `action` (the Admin page calls it).

    Pages run behind `gate()` in app.py. A page file can also run alone, without app.py:
    Streamlit 1.67's legacy handling of a pages/ folder in a fresh server process, which
    smmkpi.ui.context.current() switches off before any page reads data. A page that
    needs a role checks it here as well, so it never depends on the navigation alone."""
    user = _resolve_or_block()
    if not allowed(user.role, action):
        st.warning("This page is for admins only." if action == "admin" else
                   "Your role does not allow this.", icon=":material/lock:")
        st.stop()
    return user
