"""The store writer thread (harness/_writer.py) as the generation stage uses it: a slow fsync does not
stall requests in flight, an Output is on disk before it counts as done, and a write error surfaces."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import pytest

from harness._writer import StoreWriter
from harness.client import ChatRequest, Completion, RoleCounters, SamplingParams
from harness.generate import generate_outputs
from harness.records import Item, Output, Record
from harness.store import RunStore

SLOW_APPEND_S = 0.05


class EchoClient:
    """Answers every turn after ``latency_s`` (a stand-in for the HTTP client)."""

    def __init__(self, latency_s: float = 0.0) -> None:
        self.latency_s = latency_s
        self._counters = RoleCounters()

    @property
    def counters(self) -> RoleCounters:
        return self._counters

    async def chat(self, request: ChatRequest) -> Completion:
        await asyncio.sleep(self.latency_s)
        text = "echo: " + request.messages[-1][1]
        return Completion(text, "stop", 1, 1, None, False, {})


def items(n: int) -> list[Item]:
    return [Item(benchmark="b", item_id=f"q{i}", turns=[f"question {i}"]) for i in range(n)]


def slow_appends(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Make every durable write take SLOW_APPEND_S (a busy disk's fsync); returns the writing threads'
    names (one per batch)."""
    threads: list[str] = []
    append_many = RunStore.append_many

    def slow(self: RunStore, kind: str, records: Sequence[Record]) -> None:
        threads.append(threading.current_thread().name)
        time.sleep(SLOW_APPEND_S)
        append_many(self, kind, records)

    monkeypatch.setattr(RunStore, "append_many", slow)
    return threads


def test_a_slow_fsync_does_not_stall_the_event_loop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    threads = slow_appends(monkeypatch)
    store = RunStore(tmp_path / "run")
    gaps: list[float] = []

    async def main() -> None:
        stop = asyncio.Event()

        async def heartbeat() -> None:
            last = time.perf_counter()
            while not stop.is_set():
                await asyncio.sleep(0.005)
                now = time.perf_counter()
                gaps.append(now - last)
                last = now

        beat = asyncio.create_task(heartbeat())
        await generate_outputs(items(10), EchoClient(), store, model="m", params=SamplingParams())
        stop.set()
        await beat

    asyncio.run(main())
    store.close()
    assert len(RunStore(tmp_path / "run").load("outputs", Output)) == 10
    # the 10 answers arrive together: their appends on the loop would freeze it for 10 x 50 ms; in the
    # writer thread the loop waits for none of them (the bound leaves room for a loaded CI machine)
    assert max(gaps) < 10 * SLOW_APPEND_S / 2, max(gaps)
    assert threads and all(name.startswith("outputs-writer") for name in threads)


def test_an_output_is_on_disk_before_it_counts_as_done(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    slow_appends(monkeypatch)
    store = RunStore(tmp_path / "run")
    seen: list[tuple[int, int]] = []

    def on_done(n: int) -> None:
        seen.append((n, len(RunStore(tmp_path / "run").load("outputs", Output))))

    summary = asyncio.run(
        generate_outputs(
            items(6), EchoClient(0.01), store, model="m", params=SamplingParams(), on_item_done=on_done
        )
    )
    store.close()
    assert summary.generated == 6
    assert [n for n, _ in seen] == [1, 2, 3, 4, 5, 6]  # the progress count still rises one by one
    assert all(on_disk >= n for n, on_disk in seen), seen


def test_a_write_error_surfaces_from_generation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(self: RunStore, kind: str, records: Sequence[Record]) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(RunStore, "append_many", full)
    store = RunStore(tmp_path / "run")
    with pytest.raises(OSError, match="No space left"):
        asyncio.run(generate_outputs(items(3), EchoClient(), store, model="m", params=SamplingParams()))


def test_records_keep_the_order_their_appends_were_awaited_in(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "run")

    async def main() -> None:
        async with StoreWriter(store, "outputs") as writer:
            await asyncio.gather(
                *(writer.append([Output(item_id=f"q{i}", model="m", turns=["a"])]) for i in range(20))
            )

    asyncio.run(main())
    store.close()
    assert [o.item_id for o in RunStore(tmp_path / "run").iter_raw("outputs", Output)] == [
        f"q{i}" for i in range(20)
    ]


def test_appending_outside_the_block_is_refused(tmp_path: Path) -> None:
    writer = StoreWriter(RunStore(tmp_path / "run"), "outputs")
    with pytest.raises(RuntimeError, match="not open"):
        asyncio.run(writer.append([Output(item_id="q", model="m", turns=["a"])]))


def test_appends_that_arrive_together_share_one_fsync(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Group commit: 50 answers finishing at once are made durable by a few batched writes, not 50."""
    threads = slow_appends(monkeypatch)
    store = RunStore(tmp_path / "run")
    asyncio.run(generate_outputs(items(50), EchoClient(0.01), store, model="m", params=SamplingParams()))
    store.close()
    assert len(RunStore(tmp_path / "run").load("outputs", Output)) == 50
    assert len(threads) < 50 / 2, len(threads)
