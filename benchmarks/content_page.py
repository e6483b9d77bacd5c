"""Benchmark: the Content page at scale, 1M posts and 1M web-session rows with content values.

Run: `python benchmarks/content_page.py [posts] [session_rows]` (defaults 1M and 1M). Writes
generated posts (six platforms over two years, a third of them tagged with a UTM content
value) and web sessions (every row with the content value of a tagged post, on its platform,
in the days after it) to a temporary SQLite database, then runs the Content page with
Streamlit's AppTest for a 90-day period: once cold (fresh process caches: the reads, the
match of every session to its post, the page's tables) and three times warm (same AppTest,
caches filled), and prints seconds. AppTest adds its own overhead, so these are upper
bounds for a browser run.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from smmkpi import datasets as ds  # noqa: E402
from smmkpi import db, store  # noqa: E402

END = dt.date(2026, 10, 31)
DAYS = 730
PLATFORMS = ("facebook", "instagram", "x", "linkedin", "tiktok", "youtube")
SOURCES = ("facebook", "instagram", "t.co", "linkedin", "tiktok", "youtube")


def posts(n: int, rng: np.random.Generator) -> pl.DataFrame:
    start = np.datetime64(END - dt.timedelta(days=DAYS - 1), "s")
    at = start + rng.integers(0, DAYS * 86400, n).astype("timedelta64[s]")
    plat = rng.integers(0, len(PLATFORMS), n)
    imp = rng.lognormal(8.0, 1.0, n).astype(np.int64)
    eng = rng.binomial(imp, 0.04)
    tagged = rng.random(n) < 1 / 3
    spec = ds.get("posts")
    return pl.DataFrame({
        "platform": np.array(PLATFORMS)[plat], "post_id": np.arange(n).astype(str),
        "published_at": pl.Series(at.astype("datetime64[us]")).dt.replace_time_zone("UTC"),
        "format": np.array(ds.POST_FORMATS)[rng.integers(0, 8, n)],
        "title": pl.Series([f"Post {i}" for i in range(n)]),
        "url": None, "campaign_id": None,
        "utm_content": pl.Series(np.where(tagged, np.char.add("c", np.arange(n).astype(str)),
                                          None)),
        "is_promo": rng.random(n) < 0.12, "impressions": imp, "reach": (imp * 0.7).astype(int),
        "engagements": eng, "likes": (eng * 0.7).astype(int), "comments": (eng * 0.1).astype(int),
        "shares": (eng * 0.1).astype(int), "saves": None,
        "link_clicks": rng.binomial(imp, 0.005), "video_views": None,
    }).select([pl.col(c).cast(t) for c, t in spec.schema.items()])


def sessions(p: pl.DataFrame, n: int, rng: np.random.Generator) -> pl.DataFrame:
    tagged = p.filter(pl.col("utm_content").is_not_null())
    draws = 2 * n  # some draws repeat a key (date, source, content): drawn over
    pick = rng.integers(0, tagged.height, draws)
    age = rng.integers(0, 4, draws)
    src = tagged.select(
        pl.col("published_at").dt.date().alias("date"),
        pl.col("platform").replace_strict(dict(zip(PLATFORMS, SOURCES, strict=True)))
        .alias("source"), pl.col("utm_content").alias("content"))[pick]
    spec = ds.get("web_sessions")
    out = src.with_columns(
        pl.col("date") + pl.duration(days=pl.Series(age)),
        pl.lit("social").alias("medium"), pl.lit(None, dtype=pl.String).alias("campaign"),
        pl.Series(rng.integers(1, 40, draws)).alias("sessions"),
    ).with_columns(engaged_sessions=pl.col("sessions") // 2, conversions=pl.col("sessions") // 30,
                   revenue=(pl.col("sessions") // 30) * 42.0)
    out = out.unique(["date", "source", "medium", "campaign", "content"],
                     maintain_order=True).head(n)
    return out.select([pl.col(c).cast(t) for c, t in spec.schema.items()])


def main() -> None:
    n_posts = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    n_sess = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
    rng = np.random.default_rng(14)
    tmp = Path(tempfile.mkdtemp(prefix="smmkpi-bench-"))
    url = f"sqlite:///{tmp / 'bench.db'}"
    t0 = time.perf_counter()
    frames = {"posts": posts(n_posts, rng)}
    frames["web_sessions"] = sessions(frames["posts"], n_sess, rng)
    engine = db.make_engine(url)
    db.migrate(engine)
    store.write_frames(engine, frames, actor="bench", action="bench")
    engine.dispose()
    print(f"{frames['posts'].height:,} posts, {frames['web_sessions'].height:,} web-session "
          f"rows with content written in {time.perf_counter() - t0:.1f} s")

    os.environ["SMMKPI_DATABASE_URL"] = url
    from streamlit.testing.v1 import AppTest

    from smmkpi.config import get_settings

    get_settings.cache_clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    at.query_params["range"] = "Last 90 days"
    at.run()
    at.switch_page("pages/content.py")
    t0 = time.perf_counter()
    at.run()
    cold = time.perf_counter() - t0
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    shown = {m.label: m.value for m in at.metric}
    warm = []
    for _ in range(3):
        t0 = time.perf_counter()
        at.run()
        warm.append(time.perf_counter() - t0)
    print(f"pages/content.py cold {cold:6.2f} s   warm best {min(warm):6.2f} s   "
          f"(posts published {shown['Posts published']}, sessions from posts "
          f"{shown['Website sessions from posts']})")


if __name__ == "__main__":
    main()
