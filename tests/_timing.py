"""Deadlines for tests that run on a machine they do not own (CI's 2 cores, a CPU burner beside them).

A test never *paces* itself with time: it waits on an event (a line on a pipe, a record in a file, a
request held by its own server). A deadline only bounds how long a wait that will never end is
allowed to hang, so it is scaled by how busy the machine is, and generous: a passing test never
waits for it. ``HARNESS_TEST_TIME_SCALE`` overrides the factor (e.g. 4 under ``stress-ng``).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

MAX_SCALE = 10.0


def time_scale() -> float:
    """How much slower than an idle machine this one is now: the 1-minute load per core (at least 1,
    at most 10), or ``$HARNESS_TEST_TIME_SCALE``."""
    forced = os.environ.get("HARNESS_TEST_TIME_SCALE")
    if forced:
        return max(1.0, float(forced))
    try:
        load = os.getloadavg()[0] / (os.cpu_count() or 1)
    except OSError:
        load = 1.0
    return min(MAX_SCALE, max(1.0, load))


def scaled(seconds: float) -> float:
    """A deadline of ``seconds`` on an idle machine, stretched by :func:`time_scale`."""
    return seconds * time_scale()


def wait_until(condition: Callable[[], bool], seconds: float, what: str, interval: float = 0.05) -> None:
    """Poll ``condition`` until it holds; fail naming ``what`` after the scaled deadline."""
    deadline = time.monotonic() + scaled(seconds)
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {scaled(seconds):.0f} s waiting for {what}")
        time.sleep(interval)
