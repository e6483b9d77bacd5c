"""Sections fail on their own; a dropped database gives a message, not a traceback."""

from __future__ import annotations

import time

import pytest
from pagetools import ROOT
from streamlit.testing.v1 import AppTest


def _page_with_failing_sections():
    import polars as pl
    import streamlit as st

    from smmkpi.ui.sections import section

    st.title("Page")
    with section("Panicking chart"):
        raise pl.exceptions.PanicException("assertion failed: i < self.len()")
    with section("Broken table"):
        st.write("half of it")
        raise KeyError("platform")
    st.write("the rest of the page")


def test_each_section_fails_on_its_own_and_the_page_goes_on():
    at = AppTest.from_function(_page_with_failing_sections).run()
    assert not at.exception or all("Panic" not in e.value for e in at.exception)
    errors = [e.value for e in at.error]
    assert any("Panicking chart" in e and "PanicException" in e for e in errors), errors
    assert any("Broken table" in e and "KeyError" in e for e in errors), errors
    assert [m.value for m in at.markdown][-1] == "the rest of the page"


def _page_with_slow_work():
    import time

    import streamlit as st

    from smmkpi.ui.sections import run_budgeted, section

    with section("Slow figures"):
        run_budgeted(("slow", st.session_state.get("n", 0)), lambda: time.sleep(3) or 1,
                     budget=0.2)
    st.write("done")


def test_work_past_its_budget_is_cut_off_with_a_message():
    t0 = time.perf_counter()
    at = AppTest.from_function(_page_with_slow_work).run()
    assert time.perf_counter() - t0 < 2.5
    assert any("still being prepared" in i.value for i in at.info), [i.value for i in at.info]
    assert [m.value for m in at.markdown][-1] == "done"


def test_the_same_work_is_shared_while_it_runs():
    import threading

    from smmkpi.ui.sections import run_budgeted

    calls = []

    def slow():
        calls.append(1)
        time.sleep(0.5)
        return 42

    out = []
    threads = [threading.Thread(target=lambda: out.append(run_budgeted(("shared", 1), slow)))
               for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert out == [42] * 4 and len(calls) == 1


@pytest.mark.parametrize("hosted", [False, True])
def test_a_database_that_does_not_answer_gives_a_message(monkeypatch, tmp_path, hosted):
    from smmkpi.config import get_settings

    monkeypatch.setenv("SMMKPI_DATABASE_URL", "postgresql+psycopg://u@127.0.0.1:1/nothing")
    get_settings.cache_clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    if hosted:
        monkeypatch.setattr("smmkpi.ui.hosting.hosted", lambda: True)
        monkeypatch.setattr("smmkpi.ui.auth.gate", lambda: None)
    try:
        at.run()
    finally:
        get_settings.cache_clear()
    errors = [e.value for e in at.error]
    assert any("database is not answering" in e for e in errors), errors
    assert not any("127.0.0.1" in e or "5432" in e for e in errors)
    if hosted:
        assert not at.exception  # no traceback with host and port for viewers


@pytest.mark.parametrize(("page", "first", "later"), [
    ("overview", "The headline KPIs", "Annotations in this period"),
    ("traffic", "Traffic KPIs", "Channel groups"),
    ("community", "Community care KPIs", "By platform"),
])
def test_a_failing_block_of_a_real_page_leaves_the_rest(app_env, monkeypatch, page, first,
                                                        later):
    """The KPI tiles of the page fail (their values cannot be computed): the tiles' block
    says so by name and every later block still renders."""
    from smmkpi.ui import cache

    def broken(*_args, **_kwargs):
        raise RuntimeError("the KPI values are broken")

    monkeypatch.setattr(cache, "kpi_values", broken)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.run()
    at.switch_page(f"pages/{page}.py")
    at.run()
    # locally each failure's traceback is shown too (st.exception): only this one's
    assert {e.value for e in at.exception} == {"the KPI values are broken"}
    errors = [e.value for e in at.error]
    assert any(first in e and "RuntimeError" in e for e in errors), errors
    assert later in [s.value for s in at.subheader]


def test_a_run_without_a_slot_keeps_the_navigation(app_env, monkeypatch):
    """Every run slot taken for longer than the budget: the viewer is told the dashboard is
    busy, with the page links still there (a run without `st.navigation` drops them, and
    the next click would find nothing to click)."""
    import threading

    import streamlit as st

    from smmkpi.config import get_settings
    from smmkpi.ui import shell

    taken = threading.BoundedSemaphore(1)
    taken.acquire()
    monkeypatch.setattr(shell, "_run_slots", lambda: taken)
    monkeypatch.setenv("SMMKPI_SECTION_BUDGET_S", "0.2")
    get_settings.cache_clear()
    calls = []
    real = st.navigation
    monkeypatch.setattr(st, "navigation", lambda *a, **k: calls.append(a) or real(*a, **k))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    try:
        at.run()
    finally:
        get_settings.cache_clear()
    assert not at.exception, [e.value for e in at.exception]
    assert any("busy with other viewers" in w.value for w in at.warning)
    assert calls and "Performance" in calls[0][0]  # the page links, by section
    assert [b.label for b in at.button if b.key == "busy_retry"] == ["Try again"]
    assert not at.subheader  # no page ran
