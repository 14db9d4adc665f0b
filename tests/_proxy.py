"""A fault-injecting HTTP proxy for tests: a real loopback server in front of a real upstream.

Why a real server and not ``httpx.MockTransport``: the faults that break clients in practice live
below the SDK (a reset socket, a body shorter than its Content-Length, a stall past the timeout), and
only a real socket reproduces them. The proxy is stdlib asyncio (HTTP/1.1 with keep-alive, bodies by
Content-Length), runs its own event loop in a daemon thread, and forwards to the upstream with httpx.

Fault kinds (:data:`FAULT_KINDS`):

- ``rate_limit``   429 with ``Retry-After`` (plus any extra headers), not forwarded
- ``server_error`` 500, not forwarded;   ``unavailable`` 503, not forwarded
- ``reset``        the request is read, then the socket is closed with RST (SO_LINGER 0)
- ``stall``        the request is read, then nothing is sent for ``stall_s`` seconds, then close
- ``truncated``    forwarded; the upstream's body is cut in half under its full Content-Length
- ``invalid_json`` forwarded; 200 with a body that is not JSON

Rewrites (:data:`REWRITES`, ``rewrite=``) change every forwarded 200 completion instead, to stand in for a
judge that answers but not in the protocol: ``strip_logprobs`` (an endpoint without logprobs) and
``garble`` (a reply with no verdict label and no usable top logprob). ``keep_bodies=True`` keeps each
request body in :attr:`FaultProxy.bodies`: what the judge actually received.

Which requests fail is a pure function of (seed, sha256 of the body, how many times that body was
seen), so a run is reproducible whatever order concurrent requests arrive in. Only POSTs are faulted.
Every request is recorded in :attr:`FaultProxy.log`, so tests can assert, for example, that a body
that once completed cleanly was never sent again.
"""

from __future__ import annotations

import asyncio
import hashlib
import http
import random
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

import httpx
import pytest

from harness.testing import ServerThread

FAULT_KINDS: tuple[str, ...] = (
    "rate_limit",
    "server_error",
    "unavailable",
    "reset",
    "stall",
    "truncated",
    "invalid_json",
)


def _strip_logprobs(choice: dict[str, object]) -> None:
    choice["logprobs"] = None


def _garble(choice: dict[str, object]) -> None:
    message = choice.get("message")
    if isinstance(message, dict):
        message["content"] = "I cannot say."
    if choice.get("logprobs"):
        token = {"token": "I", "logprob": 0.0, "bytes": None}
        choice["logprobs"] = {"content": [{**token, "top_logprobs": [token]}]}


REWRITES: dict[str, Callable[[dict[str, object]], None]] = {
    "strip_logprobs": _strip_logprobs,
    "garble": _garble,
}

_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "host", "content-encoding"}


@dataclass(frozen=True)
class ProxyLogEntry:
    """One request the proxy received. ``status`` is None when no status line was sent."""

    sha256: str
    method: str
    path: str
    status: int | None
    fault: str | None
    attempt: int  # 0 for the first time this body was seen, 1 for the second, ...
    at: float


@dataclass
class FaultProxy:
    """Context manager: ``with FaultProxy(upstream, fault_rate=0.2, seed=1) as p: p.base_url``."""

    upstream: str  # base URL of the upstream, e.g. http://127.0.0.1:8080/v1
    fault_rate: float = 0.0
    seed: int = 0
    kinds: Sequence[str] = FAULT_KINDS
    retry_after: str = "1"
    rate_limit_headers: dict[str, str] = field(default_factory=dict)
    stall_s: float = 30.0
    rewrite: str | None = None  # a key of REWRITES, applied to every forwarded 200 completion
    keep_bodies: bool = False
    log: list[ProxyLogEntry] = field(default_factory=list, init=False)
    bodies: list[bytes] = field(default_factory=list, init=False)
    port: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        unknown = set(self.kinds) - set(FAULT_KINDS)
        if unknown or not self.kinds:
            raise ValueError(f"unknown fault kinds {sorted(unknown)}; choose from {FAULT_KINDS}")
        if self.rewrite is not None and self.rewrite not in REWRITES:
            raise ValueError(f"unknown rewrite {self.rewrite!r}; choose from {sorted(REWRITES)}")
        self.upstream = self.upstream.rstrip("/")
        self._seen: dict[str, int] = {}
        self._lock = threading.Lock()
        self._runner = ServerThread("fault-proxy")
        self._server: asyncio.Server | None = None
        self._http: httpx.AsyncClient | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    # -- lifecycle -------------------------------------------------------------------------------
    def start(self) -> FaultProxy:
        self._runner.start(self._open)
        return self

    def stop(self) -> None:
        self._runner.stop(self._close)

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    async def _open(self) -> None:
        limits = httpx.Limits(max_connections=512, max_keepalive_connections=512)
        self._http = httpx.AsyncClient(timeout=httpx.Timeout(600.0), limits=limits)
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0, backlog=1024)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _close(self) -> None:
        assert self._server is not None and self._http is not None
        self._server.close()
        for writer in list(self._writers):
            writer.transport.abort()
        others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in others:
            task.cancel()
        await asyncio.gather(*others, return_exceptions=True)
        await self._server.wait_closed()
        await self._http.aclose()

    # -- queries for tests -----------------------------------------------------------------------
    def faults(self) -> dict[str, int]:
        """Count of injected faults by kind."""
        out: dict[str, int] = {}
        for entry in self.log:
            if entry.fault:
                out[entry.fault] = out.get(entry.fault, 0) + 1
        return out

    def clean_completions(self) -> dict[str, int]:
        """sha256 of body -> how many times the upstream's answer was passed on intact (200, no fault)."""
        out: dict[str, int] = {}
        for entry in self.log:
            if entry.fault is None and entry.status == 200 and entry.method == "POST":
                out[entry.sha256] = out.get(entry.sha256, 0) + 1
        return out

    # -- the server ------------------------------------------------------------------------------
    def _choose_fault(self, method: str, digest: str) -> tuple[str | None, int]:
        with self._lock:
            attempt = self._seen.get(digest, 0)
            self._seen[digest] = attempt + 1
        if method != "POST" or self.fault_rate <= 0:
            return None, attempt
        rng = random.Random(f"{self.seed}:{digest}:{attempt}")
        if rng.random() >= self.fault_rate:
            return None, attempt
        return rng.choice(list(self.kinds)), attempt

    def _record(
        self, digest: str, method: str, path: str, status: int | None, fault: str | None, n: int
    ) -> None:
        with self._lock:
            self.log.append(ProxyLogEntry(digest, method, path, status, fault, n, time.time()))

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        try:
            while True:
                request = await _read_request(reader)
                if request is None:
                    return
                if not await self._handle(writer, *request):
                    return
        except (ConnectionError, asyncio.IncompleteReadError):
            return
        finally:
            self._writers.discard(writer)
            if not writer.transport.is_closing():
                writer.close()

    async def _handle(
        self, writer: asyncio.StreamWriter, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> bool:
        """Answer one request; False when the connection must be dropped afterwards."""
        digest = hashlib.sha256(body).hexdigest()
        fault, attempt = self._choose_fault(method, digest)
        if self.keep_bodies and method == "POST":
            with self._lock:
                self.bodies.append(body)

        def record(status: int | None) -> None:
            self._record(digest, method, path, status, fault, attempt)

        if fault == "rate_limit":
            extra = {"Retry-After": self.retry_after, **self.rate_limit_headers}
            record(429)
            await _respond(writer, 429, _error_json("rate limited by fault proxy", "rate_limit"), extra)
            return True
        if fault in ("server_error", "unavailable"):
            status = 500 if fault == "server_error" else 503
            record(status)
            await _respond(writer, status, _error_json(f"{fault} injected by fault proxy", "server_error"))
            return True
        if fault == "reset":
            record(None)
            sock = writer.get_extra_info("socket")
            if sock is not None:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            writer.transport.abort()
            return False
        if fault == "stall":
            record(None)
            await asyncio.sleep(self.stall_s)
            writer.transport.abort()
            return False
        status, up_headers, content = await self._forward(method, path, headers, body)
        record(status)
        if self.rewrite is not None and status == 200 and method == "POST":
            content = _rewritten(content, REWRITES[self.rewrite])
        if fault == "truncated":
            full = len(content)
            writer.write(_head(status, {**up_headers, "Content-Length": str(full)}))
            writer.write(content[: full // 2])
            await writer.drain()
            writer.transport.abort()
            return False
        if fault == "invalid_json":
            content = b'{"id": "chatcmpl-broken", "choices": [{"message": {"content": "unterminated'
        await _respond(writer, status, content, up_headers)
        return True

    async def _forward(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        assert self._http is not None
        suffix = path[3:] if path.startswith("/v1") else path
        forward = {k: v for k, v in headers.items() if k.lower() not in _HOP_BY_HOP}
        try:
            response = await self._http.request(method, self.upstream + suffix, headers=forward, content=body)
        except httpx.HTTPError as exc:
            return 502, {}, _error_json(f"upstream failed: {exc!r}", "proxy_error")
        kept = {k: v for k, v in response.headers.items() if k.lower() not in _HOP_BY_HOP}
        return response.status_code, kept, response.content


def _rewritten(content: bytes, rewrite: Callable[[dict[str, object]], None]) -> bytes:
    import json

    doc = json.loads(content)
    for choice in doc.get("choices") or []:
        rewrite(choice)
    return json.dumps(doc).encode()


async def _read_request(reader: asyncio.StreamReader) -> tuple[str, str, dict[str, str], bytes] | None:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError):
        return None
    lines = head.decode("latin-1").split("\r\n")
    method, path, _version = lines[0].split(" ", 2)
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if line:
            name, _, value = line.partition(":")
            headers[name.strip()] = value.strip()
    length = int(next((v for k, v in headers.items() if k.lower() == "content-length"), "0"))
    body = await reader.readexactly(length) if length else b""
    return method, path, headers, body


def _error_json(message: str, kind: str) -> bytes:
    import json

    return json.dumps({"error": {"message": message, "type": kind, "code": None}}).encode()


def _head(status: int, headers: dict[str, str]) -> bytes:
    lines = [f"HTTP/1.1 {status} {_reason(status)}"]
    if not any(k.lower() == "content-type" for k in headers):
        lines.append("Content-Type: application/json")
    lines += [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


async def _respond(
    writer: asyncio.StreamWriter, status: int, body: bytes, headers: dict[str, str] | None = None
) -> None:
    writer.write(_head(status, {**(headers or {}), "Content-Length": str(len(body))}) + body)
    await writer.drain()


@pytest.fixture
def fault_proxy() -> Iterator[Callable[..., FaultProxy]]:
    """Factory fixture: ``proxy = fault_proxy(upstream_base_url, fault_rate=0.2, seed=7)``; stopped after."""
    started: list[FaultProxy] = []

    def make(upstream: str, **kwargs: object) -> FaultProxy:
        proxy = FaultProxy(upstream, **kwargs).start()  # type: ignore[arg-type]
        started.append(proxy)
        return proxy

    yield make
    for proxy in started:
        proxy.stop()


def _reason(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Status"
