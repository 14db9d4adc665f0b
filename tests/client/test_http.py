"""The HTTP/1.1 transport (harness/client/_http.py, _wire.py) against real loopback servers: framing and reuse.

Three kinds of server: the latency server (the OpenAI-compatible echo the benchmarks use), the fault
proxy in front of it, and the scripted server of ``tests/_scripted_http.py``, which answers each request
with exact bytes: chunked, close-delimited, HTTP/1.0, ``Connection: close``, 1xx, gzip, an idle close.
Failures (resets, cut answers, timeouts, unknown hosts, TLS) are in ``test_http_failures.py``.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import socket
import struct
import zlib
from collections.abc import Callable, Iterator

import pytest
from _proxy import FaultProxy
from _scripted_http import Reply, Scripted, answer, ok, scripted

from bench.latency_server import LatencyServer
from harness.client import retry_after_seconds
from harness.client._http import CONNECTS_AT_ONCE, HTTPPool, Response, TransportError


# -- against the latency server ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def echo() -> Iterator[LatencyServer]:
    with LatencyServer(0.0) as server:
        yield server


def test_a_post_gets_its_answer_with_headers_by_any_case(echo: LatencyServer) -> None:
    body = json.dumps({"model": "m", "messages": [{"role": "user", "content": "hi"}]}).encode()

    async def go() -> list[Response]:
        async with HTTPPool(echo.base_url) as http:
            headers = {"Authorization": "Bearer k", "Content-Type": "application/json"}
            return list(
                await asyncio.gather(
                    *(http.request("POST", "/chat/completions", body, headers) for _ in range(64))
                )
            )

    responses = asyncio.run(go())
    assert len(responses) == 64
    for response in responses:
        assert response.status == 200
        assert json.loads(response.body)["choices"][0]["message"]["content"] == "echo: hi"
        assert response.headers["Content-Type"] == response.headers.get("content-type") == "application/json"


def test_sockets_open_a_few_at_a_time_so_the_first_requests_leave_early() -> None:
    """256 requests at once: at most CONNECTS_AT_ONCE sockets are being opened at any moment, so the first
    requests are sent while later sockets are still to be opened (not after all of them), and every one
    is answered."""
    opening = peak = after_first_request = 0

    async def go(server: LatencyServer) -> list[Response]:
        async with HTTPPool(server.base_url) as http:
            connect = http._connect

            async def counted(*args: object) -> object:
                nonlocal opening, peak, after_first_request
                opening += 1
                peak = max(peak, opening)
                after_first_request += server.requests > 0
                try:
                    return await connect(*args)  # type: ignore[arg-type]
                finally:
                    opening -= 1

            http._connect = counted  # type: ignore[method-assign]
            return list(
                await asyncio.gather(*(http.request("POST", "/chat/completions", b"{}") for _ in range(256)))
            )

    with LatencyServer(0.05) as server:
        responses = asyncio.run(go(server))
    assert [r.status for r in responses] == [200] * 256
    assert 1 < peak <= CONNECTS_AT_ONCE
    assert after_first_request > 0  # sockets were still being opened once the server had a request


# -- framing -------------------------------------------------------------------------------------------
def _twice(reply: Reply, *, base: str = "") -> tuple[list[Response], Scripted]:
    async def go() -> tuple[list[Response], Scripted]:
        async with scripted(reply) as server:
            async with HTTPPool(base or server.url) as http:
                first = await http.request("POST", "/x", b"{}", {"Content-Type": "application/json"})
                await asyncio.sleep(0.05)
                second = await http.request("POST", "/x", b"{}")
            return [first, second], server

    result = asyncio.run(go())
    return result


def test_keep_alive_reuses_one_connection_and_the_request_is_plain() -> None:
    [first, second], server = _twice(answer(ok(b'{"a":1}')))
    assert first.body == second.body == b'{"a":1}' and first.keep_alive
    assert server.opened == 1
    head = server.heads[0]
    assert head.startswith("POST /v1/x HTTP/1.1\r\n")
    assert f"Host: 127.0.0.1:{server.port}\r\n" in head and "Content-Length: 2\r\n" in head
    assert "accept-encoding" not in head.lower()
    assert server.bodies == [b"{}", b"{}"]


def test_a_chunked_body_split_into_single_bytes_is_joined() -> None:
    raw = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4;ext=1\r\nWiki\r\n5\r\npedia\r\n0\r\nX-T: 1\r\n\r\n"
    [first, second], server = _twice(answer(*(raw[i : i + 1] for i in range(len(raw)))))
    assert first.body == second.body == b"Wikipedia"
    assert server.opened == 1  # read whole: the connection is reused


def test_a_close_delimited_body_is_read_to_the_end_and_the_connection_not_reused() -> None:
    [first, second], server = _twice(answer(b"HTTP/1.1 200 OK\r\n\r\nuntil the end", keep=False))
    assert first.body == second.body == b"until the end" and not first.keep_alive
    assert server.opened == 2


@pytest.mark.parametrize(
    ("raw", "reused"),
    [
        (b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nhi", False),
        (b"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nhi", True),
        (b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nhi", False),
    ],
)
def test_http_1_0_and_connection_close_decide_reuse(raw: bytes, reused: bool) -> None:
    [first, second], server = _twice(answer(raw, keep=reused))
    assert first.body == second.body == b"hi"
    assert server.opened == (1 if reused else 2)


def test_interim_1xx_answers_are_skipped() -> None:
    raw = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n" + ok(b"done")
    [first, _], server = _twice(answer(raw))
    assert (first.status, first.body) == (200, b"done") and server.opened == 1


@pytest.mark.parametrize(
    ("encoding", "packed"),
    [
        ("gzip", gzip.compress(b'{"ok":true}')),
        ("deflate", zlib.compress(b'{"ok":true}')),
        ("deflate", zlib.compress(b'{"ok":true}')[2:-4]),  # raw deflate, as some servers send it
    ],
)
def test_a_compressed_body_is_decoded(encoding: str, packed: bytes) -> None:
    [first, _], _server = _twice(answer(ok(packed, f"Content-Encoding: {encoding}")))
    assert first.body == b'{"ok":true}'


def test_a_connection_the_server_closed_while_idle_is_not_handed_out() -> None:
    [first, second], server = _twice(answer(ok(b"x"), keep=False))  # sent keep-alive, then closed
    assert first.keep_alive and first.body == second.body == b"x"
    assert server.opened == 2  # the second request did not fail on the dead socket


def test_a_status_line_and_host_for_an_ipv6_literal_and_default_port() -> None:
    try:
        socket.socket(socket.AF_INET6).close()
    except OSError:
        pytest.skip("no IPv6 on this machine")

    async def go() -> Scripted:
        async with scripted(answer(b"HTTP/1.1 204 No Content\r\n\r\n"), host="::1") as server:
            async with HTTPPool(f"http://[::1]:{server.port}/api/") as http:
                response = await http.request("GET", "/models")
                assert (response.status, response.reason, response.body) == (204, "No Content", b"")
            return server

    server = asyncio.run(go())
    assert server.heads[0].startswith(f"GET /api/models HTTP/1.1\r\nHost: [::1]:{server.port}\r\n")
    assert HTTPPool("http://example.org/v1")._fixed.startswith("Host: example.org\r\n")
    assert HTTPPool("https://example.org:443")._fixed.startswith("Host: example.org\r\n")


# -- behind the fault proxy --------------------------------------------------------------------------------
def test_the_fault_proxy_rate_limit_headers_are_read_by_any_case(
    echo: LatencyServer, fault_proxy: Callable[..., FaultProxy]
) -> None:
    proxy = fault_proxy(
        echo.base_url,
        fault_rate=1.0,
        kinds=["rate_limit"],
        retry_after="1",
        rate_limit_headers={"X-RateLimit-Reset-Requests": "2s"},
    )

    async def go() -> Response:
        async with HTTPPool(proxy.base_url) as http:
            return await http.request("POST", "/chat/completions", b'{"messages":[]}')

    response = asyncio.run(go())
    assert response.status == 429
    assert retry_after_seconds(response.headers) == 2.0


def test_a_host_name_is_looked_up_once_for_many_connections_and_each_address_is_tried() -> None:
    """256 connections opened at once to ``localhost`` share one lookup (not 256 in the loop's small
    thread pool); where ``localhost`` is ::1 first and the server listens on 127.0.0.1 only, the
    refused address is passed over."""

    async def slow(writer: asyncio.StreamWriter, index: int) -> bool:
        await asyncio.sleep(0.05)  # all requests in flight at once: one connection each
        writer.write(ok(b"hi"))
        return True

    async def go() -> tuple[Scripted, int, list[Response]]:
        loop = asyncio.get_running_loop()
        real = loop.getaddrinfo
        lookups = 0

        async def counted(*args: object, **kwargs: object) -> object:
            nonlocal lookups
            lookups += 1
            return await real(*args, **kwargs)  # type: ignore[arg-type]

        loop.getaddrinfo = counted  # type: ignore[method-assign]
        async with scripted(slow) as server:
            async with HTTPPool(f"http://localhost:{server.port}/v1") as http:
                responses = await asyncio.gather(*(http.request("GET", "/models") for _ in range(256)))
        return server, lookups, list(responses)

    server, lookups, responses = asyncio.run(go())
    assert all(r.body == b"hi" for r in responses)
    assert server.opened == 256 and lookups == 1
    assert server.heads[0].startswith(f"GET /v1/models HTTP/1.1\r\nHost: localhost:{server.port}\r\n")


def test_a_request_that_meets_a_close_the_pool_had_not_seen_yet_is_sent_again_on_a_new_connection() -> None:
    """The server closes each connection right after its answer (saying keep-alive, as an idle timeout
    would); the next request goes out at once, before the loop has read that close: it fails with no
    byte of an answer and is sent once more on a fresh connection, not failed to the caller."""

    async def go() -> tuple[Scripted, list[bytes]]:
        async with scripted(answer(ok(b"again"), keep=False)) as server:
            async with HTTPPool(server.url) as http:
                bodies = [(await http.request("POST", "/x", b"{}")).body for _ in range(20)]
        return server, bodies

    server, bodies = asyncio.run(go())
    assert bodies == [b"again"] * 20
    assert len(server.bodies) >= 20 and server.opened == len(server.heads)


def test_a_reset_after_the_request_on_a_kept_alive_socket_is_the_callers_to_retry() -> None:
    """Only a clean close before any answer is sent again; a reset (the server took the request, then
    died) reaches the caller, whose retry is counted."""

    async def reply(writer: asyncio.StreamWriter, index: int) -> bool:
        if index == 0:
            writer.write(ok(b"first"))
            return True
        sock = writer.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        writer.transport.abort()
        return False

    async def go() -> Scripted:
        async with scripted(reply) as server:
            async with HTTPPool(server.url) as http:
                assert (await http.request("POST", "/x", b"{}")).body == b"first"
                with pytest.raises(TransportError):
                    await http.request("POST", "/x", b"{}")
        return server

    server = asyncio.run(go())
    assert (server.opened, len(server.heads)) == (1, 2)
