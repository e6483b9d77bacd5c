"""serve.py's readiness route: 200 when the database answers, 503 (and no secrets in the
body) when it does not. Run in a subprocess: importing serve.py builds an `st.App`, which
pins process-wide Streamlit config that other tests must not inherit."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROBE = """
import json
from starlette.applications import Starlette
from starlette.routing import Route
from starlette.testclient import TestClient
import serve

client = TestClient(Starlette(routes=[Route("/healthz", serve.healthz)]))
r = client.get("/healthz")
print(json.dumps({"status": r.status_code, "body": r.text,
                  "cache": r.headers.get("cache-control")}))
"""


def probe(url: str) -> dict:
    env = {**os.environ, "SMMKPI_DATABASE_URL": url}
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_ready_when_the_database_answers(tmp_path):
    assert probe(f"sqlite:///{tmp_path / 'ready.db'}") == {
        "status": 200, "body": "ok", "cache": "no-store"}


def test_not_ready_when_the_database_does_not_answer():
    # port 1 on loopback: nothing listens there; the password must not leak into the body
    got = probe("postgresql://smmkpi:s3cret-pw@127.0.0.1:1/smmkpi?connect_timeout=2")
    assert got["status"] == 503
    assert got["body"] == "database unavailable"


def test_secrets_example_is_complete_and_holds_no_secret():
    """The documented example parses, has every setting st.login needs, and its role lists
    are valid; its values are placeholders."""
    import tomllib

    from smmkpi.roles import AllowList
    from smmkpi.ui.auth import login_providers

    doc = tomllib.loads((ROOT / ".streamlit" / "secrets.toml.example").read_text())
    auth = doc["auth"]
    assert {"redirect_uri", "cookie_secret", "client_id", "client_secret",
            "server_metadata_url"} <= set(auth)
    assert auth["redirect_uri"].endswith("/oauth2callback")
    assert all(auth[k].startswith("REPLACE") for k in ("cookie_secret", "client_id",
                                                        "client_secret"))
    assert login_providers(auth) == [None]
    allow = AllowList.parse(doc["smmkpi"]["roles"])
    assert set(allow.rules.values()) == {"admin", "editor", "viewer"}


def test_login_providers_default_and_named():
    from smmkpi.ui.auth import login_providers

    assert login_providers({"redirect_uri": "x", "cookie_secret": "y"}) == []
    assert login_providers({
        "redirect_uri": "x", "cookie_secret": "y",
        "google": {"client_id": "a", "client_secret": "b", "server_metadata_url": "c"},
        "microsoft": {"client_id": "a", "client_secret": "b", "server_metadata_url": "c"},
    }) == ["google", "microsoft"]


def test_dockerfile_is_small_standard_and_safe():
    text = (ROOT / "Dockerfile").read_text()
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    assert lines[0] == "FROM python:3.11-slim"
    assert any(ln.startswith("USER ") and "root" not in ln for ln in lines)
    healthcheck = text.split("\nHEALTHCHECK", 1)[1].split("\nCMD", 1)[0]
    assert "/_stcore/health" in healthcheck
    assert lines[-1].startswith('CMD ["streamlit", "run", "serve.py"')
    assert '"--server.address", "0.0.0.0"' in lines[-1]
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert ".streamlit/secrets.toml" in ignored and ".venv" in ignored


METRICS_PROBE = """
import json
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient
import serve

serve._hosted = lambda: {hosted}
inner = Starlette(routes=[Route("/_stcore/metrics", lambda r: PlainTextResponse("m 1")),
                          Route("/_stcore/health", lambda r: PlainTextResponse("ok"))],
                  middleware=[Middleware(serve.CloseInternals)])
client = TestClient(inner)
print(json.dumps([client.get(p).status_code for p in
                  ("/_stcore/metrics", "/_stcore/metrics/", "/_stcore/health")]))
"""


@pytest.mark.parametrize(("hosted", "codes"), [(True, [404, 404, 200]),
                                               (False, [200, 200, 200])])
def test_metrics_are_closed_when_hosted(hosted, codes, tmp_path):
    env = {**os.environ, "SMMKPI_DATABASE_URL": f"sqlite:///{tmp_path / 'm.db'}"}
    out = subprocess.run([sys.executable, "-c", METRICS_PROBE.format(hosted=hosted)], cwd=ROOT,
                         env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    assert json.loads(out.stdout.strip().splitlines()[-1]) == codes
