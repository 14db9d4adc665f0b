"""A loopback OpenAI-compatible chat server that answers every request after a fixed latency.

Why: client throughput and overhead can only be measured against a server whose cost is known and
constant; a real model adds its own queueing. This one sleeps ``latency_s`` (no CPU), then answers
``POST /v1/chat/completions`` with a deterministic echo of the last user message (logprobs too when
asked), so outputs can be compared across runs. ``GET /v1/stats`` returns ``{"requests": N}`` (the chat
requests that reached it), which is how a cached re-run proves it made zero calls. With ``api_key``
set it answers a wrong or missing key with 401, echoing the key it got (as careless servers do) so
tests can check that the client never repeats a key.

In a test: ``with LatencyServer(0.05) as s: s.base_url``. For a benchmark run it in its own process,
so that its CPU is not counted as the client's: ``python -m bench.latency_server --latency-ms 500``
prints ``READY <port>`` once listening.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import http
import json
import time
from typing import Any

from harness.testing import ServerThread


class LatencyServer:
    def __init__(
        self, latency_s: float, *, api_key: str | None = None, port: int = 0, reply: str | None = None
    ) -> None:
        self.latency_s = latency_s
        self.reply = reply
        self.api_key = api_key
        self.port = port
        self.requests = 0
        self._runner = ServerThread("latency-server")
        self._server: asyncio.Server | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    # -- lifecycle ----------------------------------------------------------------------------
    async def open(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port, backlog=2048)
        self.port = self._server.sockets[0].getsockname()[1]

    def start(self) -> LatencyServer:
        """Serve from a daemon thread with its own event loop (for tests)."""
        self._runner.start(self.open)
        return self

    def stop(self) -> None:
        self._runner.stop(self._close)

    async def _close(self) -> None:
        assert self._server is not None
        self._server.close()
        others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in others:
            task.cancel()
        await asyncio.gather(*others, return_exceptions=True)

    def __enter__(self) -> LatencyServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- HTTP -------------------------------------------------------------------------------------
    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
                    return
                lines = head.decode("latin-1").split("\r\n")
                method, path, _ = lines[0].split(" ", 2)
                headers = {}
                for line in lines[1:]:
                    name, sep, value = line.partition(":")
                    if sep:
                        headers[name.strip().lower()] = value.strip()
                length = int(headers.get("content-length", "0"))
                body = await reader.readexactly(length) if length else b""
                status, payload = await self._answer(method, path, headers, body)
                data = json.dumps(payload, separators=(",", ":")).encode()
                writer.write(
                    f"HTTP/1.1 {status} {_reason(status)}\r\n"
                    f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n".encode()
                    + data
                )
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            return
        finally:
            writer.close()

    async def _answer(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, Any]]:
        if method == "GET" and path == "/v1/stats":
            return 200, {"requests": self.requests}
        if self.api_key is not None:
            given = headers.get("authorization", "").removeprefix("Bearer ")
            if given != self.api_key:
                message = f"Incorrect API key provided: {given}."
                return 401, {
                    "error": {"message": message, "type": "invalid_request_error", "code": "invalid_api_key"}
                }
        if method == "GET" and path == "/v1/models":
            return 200, {"object": "list", "data": [{"id": "echo", "object": "model"}]}
        if method != "POST" or path != "/v1/chat/completions":
            return 404, {"error": {"message": f"no route {method} {path}", "type": "not_found"}}
        self.requests += 1
        request = json.loads(body)
        await asyncio.sleep(self.latency_s)
        return 200, _completion(request, self.reply)


def _completion(request: dict[str, Any], reply: str | None = None) -> dict[str, Any]:
    """Echo the last message (or say ``reply``, e.g. a judge's verdict token), cut to max_tokens words;
    deterministic for a given request."""
    messages = request.get("messages", [])
    last = messages[-1]["content"] if messages else ""
    words = (reply if reply is not None else f"echo: {last}").split()
    max_tokens = request.get("max_tokens") or 64
    tokens = words[:max_tokens]
    choice: dict[str, Any] = {
        "index": 0,
        "message": {"role": "assistant", "content": " ".join(tokens)},
        "finish_reason": "length" if len(words) > max_tokens else "stop",
        "logprobs": None,
    }
    if request.get("logprobs"):
        k = int(request.get("top_logprobs") or 0)
        choice["logprobs"] = {
            "content": [
                {
                    "token": tok,
                    "logprob": -0.1 * (i + 1),
                    "bytes": list(tok.encode()),
                    "top_logprobs": [
                        {"token": tok if j == 0 else f"alt{j}", "logprob": -0.1 * (i + 1) - j, "bytes": None}
                        for j in range(k)
                    ],
                }
                for i, tok in enumerate(tokens)
            ]
        }
    prompt_tokens = sum(len(str(m.get("content", "")).split()) for m in messages)
    return {
        "id": "chatcmpl-" + hashlib.sha256(last.encode()).hexdigest()[:16],
        "object": "chat.completion",
        "created": int(time.time()),
        "model": request.get("model", "echo"),
        "choices": [choice],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": len(tokens),
            "total_tokens": prompt_tokens + len(tokens),
        },
    }


def _reason(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Status"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-ms", type=float, default=500.0)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--api-key", default=None)
    parser.add_argument("--reply", default=None, help="answer every request with this text (say, 'm')")
    args = parser.parse_args()
    server = LatencyServer(args.latency_ms / 1000.0, api_key=args.api_key, port=args.port, reply=args.reply)

    async def serve() -> None:
        await server.open()
        print(f"READY {server.port}", flush=True)
        await asyncio.Event().wait()

    try:
        asyncio.run(serve())
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
