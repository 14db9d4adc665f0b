"""The fault proxy itself: each fault kind produces the symptom a client must survive."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest
from _proxy import FAULT_KINDS, FaultProxy

from bench.latency_server import LatencyServer

BODY = {"model": "echo", "messages": [{"role": "user", "content": "hello there"}], "max_tokens": 4}


@pytest.fixture(scope="module")
def echo_server() -> LatencyServer:
    with LatencyServer(0.0) as server:
        yield server


def _post(proxy: FaultProxy, timeout: float = 2.0) -> httpx.Response:
    with httpx.Client(timeout=timeout) as http:
        return http.post(proxy.base_url + "/chat/completions", json=BODY)


def test_clean_forwarding_keeps_body_and_logs_it(
    echo_server: LatencyServer, fault_proxy: Callable[..., FaultProxy]
) -> None:
    proxy = fault_proxy(echo_server.base_url)
    response = _post(proxy)
    assert response.status_code == 200
    assert response.json()["choices"][0]["message"]["content"] == "echo: hello there"
    assert len(proxy.clean_completions()) == 1 and proxy.log[0].fault is None


@pytest.mark.parametrize("kind", ["rate_limit", "server_error", "unavailable", "invalid_json"])
def test_status_faults(kind: str, echo_server: LatencyServer, fault_proxy: Callable[..., FaultProxy]) -> None:
    proxy = fault_proxy(echo_server.base_url, fault_rate=1.0, kinds=[kind], retry_after="3")
    response = _post(proxy)
    expected = {"rate_limit": 429, "server_error": 500, "unavailable": 503, "invalid_json": 200}[kind]
    assert response.status_code == expected
    if kind == "rate_limit":
        assert response.headers["retry-after"] == "3"
    if kind == "invalid_json":
        with pytest.raises(json.JSONDecodeError):
            json.loads(response.content)
    assert proxy.faults() == {kind: 1}


@pytest.mark.parametrize("kind", ["reset", "truncated"])
def test_connection_faults(
    kind: str, echo_server: LatencyServer, fault_proxy: Callable[..., FaultProxy]
) -> None:
    proxy = fault_proxy(echo_server.base_url, fault_rate=1.0, kinds=[kind])
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        _post(proxy)
    assert proxy.faults() == {kind: 1}


def test_stall_outlasts_the_timeout(
    echo_server: LatencyServer, fault_proxy: Callable[..., FaultProxy]
) -> None:
    proxy = fault_proxy(echo_server.base_url, fault_rate=1.0, kinds=["stall"], stall_s=5.0)
    with pytest.raises(httpx.ReadTimeout):
        _post(proxy, timeout=0.3)


def test_fault_choice_is_reproducible_by_seed(
    echo_server: LatencyServer, fault_proxy: Callable[..., FaultProxy]
) -> None:
    runs = []
    for _ in range(2):
        proxy = fault_proxy(echo_server.base_url, fault_rate=0.5, seed=11, kinds=["server_error"])
        runs.append([_post(proxy).status_code for _ in range(12)])
    assert runs[0] == runs[1] and set(runs[0]) == {200, 500}


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown fault kinds"):
        FaultProxy("http://127.0.0.1:1/v1", kinds=["explode"])
    assert "reset" in FAULT_KINDS
