"""Local servers owned by the harness: llama.cpp (embedded default) and vLLM."""

from harness.serve._process import ManagedServer, free_port, is_healthy
from harness.serve.llama import llama_server

__all__ = ["ManagedServer", "free_port", "is_healthy", "llama_server"]
