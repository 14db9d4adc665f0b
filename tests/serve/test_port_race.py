"""A managed server whose port was taken between choosing it and binding it (two harness commands
starting the same server at once) is started again on a fresh port, not reported as a failure."""

from __future__ import annotations

import socket
import sys

import httpx

from harness.serve import ManagedServer

# a minimal OpenAI-style server: binds --port, answers GET /v1/models; exits like uvicorn when the port is taken
SERVER = """
import http.server, sys
port = int(sys.argv[sys.argv.index("--port") + 1])
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200); self.send_header("Content-Length", "11"); self.end_headers()
        self.wfile.write(b'{"data":[]}')
    def log_message(self, *a): pass
try:
    server = http.server.HTTPServer(("127.0.0.1", port), H)
except OSError as exc:
    print(f"ERROR: {exc}: address already in use", flush=True); sys.exit(3)
server.serve_forever()
"""


def test_a_server_whose_port_was_taken_starts_on_another_port() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        server = ManagedServer(
            "mini", [sys.executable, "-c", SERVER, "--port", str(port)], model="m", port=port
        )
        with server.start(timeout=30):
            assert server.port != port and server.command[-1] == str(server.port)
            assert httpx.get(f"{server.base_url}/models").status_code == 200
