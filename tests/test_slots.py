"""Run slots: first come, first served; a wait that runs out gives up its place."""

from __future__ import annotations

import threading
import time

import pytest

from smmkpi.ui.slots import FairSlots


def _wait_until(cond, seconds: float = 5.0) -> None:
    end = time.monotonic() + seconds
    while not cond():
        assert time.monotonic() < end, "timed out waiting for the threads"
        time.sleep(0.005)


def test_waiters_get_their_slot_in_the_order_they_asked():
    slots = FairSlots(1)
    assert slots.acquire(timeout=0)
    order: list[int] = []

    def run(i: int) -> None:
        assert slots.acquire(timeout=10)
        order.append(i)
        slots.release()

    threads = []
    for i in range(8):  # each starts queueing only after the one before it
        t = threading.Thread(target=run, args=(i,))
        t.start()
        threads.append(t)
        _wait_until(lambda i=i: slots.waiting == i + 1)
    slots.release()
    for t in threads:
        t.join()
    assert order == list(range(8))


def test_a_wait_that_runs_out_gives_up_its_place():
    slots = FairSlots(2)
    assert slots.acquire() and slots.acquire()
    assert not slots.acquire(timeout=0.05)
    assert slots.waiting == 0
    slots.release()
    assert slots.acquire(timeout=0)  # the slot went back to the pool, not to a ghost
    slots.release()
    slots.release()
    with pytest.raises(ValueError, match="more slots"):
        slots.release()


def test_no_more_runs_at_once_than_slots():
    slots = FairSlots(3)
    running = peak = 0
    lock = threading.Lock()

    def run() -> None:
        nonlocal running, peak
        for _ in range(20):
            assert slots.acquire(timeout=10)
            with lock:
                running += 1
                peak = max(peak, running)
            time.sleep(0.001)
            with lock:
                running -= 1
            slots.release()

    threads = [threading.Thread(target=run) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert peak == 3 and running == 0
