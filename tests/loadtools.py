"""Concurrent viewers against a running server: the load test and `benchmarks/load.py`.

Each simulated viewer is its own browser context in one headless Chromium (its own
cookies, its own Streamlit session) that opens page after page of the app for a fixed
time, waiting for each run to finish. A poller asks `/_stcore/health` every second
meanwhile. The result says how many loads finished, how long they took in the browser,
which failed (an exception box, an error box, or a page still running at the timeout)
and whether the health check ever stopped answering.
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


@dataclass
class Load:
    path: str
    seconds: float
    error: str | None = None


@dataclass
class LoadResult:
    sessions: int
    seconds: float
    loads: list[Load] = field(default_factory=list)
    health_failures: list[str] = field(default_factory=list)
    health_checks: int = 0

    @property
    def ok(self) -> list[Load]:
        return [x for x in self.loads if x.error is None]

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
                f"{self.health_checks} answered")


async def _settle(page, timeout_ms: int) -> None:
    await page.wait_for_selector('[data-testid="stApp"]', timeout=timeout_ms)
    await page.wait_for_timeout(300)
    await page.wait_for_selector(IDLE, timeout=timeout_ms)
    await page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stSkeleton\"]')", timeout=timeout_ms)


async def _open(page, base: str, path: str, first: bool, timeout_ms: int) -> None:
    """Open `path`: the first time by its URL, then as a viewer does, by clicking its link
    in the sidebar's navigation (the app stays loaded; only the page's script runs)."""
    if first:
        await page.goto(base + path, timeout=timeout_ms)
    else:
        link = page.locator(f'a[data-testid*="NavLink"][href="{base + path}"]').first
        await link.click(timeout=timeout_ms)
        await page.wait_for_url(base + path + "**", timeout=timeout_ms)
    await _settle(page, timeout_ms)
    await page.wait_for_function(
        "() => !document.querySelector('[data-stale=\"true\"]')", timeout=timeout_ms)


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
                await _open(page, base, path, first, timeout_ms)
                boxes = await page.locator(ERRORS).all_inner_texts()
                if boxes:
                    error = boxes[0][:300]
            except Exception as e:  # a timeout: the page never finished
                error = f"did not finish: {type(e).__name__}: {str(e)[:200]}"
                first = True  # start again from the page's URL
            else:
                first = False
            result.loads.append(Load(path, time.monotonic() - t0, error))
            if think_s:
                await asyncio.sleep(think_s)
    finally:
        await context.close()


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
               timeout_ms: int, think_s: float) -> LoadResult:
    from playwright.async_api import async_playwright

    result = LoadResult(sessions, seconds)
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            deadline = time.monotonic() + seconds
            await asyncio.gather(
                _health(base, deadline, result),
                *(_viewer(browser, base, paths, k, deadline, timeout_ms, think_s, result)
                  for k in range(sessions)),
            )
        finally:
            await browser.close()
    return result


def _client(base: str, paths: list[str], sessions: int, seconds: float, timeout_ms: int,
            think_s: float) -> LoadResult:
    os.nice(CLIENT_NICENESS)
    return asyncio.run(_run(base, paths, sessions, seconds, timeout_ms, think_s))


def run_load(base: str, paths: list[str], sessions: int, seconds: float,
             timeout_s: float = 60, think_s: float = 0) -> LoadResult:
    """`sessions` viewers opening `paths` in turn (each starting at a different page) for
    `seconds`, reading each for `think_s`; a load still running after `timeout_s` counts
    as failed.

    The browsers run in a child process at a lower CPU priority: on a real deployment
    they are on the viewers' machines, and here they would otherwise starve the server
    they are meant to measure (on 2 cores Chromium takes about 90 % of the CPU)."""
    ctx = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(1, mp_context=ctx) as pool:
        return pool.submit(_client, base.rstrip("/"), paths, sessions, seconds,
                           int(timeout_s * 1000), think_s).result()
