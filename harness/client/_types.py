"""The contract of the one model client (every model call, model under test and judge alike).

Callers build a :class:`ChatRequest` and ``await client.chat(request)``; they get a
:class:`Completion` or an exception (``FatalAPIError`` for 400/401/403/404, ``RetriesExhausted`` when
transient faults outlast the retry budget). Counters are kept per role ("model", "judge", ...).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from harness.errors import HarnessError


@dataclass(frozen=True)
class SamplingParams:
    """Every parameter that can change a response; all of them enter the cache key."""

    temperature: float | None = None
    top_p: float | None = None
    max_tokens: int | None = None
    stop: tuple[str, ...] | None = None
    seed: int | None = None
    logprobs: bool | None = None
    top_logprobs: int | None = None
    n: int | None = None

    def as_kwargs(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in self.__dict__.items():
            if value is not None:
                out[key] = list(value) if isinstance(value, tuple) else value
        return out


@dataclass(frozen=True)
class ChatRequest:
    messages: tuple[tuple[str, str], ...]  # (role, content) pairs: hashable and order-preserving
    params: SamplingParams = field(default_factory=SamplingParams)

    @classmethod
    def of(cls, messages: list[dict[str, str]], params: SamplingParams | None = None) -> ChatRequest:
        return cls(tuple((m["role"], m["content"]) for m in messages), params or SamplingParams())

    def message_dicts(self) -> list[dict[str, str]]:
        return [{"role": r, "content": c} for r, c in self.messages]


@dataclass(frozen=True)
class TokenLogprob:
    token: str
    logprob: float
    top_logprobs: dict[str, float]


@dataclass(frozen=True)
class Completion:
    text: str
    finish_reason: str | None
    prompt_tokens: int
    completion_tokens: int
    logprobs: tuple[TokenLogprob, ...] | None
    cached: bool
    response: dict[str, Any]  # the full response body as returned (and as cached)


@dataclass
class RoleCounters:
    requests: int = 0  # HTTP attempts that reached the wire
    completed: int = 0  # successful completions (network or cache)
    retries: int = 0
    cache_hits: int = 0
    errors: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0


class RetriesExhausted(HarnessError):
    """Transient failures outlasted the retry budget for one request."""
