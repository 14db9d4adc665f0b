"""``harness score --backend ray`` from the command line, in its own process: the harness starts (and
ends) its own local Ray instance, and the run is complete and resumable like any other."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from _shared import REPO, shared_path

from harness.serve import ManagedServer

pytestmark = pytest.mark.slow
WILDBENCH = Path(__file__).parents[1] / "fixtures" / "wildbench_mini.jsonl"


def test_score_backend_ray_in_a_fresh_process(tmp_path: Path, llama_server: ManagedServer) -> None:
    pytest.importorskip("ray", reason="ray is not installed (pip install 'harness[ray]')")
    spec = f"openai:{llama_server.model}@{llama_server.base_url}"
    env = {**os.environ, "PYTHONPATH": str(REPO), "HARNESS_JUDGE_TEMPLATE_DIR": str(shared_path()),
           "HARNESS_TEMPLATE_CACHE": str(tmp_path / "templates")}  # fmt: skip
    argv = [sys.executable, "-m", "harness", "score", "--benchmark", "wildbench", "--subset", "--data", str(WILDBENCH),
            "--model", spec, "--judge", spec, "--limit", "1", "--max-tokens", "16", "--judge-max-tokens", "8",
            "--run-dir", str(tmp_path / "run"), "--cache", str(tmp_path / "cache.db"), "--format", "json",
            "--backend", "ray", "--max-unscored", "1"]  # fmt: skip
    proc = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=600)
    report = json.loads(proc.stdout)
    assert proc.returncode == (0 if report["gate"]["passed"] else 1), proc.stderr[-3000:]
    session = report["session"]
    assert session["generate"]["generated"] == 1 and session["judge"]["judgments"] == 1
    assert session["requests"]["model"]["requests"] == 1 and session["requests"]["model"]["errors"] == 0
