"""A real tiny OpenAI-compatible HTTP server with a scripted reply (``fake_server`` factory fixture).

The harness's own client talks to it over HTTP (``openai:NAME@http://127.0.0.1:PORT/v1``), so tests that
use it exercise the real request path (client, cache, retries, parsing); only the model is scripted.
Registered for every test directory by the root conftest (pipeline and audit canary tests use it).
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import uvicorn
from _timing import scaled, wait_until
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
                    | ({"logprobs": _logprobs(text)} if body.get("logprobs") else {})
                ],
                "usage": {"prompt_tokens": 10, "completion_tokens": 3, "total_tokens": 13},
            }
        )


def _logprobs(text: str) -> dict[str, Any]:
    """Asked for logprobs, the reply is one certain token (what a logprob judge reads)."""
    top = [{"token": text, "logprob": 0.0}]
    return {"content": [{"token": text, "logprob": 0.0, "top_logprobs": top}]}


def _listening_socket() -> socket.socket:
    """A socket already bound and listening: handed to uvicorn, so no other process can take the port
    between choosing it and serving on it."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    return sock


@pytest.fixture
def fake_server() -> Iterator[Callable[..., FakeServer]]:
    """Factory: ``fake_server(reply, name=...)`` starts a server in a thread for the test's duration."""
    running: list[tuple[uvicorn.Server, threading.Thread]] = []

    def start(reply: Reply | str, name: str = "fake") -> FakeServer:
        fixed = reply
        server = FakeServer(reply if callable(reply) else (lambda _body: str(fixed)), name=name)
        sock = _listening_socket()
        server.port = int(sock.getsockname()[1])
        app = Starlette(routes=[
            Route("/v1/chat/completions", server._chat, methods=["POST"]),
            Route("/v1/models", server._models, methods=["GET"]),
        ])  # fmt: skip
        config = uvicorn.Config(app, log_level="warning", lifespan="off")
        uv = uvicorn.Server(config)
        thread = threading.Thread(target=uv.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        running.append((uv, thread))
        wait_until(lambda: uv.started or not thread.is_alive(), 10, f"the scripted server {name!r} to start")
        return server

    yield start
    for uv, thread in running:
        uv.should_exit = True
        thread.join(timeout=scaled(5))
