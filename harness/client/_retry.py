"""The retry choke point: classify every failure once, then wait the right amount of time.

Modelled on inspect_ai ``model/_retry.py`` and its ``should_retry -> RetryDecision``
(docs/design.md, "Model calls"): a failure is a *rate limit* (wait what the
server asked for: ``Retry-After``, ``retry-after-ms``, ``x-ratelimit-reset-requests/-tokens``), a
*transient* fault (5xx, reset connection, timeout, truncated or invalid JSON body: exponential
backoff with full jitter, AWS Architecture Blog "Exponential Backoff And Jitter", 2015), or *fatal*
(400/401/403/404 and other 4xx: fail fast with one line, never a retry storm).

Errors are classified by type and status code, never by matching message strings (the alpaca_eval
weakness alpaca_eval's ``decoders/openai.py`` shows).
"""

from __future__ import annotations

import json
import random
import re
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Literal

from harness.client._wire import TransportError

DecisionKind = Literal["rate_limit", "transient", "fatal"]

# Servers that ask for absurd waits are honoured up to this bound (one hour).
MAX_SERVER_WAIT_S = 3600.0
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|us|µs|ns|h|m|s)")


@dataclass(frozen=True)
class RetryDecision:
    kind: DecisionKind
    reason: str  # short, key-free: "429", "503", "timeout", "connection", "invalid JSON"
    retry_after: float | None = None  # seconds the server asked us to wait (rate limits)
    status: int | None = None


def parse_duration(text: str) -> float | None:
    """Seconds in a Go-style duration as OpenAI sends it ("1s", "6m0s", "20ms", "1h2m3.5s") or a
    bare number of seconds ("2", "0.5"). None when it cannot be read."""
    text = text.strip()
    if not text:
        return None
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    scale = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 1e-3, "us": 1e-6, "µs": 1e-6, "ns": 1e-9}
    pos, total = 0, 0.0
    for match in _DURATION_PART.finditer(text):
        if match.start() != pos:
            return None
        total += float(match.group(1)) * scale[match.group(2)]
        pos = match.end()
    return total if pos == len(text) else None


def retry_after_seconds(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """The longest wait any rate-limit header asks for, in seconds; None if no header says."""
    waits: list[float] = []
    if (ms := headers.get("retry-after-ms")) is not None:
        try:
            waits.append(max(0.0, float(ms) / 1000.0))
        except ValueError:
            pass
    if (value := headers.get("retry-after")) is not None:
        seconds = parse_duration(value)
        if seconds is None:  # an HTTP date (RFC 9110 §10.2.3)
            try:
                seconds = parsedate_to_datetime(value).timestamp() - (now if now is not None else time.time())
            except (TypeError, ValueError):
                seconds = None
        if seconds is not None:
            waits.append(max(0.0, seconds))
    for name in ("x-ratelimit-reset-requests", "x-ratelimit-reset-tokens"):
        if (value := headers.get(name)) is not None and (seconds := parse_duration(value)) is not None:
            waits.append(seconds)
    return min(max(waits), MAX_SERVER_WAIT_S) if waits else None


class MalformedResponse(Exception):
    """A 2xx answer whose body is not a chat completion (truncated, not JSON, no choices)."""


class HTTPStatusError(Exception):
    """An answer with a 4xx or 5xx status: its status code, headers and whole body."""

    def __init__(self, status_code: int, headers: Mapping[str, str], content: bytes) -> None:
        super().__init__(f"HTTP {status_code}")
        self.status_code = status_code
        self.headers = headers
        self.content = content

    @property
    def body(self) -> object:
        """The decoded JSON body, or None when it is not JSON."""
        try:
            return json.loads(self.content)
        except (json.JSONDecodeError, UnicodeDecodeError):
            return None


def classify(exc: BaseException) -> RetryDecision:
    """One decision per failure. Anything not recognised here is a bug and is not retried."""
    if isinstance(exc, HTTPStatusError):
        status = exc.status_code
        if status == 429:
            return RetryDecision("rate_limit", "429", retry_after_seconds(exc.headers), status)
        if status in (408, 409) or status >= 500:
            return RetryDecision("transient", str(status), status=status)
        return RetryDecision("fatal", str(status), status=status)
    # httpx (not imported here: ~0.1 s of start-up our transport does not need) can only have raised
    # this if something imported it already
    httpx = sys.modules.get("httpx")
    if isinstance(exc, TimeoutError) or (httpx is not None and isinstance(exc, httpx.TimeoutException)):
        return RetryDecision("transient", "timeout")  # before the connection errors
    if isinstance(exc, TransportError) or (httpx is not None and isinstance(exc, httpx.TransportError)):
        return RetryDecision("transient", "connection")
    if isinstance(exc, json.JSONDecodeError | UnicodeDecodeError):
        return RetryDecision("transient", "invalid JSON")
    if isinstance(exc, MalformedResponse):
        return RetryDecision("transient", "malformed response")
    return RetryDecision("fatal", type(exc).__name__)


def backoff_seconds(attempt: int, *, base: float, cap: float, rng: random.Random | None = None) -> float:
    """Full jitter: uniform in [0, min(cap, base * 2**attempt)] (attempt counts from 0)."""
    ceiling = min(cap, base * (2.0 ** min(attempt, 30)))
    return (rng or random).uniform(0.0, ceiling)


def wait_seconds(
    decision: RetryDecision, attempt: int, *, base: float, cap: float, rng: random.Random | None = None
) -> float:
    """Rate limits wait at least what the server asked (plus up to 10% jitter so that a burst of
    429s does not come back in lockstep); everything else backs off exponentially."""
    if decision.kind == "rate_limit" and decision.retry_after is not None:
        return decision.retry_after * (1.0 + 0.1 * (rng or random).random())
    return backoff_seconds(attempt, base=base, cap=cap, rng=rng)


def fatal_line(status: int, reason: str, base_url: str, model: str, message: str, secret: str) -> str:
    """``401 Unauthorized from http://host/v1 (model m): <server message>``, with the key (which
    careless servers echo back) masked, on one line."""
    message = " ".join(message.split())
    if secret and len(secret) >= 4:
        message = message.replace(secret, "***")
    return f"{status} {reason} from {base_url} (model {model}): {message or '(no message)'}"


def server_message(exc: HTTPStatusError) -> str:
    """The server's own explanation: ``error.message`` of an OpenAI-style body, else the raw text."""
    body = exc.body
    if isinstance(body, dict):
        error = body.get("error", body)
        if isinstance(error, dict) and isinstance(error.get("message"), str):
            return str(error["message"])
        if isinstance(error, str):
            return error
    return exc.content[:500].decode("utf-8", errors="replace")
