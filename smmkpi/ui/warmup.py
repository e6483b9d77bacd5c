"""Warm-up: the server opens every dashboard page once by itself, so viewers find the
figures of the default view already computed.

A page's first run after a restart, or after an import (a new data version: every cached
figure is keyed by it), reads and computes what it shows; at a large brand's scale that
takes seconds per page, and twenty viewers arriving together all wait for it. The warm-up
is one server-side session with no browser behind it (`Runtime.connect_session` with a
client that drops what it is sent, like Streamlit's own agent sessions) that runs each
dashboard page in turn, through app.py like any viewer: same login gate, same run slots,
same caches. It runs
- when `serve.py` starts (its lifespan hook), before the first visitor;
- after the first run of a process started with `streamlit run app.py`;
- after any run that finds a data version it has not warmed (an import, on any instance).
One at a time per process, one page at a time: it holds one run slot of
`SMMKPI_CONCURRENT_RUNS` at most. `SMMKPI_WARMUP=off` switches it off.

Hosted, the session is let through the login gate as a viewer (the least right there is)
by a random token in its user info, made when the process starts and never leaving it:
a browser's user info comes from Streamlit's signed identity cookie and cannot carry it.
Its runs are logged as `warm-up run page=...`, apart from the viewers' `run page=...`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import streamlit as st
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from smmkpi.config import get_settings
from smmkpi.ui import cache

log = logging.getLogger("smmkpi.warmup")

_KEY = "smmkpi_warmup"
_TOKEN = secrets.token_urlsafe(32)
PAGE_TIMEOUT_S = 180.0

_lock = threading.Lock()
_warmed: set[tuple[str, int]] = set()  # (database URL, data version) warmed or warming
_running = False


def user_info() -> dict[str, Any]:
    """The warm-up session's user info: logged in, no email, the process's token."""
    return {"is_logged_in": True, "name": "warm-up", _KEY: _TOKEN}


def is_warmup() -> bool:
    """Is this run the warm-up session's? (False outside a script run.)"""
    try:
        claimed = st.user.get(_KEY)
    except Exception:  # noqa: BLE001 - st.user outside a script run
        return False
    return isinstance(claimed, str) and secrets.compare_digest(claimed, _TOKEN)


@dataclass
class _Client:
    """A SessionClient that keeps only what the warm-up needs: when a run finished and
    the error boxes it showed."""

    finished: threading.Event = field(default_factory=threading.Event)
    errors: list[str] = field(default_factory=list)

    def write_forward_msg(self, msg: Any) -> None:
        kind = msg.WhichOneof("type")
        if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            el = msg.delta.new_element
            which = el.WhichOneof("type")
            if which == "exception":
                self.errors.append(el.exception.message[:200])
            elif which == "alert" and el.alert.format == el.alert.ERROR:
                self.errors.append(el.alert.body[:200])
        elif kind == "script_finished" and (
                msg.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN):
            self.finished.set()  # (a run cut short for a rerun goes on in that rerun)

    @property
    def client_context(self) -> None:
        return None


def _event_loop() -> asyncio.AbstractEventLoop | None:
    """The running Streamlit server's event loop (where sessions are made), or None."""
    from streamlit.runtime import Runtime

    if not Runtime.exists():
        return None
    runtime = Runtime.instance()
    if type(runtime) is not Runtime:  # AppTest's stand-in: no server, nothing to warm
        return None
    try:
        return runtime._get_async_objs().eventloop  # noqa: SLF001 - no public way
    except RuntimeError:  # not started yet
        return None


def _on_loop(loop: asyncio.AbstractEventLoop, fn: Any, *args: Any) -> Any:
    async def call() -> Any:
        return fn(*args)

    return asyncio.run_coroutine_threadsafe(call(), loop).result(timeout=30)


def warm(url: str, pages: list[str], version: int | None = None) -> dict[str, float]:
    """Open each of `pages` (page names, '' the default page) once in a server-side
    session and wait for each run; returns {page: seconds}. Logs one line with the times
    (a WARNING naming the page if one showed an error or did not finish). Blocks: callers
    use `start`."""
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.runtime import Runtime

    loop = _event_loop()
    if loop is None:
        raise RuntimeError("no running Streamlit server to warm")
    runtime = Runtime.instance()
    client = _Client()
    session_id = _on_loop(loop, lambda: runtime.connect_session(client=client,
                                                                user_info=user_info()))
    times: dict[str, float] = {}
    problems: list[str] = []
    t_all = time.perf_counter()
    try:
        for page in pages:
            client.finished.clear()
            client.errors.clear()
            msg = BackMsg()
            msg.rerun_script.page_name = page
            t0 = time.perf_counter()
            _on_loop(loop, runtime.handle_backmsg, session_id, msg)
            if not client.finished.wait(PAGE_TIMEOUT_S):
                problems.append(f"{page or 'overview'} did not finish in {PAGE_TIMEOUT_S:.0f} s")
                break
            times[page or "overview"] = time.perf_counter() - t0
            if client.errors:
                problems.append(f"{page or 'overview'} showed: {client.errors[0]}")
    finally:
        with contextlib.suppress(Exception):  # the server is stopping
            _on_loop(loop, runtime.close_session, session_id)
    figures = ", ".join(f"{p} {s:.2f} s" for p, s in times.items())
    what = f"data version {version}" if version is not None else "the stored data"
    if problems:
        log.warning("warm-up of %s: %s (%s)", what, "; ".join(problems), figures)
    else:
        log.info("warm-up of %s: %d pages in %.2f s (%s)", what, len(times),
                 time.perf_counter() - t_all, figures)
    return times


def enabled() -> bool:
    return get_settings().warmup


def start(url: str, pages: list[str], version: int | None) -> bool:
    """Warm `url`'s `pages` in a background thread unless this version is warmed or being
    warmed, or another warm-up is running (the next run after it starts the next); True if
    one was started."""
    global _running
    if not enabled():
        return False
    with _lock:
        if _running or (version is not None and (url, version) in _warmed):
            return False
        _running = True
        if version is not None:
            _warmed.add((url, version))

    def job() -> None:
        global _running
        try:
            warm(url, pages, version)
        except Exception:  # noqa: BLE001 - a warm-up never takes the server down
            log.exception("warm-up failed")
        finally:
            with _lock:
                _running = False

    threading.Thread(target=job, name="smmkpi-warmup", daemon=True).start()
    return True


def after_run(url: str, pages: list[str]) -> None:
    """Called at the end of every viewer's run (smmkpi.ui.shell): start a warm-up when the
    stored data has a version this process has not warmed."""
    if not enabled() or is_warmup() or _event_loop() is None:
        return
    try:
        version = cache.data_version(url)
    except Exception:  # noqa: BLE001 - the database is down: the page said so already
        return
    start(url, pages, version)


def start_when_served(url: str, pages: list[str]) -> None:
    """`serve.py`'s lifespan: warm once the server takes sessions (in a thread that waits
    for the runtime's loop, at most a minute)."""
    if not enabled():
        return

    def wait_then_start() -> None:
        for _ in range(600):
            if _event_loop() is not None:
                break
            time.sleep(0.1)
        try:
            from smmkpi import db, store

            engine = db.make_engine(url)
            try:
                version: int | None = store.data_version(engine)
            finally:
                engine.dispose()
        except Exception:  # noqa: BLE001 - warmed at the first run instead
            version = None
        start(url, pages, version)

    threading.Thread(target=wait_then_start, name="smmkpi-warmup-wait", daemon=True).start()
