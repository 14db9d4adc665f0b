"""A small HTTP/1.1 client on ``asyncio.Protocol``: keep-alive pools for the few requests the harness sends.

Why our own: the client sends one kind of request (``POST {base}/chat/completions`` with a JSON body, and
``GET {base}/models`` to probe) to one origin at a time, and at 256 in flight its own CPU per answer
decides how fast the answers of one wave go out again as the next wave's requests. aiohttp spent
~0.4-0.5 ms of event-loop time per request in ``ClientSession._request`` (tracing hooks, cookie jar,
timer contexts, a task per connection attempt) and ~0.1 s of every start-up on its import (two SSL
contexts built at import time, ~40 ms, that a plain-http endpoint never uses). This module is the pool
(connecting, TLS, one DNS lookup per host shared by every connection); :mod:`harness.client._wire` is
the parser, one protocol object per socket and one future per answer. One timer per attempt, no task per
request; the measured numbers are in ``harness/client/_client.py``.

What it does: ``http`` and ``https`` (TLS with SNI), default and explicit ports, IPv6 literals, a base
URL's path prefix; ``Content-Length`` request bodies; responses framed by ``Content-Length``, chunked
``Transfer-Encoding`` or the end of the connection, HTTP/1.0 or 1.1, 1xx interim answers skipped; a
gzip or deflate body (never asked for) decoded. A connection goes back to the pool only when its answer
was read whole and neither side said ``Connection: close``; one the server closed while idle is never
handed out, and a request that met such a close before the loop had read it (nothing of an answer came,
the close was clean) is sent once more on a new socket rather than failed: the race of a server's
keep-alive timeout (uvicorn's, under vLLM, is 5 s). Go's net/http resends only idempotent requests
there; a chat request failed with "connection" would be sent again by the client anyway, after a backoff. Every network failure raises :class:`TransportError` (cause chained), :class:`ConnectError`
when no connection could be opened and :class:`UnknownHost` when the name does not resolve (the
preflight's one-line exit, not a retry); running out of the attempt's time raises ``TimeoutError``.
Messages name the origin and the failure, never a header (the API key is one).
"""

from __future__ import annotations

import asyncio
import functools
import socket
import ssl
from collections.abc import Mapping
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

from harness.client._wire import (
    ConnectError,
    Connection,
    Headers,
    ProtocolError,
    Response,
    TransportError,
    UnknownHost,
)

DNS_TTL_S = 10.0  # how long a name's addresses are reused (aiohttp's default too)
# Sockets being opened at once per pool. Opening one costs ~0.2 ms of the event loop; 256 requests
# started together would open all 256 before the first connection could be used (the loop initiates
# every connect before it sees one complete), so the first request left ~50 ms late. 16 at a time: the
# first requests go out as soon as their sockets are open, while the rest open (measured at 256 in flight:
# the 74th request reached the server ~30 ms sooner, the whole generate job ~50 ms sooner).
CONNECTS_AT_ONCE = 16

__all__ = [
    "ConnectError",
    "HTTPPool",
    "Headers",
    "ProtocolError",
    "Response",
    "TransportError",
    "UnknownHost",
    "default_ssl_context",
]


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
        self._idle: list[Connection] = []
        self._open: set[Connection] = set()
        self._literal = _is_ip(self.host)
        self._lookup: tuple[float, asyncio.Future[list[tuple[Any, ...]]]] | None = None
        self._connecting = asyncio.Semaphore(CONNECTS_AT_ONCE)

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
        lines = "".join(f"{name}: {value}\r\n" for name, value in headers.items()) if headers else ""
        length = f"Content-Length: {len(body)}\r\n" if body or method != "GET" else ""
        head = f"{method} {self.prefix}{path} HTTP/1.1\r\n{self._fixed}{lines}{length}\r\n".encode("latin-1")
        fresh = (
            False  # after a kept-alive socket turned out closed: a new one (the other idle ones likely are)
        )
        while True:
            conn = None if fresh else self._reusable()
            reused = conn is not None
            if conn is None:
                async with self._connecting:
                    conn = await self._connect(loop, deadline)
            try:
                response = await conn.send(head + body if body else head, deadline)
                break
            except TransportError:
                conn.abort()
                # a kept-alive socket the server closed (cleanly: its idle timeout) just before we wrote,
                # which the loop had not read yet: no byte of an answer came, so send it again, once, on a
                # new socket (not when this pool was closed meanwhile); a reset or a cut answer is the
                # caller's to count and retry
                if reused and not self.closed and not conn.received and conn.lost_exc is None:
                    fresh = True
                    continue
                raise
            except BaseException:
                conn.abort()  # timed out, failed or cancelled: never back to the pool
                raise
        if response.keep_alive and not self.closed and len(self._idle) < self.max_idle:
            self._idle.append(conn)
        else:
            conn.close()
        return response

    def _reusable(self) -> Connection | None:
        while self._idle:
            conn = self._idle.pop()
            if conn.usable:
                return conn
            conn.abort()
        return None

    async def _connect(self, loop: asyncio.AbstractEventLoop, deadline: float) -> Connection:
        where = f"{self.host}:{self.port}"
        error: OSError | None = None
        try:
            async with asyncio.timeout_at(deadline):
                for address in await self._addresses(loop):  # in the resolver's order, the next on failure
                    try:
                        _, conn = await loop.create_connection(
                            lambda: Connection(loop, self._open.discard),
                            address,
                            self.port,
                            ssl=(self.ssl_context or default_ssl_context()) if self.tls else None,
                            server_hostname=self.host if self.tls else None,
                        )
                    except ssl.SSLError:
                        raise
                    except OSError as exc:  # refused, unreachable, the kernel's connect timeout (ETIMEDOUT,
                        error = exc  # a TimeoutError too, not this attempt's deadline): the next address
                        continue
                    self._open.add(conn)
                    return conn
        except TimeoutError:  # the attempt's deadline (raised as the timeout_at block exits)
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
