"""Session-scoped fixtures for the real local servers: each is started once per test session.

``llama_server``: llama.cpp with SmolLM2-135M-Instruct (the embedded default), the server most tests
talk to. Yields the ManagedServer (``.base_url`` ends in /v1, ``.model`` is the served name).

``vllm_server``: the real vLLM OpenAI server on CPU (../shared/RECIPES.md), started through the
harness's own front door, ``harness serve vllm DIR``, in a subprocess with a private ``HARNESS_HOME``:
so the whole serve lifecycle is exercised (start, health, state file for reuse, base URL on stdout, and
at teardown a clean stop on SIGINT, asserted). It needs the vLLM CPU environment named by
``HARNESS_VLLM_PYTHON`` (``.ci/run`` builds it); without it the tests that use it are skipped with the
reason, except under ``CI=true``, where that is a failure. Startup takes about 2.5 minutes.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from harness.serve import ManagedServer
from harness.serve import llama_server as make_llama_server

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def llama_server() -> Iterator[ManagedServer]:
    server = make_llama_server().start(timeout=120)
    try:
        yield server
    finally:
        server.stop()


@dataclass(frozen=True)
class ServedProcess:
    """A ``harness serve ...`` subprocess: its base URL, served model, spec and private HARNESS_HOME."""

    base_url: str
    model: str
    spec: str
    home: Path
    process: subprocess.Popen[str]

    def env(self) -> dict[str, str]:
        """The environment under which another harness command sees (and reuses) this server."""
        return {**os.environ, "HARNESS_HOME": str(self.home), "PYTHONPATH": str(REPO)}


def harness_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "harness", *args]


def start_served(args: list[str], *, home: Path, spec: str, model: str, timeout: float) -> ServedProcess:
    """Run ``harness serve ...`` and wait for the base URL it prints on stdout."""
    env = {**os.environ, "HARNESS_HOME": str(home), "PYTHONPATH": str(REPO)}
    log = open(home / "serve.stderr", "w")  # noqa: SIM115 - the child owns it
    proc = subprocess.Popen(
        harness_cmd("serve", *args), stdout=subprocess.PIPE, stderr=log, text=True, env=env
    )
    log.close()
    assert proc.stdout is not None
    deadline = time.monotonic() + timeout
    line = ""
    while time.monotonic() < deadline and not line:
        line = proc.stdout.readline().strip()  # blocks until the URL (or EOF when it dies)
        if proc.poll() is not None and not line:
            break
    if not line.startswith("http"):
        proc.kill()
        tail = (home / "serve.stderr").read_text(errors="replace")[-1500:]
        raise RuntimeError(f"harness serve {' '.join(args)} did not come up: {tail}")
    return ServedProcess(base_url=line, model=model, spec=spec, home=home, process=proc)


def stop_served(served: ServedProcess, sig: int = signal.SIGINT, timeout: float = 90.0) -> int:
    """Signal the serve command, wait for it; returns its exit code (it must stop its server)."""
    served.process.send_signal(sig)
    try:
        return served.process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        served.process.kill()
        raise


def _vllm_setup() -> tuple[str, Path]:
    python = os.environ.get("HARNESS_VLLM_PYTHON", "")
    reason = ""
    if not python:
        reason = "HARNESS_VLLM_PYTHON is not set (the vLLM CPU environment; .ci/run builds it)"
    elif not Path(python).exists():
        reason = f"HARNESS_VLLM_PYTHON={python} does not exist"
    if reason:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    from harness.serve import convert_smollm2

    model_dir = (
        Path(os.environ.get("HARNESS_VLLM_MODEL", "")) if os.environ.get("HARNESS_VLLM_MODEL") else None
    )
    return python, convert_smollm2(model_dir)  # a no-op when it is already converted


@pytest.fixture(scope="session")
def vllm_server() -> Iterator[ServedProcess]:
    _, model_dir = _vllm_setup()
    with tempfile.TemporaryDirectory(prefix="harness-vllm-home-") as tmp:
        served = start_served(
            ["vllm", str(model_dir), "--device", "cpu"],
            home=Path(tmp),
            spec=f"vllm:{model_dir}",
            model=str(model_dir),
            timeout=900,
        )
        try:
            yield served
        finally:
            if served.process.poll() is None:
                code = stop_served(served)
                assert code == 0, f"harness serve vllm exited {code} on SIGINT"
                assert not list((Path(tmp) / "servers").glob("*.json")), "state file left behind"
