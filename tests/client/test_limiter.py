"""The adaptive limiter: AIMD arithmetic and the cap it enforces."""

from __future__ import annotations

import asyncio
import time

import pytest

from harness.client import AdaptiveLimiter


def test_a_burst_of_429s_from_one_window_shrinks_once() -> None:
    async def go() -> AdaptiveLimiter:
        limiter = AdaptiveLimiter(64)
        async with limiter.slot() as a, limiter.slot() as b, limiter.slot() as c:
            for slot in (a, b, c):
                limiter.on_rate_limit(slot, None)
        return limiter

    limiter = asyncio.run(go())
    assert limiter.limit == 51  # int(64 * 0.8), once, not 0.8^3


def test_shrinks_to_the_floor_and_grows_back_to_the_cap() -> None:
    async def go() -> list[int]:
        limiter = AdaptiveLimiter(10, grow_every=2)
        seen = []
        for _ in range(20):
            async with limiter.slot() as slot:
                limiter.on_rate_limit(slot, None)
        seen.append(limiter.limit)
        for _ in range(4):
            limiter.on_success()
        seen.append(limiter.limit)
        for _ in range(100):
            limiter.on_success()
        seen.append(limiter.limit)
        return seen

    assert asyncio.run(go()) == [1, 3, 10]


def test_retry_after_pauses_new_grants() -> None:
    async def go() -> float:
        limiter = AdaptiveLimiter(4)
        async with limiter.slot() as slot:
            limiter.on_rate_limit(slot, 0.3)
        started = time.monotonic()
        async with limiter.slot():
            return time.monotonic() - started

    assert asyncio.run(go()) >= 0.29


def test_a_lowered_limit_holds_back_waiters_until_slots_free() -> None:
    async def go() -> int:
        limiter = AdaptiveLimiter(4)
        peak = 0

        async def work(i: int) -> None:
            nonlocal peak
            async with limiter.slot() as slot:
                peak = max(peak, limiter.in_flight) if i >= 4 else peak
                if i == 0:
                    limiter.on_rate_limit(slot, None)  # 4 -> 3
                await asyncio.sleep(0.01)

        await asyncio.gather(*(work(i) for i in range(40)))
        return peak

    assert asyncio.run(go()) <= 3


def test_cap_must_be_positive() -> None:
    with pytest.raises(ValueError):
        AdaptiveLimiter(0)
