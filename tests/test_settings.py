"""Settings a manager sees and an admin changes in the app: checked, stored with the audit
log, applied to every page and the report, and back to the default when set to it."""

from __future__ import annotations

import json

import pytest
from pagetools import ROOT, demo_settings
from streamlit.testing.v1 import AppTest

from smmkpi import config, store
from smmkpi.actions.settings import save_settings


@pytest.mark.parametrize(("key", "raw", "value"), [
    ("sla_minutes", " 90 ", 90), ("promo_share_max", "25", 0.25),
    ("promo_share_max", "12.5 %", 0.125), ("spike_sigma", "2.5", 2.5),
    ("spike_min_count", "5", 5), ("display_tz", "Europe/Berlin", "Europe/Berlin"),
    ("currency", "eur", "EUR"),
])
def test_typed_values_are_read(key, raw, value):
    assert config.parse_setting(key, raw) == value


@pytest.mark.parametrize(("key", "raw", "says"), [
    ("sla_minutes", "0", "between 1 and 10,080"), ("sla_minutes", "soon", "not a valid"),
    ("promo_share_max", "120", "between 0 % and 100 %"),
    ("display_tz", "Mars/Olympus", "not a time zone"), ("currency", "dollars", "three-letter"),
    ("database_url", "x", "not a setting"),
])
def test_bad_values_are_refused_with_the_setting_named(key, raw, says):
    with pytest.raises(ValueError, match=says):
        config.parse_setting(key, raw)


def test_saved_settings_are_audited_and_a_default_removes_the_override(sqlite_engine):
    defaults = config.load_settings()
    said = save_settings(sqlite_engine, {"sla_minutes": "90", "currency": "USD"}, defaults,
                         defaults, actor="ann@example.com")
    assert said == ["First-response SLA (minutes): 60 → 90"]  # USD is the default already
    assert store.setting_overrides(sqlite_engine) == {"sla_minutes": "90"}
    log = store.audit_log(sqlite_engine)
    assert log.row(0, named=True)["action"] == store.SETTINGS_ACTION
    assert "60 → 90" in log.row(0, named=True)["detail"]
    now = config.with_overrides(defaults, store.setting_overrides(sqlite_engine))
    assert now.sla_minutes == 90
    save_settings(sqlite_engine, {"sla_minutes": "60"}, now, defaults, actor="ann@example.com")
    assert store.setting_overrides(sqlite_engine) == {}
    with pytest.raises(ValueError, match="First-response SLA"):
        save_settings(sqlite_engine, {"sla_minutes": "-3"}, now, defaults, actor="x")


def test_a_stored_value_that_no_longer_parses_is_skipped(caplog):
    defaults = config.load_settings()
    out = config.with_overrides(defaults, {"sla_minutes": "forever", "currency": "EUR"})
    assert (out.sla_minutes, out.currency) == (60, "EUR")
    assert "stored setting ignored" in caplog.text


def test_the_community_page_and_the_report_follow_a_setting(tmp_path, demo_frames, capsys):
    from smmkpi import db
    from smmkpi.__main__ import main

    url = f"sqlite:///{tmp_path / 's.db'}"
    engine = db.make_engine(url)
    db.migrate(engine)
    store.write_frames(engine, demo_frames, actor="t", action="demo")
    defaults = config.load_settings()
    save_settings(engine, {"sla_minutes": "240", "currency": "EUR"}, defaults, defaults,
                  actor="t")
    with demo_settings(url):
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        at.run()
        at.switch_page("pages/community.py")
        at.run()
        assert not at.exception
        assert any("**240 minutes**" in c.value for c in at.caption)
        assert main(["--database", url, "report", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    import dataclasses
    import datetime as dt

    from smmkpi.kpis.catalog import CATALOG
    from smmkpi.workspace import DbSource, Period, Workspace

    src = DbSource(engine)
    end = src.bounds()[1]
    period = Period(end - dt.timedelta(days=27), end)
    at_sla = {m: CATALOG["within_sla_share"].compute(Workspace(
        src, period, settings=dataclasses.replace(defaults, sla_minutes=m))) for m in (60, 240)}
    assert at_sla[240] > at_sla[60]
    assert out["within_sla_share"] == pytest.approx(at_sla[240])
    assert main(["--database", url, "report", "--format", "md"]) == 0
    assert "€" in capsys.readouterr().out
