"""The HTTP/1.1 transport (harness/client/_http.py) against real loopback servers.

Three kinds of server: the latency server (the OpenAI-compatible echo the benchmarks use), the fault
proxy in front of it, and a scripted asyncio server in this file that answers each request with exact
bytes: the framings, versions and misbehaviours a transport must survive (chunked, close-delimited,
HTTP/1.0, ``Connection: close``, 1xx, gzip, an idle close, a reset mid-body, bytes that are not HTTP).
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import json
import shutil
import socket
import ssl
import struct
import subprocess
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from _proxy import FaultProxy

from bench.latency_server import LatencyServer
from harness.client import classify, retry_after_seconds
from harness.client._http import ConnectError, HTTPPool, ProtocolError, Response, TransportError, UnknownHost
from harness.client._preflight import probe
from harness.errors import PreflightFailed

Reply = Callable[[asyncio.StreamWriter, int], Awaitable[bool]]  # (writer, request index) -> keep serving?


@dataclass
class Scripted:
    """What the scripted server saw: request heads and bodies, connections opened and closed."""

    port: int = 0
    heads: list[str] = field(default_factory=list)
    bodies: list[bytes] = field(default_factory=list)
    opened: int = 0
    closed: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"


@contextlib.asynccontextmanager
async def scripted(reply: Reply, host: str = "127.0.0.1") -> AsyncIterator[Scripted]:
    state = Scripted()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        state.opened += 1
        try:
            while True:
                try:
                    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                length = next(
                    (
                        int(x.split(":")[1])
                        for x in head.split("\r\n")
                        if x.lower().startswith("content-length:")
                    ),
                    0,
                )
                state.heads.append(head)
                state.bodies.append(await reader.readexactly(length))
                if not await reply(writer, len(state.heads) - 1):
                    return
        finally:
            state.closed += 1
            writer.close()

    server = await asyncio.start_server(handle, host, 0)
    state.port = server.sockets[0].getsockname()[1]
    try:
        yield state
    finally:
        server.close()


def answer(*parts: bytes, keep: bool = True, pause: float = 0.0) -> Reply:
    """Write ``parts`` one by one (``pause`` between them), then keep the connection or close it."""

    async def reply(writer: asyncio.StreamWriter, index: int) -> bool:
        for part in parts:
            writer.write(part)
            await writer.drain()
            if pause:
                await asyncio.sleep(pause)
        return keep

    return reply


def ok(body: bytes, *headers: str) -> bytes:
    extra = "".join(f"{h}\r\n" for h in headers)
    return f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\n{extra}\r\n".encode() + body


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


# -- failures --------------------------------------------------------------------------------------------
def _fails(reply: Reply, timeout: float = 5.0) -> BaseException:
    async def go() -> BaseException:
        async with scripted(reply) as server:
            async with HTTPPool(server.url, timeout=timeout) as http:
                with pytest.raises((TransportError, TimeoutError)) as caught:
                    await http.request("POST", "/x", b"{}")
                return caught.value

    error = asyncio.run(go())
    return error


def test_a_reset_mid_body_is_a_transient_connection_error() -> None:
    async def reply(writer: asyncio.StreamWriter, index: int) -> bool:
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789")
        await writer.drain()
        await asyncio.sleep(0.05)
        sock = writer.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        writer.transport.abort()
        return False

    error = _fails(reply)
    assert type(error) is TransportError
    assert (classify(error).kind, classify(error).reason) == ("transient", "connection")


@pytest.mark.parametrize(
    "raw",
    [
        b"HTTP/1.1 200 OK\r\nContent-Le",  # closed inside the headers
        b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort",  # closed inside the body
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nshort",  # inside a chunk
    ],
)
def test_an_answer_cut_short_is_a_transport_error(raw: bytes) -> None:
    error = _fails(answer(raw, keep=False))
    assert type(error) is TransportError and classify(error).reason == "connection"


@pytest.mark.parametrize(
    "raw",
    [b"SSH-2.0-OpenSSH_9.6\r\n\r\n", b"HTTP/1.1 2xx OK\r\n\r\n", b"HTTP/1.1 200 OK\r\nno colon\r\n\r\n"],
)
def test_bytes_that_are_not_http_are_a_protocol_error(raw: bytes) -> None:
    error = _fails(answer(raw, keep=False))
    assert isinstance(error, ProtocolError) and classify(error).reason == "connection"


def test_a_stalled_answer_times_out_and_its_connection_is_closed() -> None:
    async def stall(writer: asyncio.StreamWriter, index: int) -> bool:
        await asyncio.sleep(0.5)
        return True

    async def go() -> tuple[Scripted, float]:
        async with scripted(stall) as server:
            async with HTTPPool(server.url, timeout=0.1) as http:
                loop = asyncio.get_running_loop()
                start = loop.time()
                with pytest.raises(TimeoutError):
                    await http.request("POST", "/x", b"{}")
                elapsed = loop.time() - start
                assert not http._idle  # never back to the pool
                await asyncio.sleep(0.6)  # the server finds the socket closed after its stall
            return server, elapsed

    result = asyncio.run(go())
    server, elapsed = result
    assert 0.09 < elapsed < 0.4 and server.closed == 1
    assert classify(TimeoutError()).reason == "timeout"


def test_refused_and_unknown_hosts_are_told_apart_and_the_preflight_names_them() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]

    async def go() -> tuple[BaseException, BaseException]:
        errors = []
        for url in (f"http://127.0.0.1:{port}/v1", "http://no-such-host.invalid/v1"):
            async with HTTPPool(url) as http:
                with pytest.raises(ConnectError) as caught:
                    await http.request("GET", "/models")
                errors.append(caught.value)
        return errors[0], errors[1]

    result = asyncio.run(go())
    refused, unknown = result
    assert type(refused) is ConnectError and isinstance(refused.__cause__, ConnectionRefusedError)
    assert type(unknown) is UnknownHost and isinstance(unknown.__cause__, socket.gaierror)
    assert classify(refused).reason == classify(unknown).reason == "connection"
    with pytest.raises(PreflightFailed, match=r"^unknown host in http://no-such-host\.invalid/v1$"):
        asyncio.run(probe("http://no-such-host.invalid/v1", "m", "sk-secret"))


def test_closing_the_pool_closes_every_socket_and_fails_requests_in_flight() -> None:
    async def go() -> Scripted:
        async with scripted(answer(ok(b"x"))) as server:
            http = HTTPPool(server.url)
            await http.request("GET", "/models")  # one idle connection
            await http.close()
            await asyncio.sleep(0.05)
            assert server.closed == 1
            with pytest.raises(TransportError, match="closed"):
                await http.request("GET", "/models")
            return server

    asyncio.run(go())

    async def in_flight() -> Scripted:
        gate = asyncio.Event()

        async def held(writer: asyncio.StreamWriter, index: int) -> bool:
            await gate.wait()
            return False

        async with scripted(held) as server:
            http = HTTPPool(server.url)
            tasks = [asyncio.ensure_future(http.request("GET", "/models")) for _ in range(3)]
            while len(server.heads) < 3:
                await asyncio.sleep(0.01)
            await http.close()
            results = await asyncio.gather(*tasks, return_exceptions=True)
            assert all(type(r) is TransportError for r in results), results
            gate.set()
            await asyncio.sleep(0.05)
            assert server.closed == 3
            return server

    asyncio.run(in_flight())


# -- TLS -------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("no openssl command to make a test certificate")
    where = tmp_path_factory.mktemp("tls")
    cert, key = where / "cert.pem", where / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost"],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def test_https_sends_sni_and_checks_the_certificate(certificate: tuple[Path, Path]) -> None:
    cert, key = certificate
    names: list[str | None] = []
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(cert, key)
    server_ctx.sni_callback = lambda sock, name, ctx: names.append(name)  # type: ignore[assignment,func-returns-value]

    async def go() -> tuple[Response, BaseException]:
        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            with contextlib.suppress(Exception):
                await reader.readuntil(b"\r\n\r\n")
                writer.write(ok(b"secure"))
                await writer.drain()
            writer.close()

        server = await asyncio.start_server(handle, "127.0.0.1", 0, ssl=server_ctx)
        port = server.sockets[0].getsockname()[1]
        trusting = ssl.create_default_context(cafile=str(cert))
        async with HTTPPool(f"https://localhost:{port}/v1", ssl_context=trusting) as http:
            response = await http.request("GET", "/models")
        async with HTTPPool(f"https://localhost:{port}/v1") as http:  # the default trust store
            with pytest.raises(ProtocolError) as caught:
                await http.request("GET", "/models")
        server.close()
        return response, caught.value

    result = asyncio.run(go())
    response, untrusted = result
    assert (response.status, response.body) == (200, b"secure")
    assert names[0] == "localhost"
    assert "TLS" in str(untrusted) and isinstance(untrusted.__cause__, ssl.SSLError)
    assert classify(untrusted).reason == "connection"


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
