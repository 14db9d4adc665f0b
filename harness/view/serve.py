"""``harness view --serve``: serve the written page on localhost until Ctrl-C.

The page needs no server (it is one file with everything inlined); this exists for machines where the
file is written remotely and read through a forwarded port. Only the page's own directory is served, on
127.0.0.1 unless ``--host`` says otherwise.
"""

from __future__ import annotations

import functools
import http.server
from pathlib import Path


def serve(page: Path, host: str = "127.0.0.1", port: int = 0) -> None:
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(page.parent))
    with http.server.ThreadingHTTPServer((host, port), handler) as server:
        bound = server.server_address[1]
        print(f"harness: serving http://{host}:{bound}/{page.name} (Ctrl-C stops)", flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
