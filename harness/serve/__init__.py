"""Local servers owned by the harness: llama.cpp (embedded default) and vLLM, plus SPEC resolution.

``resolve(spec)`` turns an endpoint SPEC into an :class:`~harness.endpoints.Endpoint`, reusing a server
kept up by ``harness serve`` or starting one for the duration of the command.
"""

from harness.serve._process import ManagedServer, free_port, is_healthy
from harness.serve.llama import llama_server
from harness.serve.resolve import resolve, serve_until_stopped, server_for
from harness.serve.state import ServerState, find_running, harness_home
from harness.serve.vllm import convert_smollm2, smollm2_hf_dir, vllm_server

__all__ = [
    "ManagedServer",
    "ServerState",
    "convert_smollm2",
    "find_running",
    "free_port",
    "harness_home",
    "is_healthy",
    "llama_server",
    "resolve",
    "serve_until_stopped",
    "server_for",
    "smollm2_hf_dir",
    "vllm_server",
]
