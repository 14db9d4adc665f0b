"""Real OpenAI-compatible HTTP servers (starlette + uvicorn, in a thread) for the Clean-Eval tests.

``OpenAIStub(respond)`` serves ``POST /v1/chat/completions`` and ``GET /v1/models``; ``respond(messages)``
returns the assistant text. The behaviours:

- :func:`contaminated`: the simulated contaminated model. It answers the *exact* original wording of an
  item with the item's reference answer (as a model that memorised the benchmark would) and anything
  else, a paraphrase included, with a weak answer.
- :func:`length_rating_judge`: a deterministic test judge for the MT-Bench single-answer template: it
  rates the answer between ``[The Start of Assistant's Answer]`` and ``[The End ...]`` by its length in
  words (1 + words // 8, at most 10). A test double, not a quality measure: it makes the reference
  answers (long) beat the weak answer (five words) measurably, which the tiny SmolLM2 judge does not.
- :func:`length_preference_judge`: the same idea for the AlpacaEval logprob template (demo's default judge),
  answering with logprobs over ``m`` / ``M``, so that ``harness score`` runs its default pairwise path.
- :func:`scripted_rewriter`: answers the paraphrase prompt with a hand-written rewrite when it has one
  and echoes the text otherwise (a copy, which the filter must reject); answers translation prompts
  with a refusal, which must be counted and never used.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from harness.serve import free_port

# A responder returns the assistant text, or the text and the first token's top logprobs.
Responder = Callable[[list[dict[str, str]]], str | tuple[str, dict[str, float]]]
WEAK_ANSWER = "I am not sure, sorry."


class OpenAIStub:
    def __init__(self, respond: Responder, model: str = "stub") -> None:
        self.respond = respond
        self.model = model
        self.requests = 0
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        app = Starlette(
            routes=[
                Route("/v1/chat/completions", self._chat, methods=["POST"]),
                Route("/v1/models", self._models, methods=["GET"]),
            ]
        )
        self._server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        )
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    def spec(self) -> str:
        return f"openai:{self.model}@{self.base_url}"

    async def _models(self, request: Request) -> JSONResponse:
        return JSONResponse(
            {"object": "list", "data": [{"id": self.model, "object": "model", "owned_by": "test"}]}
        )

    async def _chat(self, request: Request) -> JSONResponse:
        body = await request.json()
        self.requests += 1
        reply = self.respond(body["messages"])
        text, top = reply if isinstance(reply, tuple) else (reply, None)
        logprobs = None
        if top is not None and body.get("logprobs"):
            entries = [{"token": t, "logprob": v, "bytes": None} for t, v in top.items()]
            logprobs = {
                "content": [{"token": text, "logprob": top[text], "bytes": None, "top_logprobs": entries}]
            }
        words = len(text.split())
        return JSONResponse(
            {
                "id": f"chatcmpl-{self.requests}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": body.get("model", self.model),
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": text},
                        "finish_reason": "stop",
                        "logprobs": logprobs,
                    }
                ],
                "usage": {"prompt_tokens": 10, "completion_tokens": words, "total_tokens": 10 + words},
            }
        )

    def start(self) -> OpenAIStub:
        self._thread.start()
        deadline = time.monotonic() + 30
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("stub server did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)


@contextmanager
def serving(respond: Responder, model: str = "stub") -> Iterator[OpenAIStub]:
    stub = OpenAIStub(respond, model).start()
    try:
        yield stub
    finally:
        stub.stop()


def _last_user(messages: list[dict[str, str]]) -> str:
    return next(m["content"] for m in reversed(messages) if m["role"] == "user")


def contaminated(answers: Mapping[str, str]) -> Responder:
    """The memorising model: ``answers`` maps an exact original user turn to its reference answer."""

    def respond(messages: list[dict[str, str]]) -> str:
        return answers.get(_last_user(messages), WEAK_ANSWER)

    return respond


_ANSWER = re.compile(r"\[The Start of Assistant's Answer\]\n(.*?)\n\[The End of Assistant's Answer\]", re.S)


def length_rating_judge(messages: list[dict[str, str]]) -> str:
    found = _ANSWER.search(_last_user(messages))
    words = len(found.group(1).split()) if found else 0
    return f"The answer has {words} words. Rating: [[{min(10, 1 + words // 8)}]]"


_OUTPUT = re.compile(r'"model_identifier": "(m|M)",\s*"output": """(.*?)"""', re.S)


def length_preference_judge(messages: list[dict[str, str]]) -> tuple[str, dict[str, float]]:
    """A deterministic stand-in for the AlpacaEval logprob judge: the longer output wins with p = 0.9
    (equal lengths 0.5), given as the first token's top logprobs over ``m`` / ``M``."""
    outputs = dict(_OUTPUT.findall(_last_user(messages)))
    m, big = len(outputs.get("m", "").split()), len(outputs.get("M", "").split())
    p_m = 0.5 if m == big else (0.9 if m > big else 0.1)
    top = {"m": math.log(p_m), "M": math.log(1 - p_m)}
    return ("m" if p_m >= 0.5 else "M"), top


_REQUEST = re.compile(r"<request>\n(.*)\n</request>", re.S)


def scripted_rewriter(rewrites: Mapping[str, str]) -> Responder:
    """Paraphrase prompts get ``rewrites[text]`` (else the text itself); translation prompts a refusal."""

    def respond(messages: list[dict[str, str]]) -> str:
        prompt = _last_user(messages)
        if prompt.startswith("Translate"):
            return "I'm sorry, but I can't help with that."
        found = _REQUEST.search(prompt)
        text = found.group(1) if found else prompt
        return rewrites.get(text, text)

    return respond
