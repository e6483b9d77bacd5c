"""One real login, end to end: headless Chromium, the app served by `streamlit run serve.py`
(the Docker entry point) with `[auth]` configured, and a real OpenID Connect provider
(oidc-provider-mock) started by the test on loopback.

Proves: before login the browser gets only the login view (no sidebar, no data); the
provider's login sets Streamlit's signed identity cookie; a new tab (a new Streamlit
session) is logged in by that cookie alone; the role comes from the secrets allow-list; an
unknown account sees "No access"; logout clears the cookie and the next visit sees the
login view again. Also checks the readiness route /healthz.
"""

from __future__ import annotations

import os
import threading
import urllib.request
from collections.abc import Iterator

import pytest
from browsertools import CHROMIUM, FLAGS, free_port, settle, streamlit_server

ADMIN = "ann@example.com"
STRANGER = "zed@elsewhere.org"

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    """A local OpenID provider on 127.0.0.1 with one predefined user (the admin)."""
    mock = pytest.importorskip(
        "oidc_provider_mock", reason="oidc-provider-mock is not installed (requirements-dev)")
    import werkzeug.serving

    before = os.environ.get("AUTHLIB_INSECURE_TRANSPORT")
    os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"  # plain http on loopback
    app = mock.app(user_claims=[mock.User(sub=ADMIN, claims={
        "email": ADMIN, "email_verified": True, "name": "Ann Admin"})])
    server = werkzeug.serving.make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                              daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(5)
        server.server_close()
        if before is None:
            os.environ.pop("AUTHLIB_INSECURE_TRANSPORT", None)
        else:
            os.environ["AUTHLIB_INSECURE_TRANSPORT"] = before


@pytest.fixture(scope="module")
def server(provider, demo_db, tmp_path_factory) -> Iterator[str]:
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium): login test skipped")
    pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    secrets = tmp_path_factory.mktemp("hosted") / "secrets.toml"
    secrets.write_text(f"""
[auth]
redirect_uri = "{base}/oauth2callback"
cookie_secret = "e2e-test-cookie-secret-{port}-0123456789abcdef"
client_id = "smmkpi-e2e"
client_secret = "e2e-client-secret"
server_metadata_url = "{provider}/.well-known/openid-configuration"

[smmkpi.roles]
admins = ["{ADMIN}"]
""")
    env = {**os.environ, "SMMKPI_DATABASE_URL": demo_db, "AUTHLIB_INSECURE_TRANSPORT": "1"}
    log = secrets.with_name("streamlit.log")
    with streamlit_server("serve.py", port, env, secrets, log) as served:
        assert served == base
        yield base


@pytest.fixture
def browser(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


def identity_cookie(context) -> list[str]:
    return [c["name"] for c in context.cookies() if c["name"].startswith("_streamlit_user")]


def login_as(page, base: str, sub: str) -> None:
    """On the login view: click Log in, pick or type the account at the provider."""
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/oauth2/authorize**", timeout=30_000)
    predefined = page.locator(f'button[name="sub"][value="{sub}"]')
    if predefined.count():
        predefined.click()
    else:
        page.fill('input[name="sub"]', sub)
        page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(lambda url: url.startswith(base) and "oauth2callback" not in url,
                      timeout=30_000)
    settle(page)


def test_readiness_route_checks_the_database(server):
    body = urllib.request.urlopen(server + "/healthz", timeout=10).read()
    assert body == b"ok"


def test_login_cookie_session_and_logout(server, browser):
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    page = context.new_page()

    # Before login: the login view only, no sidebar, no data, even at a page's URL. The
    # first visit of this fresh server goes to a page's URL, which Streamlit's legacy
    # pages/ handling would run without app.py (the readiness test above runs no script).
    for path in ("/overview", "/admin", "/"):
        page.goto(server + path)
        settle(page)
        assert page.get_by_role("button", name="Log in").is_visible()
        assert page.locator('[data-testid="stSidebar"]').count() == 0
        assert page.locator('[data-testid="stMetric"]').count() == 0
        assert page.locator('[data-testid="stDataFrame"]').count() == 0
    assert identity_cookie(context) == []

    # Log in at the provider: back on the dashboard with the identity cookie.
    login_as(page, server, ADMIN)
    page.wait_for_selector('[data-testid="stMetric"]', timeout=90_000)
    assert identity_cookie(context), "no identity cookie after login"
    sidebar = page.locator('[data-testid="stSidebar"]')
    assert "Ann Admin" in sidebar.inner_text()
    assert sidebar.get_by_role("link", name="Admin").count() == 1

    # A new tab is a new Streamlit session: logged in by the cookie alone.
    other = context.new_page()
    other.goto(server + "/admin")
    settle(other)
    other.wait_for_selector('h1:has-text("Admin")', timeout=90_000)
    assert other.get_by_text("Audit log").count() >= 1
    other.close()

    # Log out: the provider's end-session page, then back to the app, logged out.
    page.locator('[data-testid="stSidebar"]').get_by_role("button", name="Log out").click()
    page.wait_for_url("**/oauth2/end_session**", timeout=30_000)
    page.get_by_role("button", name="End session").click()
    page.wait_for_url(lambda url: "/oauth2/" not in url or url.endswith("/oauth2callback"),
                      timeout=30_000)
    page.goto(server + "/")
    settle(page)
    assert identity_cookie(context) == []
    assert page.get_by_role("button", name="Log in").is_visible()
    assert page.locator('[data-testid="stMetric"]').count() == 0

    # An account no rule lets in: "No access" and a logout button, nothing else.
    login_as(page, server, STRANGER)
    page.wait_for_selector('h1:has-text("No access")', timeout=90_000)
    assert page.locator('[data-testid="stSidebar"]').count() == 0
    assert page.locator('[data-testid="stMetric"]').count() == 0
    assert page.get_by_role("button", name="Log out").is_visible()
    context.close()
