"""One judge exchange: send the rendered messages through the injected caller, parse, retry once if asked.

The caller is the model client's ``chat`` (``harness.client``), injected so that protocols stay pure of I/O
and tests can script completions. API failures become ``unscored(api_error)``; a content-filter stop becomes
``unscored(refusal)``; a parse the parser asks to retry gets the Arena-Hard v0.1 continuation turn (the judge's
text as an assistant turn plus the continuation user message), and the stored judgment is the attempts joined
with newlines, which is what upstream parses (``gen_judgment.py`` @5300089: ``judgment += "\\n" + new``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from harness.client._types import ChatRequest, Completion, SamplingParams
from harness.errors import HarnessError
from harness.records import TokenUsage
from judges.parsers import Parsed, ParserFn

Caller = Callable[[ChatRequest], Awaitable[Completion]]
Messages = list[dict[str, str]]


@dataclass(frozen=True)
class Exchange:
    parsed: Parsed
    raw: str | None
    attempts: int
    usage: TokenUsage
    logprobs: list[dict[str, float]] | None
    messages: Messages


async def ask(
    caller: Caller,
    messages: Messages,
    sampling: SamplingParams,
    parser: ParserFn,
    continuation: str | None = None,
    max_attempts: int = 1,
) -> Exchange:
    conversation = [dict(m) for m in messages]
    texts: list[str] = []
    usage = TokenUsage()
    logprobs: list[dict[str, float]] | None = None
    parsed = Parsed(reason="api_error", detail="no attempt made")
    for attempt in range(1, max_attempts + 1):
        try:
            completion = await caller(ChatRequest.of(conversation, sampling))
        except HarnessError as exc:
            parsed = Parsed(reason="api_error", detail=f"{type(exc).__name__}: {exc}")
            break
        usage = usage + TokenUsage(
            prompt_tokens=completion.prompt_tokens, completion_tokens=completion.completion_tokens
        )
        if completion.logprobs:
            logprobs = [dict(t.top_logprobs) for t in completion.logprobs]
        if completion.finish_reason == "content_filter":
            texts.append(completion.text)
            parsed = Parsed(reason="refusal", detail="the judge's reply was stopped by a content filter")
            break
        texts.append(completion.text)
        parsed = parser("\n".join(texts), completion.logprobs)
        if not parsed.retry or continuation is None or attempt == max_attempts:
            break
        conversation += [
            {"role": "assistant", "content": completion.text},
            {"role": "user", "content": continuation},
        ]
    raw = "\n".join(texts) if texts else None
    return Exchange(parsed, raw, len(texts), usage, logprobs, messages)
