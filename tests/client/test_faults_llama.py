"""Must-show: 200 requests through the fault proxy (~20% faults of every kind) in front of the real
llama.cpp server give exactly the fault-free outputs at temperature 0, every retry is counted, and no
request that once completed cleanly is ever sent again."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import pytest
from _proxy import FAULT_KINDS, FaultProxy

from harness.client import ChatRequest, Client, Completion, SamplingParams, reset_usage, usage_by_role
from harness.endpoints import Endpoint
from harness.serve import ManagedServer

N = 200
PARAMS = SamplingParams(temperature=0.0, max_tokens=8, seed=1)


def _requests() -> list[ChatRequest]:
    return [ChatRequest.of([{"role": "user", "content": f"Name a colour. ({i})"}], PARAMS) for i in range(N)]


async def _run(base_url: str, model: str, role: str) -> list[Completion]:
    # 4 in flight: llama.cpp serves one request at a time, so a deeper queue would make honest
    # requests wait longer than the 6 s timeout that the proxy's stalls must exceed.
    async with Client(
        Endpoint(base_url, model), role=role, max_connections=4, timeout=6.0, backoff_base=0.2
    ) as client:
        return await asyncio.gather(*(client.chat(r) for r in _requests()))


@pytest.mark.slow
def test_200_requests_at_20_percent_faults_match_the_fault_free_run(
    llama_server: ManagedServer, fault_proxy: Callable[..., FaultProxy]
) -> None:
    reset_usage()
    reference = asyncio.run(_run(llama_server.base_url, llama_server.model, "reference"))

    proxy = fault_proxy(llama_server.base_url, fault_rate=0.2, seed=2024, retry_after="1", stall_s=60.0)
    started = time.monotonic()
    faulty = asyncio.run(_run(proxy.base_url, llama_server.model, "faulty"))
    elapsed = time.monotonic() - started

    # every record present, identical to the fault-free run
    assert len(faulty) == N
    assert [c.text for c in faulty] == [c.text for c in reference]
    assert [c.finish_reason for c in faulty] == [c.finish_reason for c in reference]
    assert all(c.text and not c.cached for c in faulty)

    # about 20% of attempts were faulted, with every kind represented
    faults = proxy.faults()
    posts = [e for e in proxy.log if e.method == "POST"]
    assert set(faults) == set(FAULT_KINDS), faults
    assert 0.12 <= sum(faults.values()) / len(posts) <= 0.28, faults

    # each fault cost exactly one counted retry; every attempt was counted
    usage = usage_by_role()
    counters = usage["faulty"]
    assert counters.retries == sum(faults.values())
    assert counters.requests == len(posts)
    assert (counters.completed, counters.errors) == (N, 0)
    assert counters.prompt_tokens == usage["reference"].prompt_tokens
    assert counters.completion_tokens == usage["reference"].completion_tokens

    # no request that had completed cleanly was sent again
    clean = proxy.clean_completions()
    assert len(clean) == N and set(clean.values()) == {1}
    print(f"\n{N} requests, faults {faults}, retries {counters.retries}, {elapsed:.1f} s")


@pytest.mark.slow
def test_logprobs_and_top_logprobs_pass_through(llama_server: ManagedServer) -> None:
    request = ChatRequest.of(
        [{"role": "user", "content": "Say yes."}],
        SamplingParams(temperature=0.0, max_tokens=3, logprobs=True, top_logprobs=3),
    )

    async def go() -> Completion:
        async with Client(Endpoint(llama_server.base_url, llama_server.model)) as client:
            return await client.chat(request)

    completion = asyncio.run(go())
    assert completion.logprobs is not None and len(completion.logprobs) == completion.completion_tokens
    first = completion.logprobs[0]
    assert first.logprob <= 0.0 and len(first.top_logprobs) == 3
    assert max(first.top_logprobs.values()) >= first.logprob - 1e-6
    assert "".join(t.token for t in completion.logprobs) == completion.text
