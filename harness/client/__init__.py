"""The one async client for every model call (see ``_types`` for the contract)."""

from harness.client._types import (
    ChatRequest,
    Completion,
    RetriesExhausted,
    RoleCounters,
    SamplingParams,
    TokenLogprob,
)

__all__ = ["ChatRequest", "Completion", "RetriesExhausted", "RoleCounters", "SamplingParams", "TokenLogprob"]
