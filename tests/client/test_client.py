"""The client against real loopback servers: the fixed-latency echo server, behind the fault proxy."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from _proxy import FaultProxy

from bench.latency_server import LatencyServer
from harness.cache import Cache
from harness.client import (
    ChatRequest,
    Client,
    Completion,
    RetriesExhausted,
    SamplingParams,
    reset_usage,
    usage_by_role,
)
from harness.endpoints import Endpoint, parse_endpoint_spec, resolve_openai
from harness.errors import FatalAPIError

SECRET = "sk-test-9f8e7d6c5b4a39281706f5e4d3c2b1a0"


@pytest.fixture(scope="module")
def echo() -> Iterator[LatencyServer]:
    with LatencyServer(0.0) as server:
        yield server


@pytest.fixture(scope="module")
def keyed() -> Iterator[LatencyServer]:
    with LatencyServer(0.0, api_key=SECRET) as server:
        yield server


def ask(i: int = 0, **params: object) -> ChatRequest:
    return ChatRequest.of(
        [{"role": "user", "content": f"question {i}"}], SamplingParams(max_tokens=8, **params)
    )  # type: ignore[arg-type]


def run_all(endpoint: Endpoint, requests: list[ChatRequest], **kwargs: object) -> list[Completion]:
    async def go() -> list[Completion]:
        async with Client(endpoint, **kwargs) as client:  # type: ignore[arg-type]
            return await asyncio.gather(*(client.chat(r) for r in requests))

    return asyncio.run(go())


@pytest.mark.parametrize(
    "kind", ["server_error", "unavailable", "reset", "stall", "truncated", "invalid_json"]
)
def test_each_transient_fault_is_retried_once_and_counted(
    kind: str, echo: LatencyServer, fault_proxy: Callable[..., FaultProxy]
) -> None:
    reset_usage()
    # fault_rate 1.0 on the first attempt only: the proxy's choice depends on the attempt number,
    # so use a seed where attempt 0 fails and attempt 1 does not
    proxy = fault_proxy(
        echo.base_url, fault_rate=0.5, seed=_seed_failing_first(kind), kinds=[kind], stall_s=30.0
    )
    [completion] = run_all(Endpoint(proxy.base_url, "echo"), [ask()], timeout=0.5, backoff_base=0.01)
    assert completion.text == "echo: question 0"
    assert proxy.faults() == {kind: 1}
    counters = usage_by_role()["model"]
    assert (counters.requests, counters.retries, counters.completed, counters.errors) == (2, 1, 1, 0)


def _seed_failing_first(kind: str) -> int:
    """A seed under which the proxy (rate 0.5) faults attempt 0 of ask() and passes attempt 1."""
    import hashlib
    import json
    import random

    body = {"model": "echo", "messages": [{"role": "user", "content": "question 0"}], "max_tokens": 8}
    digest = hashlib.sha256(json.dumps(body, separators=(",", ":")).encode()).hexdigest()
    for seed in range(1000):
        if random.Random(f"{seed}:{digest}:0").random() < 0.5 <= random.Random(f"{seed}:{digest}:1").random():
            return seed
    raise AssertionError("no seed")


def test_rate_limit_honours_retry_after_and_shrinks_the_limiter(
    echo: LatencyServer, fault_proxy: Callable[..., FaultProxy]
) -> None:
    reset_usage()
    proxy = fault_proxy(
        echo.base_url,
        fault_rate=0.5,
        seed=_seed_failing_first("rate_limit"),
        kinds=["rate_limit"],
        retry_after="0",
        rate_limit_headers={"x-ratelimit-reset-requests": "600ms"},
    )
    endpoint = Endpoint(proxy.base_url, "echo")

    async def go() -> tuple[float, int]:
        async with Client(endpoint, max_connections=10, backoff_base=0.0) as client:
            started = time.monotonic()
            await client.chat(ask())
            return time.monotonic() - started, client.limiter.limit

    elapsed, limit = asyncio.run(go())
    assert 0.6 <= elapsed < 3.0  # waited what x-ratelimit-reset-requests asked (Retry-After said 0)
    assert limit == 8  # 10 x 0.8
    assert usage_by_role()["model"].retries == 1


def test_transient_faults_outlasting_the_budget_raise_retries_exhausted(
    echo: LatencyServer, fault_proxy: Callable[..., FaultProxy]
) -> None:
    reset_usage()
    proxy = fault_proxy(echo.base_url, fault_rate=1.0, kinds=["unavailable"])
    with pytest.raises(RetriesExhausted, match=r"3 attempts failed .* last: 503"):
        run_all(Endpoint(proxy.base_url, "echo"), [ask()], max_retries=2, backoff_base=0.01)
    counters = usage_by_role()["model"]
    assert (counters.requests, counters.retries, counters.errors, counters.completed) == (3, 2, 1, 0)


def test_401_stops_with_one_line_no_retries_and_no_key(
    keyed: LatencyServer, fault_proxy: Callable[..., FaultProxy], tmp_path: Path
) -> None:
    reset_usage()
    proxy = fault_proxy(keyed.base_url)  # fault-free: it only counts what reaches the wire
    wrong = "sk-wrong-00112233445566778899aabbccdd"
    cache = Cache(tmp_path / "cache.sqlite")
    with pytest.raises(FatalAPIError) as raised:
        run_all(Endpoint(proxy.base_url, "echo", api_key=wrong), [ask()], cache=cache)
    line = str(raised.value)
    assert "\n" not in line
    assert line.startswith(f"401 Unauthorized from {proxy.base_url} (model echo): Incorrect API key")
    assert wrong not in line and "***" in line  # the server echoed the key; the line masks it
    assert len(proxy.log) == 1  # no retry storm
    counters = usage_by_role()["model"]
    assert (counters.requests, counters.retries, counters.errors) == (1, 0, 1)
    assert len(cache) == 0  # errors are never cached


def test_api_key_never_reaches_the_cache_or_run_directory(keyed: LatencyServer, tmp_path: Path) -> None:
    cache = Cache(tmp_path / "cache" / "cache.sqlite")
    endpoint = Endpoint(keyed.base_url, "echo", api_key=SECRET)
    results = run_all(endpoint, [ask(i, logprobs=True, top_logprobs=2) for i in range(20)], cache=cache)
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / "outputs.jsonl").write_text("\n".join(repr(c) for c in results))
    (run_dir / "usage.txt").write_text(repr(usage_by_role()) + repr(endpoint) + str(endpoint.identity()))
    assert len(cache) == 20
    cache.close()
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert any(p.name.startswith("cache.sqlite") for p in files)
    for path in files:
        assert SECRET.encode() not in path.read_bytes(), path


def test_openai_environment_variables_work_as_users_expect(
    keyed: LatencyServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", keyed.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    endpoint = resolve_openai(parse_endpoint_spec("openai:echo"))
    [completion] = run_all(endpoint, [ask(3)])
    assert completion.text == "echo: question 3"
    # a key-less Endpoint at OPENAI_BASE_URL also picks the key up from the environment
    [completion] = run_all(Endpoint(keyed.base_url, "echo"), [ask(4)])
    assert completion.text == "echo: question 4"


def test_clients_of_one_base_url_share_one_limiter_and_pool(echo: LatencyServer) -> None:
    async def go() -> None:
        model = Client(Endpoint(echo.base_url, "echo"), role="model", max_connections=3)
        judge = Client(Endpoint(echo.base_url + "/", "echo"), role="judge", max_connections=3)
        assert model.limiter is judge.limiter
        assert model._pool() is judge._pool()
        await asyncio.gather(model.chat(ask(1)), judge.chat(ask(2)))
        await model.aclose()
        assert not judge._pool().connections.closed  # still used by the judge
        await judge.aclose()

    reset_usage()
    asyncio.run(go())
    usage = usage_by_role()
    assert usage["model"].completed == 1 and usage["judge"].completed == 1


def test_in_flight_never_exceeds_max_connections() -> None:
    with LatencyServer(0.05) as slow:

        async def go() -> int:
            peak = 0
            async with Client(Endpoint(slow.base_url, "echo"), max_connections=5) as client:

                async def watch() -> None:
                    nonlocal peak
                    while True:
                        peak = max(peak, client.limiter.in_flight)
                        await asyncio.sleep(0.005)

                watcher = asyncio.ensure_future(watch())
                await asyncio.gather(*(client.chat(ask(i)) for i in range(30)))
                watcher.cancel()
            return peak

        started = time.monotonic()
        assert asyncio.run(go()) == 5
        assert time.monotonic() - started >= 6 * 0.05  # 30 requests, 5 at a time


def test_cached_completions_make_no_request(echo: LatencyServer, tmp_path: Path) -> None:
    reset_usage()
    cache = Cache(tmp_path / "c.sqlite")
    endpoint = Endpoint(echo.base_url, "echo")
    first = run_all(endpoint, [ask(i) for i in range(10)], cache=cache)
    before = echo.requests
    again = run_all(endpoint, [ask(i) for i in range(10)], cache=cache)
    assert echo.requests == before
    assert [c.text for c in again] == [c.text for c in first]
    assert all(c.cached for c in again) and not any(c.cached for c in first)
    counters = usage_by_role()["model"]
    assert (counters.requests, counters.cache_hits, counters.completed) == (10, 10, 20)


def test_404_is_fatal_at_once(echo: LatencyServer) -> None:
    reset_usage()
    wrong = echo.base_url.replace("/v1", "/v2")
    with pytest.raises(
        FatalAPIError, match=r"^404 Not Found from http://127\.0\.0\.1:\d+/v2 \(model echo\): no route"
    ):
        run_all(Endpoint(wrong, "echo"), [ask()])
    assert usage_by_role()["model"].requests == 1
