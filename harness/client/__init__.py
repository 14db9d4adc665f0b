"""The one async client for every model call (see ``_types`` for the contract)."""

from harness.client._client import Client, parse_completion, reset_usage, usage_by_role
from harness.client._limiter import AdaptiveLimiter
from harness.client._preflight import PreflightFailed, preflight, preflight_all
from harness.client._retry import RetryDecision, classify, parse_duration, retry_after_seconds
from harness.client._types import (
    ChatRequest,
    Completion,
    RetriesExhausted,
    RoleCounters,
    SamplingParams,
    TokenLogprob,
)

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
