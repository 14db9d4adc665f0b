"""A scripted in-process judge: returns canned completions and records every request it saw."""

from __future__ import annotations

from collections.abc import Callable

from harness.client._types import ChatRequest, Completion, TokenLogprob


def completion(text: str, top_logprobs: dict[str, float] | None = None, finish: str = "stop") -> Completion:
    logprobs = None
    if top_logprobs is not None:
        logprobs = (TokenLogprob(token=text, logprob=top_logprobs.get(text, 0.0), top_logprobs=top_logprobs),)
    return Completion(text, finish, 10, 1, logprobs, False, {})


class FakeJudge:
    def __init__(self, reply: str | list[str] | Callable[[ChatRequest], Completion]) -> None:
        self.reply = reply
        self.requests: list[ChatRequest] = []

    async def __call__(self, request: ChatRequest) -> Completion:
        self.requests.append(request)
        if callable(self.reply):
            return self.reply(request)
        if isinstance(self.reply, list):
            return completion(self.reply[len(self.requests) - 1])
        return completion(self.reply)
