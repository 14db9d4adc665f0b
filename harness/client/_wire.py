"""HTTP/1.1 on the wire: one ``asyncio.Protocol`` per socket that writes a request and parses its answer.

Why a protocol and not streams: the answer is parsed in ``data_received`` as its bytes arrive (usually
all in one call) and resolves one future; no task, no reader object, no buffer copies per line. What it
reads: a status line (HTTP/1.0 or 1.1), headers (found by any case), a body framed by ``Content-Length``,
chunked ``Transfer-Encoding`` or the end of the connection, 1xx interim answers skipped, a gzip or
deflate body (never asked for) decoded. It says whether the socket may be used again: only when the
answer was read whole, nothing more arrived, and neither side said ``Connection: close``. The errors
(:class:`TransportError` and its kinds) name what failed, never a header: the API key is one.
The pool, connecting and TLS are in :mod:`harness.client._http`.
"""

from __future__ import annotations

import asyncio
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

MAX_HEAD = 64 * 1024  # status line plus headers; more is not an HTTP server talking
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


class Connection(asyncio.Protocol):
    """One socket: writes a request, parses its answer as bytes arrive, resolves one future per answer."""

    def __init__(self, loop: asyncio.AbstractEventLoop, on_lost: Callable[[Connection], None]) -> None:
        self.loop = loop
        self.on_lost = on_lost
        self.transport: asyncio.Transport | None = None
        self.buf = bytearray()
        self.waiter: asyncio.Future[Response] | None = None
        self.timer: asyncio.TimerHandle | None = None
        self.eof = False  # the peer closed its side (or the connection is gone)
        self.lost_exc: BaseException | None = None
        self.head: tuple[bool, int, str, dict[str, str]] | None = None
        self.length = -1  # body bytes expected; -1 until the end of the connection; -2 chunked
        self.pos = 0  # chunked: where the next chunk-size line starts
        self.parts: list[bytes] = []
        self.received = False  # any byte of an answer to the request under way

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
        self.received = True
        self._advance()

    def eof_received(self) -> bool:
        self.eof = True
        if self.waiter is not None:
            self._advance()
        return False  # close our side too

    def connection_lost(self, exc: Exception | None) -> None:
        self.eof = True
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
        self.received = False
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
                value = declared.split(",")[0].strip()
                if not (value.isascii() and value.isdigit()):  # int() would take "-5", "+5", "1_0"
                    raise ProtocolError(f"bad Content-Length {declared[:40]!r}")
                self.length = int(value)
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
