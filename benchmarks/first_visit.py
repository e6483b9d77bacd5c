"""First visits after a restart: every dashboard page opened once on a freshly started
server, at demo scale and at scale L, with the warm-up (the default) and without it.

For each scale and mode, starts `streamlit run serve.py` (the hosted entry point) on a free
loopback port against the demo database or the large-brand database of
`benchmarks/pages.py`; with the warm-up, waits until the server logs that it warmed every
page (its time is printed: how long after a start or an import the views are ready);
then one viewer opens each dashboard page once, in order, as a person does after a deploy:
over Streamlit's protocol, or with --browser in a fresh headless Chromium (the first page
by its URL, the others by their links). Prints per page the server-side run time (the
app's log) and what the viewer waited, the server's resident memory once every page was
visited, each page's first visit at scale L against the same page at demo scale with the
same mode (goal: within 1.5x), and memory against 1 GB.

usage: python benchmarks/first_visit.py [--scales demo L] [--modes warm cold] [--browser]
                                        [--dir /tmp/smmkpi-bench]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from load import RUN_LINE, demo_db, proc_figures, scale_l_db, serve  # noqa: E402
from loadtools import first_visits  # noqa: E402

GOAL_RATIO = 1.5
GOAL_MB = 1024


def dashboard_paths() -> list[str]:
    from smmkpi.ui.shell import dashboard_pages

    return ["/" + p for p in dashboard_pages()]


def one(url: str, warm: bool, browser: bool) -> dict:
    """{'pages': {path: (server s, viewer s, error)}, 'warmup': s or None, 'rss': MB}"""
    with serve(url, warm) as served:
        paths = dashboard_paths()
        loads = first_visits(served.base, paths, timeout_s=300, browser=browser)
        rss = proc_figures(served.proc.pid)[1]
    log, warmup_s = served.log, served.warmup_s
    runs = [(m[1], float(m[2])) for m in RUN_LINE.finditer(log.read_text())]
    log.unlink(missing_ok=True)
    server = dict(zip(paths, (s for _, s in runs), strict=False))
    pages = {x.path: (server.get(x.path), x.seconds, x.error) for x in loads}
    return {"pages": pages, "warmup": warmup_s, "rss": rss}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scales", nargs="+", choices=["demo", "L"], default=["demo", "L"])
    ap.add_argument("--modes", nargs="+", choices=["warm", "cold"], default=["warm", "cold"])
    ap.add_argument("--browser", action="store_true",
                    help="a real Chromium viewer instead of the protocol")
    ap.add_argument("--dir", type=Path, default=Path("/tmp/smmkpi-bench"))
    args = ap.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    makers = {"demo": demo_db, "L": scale_l_db}
    urls = {scale: makers[scale](args.dir) for scale in args.scales}
    viewer = "browser" if args.browser else "protocol"
    print(f"first visits after a restart, {os.cpu_count()} cores, {viewer} viewer")
    results: dict[tuple[str, str], dict] = {}
    for mode in args.modes:
        for scale in args.scales:
            r = results[(scale, mode)] = one(urls[scale], mode == "warm", args.browser)
            head = (f"warm-up {r['warmup']:.1f} s before the first visit" if r["warmup"]
                    is not None else "no warm-up")
            print(f"\nscale {scale}, {head}; resident {r['rss']:.0f} MB after every page "
                  f"({'PASS' if r['rss'] < GOAL_MB else 'FAIL'} against 1 GB)")
            print(f"  {'page':<12} {'server s':>9} {'viewer s':>9}  vs demo")
            for path, (srv, waited, error) in r["pages"].items():
                ratio = ""
                demo = results.get(("demo", mode))
                if scale == "L" and demo and path in demo["pages"]:
                    d = demo["pages"][path][1]
                    ratio = (f"{waited / d:5.2f}x "
                             f"{'PASS' if waited <= GOAL_RATIO * d else 'FAIL'}")
                srv_s = "n/a" if srv is None else f"{srv:.2f}"
                print(f"  {path:<12} {srv_s:>9} {waited:9.2f}  {ratio}"
                      + (f"  ERROR {error}" if error else ""))


if __name__ == "__main__":
    main()
