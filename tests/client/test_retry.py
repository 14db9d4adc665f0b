"""The retry classifier and wait computation: pure functions, exact values."""

from __future__ import annotations

import json
import random
from email.utils import formatdate

import httpx
import pytest

from harness.client._retry import (
    HTTPStatusError,
    MalformedResponse,
    backoff_seconds,
    classify,
    fatal_line,
    parse_duration,
    retry_after_seconds,
    wait_seconds,
)

REQUEST = httpx.Request("POST", "http://127.0.0.1:1/v1/chat/completions")


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("1s", 1.0),
        ("6m0s", 360.0),
        ("20ms", 0.02),
        ("1h2m3.5s", 3723.5),
        ("2", 2.0),
        ("0.5", 0.5),
        ("150us", 150e-6),
    ],
)
def test_parse_duration(text: str, seconds: float) -> None:
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["", "soon", "5 s", "1s2", "m5"])
def test_parse_duration_rejects_what_it_cannot_read(text: str) -> None:
    assert parse_duration(text) is None


def test_retry_after_takes_the_longest_wait_asked_for() -> None:
    headers = httpx.Headers(
        {"retry-after": "2", "x-ratelimit-reset-requests": "1s", "x-ratelimit-reset-tokens": "6m0s"}
    )
    assert retry_after_seconds(headers) == 360.0
    assert retry_after_seconds(httpx.Headers({"retry-after-ms": "250"})) == 0.25
    assert retry_after_seconds(httpx.Headers({})) is None
    assert retry_after_seconds(httpx.Headers({"x-ratelimit-reset-tokens": "99999s"})) == 3600.0  # capped


def test_retry_after_as_an_http_date() -> None:
    now = 1_800_000_000.0
    headers = httpx.Headers({"retry-after": formatdate(now + 30, usegmt=True)})
    assert retry_after_seconds(headers, now=now) == pytest.approx(30.0)


def _status_error(status: int, headers: dict[str, str] | None = None) -> HTTPStatusError:
    return HTTPStatusError(
        status, httpx.Headers(headers or {}), json.dumps({"error": {"message": "x"}}).encode()
    )


@pytest.mark.parametrize(
    ("exc", "kind", "reason"),
    [
        (_status_error(429, {"retry-after": "3"}), "rate_limit", "429"),
        (_status_error(500), "transient", "500"),
        (_status_error(503), "transient", "503"),
        (_status_error(408), "transient", "408"),
        (_status_error(400), "fatal", "400"),
        (_status_error(401), "fatal", "401"),
        (_status_error(403), "fatal", "403"),
        (_status_error(404), "fatal", "404"),
        (httpx.ReadTimeout("slow", request=REQUEST), "transient", "timeout"),
        (httpx.ConnectError("refused", request=REQUEST), "transient", "connection"),
        (httpx.RemoteProtocolError("peer closed"), "transient", "connection"),
        (json.JSONDecodeError("x", "{", 1), "transient", "invalid JSON"),
        (MalformedResponse("no choices"), "transient", "malformed response"),
        (RuntimeError("bug"), "fatal", "RuntimeError"),
    ],
)
def test_classify(exc: BaseException, kind: str, reason: str) -> None:
    decision = classify(exc)
    assert (decision.kind, decision.reason) == (kind, reason)
    if kind == "rate_limit":
        assert decision.retry_after == 3.0


def test_backoff_is_full_jitter_under_a_capped_exponential() -> None:
    rng = random.Random(0)
    for attempt, ceiling in [(0, 0.5), (1, 1.0), (3, 4.0), (10, 30.0), (60, 30.0)]:
        draws = [backoff_seconds(attempt, base=0.5, cap=30.0, rng=rng) for _ in range(200)]
        assert 0.0 <= min(draws) and max(draws) <= ceiling
        assert max(draws) > 0.8 * ceiling  # the whole range is used, not a fixed delay


def test_rate_limit_waits_at_least_what_the_server_asked() -> None:
    decision = classify(_status_error(429, {"retry-after": "2"}))
    waits = [wait_seconds(decision, 5, base=0.5, cap=30.0, rng=random.Random(i)) for i in range(50)]
    assert all(2.0 <= w <= 2.2 for w in waits)


def test_fatal_line_is_one_line_and_masks_the_key() -> None:
    line = fatal_line(401, "Unauthorized", "http://h/v1", "m", "bad key\n sk-abcdef123 given", "sk-abcdef123")
    assert line == "401 Unauthorized from http://h/v1 (model m): bad key *** given"
