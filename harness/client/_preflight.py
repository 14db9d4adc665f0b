"""Endpoint preflight: one cheap probe per endpoint before its first real request, with a short budget.

Why: a dead endpoint, a server that is not OpenAI-compatible, or a URL without ``/v1`` used to cost
50-65 s of silent retries per request and end in "0 generated, 2 failed", the cause only inside
outputs.jsonl. The probe is ``GET {base}/models`` (every OpenAI-compatible server has it, it costs no
tokens); where that route is missing it falls back to a 1-token chat request. What it can tell for sure
becomes one line and exit 2 (:class:`PreflightFailed`):

- ``connection refused at URL`` (nothing listens there), ``unknown host in URL`` (the name does not resolve);
- ``HTTP 501: not an OpenAI-compatible server at URL (did you mean URL/v1?)`` (any non-OpenAI answer);
- ``401: key rejected by URL`` (and 403);
- no answer within the budget.

A 429 or a 5xx other than 501 is the server being busy, not wrong: the run starts and its retries
handle it. The API key is never part of a message.

When: lazily, at the first request that must cross the network (:func:`ensure_probed`, called by the
client on its first cache miss), once per endpoint and process. A run whose answers are all stored or
cached never probes anything; a run that does send requests probes before the first one, and the model's
client probes the judge's endpoint too, so a dead judge stops a run before the model generates.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
import weakref
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from harness.client._http import ConnectError, HTTPPool, ProtocolError, TransportError, UnknownHost
from harness.errors import PreflightFailed

BUDGET_S = 6.0  # the whole probe of one endpoint, retries included
ATTEMPT_S = 3.0  # one HTTP attempt
REFUSED_TRIES = 3  # a port refused this many times, 0.3 s apart, is dead (not a server restarting)

__all__ = [
    "PreflightFailed",
    "ensure_probed",
    "forget_probes",
    "preflight",
    "preflight_all",
    "probe",
    "probe_all",
]


def _v1_hint(base_url: str) -> str:
    path = urlsplit(base_url).path.rstrip("/")
    return "" if path.endswith("/v1") else f" (did you mean {base_url.rstrip('/')}/v1?)"


def _not_openai(status: int, base_url: str) -> PreflightFailed:
    return PreflightFailed(
        f"HTTP {status}: not an OpenAI-compatible server at {base_url}{_v1_hint(base_url)}"
    )


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return None


def _judge(status: int, raw: bytes, base_url: str, *, listing: bool) -> bool:
    """True: the endpoint is usable. False: inconclusive (fall back or let the run retry). Raises when
    the answer says for sure that the run cannot work."""
    if status in (401, 403):
        raise PreflightFailed(f"{status}: key rejected by {base_url} (check OPENAI_API_KEY)")
    if status == 501:
        raise _not_openai(status, base_url)
    if status == 429 or status >= 500 or status in (408, 409):
        return True  # busy, not wrong: the run's retries wait for it
    body = _json(raw)
    if 200 <= status < 300:
        if listing and not (isinstance(body, dict) and isinstance(body.get("data"), list)):
            raise _not_openai(status, base_url)
        if not listing and not (isinstance(body, dict) and isinstance(body.get("choices"), list)):
            raise _not_openai(status, base_url)
        return True
    if listing and status in (404, 405):
        return False  # no /models route: try a 1-token chat request
    if isinstance(body, dict) and "error" in body:  # an OpenAI-style refusal of this call
        message = body["error"]
        text = message.get("message") if isinstance(message, dict) else message
        raise PreflightFailed(f"HTTP {status} from {base_url}: {' '.join(str(text).split())[:200]}")
    raise _not_openai(status, base_url)


async def probe(base_url: str, model: str, api_key: str, *, budget_s: float = BUDGET_S) -> None:
    """Probe ``base_url`` (an OpenAI-compatible ``.../v1``); raise :class:`PreflightFailed` with one
    line when it certainly cannot serve ``model``, return otherwise."""
    base = base_url.rstrip("/")
    headers = {"Authorization": f"Bearer {api_key or 'EMPTY'}"}
    deadline = time.monotonic() + budget_s
    refused = 0
    async with HTTPPool(base, max_idle=1) as http:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise PreflightFailed(f"no answer from {base} within {budget_s:g} s (is the server up?)")
            timeout = min(ATTEMPT_S, left)
            try:
                response = await http.request("GET", "/models", headers=headers, timeout=timeout)
                if _judge(response.status, response.body, base, listing=True):
                    return
                body = {"model": model, "messages": [{"role": "user", "content": "hi"}], "max_tokens": 1}
                content = json.dumps(body).encode()
                chat_headers = {**headers, "Content-Type": "application/json"}
                response = await http.request(
                    "POST", "/chat/completions", content, chat_headers, timeout=timeout
                )
                _judge(response.status, response.body, base, listing=False)
                return
            except UnknownHost:
                raise PreflightFailed(f"unknown host in {base}") from None
            except ConnectError:
                refused += 1
                if refused >= REFUSED_TRIES:
                    raise PreflightFailed(f"connection refused at {base}") from None
                await asyncio.sleep(0.3)
            except TimeoutError:
                continue  # a slow answer: try again within the budget
            except ProtocolError as exc:  # not HTTP at all, or TLS failed: no retry will change that
                raise PreflightFailed(f"cannot reach {base}: {exc}") from None
            except TransportError:
                continue  # a dropped or cut answer: try again within the budget


async def probe_all(base_urls: Sequence[str], model: str, api_key: str) -> None:
    """Probe every replica of an endpoint at once. One dead replica is a warning (the client routes
    around it); all dead is the first one's error. ``HARNESS_PREFLIGHT=0`` skips the probe."""
    if os.environ.get("HARNESS_PREFLIGHT", "1") == "0":
        return
    results = await asyncio.gather(*(probe(url, model, api_key) for url in base_urls), return_exceptions=True)
    failures = [r for r in results if isinstance(r, PreflightFailed)]
    for other in results:
        if isinstance(other, BaseException) and not isinstance(other, PreflightFailed):
            raise other
    if failures and len(failures) == len(base_urls):
        raise failures[0]
    for failure in failures:
        print(f"harness: warning: a replica is unusable: {failure}", file=sys.stderr)


def preflight(base_url: str, model: str, api_key: str, *, budget_s: float = BUDGET_S) -> None:
    """:func:`probe` from synchronous code (no event loop running)."""
    asyncio.run(probe(base_url, model, api_key, budget_s=budget_s))


def preflight_all(base_urls: Sequence[str], model: str, api_key: str) -> None:
    """:func:`probe_all` from synchronous code (no event loop running)."""
    asyncio.run(probe_all(base_urls, model, api_key))


# Endpoints (their URL tuples) that passed in this process, and the probes under way in each loop: one
# probe per endpoint however many requests and clients start at once.
_PASSED: set[tuple[str, ...]] = set()
_UNDERWAY: weakref.WeakKeyDictionary[
    asyncio.AbstractEventLoop, dict[tuple[str, ...], asyncio.Future[None]]
] = weakref.WeakKeyDictionary()


async def ensure_probed(base_urls: Sequence[str], model: str, api_key: str) -> None:
    """Probe an endpoint once per process, before its first real request; every caller waits for the
    same probe and gets its :class:`PreflightFailed`."""
    key = tuple(u.rstrip("/") for u in base_urls)
    if key in _PASSED:
        return
    underway = _UNDERWAY.setdefault(asyncio.get_running_loop(), {})
    job = underway.get(key)
    if job is None:
        job = underway[key] = asyncio.ensure_future(probe_all(key, model, api_key))
    try:
        await asyncio.shield(job)
    finally:
        if job.done() and underway.get(key) is job:
            del underway[key]
            if not job.cancelled() and job.exception() is None:
                _PASSED.add(key)


def forget_probes() -> None:
    """Probe every endpoint again at its next request (tests; a server restarted at the same URL)."""
    _PASSED.clear()
