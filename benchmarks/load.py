"""Concurrent viewers on one server: page loads as viewers wait for them, run times on the
server.

Starts `streamlit run serve.py` (the hosted entry point) on a free loopback port (file
watcher off, as when hosted) against the demo database or the large-brand database of
`benchmarks/pages.py`, waits for the server's warm-up of every dashboard page (its time is
printed; `--no-warmup` starts the viewers on a cold server instead, with the warm-up off,
as before the warm-up existed), then for
the given time holds N sessions that each open the pages in turn, with an optional reading
pause between pages: N protocol viewers (Streamlit's own websocket messages, the load a
browser puts on the server at almost no client cost) plus B real headless Chromium
viewers clicking the sidebar's navigation (what a person waits for, measured under that
load). Prints per run: loads and failures of each kind, their p50/p95, the server-side run
time of each page (logged by the app at `SMMKPI_LOG_LEVEL=INFO`) p50/p95, health checks
answered, the server's CPU seconds and resident memory after the first minute and at the
end, and the goal's pass or fail.

The clients share the machine's cores with the server: a Chromium viewer costs about a
CPU-second per page, which is why most viewers speak the protocol and the browsers run at
a lower priority; the server's CPU seconds say how much of the machine it had.

usage: python benchmarks/load.py [--sessions 20 50] [--browsers 3] [--seconds 120]
                                 [--think 0] [--scale demo|L] [--no-warmup]
                                 [--dir /tmp/smmkpi-bench]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from browsertools import free_port  # noqa: E402
from loadtools import run_load  # noqa: E402

PAGES = ["/", "/targets", "/goals", "/content", "/traffic", "/journeys", "/retention", "/community",
         "/reputation", "/upload"]
WARMED = re.compile(r"smmkpi\.warmup warm-up of data version \d+: \d+ pages in ([0-9.]+) s")
RUN_LINE = re.compile(r"smmkpi\.runs run page=(\S+) seconds=([0-9.]+)(?: waited=([0-9.]+))?")


def demo_db(folder: Path) -> str:
    path = folder / "load-demo.db"
    url = f"sqlite:///{path}"
    if not path.exists():
        subprocess.run([sys.executable, "-m", "smmkpi", "--database", url, "demo"],
                       cwd=ROOT, check=True)
    return url


def scale_l_db(folder: Path) -> str:
    from pages import build  # benchmarks/pages.py

    path = folder / "pages-x80.db"
    url = f"sqlite:///{path}"
    if not path.exists():
        build(url, 80)
    return url


def proc_figures(pid: int) -> tuple[float, float]:
    """(CPU seconds, resident MB) of a process."""
    stat = Path(f"/proc/{pid}/stat").read_text().split()
    cpu = (int(stat[13]) + int(stat[14])) / os.sysconf("SC_CLK_TCK")
    rss = int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    return cpu, rss / 1e6


def pct(values: list[float], q: int) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(sorted(values), n=100, method="inclusive")[q - 1]


def fmt(v: float | None) -> str:
    return "n/a" if v is None else f"{v:.2f} s"


@dataclass
class Served:
    """A `streamlit run serve.py` of `serve`: its base URL, process, log file, the warm-up's
    seconds (None when off) and, once stopped, how it stopped."""

    base: str
    proc: subprocess.Popen
    log: Path
    warmup_s: float | None = None
    stopped: str = ""


@contextlib.contextmanager
def serve(url: str, warm: bool = True) -> Iterator[Served]:
    """`streamlit run serve.py` on a free loopback port against `url` (file watcher off,
    `SMMKPI_LOG_LEVEL=INFO`, the warm-up on or off); once it answers its health check and,
    with the warm-up, has logged it (at most 15 minutes; a failed warm-up ends the
    benchmark), yields; then stops it (SIGTERM, then SIGKILL after 20 s)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = Path(tempfile.mkstemp(suffix=".log")[1])
    env = {**os.environ, "SMMKPI_DATABASE_URL": url, "SMMKPI_LOG_LEVEL": "INFO",
           "SMMKPI_WARMUP": "on" if warm else "off"}
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / "serve.py"), "--server.port",
             str(port), "--server.headless", "true", "--server.address", "127.0.0.1",
             "--server.fileWatcherType", "none"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    served = Served(base, proc, log)
    try:
        for _ in range(240):
            try:
                urllib.request.urlopen(base + "/_stcore/health", timeout=1)
                break
            except OSError:
                time.sleep(0.5)
        t0 = time.monotonic()
        while warm and served.warmup_s is None:
            text = log.read_text()
            found = WARMED.search(text)
            if found:
                served.warmup_s = float(found[1])
            elif "WARNING smmkpi.warmup" in text:
                raise SystemExit("the warm-up failed: " + text[-2000:])
            elif time.monotonic() - t0 > 900:
                raise SystemExit("no warm-up within 15 minutes")
            else:
                time.sleep(0.5)
        yield served
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
            served.stopped = "stopped on SIGTERM"
        except subprocess.TimeoutExpired:
            proc.kill()
            served.stopped = "IGNORED SIGTERM, killed"


def one_run(url: str, sessions: int, seconds: float, think: float, browsers: int,
            warm: bool = True) -> dict:
    with serve(url, warm) as served:
        proc, log = served.proc, served.log
        warmed = (f"warm-up {served.warmup_s:.2f} s" if served.warmup_s is not None
                  else "no warm-up (cold server)")
        mem_1min: list[float] = []
        timer = threading.Timer(60, lambda: mem_1min.append(proc_figures(proc.pid)[1]))
        timer.start()
        result = run_load(served.base, PAGES, browsers, seconds, think_s=think,
                          protocol=sessions)
        timer.cancel()
        cpu, rss = proc_figures(proc.pid)
        alive = proc.poll() is None
    stopped = served.stopped
    matches = list(RUN_LINE.finditer(log.read_text()))
    runs = [(m[1], float(m[2])) for m in matches]
    waits = [float(m[3] or 0) for m in matches]
    server = [s for _, s in runs]
    working = [s - w for (_, s), w in zip(runs, waits, strict=True)]  # without the queue
    per_page: dict[str, list[float]] = {}
    for page, s in runs:
        per_page.setdefault(page, []).append(s)
    proto, browser = result.of("protocol"), result.of("browser")
    print(f"{sessions} protocol viewers + {browsers} browsers, think {think:.0f} s, "
          f"{seconds:.0f} s: health {result.health_checks - len(result.health_failures)}/"
          f"{result.health_checks} answered; {warmed} before the viewers came")
    print(f"  protocol: {len(proto.loads)} loads, {len(proto.failed)} failed, "
          f"p50 {fmt(proto.percentile(50))}, p95 {fmt(proto.percentile(95))}")
    print(f"  browser: {len(browser.loads)} loads, {len(browser.failed)} failed, "
          f"p50 {fmt(browser.percentile(50))}, p95 {fmt(browser.percentile(95))}")
    print(f"  server-side runs: {len(server)}, p50 {fmt(pct(server, 50))}, "
          f"p95 {fmt(pct(server, 95))}, max {fmt(max(server) if server else None)}; "
          f"of which waiting for a run slot p50 {fmt(pct(waits, 50))}, "
          f"p95 {fmt(pct(waits, 95))}; running (without the wait) p50 "
          f"{fmt(pct(working, 50))}, p95 {fmt(pct(working, 95))}")
    for page, times in sorted(per_page.items()):
        print(f"    {page:<14} {len(times):>4} runs  p50 {fmt(pct(times, 50))}  "
              f"p95 {fmt(pct(times, 95))}")
    print(f"  server CPU {cpu:.1f} s of {2 * seconds:.0f} core-seconds; resident "
          f"{mem_1min[0] if mem_1min else float('nan'):.0f} MB after 1 min, {rss:.0f} MB at "
          f"the end; {'alive' if alive else 'DIED'}, {stopped}")
    for bad in result.failed[:5]:
        print(f"  failed {bad.path}: {bad.error}")
    b95 = browser.percentile(95) if browsers else proto.percentile(95)
    ok = not result.failed and not result.health_failures and alive and b95 is not None

    def verdict(s95: float | None) -> str:
        return "PASS" if ok and s95 is not None and s95 < 1 and b95 < 5 else "FAIL"

    print(f"  goal (no hang or error, server p95 < 1 s, browser p95 < 5 s): "
          f"{verdict(pct(server, 95))} counting the wait for a run slot, "
          f"{verdict(pct(working, 95))} for the runs themselves")
    log.unlink(missing_ok=True)
    return {"result": result, "server": server}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sessions", type=int, nargs="+", default=[20, 50],
                    help="protocol viewers per run")
    ap.add_argument("--browsers", type=int, default=3,
                    help="real Chromium viewers beside them, measuring what a person waits")
    ap.add_argument("--seconds", type=float, default=120)
    ap.add_argument("--think", type=float, default=0,
                    help="seconds each viewer reads a page before opening the next")
    ap.add_argument("--scale", choices=["demo", "L"], default="demo")
    ap.add_argument("--no-warmup", action="store_true",
                    help="viewers on a freshly started server, the warm-up off")
    ap.add_argument("--dir", type=Path, default=Path("/tmp/smmkpi-bench"))
    args = ap.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    url = demo_db(args.dir) if args.scale == "demo" else scale_l_db(args.dir)
    print(f"scale {args.scale}, {os.cpu_count()} cores, think time {args.think:.0f} s")
    for n in args.sessions:
        one_run(url, n, args.seconds, args.think, args.browsers, warm=not args.no_warmup)


if __name__ == "__main__":
    main()
