"""Tiny real HTTP servers for the CLI's failure tests: not OpenAI at all, rejecting every key, or a
working OpenAI-compatible one that counts the chat requests it gets (which must often stay at zero)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class _Quiet(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _send(self, status: int, body: dict[str, Any] | str) -> None:
        data = (json.dumps(body) if isinstance(body, dict) else body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json" if isinstance(body, dict) else "text/html")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)


class NotOpenAI(_Quiet):
    """A plain web server: GET is a 404 page, POST is not implemented (501), like ``python -m http.server``."""

    def do_GET(self) -> None:
        self._send(404, "<html><body>Not Found</body></html>")


class Denied(_Quiet):
    """An OpenAI-compatible server that rejects every key."""

    def do_GET(self) -> None:
        self._send(401, {"error": {"message": "Incorrect API key provided", "type": "invalid_request_error"}})

    def do_POST(self) -> None:
        self._body()
        self.do_GET()


class Working(_Quiet):
    """Lists one model under /v1 and answers every chat request with "ok" (404 elsewhere, like a real
    server); ``server.chats`` counts them. A chat waits while ``server.hold`` is clear, so that a test
    controls when answers come (it is set by default)."""

    def do_GET(self) -> None:
        if not self.path.startswith("/v1/"):
            self._send(404, {"detail": "Not Found"})
            return
        self._send(200, {"object": "list", "data": [{"id": "m", "object": "model"}]})

    def do_POST(self) -> None:
        self._body()
        if not self.path.startswith("/v1/"):
            self._send(404, {"detail": "Not Found"})
            return
        with self.server.lock:  # type: ignore[attr-defined]
            self.server.chats += 1  # type: ignore[attr-defined]
        self.server.hold.wait()  # type: ignore[attr-defined]
        self._send(200, {"id": "x", "object": "chat.completion", "model": "m",
                         "choices": [{"index": 0, "message": {"role": "assistant", "content": "ok"},
                                      "finish_reason": "stop"}],
                         "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}})  # fmt: skip


@contextmanager
def http_server(handler: type[BaseHTTPRequestHandler]) -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.chats = 0  # type: ignore[attr-defined]
    server.lock = threading.Lock()  # type: ignore[attr-defined]
    server.hold = threading.Event()  # type: ignore[attr-defined]
    server.hold.set()  # type: ignore[attr-defined]
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.hold.set()  # type: ignore[attr-defined]
        server.shutdown()
        server.server_close()


def url(server: ThreadingHTTPServer) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}"


class ChatOnly(Working):
    """An OpenAI-compatible server without the ``GET /models`` route (some proxies have none)."""

    def do_GET(self) -> None:
        self._send(404, {"detail": "Not Found"})
