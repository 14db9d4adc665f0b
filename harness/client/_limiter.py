"""One adaptive concurrency limiter per endpoint: AIMD on 429s.

Why adaptive: a fixed limit is either too low for a local vLLM (wasted throughput) or too high for a
rate-limited API (a 429 storm). Like TCP congestion control and inspect_ai ``util/_concurrency.py``
(docs/design.md, "Model calls"): start at the cap, multiply the limit by 0.8 on a
429 (never below 1), add 1 after every ``grow_every`` clean completions (never above the cap).

A burst of 429s caused by one window of requests shrinks the limit once, not once per response: each
slot remembers the *epoch* it was granted in, and only a 429 from a slot granted in the current epoch
shrinks (and starts a new epoch). A 429's Retry-After also pauses new grants for that endpoint, so
the other in-flight tasks do not walk into the same wall.

The semaphore is an ``asyncio.Condition`` so that its limit can change while tasks wait on it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass


@dataclass
class Slot:
    epoch: int


class AdaptiveLimiter:
    def __init__(self, cap: int, *, floor: int = 1, shrink: float = 0.8, grow_every: int = 8) -> None:
        if cap < 1:
            raise ValueError(f"cap must be >= 1, got {cap}")
        self.cap = cap
        self.floor = max(1, min(floor, cap))
        self.shrink_factor = shrink
        self.grow_every = grow_every
        self.limit = cap
        self.in_flight = 0
        self.epoch = 0
        self._clean = 0
        self._paused_until = 0.0
        self._cond = asyncio.Condition()

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[Slot]:
        """Hold one of ``limit`` slots for the duration of one HTTP attempt."""
        while (delay := self._paused_until - time.monotonic()) > 0:
            await asyncio.sleep(delay)
        async with self._cond:
            await self._cond.wait_for(lambda: self.in_flight < self.limit)
            self.in_flight += 1
        try:
            yield Slot(self.epoch)
        finally:
            async with self._cond:
                self.in_flight -= 1
                self._cond.notify(max(1, self.limit - self.in_flight))

    def on_success(self) -> None:
        """Additive increase: +1 per ``grow_every`` clean completions, up to the cap."""
        if self.limit >= self.cap:
            return
        self._clean += 1
        if self._clean >= self.grow_every:
            self._clean = 0
            self.limit += 1  # waiters are woken by the next release, which notifies limit - in_flight

    def on_rate_limit(self, slot: Slot, retry_after: float | None) -> None:
        """Multiplicative decrease, once per epoch; pause new grants for ``retry_after`` seconds."""
        if retry_after:
            self._paused_until = max(self._paused_until, time.monotonic() + retry_after)
        if slot.epoch != self.epoch:
            return
        self.epoch += 1
        self._clean = 0
        self.limit = max(self.floor, int(self.limit * self.shrink_factor))
