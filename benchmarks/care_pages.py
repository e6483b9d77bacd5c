"""Benchmark: the Community and Reputation & audience pages at a large brand's scale.

Run: `python benchmarks/care_pages.py [conversations] [social_rows]` (defaults 1M and 200k).
Writes generated frames (benchmarks/care_audience.py's generators) to a temporary SQLite
database, then runs each page with Streamlit's AppTest for a 90-day period: once cold
(fresh process caches) and three times warm (same AppTest, caches filled), and prints
seconds. AppTest adds its own overhead, so these are upper bounds for a browser run.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from care_audience import conversations, mentions, social  # noqa: E402

from smmkpi import db, store  # noqa: E402


def main() -> None:
    n_conv = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    n_soc = int(sys.argv[2]) if len(sys.argv) > 2 else 200_000
    tmp = Path(tempfile.mkdtemp(prefix="smmkpi-bench-"))
    url = f"sqlite:///{tmp / 'bench.db'}"
    t0 = time.perf_counter()
    frames = {"conversations": conversations(n_conv), "social_daily": social(n_soc),
              "mentions": mentions()}
    engine = db.make_engine(url)
    db.migrate(engine)
    store.write_frames(engine, frames, actor="bench", action="bench")
    engine.dispose()
    print(f"{n_conv:,} conversations, {frames['social_daily'].height:,} social rows, "
          f"{frames['mentions'].height:,} mention rows written in {time.perf_counter() - t0:.1f} s")

    os.environ["SMMKPI_DATABASE_URL"] = url
    from streamlit.testing.v1 import AppTest

    from smmkpi.config import get_settings

    get_settings.cache_clear()
    for page in ("pages/community.py", "pages/reputation.py"):
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
        at.query_params["range"] = "Last 90 days"
        at.run()
        at.switch_page(page)
        t0 = time.perf_counter()
        at.run()
        cold = time.perf_counter() - t0
        assert not at.exception, [e.value for e in at.exception]
        warm = []
        for _ in range(3):
            t0 = time.perf_counter()
            at.run()
            warm.append(time.perf_counter() - t0)
        print(f"{page:22s} cold {cold:6.2f} s   warm best {min(warm):6.2f} s")


if __name__ == "__main__":
    main()
