"""A multi-turn item's next turn goes out only once the previous turn's answer is in the response cache,
so a ``kill -9`` while turn k is in flight re-sends turn k on the next run, never turn k - 1.

Real components: the client, its SQLite cache and the loopback echo server; the check reads the cache
file through a second connection (what a restarted process would see) at the moment each later turn is
handed to the client."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bench.latency_server import LatencyServer
from harness.cache import Cache, cache_key
from harness.client import ChatRequest, Client, Completion, RoleCounters, SamplingParams
from harness.endpoints import Endpoint
from harness.generate import generate_outputs
from harness.records import Item
from harness.store import RunStore

PARAMS = SamplingParams(max_tokens=8)


class Watching:
    """The real client; before each later turn, whether the turn before it is already on disk."""

    def __init__(self, client: Client, endpoint: Endpoint, on_disk: Cache) -> None:
        self.client, self.endpoint, self.on_disk = client, endpoint, on_disk
        self.previous_stored: list[bool] = []

    @property
    def counters(self) -> RoleCounters:
        return self.client.counters

    async def chat(self, request: ChatRequest) -> Completion:
        messages = request.message_dicts()
        if len(messages) > 1:
            previous = ChatRequest.of(messages[:-2], PARAMS)
            self.previous_stored.append(self.on_disk.get(cache_key(self.endpoint, previous)) is not None)
        return await self.client.chat(request)


def test_a_later_turn_is_sent_only_after_the_turn_before_is_cached(tmp_path: Path) -> None:
    items = [
        Item(benchmark="b", item_id=f"q{i}", turns=[f"first {i}", f"second {i}", f"third {i}"])
        for i in range(20)
    ]
    path = tmp_path / "cache.sqlite"

    async def go(endpoint: Endpoint) -> list[bool]:
        async with Client(endpoint, cache=Cache(path), max_connections=8) as client:
            watching = Watching(client, endpoint, Cache(path))
            summary = await generate_outputs(
                items, watching, RunStore(tmp_path / "run"), model="echo", params=PARAMS, max_in_flight=8
            )
            assert summary.generated == len(items)
            return watching.previous_stored

    with LatencyServer(0.01) as server:
        stored = asyncio.run(go(Endpoint(server.base_url, "echo")))
    assert len(stored) == 2 * len(items) and all(stored)
