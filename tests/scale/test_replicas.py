"""Replica routing against real servers: two llama.cpp replicas, one SIGKILLed while a run is in flight.

Each replica sits behind a :class:`FaultProxy` with no faults, only for its log: the proxy records every
upstream answer it passed on, so "no completed request was sent again" is checked on the wire, across
both replicas, rather than inferred from the client's own counters.
"""

from __future__ import annotations

import asyncio
import os
import signal
from collections import Counter
from pathlib import Path
from typing import cast

import pytest

from harness.client import Client, SamplingParams
from harness.endpoints import parse_endpoint_spec, resolve_openai
from harness.generate import ChatClient, generate_outputs
from harness.records import Item, Output
from harness.serve import ManagedServer, free_port, llama_server
from harness.store import RunStore
from tests._proxy import FaultProxy

pytestmark = pytest.mark.slow

N_ITEMS = 12
KILL_AFTER = 3


def items() -> list[Item]:
    return [
        Item(benchmark="replicas", item_id=f"q{i}", turns=[f"Name one use of the number {i}."])
        for i in range(N_ITEMS)
    ]


def test_spec_lists_replicas_and_the_first_names_the_endpoint() -> None:
    spec = parse_endpoint_spec("openai:m@http://a:1/v1/, http://b:2/v1")
    endpoint = resolve_openai(spec)
    assert endpoint.base_url == "http://a:1/v1"
    assert endpoint.replicas == ("http://a:1/v1", "http://b:2/v1")
    assert resolve_openai(parse_endpoint_spec("openai:m@http://a:1/v1")).replicas == ()


def test_killed_replica_loses_no_request_and_completes_none_twice(
    llama_server: ManagedServer, tmp_path: Path
) -> None:
    doomed = llama_server_started()
    try:
        with FaultProxy(llama_server.base_url) as keep, FaultProxy(doomed.base_url) as kill:
            spec = parse_endpoint_spec(f"openai:{llama_server.model}@{keep.base_url},{kill.base_url}")
            endpoint = resolve_openai(spec)
            store = RunStore(tmp_path / "run")

            def on_done(finished: int) -> None:
                if finished == KILL_AFTER and doomed.process is not None:
                    os.kill(doomed.process.pid, signal.SIGKILL)

            async def run() -> tuple[int, int]:
                async with Client(endpoint, role="replicas", max_connections=2, backoff_base=0.1) as client:
                    summary = await generate_outputs(
                        items(), cast(ChatClient, client), store, model="m", params=SamplingParams(temperature=0.0, max_tokens=12),
                        max_in_flight=4, on_item_done=on_done,
                    )  # fmt: skip
                    replicas = client.replicas
                    assert replicas is not None
                    down = [r.base_url for r in replicas.replicas if not r.healthy]
                    assert down == [kill.base_url], down
                    return summary.generated, summary.errors

            generated, errors = asyncio.run(run())
            store.close()
            assert (generated, errors) == (N_ITEMS, 0)
            outputs = RunStore(tmp_path / "run").load("outputs", Output)
            assert sorted(o.item_id for o in outputs) == sorted(i.item_id for i in items())
            assert all(o.error is None and o.turns[0] for o in outputs)
            completions = Counter(
                e.sha256 for p in (keep, kill) for e in p.log if e.method == "POST" and e.status == 200
            )
            assert len(completions) == N_ITEMS and max(completions.values()) == 1, completions
            # requests were in flight on the killed replica (its proxy answered 502 for them), and were
            # completed on the other one: the switch happened mid-request
            lost = {e.sha256 for e in kill.log if e.method == "POST" and e.status == 502}
            assert lost, "nothing was in flight on the killed replica"
            assert all(completions[sha] == 1 for sha in lost)
    finally:
        doomed.stop()


def test_health_probe_takes_a_replica_out_and_puts_it_back(llama_server: ManagedServer) -> None:
    dead = f"http://127.0.0.1:{free_port()}/v1"
    with FaultProxy(dead) as flaky:
        endpoint = resolve_openai(
            parse_endpoint_spec(f"openai:{llama_server.model}@{llama_server.base_url},{flaky.base_url}")
        )

        async def run() -> list[bool]:
            async with Client(endpoint, role="replicas") as client:
                replicas = client.replicas
                assert replicas is not None
                seen = []
                await replicas.check()
                seen.append(replicas.replicas[1].healthy)
                assert replicas.pick().base_url == llama_server.base_url
                flaky.upstream = llama_server.base_url  # the replica's server is back
                await replicas.check()
                seen.append(replicas.replicas[1].healthy)
                return seen

        assert asyncio.run(run()) == [False, True]


def llama_server_started() -> ManagedServer:
    return llama_server().start(timeout=120)
