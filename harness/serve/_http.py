"""``GET {base_url}/models`` for the health checks of local servers, with the standard library.

Why not httpx: its import costs ~0.1 s of every command's start-up, and these checks are one blocking
GET each; ``urllib.request`` costs ~3 ms of import and honours the same proxy environment variables.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any


def get_models(base_url: str, timeout: float) -> tuple[int, Any] | None:
    """``(status, decoded JSON body or None)`` of ``GET {base_url}/models``; None when nothing answers."""
    try:
        with urllib.request.urlopen(f"{base_url}/models", timeout=timeout) as response:
            status, raw = int(response.status), response.read()
    except urllib.error.HTTPError as exc:  # an answer, with a status >= 400
        return int(exc.code), None
    except (OSError, ValueError):  # refused, reset, timed out, not a URL
        return None
    try:
        return status, json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return status, None
