"""A page section fails on its own, says so, and never holds the server.

- `section(title)`: a block of a page. Any exception inside it (a Polars panic is a
  `BaseException`, a dropped database connection an `OperationalError`) ends that block
  with a message naming it; the rest of the page still renders. Details go to the server
  log, with a short reference the message shows; in local use the traceback is shown too,
  when hosted never (no host names, ports or install paths on screen).
- `run_budgeted(key, fn)`: a computation with a time budget (`SMMKPI_SECTION_BUDGET_S`,
  default 30 s). Past it the section stops waiting and says the figures are still being
  prepared; the work carries on in a small shared pool and the next visit gets its result.
  Viewers asking for the same key while it runs wait for the same work, never start it
  again.
- `fail_page(exc)`: the same for a whole run (the app's last resort).
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import logging
import secrets
import threading
from collections.abc import Callable, Hashable, Iterator
from typing import Any, TypeVar

import streamlit as st
from streamlit.runtime.scriptrunner import add_script_run_ctx, get_script_run_ctx
from streamlit.runtime.scriptrunner_utils.exceptions import ScriptControlException

from smmkpi.config import get_settings

log = logging.getLogger("smmkpi.sections")
T = TypeVar("T")

# Work a section gave up waiting for keeps running here; two workers on a 2-core machine
# leave the script threads room to answer other viewers.
_POOL = concurrent.futures.ThreadPoolExecutor(max_workers=2, thread_name_prefix="smmkpi-work")
_INFLIGHT: dict[Hashable, concurrent.futures.Future[Any]] = {}
_LOCK = threading.RLock()  # re-entered: a done callback may run at once
_IN_WORKER = threading.local()  # set in the pool's threads: nested work runs in place


class StillRunning(Exception):
    """A computation passed its time budget; it goes on in the background."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"still running after {seconds:.0f} s")
        self.seconds = seconds


def _passes_through(exc: BaseException) -> bool:
    """Streamlit's own control flow (st.rerun, st.stop) and the process being told to stop
    are not failures."""
    return isinstance(exc, ScriptControlException | KeyboardInterrupt | SystemExit |
                      GeneratorExit)


def _database_down(exc: BaseException) -> bool:
    from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

    if isinstance(exc, OperationalError | InterfaceError):
        return True
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    name = type(exc).__module__ + "." + type(exc).__name__
    return name.startswith(("psycopg", "adbc_driver")) and "Operational" in name


def _hosted() -> bool:
    from smmkpi.ui import hosting

    try:
        return hosting.hosted()
    except Exception:  # secrets unreadable: be careful
        return True


def report_failure(what: str, exc: BaseException) -> None:
    """Show that `what` failed, in a sentence a manager can act on; log the details."""
    ref = secrets.token_hex(3)
    log.error("%s failed (ref %s)", what, ref, exc_info=exc)
    if isinstance(exc, StillRunning):
        st.info(f"**{what}** is still being prepared (over {exc.seconds:.0f} s). It carries "
                "on in the background: open the page again in a minute.",
                icon=":material/hourglass_top:")
        return
    if _database_down(exc):
        st.error(f"**{what}**: the database is not answering. Try again in a minute; if it "
                 f"persists, tell the person who runs smmkpi (reference {ref}).",
                 icon=":material/cloud_off:")
    else:
        st.error(f"**{what}** could not be shown ({type(exc).__name__}). The rest of the "
                 f"page is unaffected; the details are in the server log (reference {ref}).",
                 icon=":material/error:")
    if not _hosted():
        st.exception(exc)


@contextlib.contextmanager
def section(what: str) -> Iterator[None]:
    """A block of a page that fails on its own (see the module doc)."""
    try:
        yield
    except BaseException as exc:
        if _passes_through(exc):
            raise
        report_failure(what, exc)


def fail_page(exc: BaseException) -> None:
    """The last resort for a whole run: the page says it failed, the server carries on."""
    if _passes_through(exc):
        raise exc
    report_failure("This page", exc)


def _budget() -> float:
    return float(get_settings().section_budget_s)


def run_budgeted(key: Hashable, fn: Callable[[], T], budget: float | None = None) -> T:
    """`fn()`, shared by everyone asking for `key` while it runs, waited for at most
    `budget` seconds (the setting by default); `StillRunning` past that."""
    if getattr(_IN_WORKER, "active", False):
        return fn()  # already inside budgeted work: waiting on the pool could starve it
    budget = _budget() if budget is None else budget
    ctx = get_script_run_ctx()

    def work() -> T:
        _IN_WORKER.active = True
        if ctx is not None:  # Streamlit's caches inside fn know whose run this is
            add_script_run_ctx(threading.current_thread(), ctx)
        try:
            return fn()
        finally:
            _IN_WORKER.active = False

    with _LOCK:
        future = _INFLIGHT.get(key)
        if future is None:
            future = _POOL.submit(work)
            _INFLIGHT[key] = future
            future.add_done_callback(lambda f, k=key: _forget(k, f))
    try:
        return future.result(timeout=budget)
    except concurrent.futures.TimeoutError:
        raise StillRunning(budget) from None


def forget_finished() -> None:
    """Drop every finished computation from the in-flight table at once (it keeps them a
    minute for whoever gave up waiting): for a benchmark that times a page from empty
    caches after clearing Streamlit's."""
    with _LOCK:
        for key in [k for k, f in _INFLIGHT.items() if f.done()]:
            del _INFLIGHT[key]


def _forget(key: Hashable, future: concurrent.futures.Future[Any]) -> None:
    """A finished computation leaves the in-flight table once its result had a minute to be
    collected by whoever gave up waiting (st.cache_resource keeps it from then on)."""
    def drop() -> None:
        with _LOCK:
            if _INFLIGHT.get(key) is future:
                del _INFLIGHT[key]

    if future.exception() is not None:
        drop()  # a failure is not kept: the next visit tries again
        return
    timer = threading.Timer(60, drop)
    timer.daemon = True
    timer.start()
