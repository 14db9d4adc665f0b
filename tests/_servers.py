"""Session-scoped fixtures for the real local servers: each is started once per test session.

``llama_server``: llama.cpp with SmolLM2-135M-Instruct (the embedded default), the server most tests
talk to. Yields the ManagedServer (``.base_url`` ends in /v1, ``.model`` is the served name).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from harness.serve import ManagedServer
from harness.serve import llama_server as make_llama_server


@pytest.fixture(scope="session")
def llama_server() -> Iterator[ManagedServer]:
    server = make_llama_server().start(timeout=120)
    try:
        yield server
    finally:
        server.stop()
