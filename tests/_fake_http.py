"""A real tiny OpenAI-compatible HTTP server with a scripted reply (``fake_server`` factory fixture).

The harness's own client talks to it over HTTP (``openai:NAME@http://127.0.0.1:PORT/v1``), so tests that
use it exercise the real request path (client, cache, retries, parsing); only the model is scripted.
Registered for every test directory by the root conftest (pipeline and audit canary tests use it).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

Reply = Callable[[dict[str, Any]], str | None]  # None: answer HTTP 503


@dataclass
class FakeServer:
    """``reply(request_body) -> text``; every request body is kept in ``requests``."""

    reply: Reply
    name: str = "fake"
    requests: list[dict[str, Any]] = field(default_factory=list)
    port: int = 0

    @property
    def spec(self) -> str:
        return f"openai:{self.name}@http://127.0.0.1:{self.port}/v1"

    async def _models(self, request: Request) -> JSONResponse:
        return JSONResponse({"object": "list", "data": [{"id": self.name, "object": "model"}]})

    async def _chat(self, request: Request) -> JSONResponse:
        body = await request.json()
        self.requests.append(body)
        text = self.reply(body)
        if text is None:
            return JSONResponse({"error": {"message": "overloaded", "type": "server_error"}}, status_code=503)
        return JSONResponse(
            {
                "id": "x",
                "object": "chat.completion",
                "model": self.name,
                "choices": [
                    {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}
                ],
                "usage": {"prompt_tokens": 10, "completion_tokens": 3, "total_tokens": 13},
            }
        )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def fake_server() -> Iterator[Callable[..., FakeServer]]:
    """Factory: ``fake_server(reply, name=...)`` starts a server in a thread for the test's duration."""
    running: list[tuple[uvicorn.Server, threading.Thread]] = []

    def start(reply: Reply | str, name: str = "fake") -> FakeServer:
        fixed = reply
        server = FakeServer(reply if callable(reply) else (lambda _body: str(fixed)), name=name)
        server.port = _free_port()
        app = Starlette(routes=[
            Route("/v1/chat/completions", server._chat, methods=["POST"]),
            Route("/v1/models", server._models, methods=["GET"]),
        ])  # fmt: skip
        config = uvicorn.Config(app, host="127.0.0.1", port=server.port, log_level="warning", lifespan="off")
        uv = uvicorn.Server(config)
        thread = threading.Thread(target=uv.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 10
        while not uv.started and time.monotonic() < deadline:
            time.sleep(0.02)
        running.append((uv, thread))
        return server

    yield start
    for uv, thread in running:
        uv.should_exit = True
        thread.join(timeout=5)
