"""A small HTTP/1.1 client on ``asyncio.Protocol``: keep-alive pools for the few requests the harness sends.

Why our own: the client sends one kind of request (``POST {base}/chat/completions`` with a JSON body, and
``GET {base}/models`` to probe) to one origin at a time, and at 256 in flight its own CPU per answer
decides how fast the answers of one wave go out again as the next wave's requests. aiohttp spent
~0.4-0.5 ms of event-loop time per request in ``ClientSession._request`` (tracing hooks, cookie jar,
timer contexts, a task per connection attempt) and ~0.1 s of every start-up on its import (two SSL
contexts built at import time, ~40 ms, that a plain-http endpoint never uses). This module is a parser
and a pool: one protocol object per socket, one future per response, one timer per attempt, no task per
request; its measured numbers are in ``harness/client/_client.py``.

What it does: ``http`` and ``https`` (TLS with SNI), default and explicit ports, IPv6 literals, a base
URL's path prefix; ``Content-Length`` request bodies; responses framed by ``Content-Length``, chunked
``Transfer-Encoding`` or the end of the connection, HTTP/1.0 or 1.1, 1xx interim answers skipped; a
gzip or deflate body (never asked for) decoded. A connection goes back to the pool only when its answer
was read whole and neither side said ``Connection: close``; one the server closed while idle is never
handed out. Every network failure raises :class:`TransportError` (cause chained), :class:`ConnectError`
when no connection could be opened and :class:`UnknownHost` when the name does not resolve (the
preflight's one-line exit, not a retry); running out of the attempt's time raises ``TimeoutError``.
Messages name the origin and the failure, never a header (the API key is one).
"""

from __future__ import annotations

import asyncio
import functools
import socket
import ssl
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

MAX_HEAD = 64 * 1024  # status line plus headers; more is not an HTTP server talking
DNS_TTL_S = 10.0  # how long a name's addresses are reused (aiohttp's default too)
_NO_BODY = (204, 304)


class TransportError(Exception):
    """The network or the peer failed this request (refused, reset, closed early, not HTTP, TLS)."""


class ConnectError(TransportError):
    """No connection could be opened (refused, unreachable)."""


class UnknownHost(ConnectError):
    """The host name does not resolve."""


class ProtocolError(TransportError):
    """The peer's bytes are not an HTTP/1.x answer (or its TLS handshake failed)."""


class Headers(Mapping[str, str]):
    """Response headers looked up by any case (repeated names joined with ", ")."""

    __slots__ = ("_items",)

    def __init__(self, items: dict[str, str]) -> None:
        self._items = items  # lower-cased names

    def __getitem__(self, name: str) -> str:
        return self._items[name.lower()]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"Headers({self._items!r})"


@dataclass(slots=True)
class Response:
    status: int
    reason: str
    headers: Headers
    body: bytes
    keep_alive: bool


@functools.cache
def default_ssl_context() -> ssl.SSLContext:
    """The default trust store, with certifi's bundle where it is installed (loaded once, ~40 ms, and
    only for an https endpoint)."""
    try:
        import certifi  # optional: present wherever httpx or requests are
    except ImportError:
        return ssl.create_default_context()
    return ssl.create_default_context(cafile=certifi.where())


def _is_ip(host: str) -> bool:
    for family in (socket.AF_INET, socket.AF_INET6):
        try:
            socket.inet_pton(family, host)
        except OSError:
            continue
        return True
    return False


def _parse_head(raw: bytes) -> tuple[bool, int, str, dict[str, str]]:
    """``(is HTTP/1.0, status, reason, lower-cased headers)`` of a status line and header block."""
    lines = raw.decode("latin-1").split("\r\n")
    version, _, rest = lines[0].partition(" ")
    code, _, reason = rest.partition(" ")
    if not version.startswith("HTTP/1.") or len(code) != 3 or not code.isdigit():
        raise ProtocolError(f"not an HTTP/1.x status line: {lines[0][:80]!r}")
    headers: dict[str, str] = {}
    name = ""
    for line in lines[1:]:
        if line[:1] in (" ", "\t") and name:  # obsolete line folding
            headers[name] += " " + line.strip()
            continue
        name, sep, value = line.partition(":")
        name = name.strip().lower()
        if not sep or not name:
            raise ProtocolError(f"bad header line: {line[:80]!r}")
        value = value.strip()
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    return version == "HTTP/1.0", int(code), reason, headers


def _decode(body: bytes, encoding: str) -> bytes:
    """A body the server compressed although we never sent Accept-Encoding."""
    encoding = encoding.strip().lower()
    try:
        if encoding in ("gzip", "x-gzip"):
            return zlib.decompress(body, 16 + zlib.MAX_WBITS)
        if encoding == "deflate":  # zlib-wrapped as the RFC says, or raw as some servers send it
            try:
                return zlib.decompress(body)
            except zlib.error:
                return zlib.decompress(body, -zlib.MAX_WBITS)
    except zlib.error as exc:
        raise ProtocolError(f"bad {encoding} body: {exc}") from exc
    if encoding in ("", "identity"):
        return body
    raise ProtocolError(f"unsupported Content-Encoding {encoding!r}")


class _Connection(asyncio.Protocol):
    """One socket: writes a request, parses its answer as bytes arrive, resolves one future per answer."""

    def __init__(self, loop: asyncio.AbstractEventLoop, on_lost: Callable[[_Connection], None]) -> None:
        self.loop = loop
        self.on_lost = on_lost
        self.transport: asyncio.Transport | None = None
        self.buf = bytearray()
        self.waiter: asyncio.Future[Response] | None = None
        self.timer: asyncio.TimerHandle | None = None
        self.eof = False  # the peer closed its side (or the connection is gone)
        self.lost = False
        self.lost_exc: BaseException | None = None
        self.head: tuple[bool, int, str, dict[str, str]] | None = None
        self.length = -1  # body bytes expected; -1 until the end of the connection; -2 chunked
        self.pos = 0  # chunked: where the next chunk-size line starts
        self.parts: list[bytes] = []

    # -- asyncio.Protocol ------------------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        if self.waiter is None:  # bytes nobody asked for: this connection cannot be trusted again
            self.eof = True
            if self.transport is not None:
                self.transport.abort()
            return
        self.buf += data
        self._advance()

    def eof_received(self) -> bool:
        self.eof = True
        if self.waiter is not None:
            self._advance()
        return False  # close our side too

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = self.eof = True
        self.lost_exc = exc
        self.on_lost(self)
        if self.waiter is not None:
            self._advance()
            if self.waiter is not None:  # still waiting: the answer can never be complete
                self._fail(TransportError("connection lost before the answer was complete"))

    # -- one request -----------------------------------------------------------------------------
    @property
    def usable(self) -> bool:
        return not self.eof and self.transport is not None and not self.transport.is_closing()

    def send(self, data: bytes, deadline: float) -> asyncio.Future[Response]:
        assert self.transport is not None
        self.waiter = waiter = self.loop.create_future()
        self.timer = self.loop.call_at(deadline, self._time_out)
        self.transport.write(data)
        return waiter

    def abort(self) -> None:
        self.eof = True
        self._clear()
        if self.transport is not None:
            self.transport.abort()

    def close(self) -> None:
        self.eof = True
        if self.transport is not None:
            self.transport.close()

    def _clear(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        self.waiter = None

    def _time_out(self) -> None:
        self.timer = None
        self._fail(TimeoutError())
        self.abort()

    def _fail(self, exc: BaseException) -> None:
        waiter = self.waiter
        self._clear()
        self.eof = True  # never reused
        if waiter is not None and not waiter.done():
            if self.lost_exc is not None and exc.__cause__ is None:
                exc.__cause__ = self.lost_exc
            waiter.set_exception(exc)

    def _advance(self) -> None:
        try:
            response = self._parse()
        except TransportError as exc:
            self._fail(exc)
            if self.transport is not None:
                self.transport.abort()
            return
        if response is None:
            return
        waiter = self.waiter
        self._clear()
        self.head, self.length, self.pos, self.parts = None, -1, 0, []
        if not response.keep_alive:
            self.eof = True
        if waiter is not None and not waiter.done():
            waiter.set_result(response)

    # -- parsing ---------------------------------------------------------------------------------
    def _parse(self) -> Response | None:
        buf = self.buf
        while self.head is None:
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                if len(buf) > MAX_HEAD:
                    raise ProtocolError("response headers too large")
                if self.eof:
                    raise TransportError("connection closed before the response headers")
                return None
            head = _parse_head(bytes(buf[:end]))
            del buf[: end + 4]
            if 100 <= head[1] < 200:
                continue  # an interim answer (100 Continue, 103 Early Hints): the real one follows
            self.head = head
            headers = head[3]
            if head[1] in _NO_BODY:
                self.length = 0
            elif "chunked" in headers.get("transfer-encoding", "").lower():
                self.length = -2
            elif (declared := headers.get("content-length")) is not None:
                try:
                    self.length = int(declared.split(",")[0])
                except ValueError:
                    raise ProtocolError(f"bad Content-Length {declared[:40]!r}") from None
            else:
                self.length = -1
        if self.length >= 0:
            if len(buf) < self.length:
                if self.eof:
                    raise TransportError(f"connection closed after {len(buf)} of {self.length} body bytes")
                return None
            body = bytes(buf[: self.length])
            del buf[: self.length]
        elif self.length == -1:
            if not self.eof:
                return None
            body = bytes(buf)
            buf.clear()
        else:
            chunked = self._chunked()
            if chunked is None:
                return None
            body = chunked
        return self._response(body)

    def _chunked(self) -> bytes | None:
        buf, pos = self.buf, self.pos
        while True:
            line_end = buf.find(b"\r\n", pos)
            if line_end < 0:
                break
            size_text = bytes(buf[pos:line_end]).split(b";")[0].strip()
            try:
                size = int(size_text, 16)
            except ValueError:
                raise ProtocolError(f"bad chunk size {size_text[:20]!r}") from None
            if size == 0:  # the last chunk; then trailers up to an empty line
                if buf[line_end + 2 : line_end + 4] == b"\r\n":
                    end = line_end + 4
                else:
                    end = buf.find(b"\r\n\r\n", line_end + 2)
                    if end < 0:
                        break
                    end += 4
                del buf[:end]
                body = b"".join(self.parts)
                self.parts, self.pos = [], 0
                return body
            if len(buf) < line_end + 2 + size + 2:
                break
            if buf[line_end + 2 + size : line_end + 4 + size] != b"\r\n":
                raise ProtocolError("chunk not followed by CRLF")
            self.parts.append(bytes(buf[line_end + 2 : line_end + 2 + size]))
            pos = line_end + 4 + size
        self.pos = pos
        if self.eof:
            raise TransportError("connection closed inside a chunked body")
        return None

    def _response(self, body: bytes) -> Response:
        assert self.head is not None
        http10, status, reason, headers = self.head
        if (encoding := headers.get("content-encoding")) is not None:
            body = _decode(body, encoding)
        tokens = headers.get("connection", "").lower()
        keep = ("keep-alive" in tokens) if http10 else ("close" not in tokens)
        keep = keep and self.length != -1 and not self.buf and not self.eof
        return Response(status, reason, Headers(headers), body, keep)


class HTTPPool:
    """Kept-alive connections to the origin of ``base_url``; ``request`` paths are relative to its path.

    ``max_idle`` bounds the connections kept open between requests (a caller's limiter bounds those in
    use); ``timeout`` is each request's total time (connect, send, answer) unless the call says another;
    ``ssl_context`` replaces the default trust store (tests, a private CA). One pool belongs to one event
    loop.
    """

    def __init__(
        self,
        base_url: str,
        *,
        max_idle: int = 16,
        timeout: float = 600.0,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) URL: {base_url}")
        self.tls = parts.scheme == "https"
        self.host = parts.hostname
        default = 443 if self.tls else 80
        self.port = parts.port or default
        self.prefix = parts.path.rstrip("/")
        name = f"[{self.host}]" if ":" in self.host else self.host
        self.origin = f"{parts.scheme}://{name}" + ("" if self.port == default else f":{self.port}")
        # every request names the host (with a non-default port) and the client (gateways refuse none)
        self._fixed = (
            f"Host: {name}{'' if self.port == default else f':{self.port}'}\r\nUser-Agent: harness\r\n"
        )
        self.max_idle = max_idle
        self.timeout = timeout
        self.ssl_context = ssl_context  # None: default_ssl_context(), loaded at the first https connection
        self.closed = False
        self._idle: list[_Connection] = []
        self._open: set[_Connection] = set()
        self._literal = _is_ip(self.host)
        self._lookup: tuple[float, asyncio.Future[list[tuple[Any, ...]]]] | None = None

    async def request(
        self,
        method: str,
        path: str,
        body: bytes = b"",
        headers: Mapping[str, str] | None = None,
        *,
        timeout: float | None = None,
    ) -> Response:
        """One request and its whole answer (any status); TransportError, or TimeoutError after ``timeout``."""
        if self.closed:
            raise TransportError(f"the connection pool for {self.origin} is closed")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + (self.timeout if timeout is None else timeout)
        conn = None
        while self._idle:
            conn = self._idle.pop()
            if conn.usable:
                break
            conn.abort()
            conn = None
        if conn is None:
            conn = await self._connect(loop, deadline)
        lines = "".join(f"{name}: {value}\r\n" for name, value in headers.items()) if headers else ""
        length = f"Content-Length: {len(body)}\r\n" if body or method not in ("GET", "HEAD") else ""
        head = f"{method} {self.prefix}{path} HTTP/1.1\r\n{self._fixed}{lines}{length}\r\n".encode("latin-1")
        try:
            response = await conn.send(head + body if body else head, deadline)
        except BaseException:
            conn.abort()  # timed out, failed or cancelled: never back to the pool
            raise
        if response.keep_alive and not self.closed and len(self._idle) < self.max_idle:
            self._idle.append(conn)
        else:
            conn.close()
        return response

    async def _connect(self, loop: asyncio.AbstractEventLoop, deadline: float) -> _Connection:
        where = f"{self.host}:{self.port}"
        error: OSError | None = None
        try:
            async with asyncio.timeout_at(deadline):
                for address in await self._addresses(loop):  # in the resolver's order, the next on failure
                    try:
                        _, conn = await loop.create_connection(
                            lambda: _Connection(loop, self._open.discard),
                            address,
                            self.port,
                            ssl=(self.ssl_context or default_ssl_context()) if self.tls else None,
                            server_hostname=self.host if self.tls else None,
                        )
                    except ssl.SSLError:
                        raise
                    except OSError as exc:
                        if isinstance(exc, TimeoutError):
                            raise
                        error = exc
                        continue
                    self._open.add(conn)
                    return conn
        except TimeoutError:
            raise
        except socket.gaierror as exc:
            raise UnknownHost(f"unknown host {self.host}") from exc
        except ssl.SSLError as exc:
            raise ProtocolError(f"TLS handshake with {where} failed: {exc.reason or exc}") from exc
        except OSError as exc:
            error = exc
        reason = (error.strerror or type(error).__name__) if error is not None else "no address"
        raise ConnectError(f"cannot connect to {where}: {reason}") from error

    async def _addresses(self, loop: asyncio.AbstractEventLoop) -> list[str]:
        """The host's addresses: the literal itself, or one lookup shared by every connection opened within
        ``DNS_TTL_S`` (256 connections opened at once would otherwise be 256 lookups in the loop's thread
        pool, which has a handful of threads)."""
        if self._literal:
            return [self.host]
        now = loop.time()
        if self._lookup is None or self._lookup[0] < now:
            found = loop.getaddrinfo(self.host, self.port, type=socket.SOCK_STREAM)
            self._lookup = (now + DNS_TTL_S, asyncio.ensure_future(found))
        lookup = self._lookup
        try:
            infos = await asyncio.shield(lookup[1])
        except BaseException:
            if self._lookup is lookup and lookup[1].done():
                self._lookup = None  # a failed lookup is not kept
            raise
        return list(dict.fromkeys(str(info[4][0]) for info in infos))

    async def close(self) -> None:
        """Close every socket (idle or in use) and refuse new requests."""
        self.closed = True
        self._idle.clear()
        for conn in list(self._open):
            conn.close()
        self._open.clear()
        await asyncio.sleep(0)  # let the transports finish closing

    async def __aenter__(self) -> HTTPPool:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()
