"""Concurrent viewers against a running server: the load test and `benchmarks/load.py`.

Two kinds of simulated viewer, each its own Streamlit session opening page after page for
a fixed time and waiting for each run to finish:
- a browser viewer: its own context in one headless Chromium, clicking the sidebar's
  navigation; what a person waits for, but Chromium needs about a CPU-second per page, so
  on a 2-core machine a few of them load the client more than the server;
- a protocol viewer: a websocket speaking Streamlit's own messages (the BackMsg the
  browser sends to run a page, the ForwardMsgs back up to `script_finished`); the same
  work for the server at almost no cost for the client, so 50 of them measure the server.
A poller asks `/_stcore/health` every second meanwhile. The result says how many loads
finished, how long they took, which failed (an exception or error box, or a page still
running at the timeout) and whether the health check ever stopped answering.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import multiprocessing
import os
import statistics
import time
import urllib.request
from dataclasses import dataclass, field

from browsertools import CHROMIUM, FLAGS, IDLE

CLIENT_NICENESS = 10
ERRORS = '[data-testid="stException"], [data-testid="stAlertContentError"]'
BUSY = "The dashboard is busy with other viewers' pages"  # smmkpi.ui.shell._busy


@dataclass
class Load:
    path: str
    seconds: float
    error: str | None = None
    kind: str = "browser"  # or "protocol"


@dataclass
class LoadResult:
    sessions: int
    seconds: float
    loads: list[Load] = field(default_factory=list)
    health_failures: list[str] = field(default_factory=list)
    health_checks: int = 0
    notes: list[str] = field(default_factory=list)  # reopened by URL, refused as busy

    @property
    def ok(self) -> list[Load]:
        return [x for x in self.loads if x.error is None]

    def of(self, kind: str) -> LoadResult:
        """The loads of one kind of viewer, with the same health record."""
        return LoadResult(self.sessions, self.seconds, [x for x in self.loads if x.kind == kind],
                          self.health_failures, self.health_checks, self.notes)

    @property
    def failed(self) -> list[Load]:
        return [x for x in self.loads if x.error is not None]

    def percentile(self, q: float) -> float | None:
        times = sorted(x.seconds for x in self.ok)
        if not times:
            return None
        if len(times) == 1:
            return times[0]
        return statistics.quantiles(times, n=100, method="inclusive")[int(q) - 1]

    def summary(self) -> str:
        p50, p95 = self.percentile(50), self.percentile(95)

        def fmt(v: float | None) -> str:
            return "n/a" if v is None else f"{v:.2f} s"

        return (f"{self.sessions} sessions for {self.seconds:.0f} s: {len(self.loads)} loads, "
                f"{len(self.failed)} failed, browser p50 {fmt(p50)}, p95 {fmt(p95)}, "
                f"health {self.health_checks - len(self.health_failures)}/"
                f"{self.health_checks} answered"
                + (f"; notes ({len(self.notes)}): " + " | ".join(self.notes[:3])
                   if self.notes else ""))


async def _settle(page, timeout_ms: int) -> None:
    await page.wait_for_selector('[data-testid="stApp"]', timeout=timeout_ms)
    await page.wait_for_timeout(300)
    await page.wait_for_selector(IDLE, timeout=timeout_ms)
    await page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stSkeleton\"]')", timeout=timeout_ms)


async def _diagnose(page) -> str:
    """What the browser shows when a link could not be clicked: the connection state, how
    many page links the sidebar holds, and the first alert's text."""
    try:
        return await page.evaluate("""() => {
            const app = document.querySelector('[data-testid="stApp"]');
            const alert = document.querySelector('[data-testid="stAlert"]');
            return `connection ${app ? app.getAttribute('data-test-connection-state') : 'no app'}, `
              + `${document.querySelectorAll('a[data-testid*="NavLink"]').length} page links, `
              + `alert: ${alert ? alert.innerText.slice(0, 120) : 'none'}`;
        }""")
    except Exception as e:  # noqa: BLE001 - a diagnosis never fails the load
        return f"no diagnosis ({type(e).__name__})"


async def _open(page, base: str, path: str, first: bool, timeout_ms: int,
                notes: list[str]) -> None:
    """Open `path`: the first time by its URL, then as a viewer does, by clicking its link
    in the sidebar's navigation (the app stays loaded; only the page's script runs). A link
    that cannot be clicked within a third of the timeout (a starved browser, a page the
    server refused as busy) is noted with what the browser showed, and the page is opened
    by its URL instead, as a viewer would reload: the load then fails only if the server
    does not deliver the page either."""
    t0 = time.monotonic()
    if not first:
        link = page.locator(f'a[data-testid*="NavLink"][href="{base + path}"]').first
        try:
            await link.click(timeout=timeout_ms // 3)
            await page.wait_for_url(base + path + "**", timeout=timeout_ms // 3)
        except Exception as e:  # noqa: BLE001 - noted, then reopened by URL
            notes.append(f"{path}: link not clickable ({type(e).__name__}; "
                         f"{await _diagnose(page)}); reopened by URL")
            first = True
    if first:
        left = max(1000, timeout_ms - int((time.monotonic() - t0) * 1000))
        await page.goto(base + path, timeout=left)
    left = max(1000, timeout_ms - int((time.monotonic() - t0) * 1000))
    await _settle(page, left)
    await page.wait_for_function(
        "() => !document.querySelector('[data-stale=\"true\"]')", timeout=left)


async def _viewer(browser, base: str, paths: list[str], start: int, deadline: float,
                  timeout_ms: int, think_s: float, result: LoadResult) -> None:
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    i, first = start, True
    try:
        while time.monotonic() < deadline:
            path = paths[i % len(paths)]
            i += 1
            t0 = time.monotonic()
            error = None
            try:
                await _open(page, base, path, first, timeout_ms, result.notes)
                boxes = await page.locator(ERRORS).all_inner_texts()
                if boxes:
                    error = boxes[0][:300]
                elif await page.get_by_text(BUSY).count():
                    # the server shed the run (no slot within its budget): a message, not
                    # a freeze; noted so the summary shows how often
                    result.notes.append(f"{path}: refused as busy")
            except Exception as e:  # a timeout: the page never finished
                error = (f"did not finish: {type(e).__name__}: {str(e)[:600]} "
                         f"[{await _diagnose(page)}]")
                first = True  # start again from the page's URL
            else:
                first = False
            result.loads.append(Load(path, time.monotonic() - t0, error))
            if think_s:
                await asyncio.sleep(think_s)
    finally:
        await context.close()


def _page_name(path: str) -> str:
    return path.strip("/").split("?")[0]


async def _protocol_open(ws, path: str, timeout_s: float) -> Load:
    """Run `path` in the websocket's session and wait for its script to finish, noting
    any exception or error element."""
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    msg = BackMsg()
    msg.rerun_script.page_name = _page_name(path)
    t0 = time.monotonic()
    error = None
    await ws.send(msg.SerializeToString())
    try:
        while True:
            left = timeout_s - (time.monotonic() - t0)
            fm = ForwardMsg()
            fm.ParseFromString(await asyncio.wait_for(ws.recv(), left))
            kind = fm.WhichOneof("type")
            if kind == "delta" and fm.delta.WhichOneof("type") == "new_element":
                el = fm.delta.new_element
                if el.WhichOneof("type") == "exception" or (
                        el.WhichOneof("type") == "alert"
                        and el.alert.format == el.alert.ERROR):
                    error = error or "error box: " + (
                        el.exception.message or el.alert.body)[:200]
            if kind == "script_finished":
                break
    except TimeoutError:
        error = f"did not finish within {timeout_s:.0f} s"
    return Load(path, time.monotonic() - t0, error, "protocol")


async def _first_visits(base: str, paths: list[str], timeout_s: float,
                        browser: bool) -> list[Load]:
    loads: list[Load] = []
    if not browser:
        import websockets

        uri = base.replace("http", "ws", 1) + "/_stcore/stream"
        async with websockets.connect(uri, subprotocols=["streamlit"], max_size=None,
                                      origin=base, open_timeout=timeout_s) as ws:
            for path in paths:
                loads.append(await _protocol_open(ws, path, timeout_s))
        return loads
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        chromium = await p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            context = await chromium.new_context(viewport={"width": 1280, "height": 900})
            page = await context.new_page()
            for k, path in enumerate(paths):
                t0 = time.monotonic()
                error = None
                try:
                    await _open(page, base, path, k == 0, int(timeout_s * 1000), [])
                    boxes = await page.locator(ERRORS).all_inner_texts()
                    error = boxes[0][:300] if boxes else None
                except Exception as e:  # noqa: BLE001 - a timeout: noted as the load's error
                    error = f"did not finish: {type(e).__name__}"
                loads.append(Load(path, time.monotonic() - t0, error))
        finally:
            await chromium.close()
    return loads


def first_visits(base: str, paths: list[str], timeout_s: float = 120,
                 browser: bool = False) -> list[Load]:
    """One viewer opening each of `paths` once, in order: over the protocol, or (browser)
    in a fresh Chromium context, the first page by its URL and the others by their links.
    The browser runs in a child process at a lower priority, as in `run_load`."""
    if not browser:
        return asyncio.run(_first_visits(base.rstrip("/"), paths, timeout_s, False))
    ctx = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(1, mp_context=ctx) as pool:
        return pool.submit(_first_visits_client, base.rstrip("/"), paths, timeout_s).result()


def _first_visits_client(base: str, paths: list[str], timeout_s: float) -> list[Load]:
    os.nice(CLIENT_NICENESS)
    return asyncio.run(_first_visits(base, paths, timeout_s, True))


async def _protocol_viewer(base: str, paths: list[str], start: int, deadline: float,
                           timeout_s: float, think_s: float, result: LoadResult) -> None:
    """One session over Streamlit's websocket: run a page, wait for its script to finish,
    note any exception or error element, next page."""
    import websockets

    uri = base.replace("http", "ws", 1) + "/_stcore/stream"
    i = start
    while time.monotonic() < deadline:
        try:
            async with websockets.connect(uri, subprotocols=["streamlit"], max_size=None,
                                          origin=base, open_timeout=timeout_s) as ws:
                while time.monotonic() < deadline:
                    path = paths[i % len(paths)]
                    i += 1
                    load = await _protocol_open(ws, path, timeout_s)
                    result.loads.append(load)
                    error = load.error
                    if error and error.startswith("did not finish"):
                        break  # a new connection: the old session may still be running
                    if think_s:
                        await asyncio.sleep(think_s)
        except (OSError, websockets.WebSocketException) as e:
            result.loads.append(Load(paths[i % len(paths)], 0.0, f"connection: {e}",
                                     "protocol"))
            await asyncio.sleep(1)


async def _health(base: str, deadline: float, result: LoadResult) -> None:
    loop = asyncio.get_running_loop()

    def ask() -> str | None:
        try:
            with urllib.request.urlopen(base + "/_stcore/health", timeout=5) as r:
                return None if r.read() == b"ok" else "not ok"
        except OSError as e:
            return f"{type(e).__name__}: {e}"

    while time.monotonic() < deadline:
        t0 = time.monotonic()
        problem = await loop.run_in_executor(None, ask)
        result.health_checks += 1
        if problem:
            result.health_failures.append(problem)
        await asyncio.sleep(max(0.0, 1.0 - (time.monotonic() - t0)))


async def _run(base: str, paths: list[str], sessions: int, seconds: float,
               timeout_ms: int, think_s: float, protocol: int = 0) -> LoadResult:
    result = LoadResult(sessions + protocol, seconds)
    deadline = time.monotonic() + seconds
    total = sessions + protocol

    async def later(k: int, viewer):
        # with a reading pause, each kind of viewer arrives spread evenly over one pause
        # (at k/total of it), as people do, instead of all in the same instant and then in
        # lockstep every pause; without one (a closed loop) they all start at once
        if think_s:
            await asyncio.sleep(think_s * k / total)
        await viewer

    ws_viewers = [later(k * total // protocol, _protocol_viewer(
        base, paths, k, deadline, timeout_ms / 1000, think_s, result)) for k in range(protocol)]
    if not sessions:
        await asyncio.gather(_health(base, deadline, result), *ws_viewers)
        return result
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            await asyncio.gather(
                _health(base, deadline, result), *ws_viewers,
                *(later(k * total // sessions, _viewer(
                    browser, base, paths, k, deadline, timeout_ms, think_s, result))
                  for k in range(sessions)),
            )
        finally:
            await browser.close()
    return result


def _client(base: str, paths: list[str], sessions: int, seconds: float, timeout_ms: int,
            think_s: float, protocol: int) -> LoadResult:
    os.nice(CLIENT_NICENESS)
    return asyncio.run(_run(base, paths, sessions, seconds, timeout_ms, think_s, protocol))


def run_load(base: str, paths: list[str], sessions: int, seconds: float,
             timeout_s: float = 60, think_s: float = 0, protocol: int = 0) -> LoadResult:
    """`sessions` browser viewers and `protocol` protocol viewers opening `paths` in turn
    (each starting at a different page) for `seconds`, reading each for `think_s` (and
    then arriving spread over the first pause, not all at once); a load
    still running after `timeout_s` counts as failed.

    The browsers run in a child process at a lower CPU priority: on a real deployment
    they are on the viewers' machines, and here they would otherwise starve the server
    they are meant to measure (on 2 cores Chromium takes about 90 % of the CPU)."""
    ctx = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(1, mp_context=ctx) as pool:
        return pool.submit(_client, base.rstrip("/"), paths, sessions, seconds,
                           int(timeout_s * 1000), think_s, protocol).result()
