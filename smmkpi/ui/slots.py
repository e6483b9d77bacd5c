"""Run slots handed out first come, first served.

At most N page runs execute at once (`SMMKPI_CONCURRENT_RUNS`, see `smmkpi.ui.shell`); the
others wait. `threading.Semaphore` wakes an arbitrary waiter, so under a queue some runs
wait several turns while later arrivals go first: the wait's p95 grows well past its
median. `FairSlots` serves waiters in the order they asked.
"""

from __future__ import annotations

import threading
from collections import deque


class FairSlots:
    """A counting semaphore whose waiters get a slot in arrival order."""

    def __init__(self, n: int) -> None:
        if n < 1:
            raise ValueError("at least one slot")
        self._free = n
        self._n = n
        self._lock = threading.Lock()
        self._waiting: deque[threading.Event] = deque()

    def acquire(self, timeout: float | None = None) -> bool:
        """Take a slot, waiting at most `timeout` seconds (None: as long as it takes);
        False if none came in time (the place in the queue is given up)."""
        with self._lock:
            if self._free and not self._waiting:
                self._free -= 1
                return True
            turn = threading.Event()
            self._waiting.append(turn)
        if turn.wait(timeout):
            return True  # release() handed its slot to this waiter
        with self._lock:
            if turn.is_set():  # handed over just as the wait ran out: keep it
                return True
            self._waiting.remove(turn)
            return False

    def release(self) -> None:
        """Give the slot to the longest waiter, or back to the pool."""
        with self._lock:
            if self._waiting:
                self._waiting.popleft().set()
                return
            if self._free >= self._n:
                raise ValueError("released more slots than were taken")
            self._free += 1

    @property
    def waiting(self) -> int:
        with self._lock:
            return len(self._waiting)

