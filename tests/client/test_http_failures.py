"""The HTTP/1.1 transport's failures against real loopback servers: each is one exception type the retry
classifier calls "connection" (or a TimeoutError it calls "timeout"), with its cause chained; an unknown
host is told apart for the preflight's one line; TLS checks the certificate and sends SNI.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import socket
import ssl
import struct
import subprocess
from pathlib import Path

import pytest
from _scripted_http import Reply, Scripted, answer, ok, scripted

from harness.client import classify
from harness.client._http import ConnectError, HTTPPool, ProtocolError, Response, TransportError, UnknownHost
from harness.client._preflight import probe
from harness.errors import PreflightFailed


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
    [
        b"SSH-2.0-OpenSSH_9.6\r\n\r\n",
        b"HTTP/1.1 2xx OK\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nno colon\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\n",  # int() reads it; no length is negative
    ],
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


def test_closing_the_pool_never_sends_a_request_in_flight_again() -> None:
    """A request on a kept-alive socket that the pool's close ends is failed, not re-sent on a new socket
    (the re-send is for a socket the server closed while idle)."""

    async def go() -> tuple[BaseException | Response, int]:
        gate = asyncio.Event()

        async def reply(writer: asyncio.StreamWriter, index: int) -> bool:
            if index:
                await gate.wait()
            writer.write(ok(b"x"))
            await writer.drain()
            return True

        async with scripted(reply) as server:
            http = HTTPPool(server.url)
            await http.request("GET", "/a")  # the socket is kept alive and reused below
            second = asyncio.ensure_future(http.request("GET", "/b"))
            while len(server.heads) < 2:
                await asyncio.sleep(0.01)
            await http.close()
            result = (await asyncio.gather(second, return_exceptions=True))[0]
            await asyncio.sleep(0.05)
            gate.set()
            return result, len(server.heads)

    result, heads = asyncio.run(go())
    assert type(result) is TransportError
    assert heads == 2
