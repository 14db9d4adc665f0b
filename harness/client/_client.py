"""The one model client: OpenAI-compatible requests over one shared connection pool and one adaptive limiter per endpoint.

Why one pool per endpoint: building an OpenAI client per call costs 25-35 ms of CPU and a new TCP
connection (what the peer harnesses do); reusing kept-alive connections (pool limit above the
concurrency cap, inspect_ai #847) keeps the client's own cost a fraction of a millisecond per request.
Several :class:`Client` objects naming the same base URL (say the model under test and a judge on
one vLLM server) share that pool and one :class:`AdaptiveLimiter`, so together they never exceed the
endpoint's limit. Pools are per event loop (a connection cannot cross loops) and are closed when
the last client using them closes.

We own retries so that every failure passes one classifier (``_retry.classify``) and is counted.
The request is one ``POST {base_url}/chat/completions`` with a bearer key, sent by our own HTTP/1.1
transport (:mod:`harness.client._http`: an ``asyncio.Protocol`` per socket, a future per answer), not
through the ``openai`` SDK over httpx, and no longer through aiohttp. The SDK's import alone costs
0.6-2 s of start-up (its thousands of pydantic types), per call it validates what we then parse again,
and httpx/httpcore/anyio spend ~2 ms of CPU per request in their pool and cancel scopes (profiled at
256 in flight). aiohttp spent 0.375 ms of whole-process CPU per request in ``bench/client_throughput.py``
(1,610 requests at 256 in flight, 500 ms each); the transport 0.153 ms, measured side by side (the
kernel's loopback ``send`` is now most of the rest), and in ``harness generate`` each later wave of 256
requests goes out over a median 0.12 s instead of 0.24 s (server-side timestamps, 9 runs each, load 3-5
on 2 cores). Its import costs ~5 ms against aiohttp's ~100 ms (40 ms of which built two SSL contexts a
plain-http endpoint never uses). The JSON body is parsed once;
it is what the cache stores and what :class:`Completion.response` holds.

The API key lives only in memory (``Endpoint.api_key``, never in ``repr``, the cache key or any
message: a server that echoes it back has it masked in the error line).

An endpoint with several replicas (``Endpoint.replicas``) routes each *attempt* through
:mod:`harness.client._replicas`: least in flight among the healthy ones, each replica with its own pool
and limiter (``max_connections`` then caps each replica), a retry going to another replica when one dies.
"""

from __future__ import annotations

import asyncio
import contextlib
import http
import json
import os
import weakref
from dataclasses import dataclass, replace
from types import TracebackType
from typing import Any

from harness.cache import Cache, cache_key
from harness.client._fds import fit_connections, sockets_needed
from harness.client._http import HTTPPool
from harness.client._limiter import AdaptiveLimiter
from harness.client._preflight import ensure_probed
from harness.client._replicas import Replica, ReplicaSet, attach, detach
from harness.client._retry import (
    HTTPStatusError,
    MalformedResponse,
    classify,
    fatal_line,
    server_message,
    wait_seconds,
)
from harness.client._types import (
    ChatRequest,
    Completion,
    RetriesExhausted,
    RoleCounters,
    TokenLogprob,
)
from harness.endpoints import DEFAULT_OPENAI_BASE_URL, Endpoint
from harness.errors import FatalAPIError

_USAGE: dict[str, RoleCounters] = {}


def usage_by_role() -> dict[str, RoleCounters]:
    """A snapshot of every role's counters in this process (e.g. for run.json)."""
    return {role: replace(counters) for role, counters in _USAGE.items()}


def reset_usage() -> None:
    """Forget all counters (between runs in one process, and in tests)."""
    _USAGE.clear()


@dataclass
class _Pool:
    """What all clients of one base URL share within one event loop: one connection pool (keeping up
    to ``max_connections`` + 2 sockets alive, headroom above the limiter's share, inspect_ai #847) and
    one limiter."""

    connections: HTTPPool
    limiter: AdaptiveLimiter
    base_url: str = ""
    users: int = 0

    @classmethod
    def open(cls, base_url: str, max_connections: int, timeout: float) -> _Pool:
        # the trust store is loaded at the first https connection, not before
        connections = HTTPPool(base_url, max_idle=sockets_needed(max_connections), timeout=timeout)
        return cls(connections, AdaptiveLimiter(max_connections), base_url)


_POOLS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, _Pool]] = weakref.WeakKeyDictionary()


def _api_key(endpoint: Endpoint) -> str:
    """The endpoint's key; else OPENAI_API_KEY, but only for OpenAI itself or OPENAI_BASE_URL (a
    user's key is not sent to some other server by accident); else a placeholder local servers
    accept."""
    if endpoint.api_key:
        return endpoint.api_key
    env_url = os.environ.get("OPENAI_BASE_URL", "").rstrip("/")
    if endpoint.base_url.rstrip("/") in (DEFAULT_OPENAI_BASE_URL, env_url):
        return os.environ.get("OPENAI_API_KEY", "") or "EMPTY"
    return "EMPTY"


class Client:
    """``async with Client(endpoint, role="judge", cache=Cache.default()) as c: await c.chat(req)``.

    ``probe``: endpoints to probe (:mod:`harness.client._preflight`) before the first request that crosses
    the network, so that a dead or wrong one is one line and exit 2; a call answered from the cache probes
    nothing. ``max_connections`` caps requests in flight for the whole endpoint: the first client of a base
    URL in an event loop sizes its pool and limiter, later ones share them. ``timeout`` applies to
    each HTTP attempt; ``max_retries`` bounds retries of every kind (rate limit or transient) for one
    request, after which :class:`RetriesExhausted` is raised. 400/401/403/404 (and other 4xx) raise
    :class:`FatalAPIError` at once with one line that never contains the key.
    """

    def __init__(
        self,
        endpoint: Endpoint,
        *,
        role: str = "model",
        cache: Cache | None = None,
        max_connections: int = 64,
        timeout: float = 600.0,
        max_retries: int = 8,
        backoff_base: float = 0.5,
        backoff_cap: float = 60.0,
        probe: tuple[Endpoint, ...] = (),
    ) -> None:
        self.endpoint = endpoint
        self.base_url = endpoint.base_url.rstrip("/")
        self.role = role
        self.cache = cache
        self.max_connections = fit_connections(max_connections)  # under RLIMIT_NOFILE
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self._key = _api_key(endpoint)
        self._attached: dict[tuple[asyncio.AbstractEventLoop, str], _Pool] = {}
        self.replica_urls = tuple(u.rstrip("/") for u in endpoint.replicas)
        self._replica_sets: dict[asyncio.AbstractEventLoop, ReplicaSet] = {}
        # probed before this client's first network request (harness/client/_preflight.py): usually its
        # own endpoint and those the run needs later (the judge's, probed by the model's client); a
        # server the harness started itself was health-checked then
        self._to_probe = [e for e in probe if not e.cache_identity().startswith("managed:")]

    @property
    def counters(self) -> RoleCounters:
        """This role's live counters (shared by every client of the role; survives reset_usage).
        Tokens count only what was sent over the network: cache hits cost nothing."""
        return _USAGE.setdefault(self.role, RoleCounters())

    def __repr__(self) -> str:
        return f"Client({self.base_url!r}, model={self.endpoint.model!r}, role={self.role!r})"

    @property
    def limiter(self) -> AdaptiveLimiter:
        """The limiter shared by every client of this base URL in the running loop."""
        return self._pool().limiter

    def _pool(self, base_url: str | None = None) -> _Pool:
        loop = asyncio.get_running_loop()
        url = base_url or self.base_url
        pool = self._attached.get((loop, url))
        if pool is None:
            pools = _POOLS.setdefault(loop, {})
            pool = pools.get(url)
            if pool is None:
                pool = pools[url] = _Pool.open(url, self.max_connections, self.timeout)
            pool.users += 1
            self._attached[(loop, url)] = pool
        return pool

    @property
    def replicas(self) -> ReplicaSet | None:
        """The running loop's shared replica set, or None for a single-URL endpoint."""
        if not self.replica_urls:
            return None
        loop = asyncio.get_running_loop()
        found = self._replica_sets.get(loop)
        if found is None:
            found = self._replica_sets[loop] = attach(self.replica_urls)
        return found

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._key}", "Content-Type": "application/json"}

    async def chat(self, request: ChatRequest) -> Completion:
        """One chat completion: from the cache if there, else over the network with retries."""
        counters = self.counters
        key = cache_key(self.endpoint, request) if self.cache is not None else None
        if self.cache is not None and key is not None:
            hit = self.cache.get(key)
            if hit is not None:
                completion = parse_completion(hit, cached=True)
                counters.cache_hits += 1
                counters.completed += 1
                return completion
        if self._to_probe:  # the first request that must cross the network
            for endpoint in self._to_probe:  # concurrent callers all wait for the same probes
                urls = endpoint.replicas or (endpoint.base_url,)
                await ensure_probed(urls, endpoint.model, _api_key(endpoint))
            self._to_probe = []
        content = json.dumps(request_body(self.endpoint.model, request), separators=(",", ":")).encode()
        headers = self._headers()
        replicas = self.replicas
        attempt = 0
        while True:
            route: contextlib.AbstractContextManager[Replica | None] = (
                replicas.route() if replicas is not None else contextlib.nullcontext()
            )
            with route as replica:
                pool = self._pool(replica.base_url if replica is not None else None)
                async with pool.limiter.slot() as slot:
                    counters.requests += 1
                    try:
                        response = await pool.connections.request(
                            "POST", "/chat/completions", content, headers
                        )
                        if response.status >= 400:
                            raise HTTPStatusError(response.status, response.headers, response.body)
                        data = json.loads(response.body)
                        completion = parse_completion(data, cached=False)
                    except Exception as exc:  # every failure passes the one classifier
                        decision = classify(exc)
                        if replicas is not None and replica is not None:
                            replicas.on_failure(replica, decision)
                        if decision.kind == "fatal":
                            counters.errors += 1
                            if not isinstance(exc, HTTPStatusError):
                                raise  # not a refusal by the server: a bug, which keeps its traceback
                            raise self._fatal(exc) from None
                        if decision.kind == "rate_limit":
                            pool.limiter.on_rate_limit(slot, decision.retry_after)
                    else:
                        pool.limiter.on_success()
                        break
            if attempt >= self.max_retries:
                counters.errors += 1
                raise RetriesExhausted(
                    f"{attempt + 1} attempts failed for {self.base_url} (model {self.endpoint.model}); "
                    f"last: {decision.reason}"
                )
            counters.retries += 1
            await asyncio.sleep(wait_seconds(decision, attempt, base=self.backoff_base, cap=self.backoff_cap))
            attempt += 1
        counters.completed += 1
        counters.prompt_tokens += completion.prompt_tokens
        counters.completion_tokens += completion.completion_tokens
        if self.cache is not None and key is not None:
            self.cache.put_soon(key, data)  # with the other answers of this loop iteration
        return completion

    def _fatal(self, exc: HTTPStatusError) -> FatalAPIError:
        # the standard reason phrase, whatever the server's status line says
        line = fatal_line(
            exc.status_code,
            _phrase(exc.status_code),
            self.base_url,
            self.endpoint.model,
            server_message(exc),
            self._key,
        )
        return FatalAPIError(line)

    async def aclose(self) -> None:
        """Write the answers still held for the cache; release this client's hold on the shared pools
        (the last user closes them)."""
        if self.cache is not None:
            self.cache.flush()
        attached, self._attached = self._attached, {}
        for (loop, url), pool in attached.items():
            pool.users -= 1
            if pool.users > 0:
                continue
            pools = _POOLS.get(loop, {})
            if pools.get(url) is pool:
                del pools[url]
            if loop is asyncio.get_running_loop():
                await pool.connections.close()
        sets, self._replica_sets = self._replica_sets, {}
        for loop, replica_set in sets.items():
            if loop is asyncio.get_running_loop():
                await detach(self.replica_urls, replica_set)

    async def __aenter__(self) -> Client:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()


def request_body(model: str, request: ChatRequest) -> dict[str, Any]:
    """The JSON body of ``POST /chat/completions`` (also what other backends send, so that one request
    means one body whichever way it travels)."""
    return {"model": model, "messages": request.message_dicts(), **request.params.as_kwargs()}


def _phrase(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def parse_completion(data: Any, *, cached: bool) -> Completion:
    """A :class:`Completion` from a chat-completion body (first choice); MalformedResponse if the
    body is not one, which the classifier treats as transient."""
    try:
        choice = data["choices"][0]
        message = choice.get("message") or {}
        usage = data.get("usage") or {}
        return Completion(
            text=message.get("content") or "",
            finish_reason=choice.get("finish_reason"),
            prompt_tokens=int(usage.get("prompt_tokens") or 0),
            completion_tokens=int(usage.get("completion_tokens") or 0),
            logprobs=_logprobs(choice.get("logprobs")),
            cached=cached,
            response=data,
        )
    except (KeyError, IndexError, TypeError, AttributeError, ValueError) as exc:
        raise MalformedResponse(f"not a chat completion: {type(exc).__name__}: {exc}") from None


def _logprobs(raw: Any) -> tuple[TokenLogprob, ...] | None:
    """Chat-style ``{"content": [{token, logprob, top_logprobs: [{token, logprob}]}]}`` (OpenAI,
    vLLM, llama.cpp), or completion-style ``{tokens, token_logprobs, top_logprobs: [{tok: lp}]}``."""
    if not raw:
        return None
    if raw.get("content") is not None:
        return tuple(
            TokenLogprob(
                token=item["token"],
                logprob=float(item["logprob"]),
                top_logprobs={t["token"]: float(t["logprob"]) for t in item.get("top_logprobs") or []},
            )
            for item in raw["content"]
        )
    if raw.get("tokens") is not None:
        tops = raw.get("top_logprobs") or [None] * len(raw["tokens"])
        return tuple(
            TokenLogprob(
                token=tok, logprob=float(lp), top_logprobs={k: float(v) for k, v in (top or {}).items()}
            )
            for tok, lp, top in zip(raw["tokens"], raw["token_logprobs"], tops, strict=True)
        )
    return None
