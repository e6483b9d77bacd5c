"""The Alerts page (AppTest): an editor adds a rule, a digest and an annotation, which are
stored with the audit log; the annotation shows on the Overview's list and as a marker on
its trend chart; the "Export this page as PDF" download carries the page's KPI table."""

from __future__ import annotations

import datetime as dt
import io
import json

import pagetools
import polars as pl
import pytest
from pypdf import PdfReader

from smmkpi import db, store
from smmkpi.config import get_settings

PAGE = "pages/alerts.py"


@pytest.fixture
def writable_db(tmp_path, monkeypatch, demo_frames):
    url = f"sqlite:///{tmp_path / 'alerts.db'}"
    engine = db.make_engine(url)
    db.migrate(engine)
    store.write_frames(engine, demo_frames, actor="test", action="demo")
    monkeypatch.setenv("SMMKPI_DATABASE_URL", url)
    get_settings.cache_clear()
    yield engine
    get_settings.cache_clear()
    db.close_pools()


def _button(at, label: str):
    return next(b for b in at.button if b.label == label)


def test_an_editor_adds_a_rule_a_digest_and_an_annotation(writable_db):
    engine = writable_db
    at = pagetools.open_page(PAGE, no_errors=True)
    assert at.title[0].value == "Alerts"
    at.selectbox(key="rule_kind").set_value("sla_share").run()
    at.text_input(key="rule_name_0_sla_share").set_value("Care SLA")
    at.text_input(key="rule_threshold_0_sla_share").set_value("90")
    at.text_input(key="rule_emails_0_sla_share").set_value("care@example.com")
    _button(at, "Save rule").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    rules = store.read_rows(engine, "rules")
    assert rules["name"].to_list() == ["Care SLA"]
    assert json.loads(rules["params"].item()) == {"threshold": 0.9, "days": 7}
    assert "Added the alert rule" in " ".join(s.value for s in at.success)

    at = pagetools.open_page(PAGE, no_errors=True)  # a fresh session, as after a reload
    at.text_input(key="note_title_new").set_value("Launch: winter range")
    at.date_input(key="note_date_new").set_value(dt.date(2026, 10, 20))
    _button(at, "Save annotation").click().run()
    assert not at.error, [e.value for e in at.error]
    notes = store.read_dataset(engine, "annotations")
    assert "Launch: winter range" in notes["title"].to_list()
    log = store.audit_log(engine)
    assert "annotations_edit" in log["action"].to_list()
    assert "alerts_edit" in log["action"].to_list()

    ov = pagetools.open_page("pages/overview.py", no_errors=True)
    listed = pl.from_pandas(ov.dataframe[-1].value)
    assert "Launch: winter range" in listed["Title"].to_list()
    trend = pagetools.figures(ov, annotations=True)[0]
    marker = [t for t in trend["data"] if t.get("name") == "Annotations"]
    assert marker and any("Launch: winter range" in h for h in marker[0]["hovertext"])


def test_a_bad_value_is_refused_with_nothing_stored(writable_db):
    at = pagetools.open_page(PAGE, no_errors=True)
    at.selectbox(key="rule_kind").set_value("unanswered").run()
    at.text_input(key="rule_name_0_unanswered").set_value("Waiting")
    at.text_input(key="rule_hours_0_unanswered").set_value("soon")
    at.text_input(key="rule_emails_0_unanswered").set_value("care@example.com")
    _button(at, "Save rule").click().run()
    assert "Waiting longer than (hours): " in " ".join(e.value for e in at.error)
    assert store.read_rows(writable_db, "rules").height == 0


def test_export_this_page_as_pdf(app_env, monkeypatch):
    downloads = pagetools.Downloads().install(monkeypatch)
    at = pagetools.open_page("pages/community.py", no_errors=True)
    assert not at.exception
    name = next(n for n in downloads.names if n.startswith("smmkpi-community-"))
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(downloads.get(name))).pages)
    assert text.startswith("Community: ")
    for label in ("Response rate", "Within SLA", "Unanswered now"):
        assert label.lower() in text.lower()


def test_an_alert_s_link_opens_its_period_and_filters(app_env):
    """The query of `links.page_link` is what the sidebar reads (labels, repeated dates)."""
    from urllib.parse import parse_qs, urlsplit

    from smmkpi.notify.links import page_link
    from smmkpi.workspace import Period

    link = page_link("https://d.example", "overview", Period(dt.date(2026, 10, 1),
                                                              dt.date(2026, 10, 14)),
                     campaigns=("youtube_howto_2026",), platforms=("youtube",),
                     campaign_names={"youtube_howto_2026": "YouTube how-to series"})
    query = {k: v if len(v) > 1 else v[0] for k, v in parse_qs(urlsplit(link).query).items()}
    at = pagetools.open_page("pages/community.py", query, no_errors=True)
    assert at.selectbox(key="range").value == "custom"
    assert at.multiselect(key="campaign").value == ["youtube_howto_2026"]
    assert at.multiselect(key="platform").value == ["youtube"]
    captions = " ".join(c.value for c in at.sidebar.caption)
    assert "2026-10-01 – 2026-10-14** (14 days)" in captions
