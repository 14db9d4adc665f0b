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
from harness.backends.units import generation_units
from harness.cache import Cache
from harness.client import ChatRequest, Completion, RoleCounters, SamplingParams, parse_completion
from harness.endpoints import Endpoint
from harness.generate import generate_one
from harness.records import Item, Output
from harness.store import RunStore

ENDPOINT = Endpoint("http://scripted.invalid/v1", "m", spec="openai:m@http://scripted.invalid/v1")
PARAMS = SamplingParams(temperature=0.0, max_tokens=8)
ITEMS = [Item(benchmark="b", item_id=f"i{n}", turns=[f"first {n}", f"second {n}"]) for n in range(3)]


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

    def run_requests(requests: dict[str, ChatRequest], endpoint: Endpoint, options: RayOptions) -> Any:
        sent.append(len(requests))
        return {key: ("failed", "scripted failure") if "second 2" in r.messages[-1][1]
                else ("ok", json.dumps({"error": {"message": "model overloaded"}})) if "second 1" in r.messages[-1][1]
                else ("ok", json.dumps(answer(r))) for key, r in requests.items()}  # fmt: skip

    monkeypatch.setattr(ray_data, "run_requests", run_requests)
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
