"""The server thread behind the latency server and the fault proxy: it serves from synchronous code,
stops cleanly, and an error while opening reaches the caller as itself (not a "did not start" timeout)."""

from __future__ import annotations

import asyncio
import socket

import httpx
import pytest

from bench.latency_server import LatencyServer
from harness.testing import ServerThread


def test_a_server_in_the_thread_answers_a_synchronous_client_and_stops() -> None:
    server = LatencyServer(0.0).start()
    try:
        assert httpx.get(f"{server.base_url}/stats").json() == {"requests": 0}
    finally:
        server.stop()
    server.stop()  # a second stop is a no-op
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{server.base_url}/stats", timeout=2)


def test_an_error_while_opening_is_raised_by_start() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(OSError, match="address already in use|Address already in use|in use"):
            LatencyServer(0.0, port=port).start()  # the bind error itself, not RuntimeError("did not start")


def test_start_twice_is_refused() -> None:
    async def nothing() -> None:
        await asyncio.sleep(0)

    runner = ServerThread("idle")
    runner.start(nothing)
    try:
        assert runner.running
        with pytest.raises(RuntimeError, match="already running"):
            runner.start(nothing)
    finally:
        runner.stop(nothing)
    assert not runner.running
