"""How :class:`RayClient` discovers a stage's requests, without Ray: ``run_requests`` (the one function
that touches Ray) is replaced by a scripted server, so these tests check the round logic alone.

A two-turn item needs two rounds (turn 2's request contains turn 1's answer); the records built from
the prefetched answers equal those built by a client that answers the same script directly; a failed
request, or an error body passed on as an answer, becomes an error Output; answers go to the cache, so a
second client asks again only for what failed.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from harness.backends import ray_data
from harness.backends.ray_data import RayClient, RayOptions
from harness.cache import Cache
from harness.client import ChatRequest, Completion, RoleCounters, SamplingParams, parse_completion
from harness.endpoints import Endpoint
from harness.generate import generate_one
from harness.pipeline.units import generation_units
from harness.records import Item, Output
from harness.store import RunStore

ENDPOINT = Endpoint("http://scripted.invalid/v1", "m", spec="openai:m@http://scripted.invalid/v1")
PARAMS = SamplingParams(temperature=0.0, max_tokens=8)
ITEMS = [Item(benchmark="b", item_id=f"i{n}", turns=[f"first {n}", f"second {n}"]) for n in range(3)]


calls: list[list[str]] = []  # per Ray execution: the endpoints it served


def answer(request: ChatRequest) -> dict[str, Any]:
    """A deterministic reply that depends on the whole conversation (as a real model's does)."""
    text = f"reply to {request.messages[-1][1]!r} after {len(request.messages)} messages"
    return {"choices": [{"message": {"content": text}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": len(request.messages), "completion_tokens": 3}}  # fmt: skip


class Scripted:
    counters = RoleCounters()

    async def chat(self, request: ChatRequest) -> Completion:
        return parse_completion(answer(request), cached=False)


@pytest.fixture
def rounds(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Replace Ray with the script; records how many requests each round sent."""
    sent: list[int] = []
    calls.clear()

    def run_requests(batches: list[tuple[Endpoint, dict[str, ChatRequest]]], options: RayOptions) -> Any:
        requests = {key: r for _, batch in batches for key, r in batch.items()}
        sent.append(len(requests))
        calls.append([endpoint.base_url for endpoint, _ in batches])
        return {key: ("failed", "scripted failure") if "second 2" in r.messages[-1][1]
                else ("ok", json.dumps({"error": {"message": "model overloaded"}})) if "second 1" in r.messages[-1][1]
                else ("ok", json.dumps(answer(r))) for key, r in requests.items()}  # fmt: skip

    monkeypatch.setattr(ray_data, "run_requests", run_requests)
    monkeypatch.setattr(ray_data, "ensure_ray", lambda address: None)
    return sent


def generate(client: Any, tmp: Path) -> list[Output]:
    store = RunStore(tmp)

    async def run() -> list[Output]:
        units = generation_units(ITEMS, store, model="m", params=lambda _item: PARAMS)
        if isinstance(client, RayClient):
            await client.prefetch(units)
        return [await generate_one(client, item, model="m", params=PARAMS) for item in ITEMS]

    return asyncio.run(run())


def test_two_turns_take_two_rounds_and_give_the_scripted_clients_outputs(
    rounds: list[int], tmp_path: Path
) -> None:
    cache = Cache(tmp_path / "cache.db")
    ray_client = RayClient(ENDPOINT, role="model", cache=cache, options=RayOptions())
    outputs = generate(ray_client, tmp_path / "ray")
    assert rounds == [3, 3] and ray_client.rounds == 2
    expected = generate(Scripted(), tmp_path / "plain")
    assert outputs[0].model_dump() == expected[0].model_dump()
    failed, refused = outputs[2], outputs[1]
    assert failed.turns == [expected[2].turns[0]] and failed.error == "turn 2: scripted failure"
    assert refused.turns == [expected[1].turns[0]]
    assert refused.error == "turn 2: the server answered with an error: model overloaded"
    # answers were cached: a new client finds every success there and asks only for the failed ones again
    again = RayClient(ENDPOINT, role="model", cache=cache, options=RayOptions())
    generate(again, tmp_path / "again")
    assert rounds == [3, 3, 2]


def test_a_sweep_sends_every_runs_requests_in_one_execution_per_round(
    rounds: list[int], tmp_path: Path
) -> None:
    """Two checkpoints on two endpoints plus a third run repeating the first's endpoint (the same
    checkpoint under another name): one Ray execution per round serves both endpoints, and a request two
    runs share is sent once and answered to both."""
    other = Endpoint("http://other.invalid/v1", "m2", spec="openai:m2@http://other.invalid/v1")
    clients = [RayClient(e, role=f"r{n}/model", cache=None, options=RayOptions())
               for n, e in enumerate((ENDPOINT, other, ENDPOINT))]  # fmt: skip
    stores = [RunStore(tmp_path / f"run{n}") for n in range(3)]

    async def run() -> None:
        jobs = [
            (c, generation_units(ITEMS, s, model="m", params=lambda _item: PARAMS))
            for c, s in zip(clients, stores, strict=True)
        ]
        await ray_data.prefetch_together(jobs)

    asyncio.run(run())
    assert calls == [[ENDPOINT.base_url, other.base_url]] * 2  # two rounds (two turns), one execution each
    assert rounds == [6, 6]  # 3 items x 2 endpoints per round; the third run's requests were not re-sent
    assert [c.counters.requests for c in clients] == [6, 6, 0]
    assert clients[2].answers == clients[0].answers and clients[0].answers != clients[1].answers
