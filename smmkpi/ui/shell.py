"""The app's frame: page config, the login gate, the navigation and the sidebar.

`app.py` is `setup().run()`. A page that finds itself run without app.py (Streamlit's
legacy pages/ mode, see `context.current`) calls `setup()` itself, so every page always
has the same frame, whichever way it was reached.
"""

from __future__ import annotations

import logging
import os
import threading
import time

import streamlit as st

from smmkpi.config import get_settings
from smmkpi.ui import auth, hosting, warmup
from smmkpi.ui.sections import fail_page
from smmkpi.ui.sidebar import render_sidebar
from smmkpi.ui.slots import FairSlots

log = logging.getLogger("smmkpi.runs")
if not logging.getLogger("smmkpi").handlers:  # Streamlit configures only its own loggers
    _handler = logging.StreamHandler()
    _handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    logging.getLogger("smmkpi").addHandler(_handler)
    logging.getLogger("smmkpi").setLevel(os.environ.get("SMMKPI_LOG_LEVEL", "WARNING").upper())

# (section, file, title, icon); the first page is the default
PAGES: list[tuple[str, str, str, str]] = [
    ("", "pages/overview.py", "Overview", ":material/dashboard:"),
    ("Performance", "pages/targets.py", "Targets", ":material/flag:"),
    ("Performance", "pages/goals.py", "Goals", ":material/category:"),
    ("Performance", "pages/content.py", "Content", ":material/article:"),
    ("Traffic and sales", "pages/traffic.py", "Traffic", ":material/travel_explore:"),
    ("Traffic and sales", "pages/journeys.py", "Journeys", ":material/route:"),
    ("Traffic and sales", "pages/retention.py", "Retention", ":material/autorenew:"),
    ("Community", "pages/community.py", "Community", ":material/forum:"),
    ("Community", "pages/reputation.py", "Reputation & audience", ":material/campaign:"),
    ("Data", "pages/upload.py", "Upload", ":material/upload_file:"),
    ("Data", "pages/alerts.py", "Alerts", ":material/notifications:"),
]
ADMIN_PAGE = ("Data", "pages/admin.py", "Admin", ":material/admin_panel_settings:")


def dashboard_pages() -> list[str]:
    """The pages the warm-up opens (`smmkpi.ui.warmup`), as page names ('' the default
    page): every page that shows figures, not Upload, Alerts or Admin (forms, nothing to
    compute ahead)."""
    names = [os.path.splitext(os.path.basename(file))[0] for _, file, _, _ in PAGES]
    return [""] + [n for n in names[1:] if n not in ("upload", "alerts")]


def page_files(include_admin: bool = True) -> list[str]:
    """Every page file the navigation can show (tests iterate over these)."""
    return [p[1] for p in PAGES] + ([ADMIN_PAGE[1]] if include_admin else [])


def sections() -> dict[str, list[st.Page]]:
    """The navigation for the current user (Admin only for admins)."""
    out: dict[str, list[st.Page]] = {}
    specs = PAGES + ([ADMIN_PAGE] if auth.can("admin") else [])
    for i, (section, path, title, icon) in enumerate(specs):
        out.setdefault(section, []).append(st.Page(path, title=title, icon=icon, default=i == 0))
    return out


def setup() -> st.Page:
    """Page config, login gate, navigation and sidebar; returns the page to run."""
    st.set_page_config(page_title="smmkpi", page_icon=":material/insights:", layout="wide")
    if hosting.hosted():  # no tracebacks (hosts, ports, install paths) for viewers
        st.set_option("client.showErrorDetails", "none")
    from smmkpi.ui.components import page_style

    page_style()
    auth.gate()  # hosted: only the login or no-access view until the user has a role
    page = st.navigation(sections())
    render_sidebar()
    _scheduler()
    return page


def _scheduler() -> None:
    """SMMKPI_SCHEDULER=on: alerts and digests from this process (smmkpi.notify.scheduler)."""
    from smmkpi.config import load_notify_settings

    try:
        if not load_notify_settings().scheduler:
            return
        from smmkpi.notify import scheduler
        from smmkpi.ui import cache

        scheduler.ensure_started(lambda: cache.engine(get_settings().database_url))
    except Exception:  # noqa: BLE001 - a page never fails for the scheduler
        log.exception("the in-process scheduler could not start")


_slots: FairSlots | None = None
_slots_lock = threading.Lock()


def _run_slots() -> FairSlots:
    """At most `SMMKPI_CONCURRENT_RUNS` page runs execute at once (default 3). Every run
    holds Python's lock most of the time; fifty runs at once share it so thinly that each
    takes fifty times as long and the server's own event loop (health checks, websockets)
    starves. Queued runs wait without holding it and start in the order they came, as
    slots free up (`smmkpi.ui.slots`)."""
    global _slots
    with _slots_lock:
        if _slots is None:
            _slots = FairSlots(get_settings().concurrent_runs)
        return _slots


def _busy() -> None:
    """No run slot within the budget: the frame without the page. The login gate and the
    navigation still run (cheap, no figures), so the viewer keeps the sidebar's pages and
    can try again; without `st.navigation` the browser would lose its page links."""
    log.warning("run refused: no run slot within %.0f s", get_settings().section_budget_s)
    try:
        st.set_page_config(page_title="smmkpi", page_icon=":material/insights:", layout="wide")
        auth.gate()
        st.navigation(sections())
        st.warning("The dashboard is busy with other viewers' pages; open this page again "
                   "in a moment.", icon=":material/hourglass_top:")
        st.button("Try again", icon=":material/refresh:", key="busy_retry")  # a click reruns
    except BaseException as exc:
        fail_page(exc)


def run() -> None:
    """The whole script run of app.py: a run slot, the frame, then the page. Whatever
    fails (a dropped database, a bug) ends the run with a message instead of a traceback
    or a blank page (`sections.fail_page`). Logs the run's time at INFO
    (`SMMKPI_LOG_LEVEL=INFO`: one line per run, what the load benchmark reads), with how
    long it waited for a slot."""
    t0 = time.perf_counter()
    name = "?"
    slots = _run_slots()
    waited = 0.0
    if not slots.acquire(timeout=get_settings().section_budget_s):
        _busy()
        return
    try:
        waited = time.perf_counter() - t0
        page = setup()
        name = page.url_path or "overview"
        page.run()
    except BaseException as exc:
        fail_page(exc)
    finally:
        slots.release()
        warming = warmup.is_warmup()
        log.info("%s page=%s seconds=%.3f waited=%.3f", "warm-up run" if warming else "run",
                 name, time.perf_counter() - t0, waited)
        if not warming:  # new stored data (or a fresh process): warm its pages
            warmup.after_run(get_settings().database_url, dashboard_pages())
