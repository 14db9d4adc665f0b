"""Endpoint preflight: one cheap probe per endpoint before the first real request, with a short budget.

Why: a dead endpoint, a server that is not OpenAI-compatible, or a URL without ``/v1`` used to cost
50-65 s of silent retries per request and end in "0 generated, 2 failed", the cause only inside
outputs.jsonl. The probe is ``GET {base}/models`` (every OpenAI-compatible server has it, it costs no
tokens); where that route is missing it falls back to a 1-token chat request. What it can tell for sure
becomes one line and exit 2 (:class:`PreflightFailed`):

- ``connection refused at URL`` (nothing listens there; also an unknown host);
- ``HTTP 501: not an OpenAI-compatible server at URL (did you mean URL/v1?)`` (any non-OpenAI answer);
- ``401: key rejected by URL`` (and 403);
- no answer within the budget.

A 429 or a 5xx other than 501 is the server being busy, not wrong: the run starts and its retries
handle it. The API key is never part of a message.
"""

from __future__ import annotations

import os
import socket
import sys
import time
from urllib.parse import urlsplit

import httpx

from harness.errors import HarnessError

BUDGET_S = 6.0  # the whole probe of one endpoint, retries included
ATTEMPT_S = 3.0  # one HTTP attempt
REFUSED_TRIES = 3  # a port refused this many times, 0.3 s apart, is dead (not a server restarting)


class PreflightFailed(HarnessError):
    """The endpoint cannot serve this run (dead, not OpenAI-compatible, key rejected): exit 2."""


def _v1_hint(base_url: str) -> str:
    path = urlsplit(base_url).path.rstrip("/")
    return "" if path.endswith("/v1") else f" (did you mean {base_url.rstrip('/')}/v1?)"


def _not_openai(status: int, base_url: str) -> PreflightFailed:
    return PreflightFailed(
        f"HTTP {status}: not an OpenAI-compatible server at {base_url}{_v1_hint(base_url)}"
    )


def _is_openai_error(response: httpx.Response) -> bool:
    """An OpenAI-style error body (``{"error": ...}``): the server speaks the API and refused this call."""
    try:
        body = response.json()
    except ValueError:
        return False
    return isinstance(body, dict) and "error" in body


def _judge(response: httpx.Response, base_url: str, *, listing: bool) -> bool:
    """True: the endpoint is usable. False: inconclusive (fall back or let the run retry). Raises when
    the answer says for sure that the run cannot work."""
    status = response.status_code
    if status in (401, 403):
        raise PreflightFailed(f"{status}: key rejected by {base_url} (check OPENAI_API_KEY)")
    if status == 501:
        raise _not_openai(status, base_url)
    if status == 429 or status >= 500 or status in (408, 409):
        return True  # busy, not wrong: the run's retries wait for it
    if 200 <= status < 300:
        try:
            body = response.json()
        except ValueError:
            raise _not_openai(status, base_url) from None
        if listing and not (isinstance(body, dict) and isinstance(body.get("data"), list)):
            raise _not_openai(status, base_url)
        if not listing and not (isinstance(body, dict) and isinstance(body.get("choices"), list)):
            raise _not_openai(status, base_url)
        return True
    if listing and status in (404, 405):
        return False  # no /models route: try a 1-token chat request
    if _is_openai_error(response):
        message = response.json()["error"]
        text = message.get("message") if isinstance(message, dict) else message
        raise PreflightFailed(f"HTTP {status} from {base_url}: {' '.join(str(text).split())[:200]}")
    raise _not_openai(status, base_url)


def _unknown_host(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, socket.gaierror):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def preflight_all(base_urls: tuple[str, ...] | list[str], model: str, api_key: str) -> None:
    """Probe every replica of an endpoint. One dead replica is a warning (the client routes around
    it); all dead is the first one's error. ``HARNESS_PREFLIGHT=0`` skips the probe."""
    if os.environ.get("HARNESS_PREFLIGHT", "1") == "0":
        return
    failures: list[PreflightFailed] = []
    for url in base_urls:
        try:
            preflight(url, model, api_key)
        except PreflightFailed as exc:
            failures.append(exc)
    if failures and len(failures) == len(base_urls):
        raise failures[0]
    for failure in failures:
        print(f"harness: warning: a replica is unusable: {failure}", file=sys.stderr)


def preflight(base_url: str, model: str, api_key: str, *, budget_s: float = BUDGET_S) -> None:
    """Probe ``base_url`` (an OpenAI-compatible ``.../v1``); raise :class:`PreflightFailed` with one
    line when it certainly cannot serve ``model``, return otherwise."""
    base = base_url.rstrip("/")
    headers = {"Authorization": f"Bearer {api_key or 'EMPTY'}"}
    deadline = time.monotonic() + budget_s
    refused = 0
    with httpx.Client(timeout=ATTEMPT_S, headers=headers) as http:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise PreflightFailed(f"no answer from {base} within {budget_s:g} s (is the server up?)")
            timeout = httpx.Timeout(min(ATTEMPT_S, left))
            try:
                response = http.get(f"{base}/models", timeout=timeout)
                if _judge(response, base, listing=True):
                    return
                body = {"model": model, "messages": [{"role": "user", "content": "hi"}], "max_tokens": 1}
                response = http.post(f"{base}/chat/completions", json=body, timeout=timeout)
                _judge(response, base, listing=False)
                return
            except httpx.ConnectError as exc:
                if _unknown_host(exc):
                    raise PreflightFailed(f"unknown host in {base}") from None
                refused += 1
                if refused >= REFUSED_TRIES:
                    raise PreflightFailed(f"connection refused at {base}") from None
                time.sleep(0.3)
            except (httpx.TimeoutException, httpx.RemoteProtocolError, httpx.ReadError):
                continue  # a slow or flaky answer: try again within the budget
            except httpx.HTTPError as exc:
                raise PreflightFailed(f"cannot reach {base}: {type(exc).__name__}") from None
