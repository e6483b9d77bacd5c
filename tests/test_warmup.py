"""The warm-up (smmkpi.ui.warmup): the server opens every dashboard page itself when it
starts (serve.py) and after an import, so the first viewers find the figures computed.

Proves on real servers: hosted, the warm-up session passes the login gate as a viewer
(every dashboard page ran, none showed the login view) while an anonymous session still
gets only the login; after an import into the database, the next viewer's run starts a
warm-up of the new data version; SMMKPI_WARMUP=off switches it off. A forged token in a
session's user info is not the warm-up's."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from browsertools import ROOT, free_port, streamlit_server
from loadtools import run_load

pytestmark = [pytest.mark.slow]

DONE = re.compile(r"smmkpi\.warmup warm-up of data version (\d+): (\d+) pages in ([0-9.]+) s "
                  r"\((.*)\)")


def _wait_for(log: Path, pattern: re.Pattern[str], count: int = 1,
              timeout_s: float = 180) -> list[re.Match[str]]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = list(pattern.finditer(log.read_text()))
        if len(found) >= count:
            return found
        time.sleep(0.5)
    pytest.fail(f"no {pattern.pattern!r} x{count} in the log: " + log.read_text()[-3000:])


def _one_load(base: str, path: str = "/") -> None:
    result = run_load(base, [path], sessions=0, seconds=0.5, timeout_s=120, protocol=1)
    assert result.loads and not result.failed, [x.error for x in result.failed]


def _pages() -> list[str]:
    from smmkpi.ui.shell import dashboard_pages

    return [p or "overview" for p in dashboard_pages()]


def test_the_dashboard_pages_to_warm():
    pages = _pages()
    assert pages[0] == "overview" and "retention" in pages and "reputation" in pages
    assert not {"upload", "alerts", "admin"} & set(pages)


def test_hosted_server_warms_every_page_at_start_past_the_login_gate(demo_db, tmp_path):
    port = free_port()
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(f"""
[auth]
redirect_uri = "http://127.0.0.1:{port}/oauth2callback"
cookie_secret = "warmup-test-cookie-secret-0123456789abcdef"
client_id = "smmkpi-warmup-test"
client_secret = "warmup-client-secret"
server_metadata_url = "http://127.0.0.1:9/.well-known/openid-configuration"

[smmkpi.roles]
viewers = ["@example.com"]
""")
    log = tmp_path / "streamlit.log"
    env = {**os.environ, "SMMKPI_DATABASE_URL": demo_db, "SMMKPI_LOG_LEVEL": "INFO"}
    with streamlit_server("serve.py", port, env, secrets, log) as base:
        # nobody has visited: serve.py's start warmed every dashboard page
        done = _wait_for(log, DONE)[0]
        text = log.read_text()
        assert "WARNING smmkpi.warmup" not in text, text[-3000:]
        assert int(done[2]) == len(_pages())
        warmed = re.findall(r"warm-up run page=(\S+)", text)
        assert warmed == _pages(), warmed  # each page itself, none the login view
        assert re.findall(r"smmkpi\.runs run page=", text) == []  # no viewer's run yet
        # an anonymous viewer still gets only the login view
        _one_load(base, "/retention")
        runs = re.findall(r"smmkpi\.runs run page=(\S+)", log.read_text())
        assert runs and set(runs) == {"?"}, runs  # the login gate ended each run first


def test_an_import_is_warmed_after_the_next_run(tmp_path):
    db = tmp_path / "demo.db"
    url = f"sqlite:///{db}"
    env = {**os.environ, "SMMKPI_DATABASE_URL": url, "SMMKPI_LOG_LEVEL": "INFO"}
    subprocess.run([sys.executable, "-m", "smmkpi", "demo"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    log = tmp_path / "streamlit.log"
    with streamlit_server("app.py", free_port(), env, tmp_path / "no-secrets.toml",
                          log) as base:
        assert DONE.search(log.read_text()) is None  # app.py: nothing before a first run
        _one_load(base)
        first = _wait_for(log, DONE)[0]
        assert int(first[2]) == len(_pages())
        imported = subprocess.run(
            [sys.executable, "-m", "smmkpi", "import",
             str(ROOT / "tests/data/good/orders_canonical.csv")],
            cwd=ROOT, env=env, capture_output=True, text=True)
        assert imported.returncode == 0, imported.stderr
        time.sleep(6)  # the app re-reads the data version every 5 s
        _one_load(base, "/targets")
        second = _wait_for(log, DONE, count=2)[1]
        assert int(second[1]) > int(first[1]), (first[0], second[0])
        assert "WARNING smmkpi.warmup" not in log.read_text()


def test_warmup_off(tmp_path, demo_db):
    log = tmp_path / "streamlit.log"
    env = {**os.environ, "SMMKPI_DATABASE_URL": demo_db, "SMMKPI_LOG_LEVEL": "INFO",
           "SMMKPI_WARMUP": "off"}
    with streamlit_server("serve.py", free_port(), env, tmp_path / "no-secrets.toml",
                          log) as base:
        _one_load(base)
        time.sleep(3)
    assert "warm-up" not in log.read_text()


def test_a_forged_token_is_not_the_warmup(monkeypatch):
    from smmkpi.ui import warmup

    class FakeSt:
        def __init__(self, info):
            self.user = info

    monkeypatch.setattr(warmup, "st", FakeSt({"smmkpi_warmup": "guessed"}))
    assert not warmup.is_warmup()
    monkeypatch.setattr(warmup, "st", FakeSt({"smmkpi_warmup": ["a list"]}))
    assert not warmup.is_warmup()
    monkeypatch.setattr(warmup, "st", FakeSt(warmup.user_info()))
    assert warmup.is_warmup()


def test_warmup_setting(monkeypatch):
    from smmkpi.config import load_settings

    monkeypatch.setenv("SMMKPI_WARMUP", "off")
    assert load_settings().warmup is False
    monkeypatch.setenv("SMMKPI_WARMUP", "")
    assert load_settings().warmup is True
    monkeypatch.setenv("SMMKPI_WARMUP", "sometimes")
    with pytest.raises(ValueError, match="SMMKPI_WARMUP must be on or off"):
        load_settings()
