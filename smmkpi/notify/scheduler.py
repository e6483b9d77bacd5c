"""The optional in-process scheduler (`SMMKPI_SCHEDULER=on`): for a single app instance
without cron, a daemon thread runs `alerts run` and `digests run` every
`SMMKPI_SCHEDULER_MINUTES` (default 60). Several instances may all run it: the lease in
`scheduler_locks` lets one send at a time, and each occurrence and digest period is
recorded once, so nothing is sent twice. Started once per process by the app's frame."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable

from sqlalchemy import Engine

from smmkpi.notify import alerts, digests

log = logging.getLogger("smmkpi.scheduler")
_started: threading.Thread | None = None
_lock = threading.Lock()


def interval_minutes() -> float:
    raw = os.environ.get("SMMKPI_SCHEDULER_MINUTES") or "60"
    try:
        v = float(raw)
    except ValueError:
        raise ValueError(f"SMMKPI_SCHEDULER_MINUTES must be a number, got {raw!r}") from None
    if v < 1:
        raise ValueError("SMMKPI_SCHEDULER_MINUTES must be at least 1")
    return v


def tick(engine: Engine) -> list[str]:
    """One round: alerts, then digests; what they did, in lines (also logged)."""
    lines = [f"alerts: {x}" for x in alerts.run(engine).lines()]
    lines += [f"digests: {x}" for x in digests.run(engine).lines()]
    for line in lines:
        log.info("%s", line)
    return lines


def ensure_started(engine_for: Callable[[], Engine]) -> bool:
    """Start the scheduler thread of this process unless it runs; True when running."""
    global _started
    with _lock:
        if _started is not None and _started.is_alive():
            return True
        minutes = interval_minutes()
        stop = threading.Event()

        def loop() -> None:
            while not stop.wait(0 if loop.first else minutes * 60):  # type: ignore[attr-defined]
                loop.first = False  # type: ignore[attr-defined]
                try:
                    tick(engine_for())
                except Exception:  # noqa: BLE001 - the next round tries again
                    log.exception("scheduled alerts/digests round failed")

        loop.first = True  # type: ignore[attr-defined]
        _started = threading.Thread(target=loop, name="smmkpi-scheduler", daemon=True)
        _started.start()
        return True
