"""The one async client for every model call (see ``_types`` for the contract).

The request types load with the package; the client itself (its HTTP transport, retry and probe
machinery) on first use of one of its names, so that a command with nothing to send (a complete run
directory) never imports them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from harness.client._types import (
    ChatRequest,
    Completion,
    RetriesExhausted,
    RoleCounters,
    SamplingParams,
    TokenLogprob,
)

if TYPE_CHECKING:
    from harness.client._client import Client, parse_completion, reset_usage, usage_by_role
    from harness.client._limiter import AdaptiveLimiter
    from harness.client._preflight import PreflightFailed, preflight, preflight_all
    from harness.client._retry import RetryDecision, classify, parse_duration, retry_after_seconds

_HEAVY = {
    "Client": "_client",
    "parse_completion": "_client",
    "reset_usage": "_client",
    "usage_by_role": "_client",
    "AdaptiveLimiter": "_limiter",
    "PreflightFailed": "_preflight",
    "preflight": "_preflight",
    "preflight_all": "_preflight",
    "RetryDecision": "_retry",
    "classify": "_retry",
    "parse_duration": "_retry",
    "retry_after_seconds": "_retry",
}


def __getattr__(name: str) -> Any:
    module = _HEAVY.get(name)
    if module is None:
        raise AttributeError(f"module 'harness.client' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"harness.client.{module}"), name)
    globals()[name] = value
    return value


__all__ = [
    "AdaptiveLimiter",
    "ChatRequest",
    "PreflightFailed",
    "Client",
    "Completion",
    "RetriesExhausted",
    "RetryDecision",
    "RoleCounters",
    "SamplingParams",
    "TokenLogprob",
    "classify",
    "parse_completion",
    "parse_duration",
    "preflight",
    "preflight_all",
    "reset_usage",
    "retry_after_seconds",
    "usage_by_role",
]
