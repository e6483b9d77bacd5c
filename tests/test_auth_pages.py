"""The login gate and roles in the app (AppTest with simulated users, `at.user`).

Hosted mode needs an `[auth]` section that Streamlit itself reads (st.user's
`is_logged_in`, st.login), which `at.secrets` does not reach: the `hosted` fixture writes a
real secrets file and points Streamlit's `secrets.files` option at it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from smmkpi.ui.shell import page_files

ROOT = Path(__file__).resolve().parent.parent
ADMIN = {"is_logged_in": True, "email": "ann@example.com", "name": "Ann Admin",
         "email_verified": True}
EDITOR = {"is_logged_in": True, "email": "ed@example.com", "name": "Ed Editor",
          "email_verified": True}
VIEWER = {"is_logged_in": True, "email": "vic@example.com", "name": "Vic Viewer",
          "email_verified": True}
STRANGER = {"is_logged_in": True, "email": "zed@elsewhere.org", "name": "Zed",
            "email_verified": True}
USERS = {"viewer": VIEWER, "editor": EDITOR, "admin": ADMIN}
SECRETS = """
[auth]
redirect_uri = "http://localhost:8501/oauth2callback"
cookie_secret = "test-cookie-secret-not-for-production-0123456789"
client_id = "smmkpi-test"
client_secret = "test-client-secret"
server_metadata_url = "http://127.0.0.1:9/.well-known/openid-configuration"

[smmkpi.roles]
admins = ["ann@example.com"]
editors = ["ed@example.com"]
viewers = ["@example.com"]
"""
# Button labels that change stored data: a viewer must never see one.
WRITE_WORDS = ("save", "import", "store", "delete", "remove", "accept", "apply", "load",
               "clear", "discard")


PAGES = page_files(include_admin=False)  # every page of the navigation but Admin


@pytest.fixture
def hosted(tmp_path, app_env):
    """Auth configured: a secrets file with [auth] and [smmkpi.roles], read by Streamlit."""
    from streamlit.runtime.secrets import secrets_singleton
    from streamlit.testing.v1.util import patch_config_options

    path = tmp_path / "secrets.toml"
    path.write_text(SECRETS)
    with patch_config_options({"secrets.files": [str(path)]}):
        secrets_singleton._reset()
        yield path
    secrets_singleton._reset()


@pytest.fixture
def writable_db(monkeypatch, engine):
    """An empty migrated database the test may write to (SQLite, and PostgreSQL when
    SMMKPI_TEST_POSTGRES_URL is set)."""
    from smmkpi import db
    from smmkpi.config import get_settings

    url = engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("SMMKPI_DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()
    db.close_pools()


def app(user: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    if user is not None:
        at.user = user
    return at


def shows_no_data(at: AppTest) -> bool:
    return not (at.metric or at.dataframe or at.get("plotly_chart") or at.selectbox
                or at.multiselect or at.date_input or at.sidebar.children)


def write_controls(at: AppTest) -> list[str]:
    """Buttons that change stored data, by label. (Editable tables alone store nothing:
    the Upload page's column mapping is part of a viewer's review; the Targets editor
    stores through its Save button.)"""
    labels = [b.label for b in [*at.button, *at.form_submit_button]]
    return [lbl for lbl in labels if any(w in lbl.lower() for w in WRITE_WORDS)]


def table(at: AppTest, column: str):
    """The value (a pandas frame) of the one table on the page with this column."""
    found = [d.value for d in at.dataframe if column in d.value.columns]
    assert len(found) == 1, f"{len(found)} tables with a {column!r} column"
    return found[0]


def admin_registered(at: AppTest) -> bool:
    """Whether the last run registered the Admin page in the navigation (switch_page
    refuses a page st.navigation did not register)."""
    try:
        at.switch_page("pages/admin.py")
    except ValueError:
        return False
    return True


# ---------------------------------------------------------------- before login


def test_logged_out_sees_only_the_login(hosted):
    at = app({})  # no is_logged_in: Streamlit says False because [auth] exists
    at.run()
    assert not at.exception
    assert [t.value for t in at.title] == ["smmkpi"]
    assert [b.label for b in at.button] == ["Log in"]
    assert shows_no_data(at)
    assert not admin_registered(at)


@pytest.mark.parametrize("page", [*PAGES, "pages/admin.py"])
def test_logged_out_at_a_page_address_sees_only_the_login(hosted, page):
    """A fresh session opened at a page's address (AppTest switches before the first run,
    as a browser opening /overview on a freshly started server, where Streamlit 1.67 would
    run the page file alone, without app.py, if nothing switched its legacy pages/ mode
    off: smmkpi.ui.context.current() does)."""
    at = app({})
    at.switch_page(page)
    at.run()
    assert not at.exception
    assert [b.label for b in at.button] == ["Log in"]
    assert shows_no_data(at)


def test_login_button_starts_the_provider_login(hosted):
    """The button calls st.login, which validates [auth] and redirects (no exception)."""
    at = app({})
    at.run()
    at.button[0].click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]


# ---------------------------------------------------------------- unknown and logged in


def test_unknown_user_sees_no_access_and_can_log_out(hosted):
    at = app(STRANGER)
    at.run()
    assert not at.exception
    assert [t.value for t in at.title] == ["No access"]
    shown = at.markdown[0].value
    assert "zed@elsewhere.org" in shown.replace("\\", "").replace("\u2060", "")  # as typed
    assert "zed@elsewhere.org" not in shown  # ... but inert: no mailto link
    assert [b.label for b in at.button] == ["Log out"]
    assert shows_no_data(at)
    at.button[0].click()
    at.run()
    assert at.user == {"is_logged_in": False}
    assert [b.label for b in at.button] == ["Log in"]


@pytest.mark.parametrize("claim", [False, "false", None, "maybe"])
def test_unverified_email_sees_no_access(hosted, claim):
    """The viewer's access comes from a domain rule: only a verified email may use it."""
    user = {**VIEWER, "email_verified": claim} if claim is not None else {
        k: v for k, v in VIEWER.items() if k != "email_verified"}
    at = app(user)
    at.run()
    assert [t.value for t in at.title] == ["No access"]


def test_invalid_allow_list_lets_nobody_in(hosted):
    hosted.write_text(SECRETS.replace('viewers = ["@example.com"]', 'viewers = ["example.com"]'))
    from streamlit.runtime.secrets import secrets_singleton

    secrets_singleton._reset()
    at = app(ADMIN)
    at.run()
    assert [t.value for t in at.title] == ["Access is misconfigured"]
    assert "example.com" in at.error[0].value
    assert shows_no_data(at)


@pytest.mark.parametrize("role", ["viewer", "editor", "admin"])
def test_sidebar_shows_who_and_the_role_with_logout(hosted, role):
    at = app(USERS[role])
    at.run()
    assert not at.exception
    text = " ".join(c.value for c in at.sidebar.caption)
    assert USERS[role]["name"] in text and role.capitalize() in text
    assert "Log out" in [b.label for b in at.sidebar.button]
    assert admin_registered(at) == (role == "admin")


def test_logout_ends_the_session(hosted):
    at = app(EDITOR)
    at.run()
    at.sidebar.button(key="logout").click()
    at.run()
    assert at.user == {"is_logged_in": False}
    assert [b.label for b in at.button] == ["Log in"]
    assert shows_no_data(at)


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("role", ["viewer", "editor", "admin"])
def test_every_page_for_every_role(hosted, role, page):
    """Every role sees every page; a viewer sees no control that changes stored data."""
    at = app(USERS[role])
    at.run()
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title, f"{page} has no title for a {role}"
    if role == "viewer":
        assert write_controls(at) == [], f"a viewer sees write controls on {page}"


WRITE_PAGES = [p for p in ("pages/targets.py", "pages/upload.py", "pages/alerts.py")
               if p in PAGES]


def open_with_work(at: AppTest, page: str) -> None:
    """Open a page in the state where its write controls show: on Upload, a valid file
    has been uploaded (Import appears only then)."""
    at.run()
    at.switch_page(page)
    at.run()
    if page == "pages/upload.py":
        csv = (ROOT / "data" / "demo" / "campaigns.csv").read_bytes()
        at.file_uploader[0].set_value(("campaigns.csv", csv, "text/csv"))
        at.run()


@pytest.mark.parametrize("page", WRITE_PAGES)
def test_editors_get_the_write_controls_viewers_do_not(hosted, page):
    seen = {}
    for role in ("viewer", "editor"):
        at = app(USERS[role])
        open_with_work(at, page)
        assert not at.exception, [e.value for e in at.exception]
        seen[role] = write_controls(at)
    assert seen["editor"], f"an editor sees no import/edit control on {page}"
    assert seen["viewer"] == []


def test_admin_page_is_refused_to_a_viewer_who_reaches_it(hosted):
    """The Admin page checks the role itself (not only by being left out of the
    navigation): opened directly, a viewer gets a notice and nothing else."""
    at = app(VIEWER)
    at.switch_page("pages/admin.py")
    at.run()
    assert not at.exception
    assert "admins only" in at.warning[0].value
    assert not at.dataframe and not at.text_input


# ---------------------------------------------------------------- the Admin page


def test_admin_page_shows_rules_and_the_audit_log(hosted):
    at = app(ADMIN)
    at.run()
    at.switch_page("pages/admin.py")
    at.run()
    assert not at.exception
    rules = table(at, "principal")
    assert list(rules["principal"]) == ["ann@example.com", "ed@example.com", "@example.com"]
    assert list(rules["effective"]) == ["Admin", "Editor", "Viewer"]
    audit = table(at, "who")
    assert set(audit["what"]) == {"Demo data loaded"}  # the demo fixture's import
    assert set(audit["who"]) == {"test"}
    assert audit["inserted"].sum() > 0


def test_admin_sets_roles_audited_and_applied_at_once(hosted, writable_db):
    from smmkpi import store
    from smmkpi.db import make_engine

    at = app(ADMIN)
    at.run()
    at.switch_page("pages/admin.py")
    at.run()

    def save(who: str, role: str) -> None:
        at.text_input[0].input(who)
        at.selectbox(key="set_role_value").select(role)
        at.form_submit_button[0].click()
        at.run()
        assert not at.exception, [e.value for e in at.exception]

    save("Vic@Example.com", "editor")
    assert "vic@example.com: no rule → editor" in at.success[0].value
    save("@example.com", "none")
    save("ann@example.com", "viewer")  # an owner (and oneself): refused
    assert "stays an admin" in at.error[0].value or "own role" in at.error[0].value

    log = store.audit_log(make_engine(writable_db))
    assert list(log["detail"]) == ["@example.com: no rule → none",
                                   "vic@example.com: no rule → editor"]
    assert set(log["actor"]) == {"ann@example.com"}
    assert set(log["action"]) == {"roles_edit"}
    assert list(log["inserted"]) == [1, 1]

    # Applied on the next run of any session: vic is an editor, other @example.com users out.
    vic = app(VIEWER)
    vic.run()
    assert "Editor" in " ".join(c.value for c in vic.sidebar.caption)
    other = app({**VIEWER, "email": "val@example.com"})
    other.run()
    assert [t.value for t in other.title] == ["No access"]

    # Removing the domain rule gives the domain back its secrets role; audited as a delete.
    at.selectbox(key="remove_role_pick").select("@example.com")
    at.button(key="remove_role").click()
    at.run()
    assert "Removed the rule for @example.com" in at.success[0].value
    other.run()
    assert "Viewer" in " ".join(c.value for c in other.sidebar.caption)
    log = store.audit_log(make_engine(writable_db))
    assert (log["detail"][0], log["deleted"][0]) == ("@example.com: none → rule removed", 1)


# ---------------------------------------------------------------- local mode


def test_local_mode_says_so_and_has_every_right(app_env):
    at = app()
    at.run()
    assert not at.exception
    assert "Local mode" in " ".join(c.value for c in at.sidebar.caption)
    assert "Log out" not in [b.label for b in at.button]
    assert at.metric  # the dashboard itself
    assert admin_registered(at)
