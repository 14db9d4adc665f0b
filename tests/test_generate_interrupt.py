"""Ctrl-C during ``harness generate --model local``: exit 130, finished records kept, the server the
command started is stopped, run.json says "interrupted", and the same command then finishes the rest."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from harness.serve import is_healthy
from tests._servers import REPO, harness_cmd

pytestmark = pytest.mark.slow


def test_ctrl_c_keeps_finished_records_and_stops_the_server(tmp_path: Path) -> None:
    prompts = tmp_path / "p.jsonl"
    prompts.write_text(
        "".join(json.dumps({"id": f"q{i}", "turns": [f"Count to {i + 3}."]}) + "\n" for i in range(6))
    )
    env = {**os.environ, "PYTHONPATH": str(REPO), "HARNESS_HOME": str(tmp_path / "home")}
    cmd = harness_cmd("generate", "--model", "local", "--prompts", str(prompts), "--run-dir", str(tmp_path / "run"),
                      "--cache", str(tmp_path / "c.sqlite"), "--max-tokens", "32", "--max-connections", "2")  # fmt: skip
    proc = subprocess.Popen(cmd, env=env, stderr=subprocess.PIPE, text=True)
    outputs = tmp_path / "run" / "outputs.jsonl"
    deadline = time.monotonic() + 180
    while (
        (not outputs.exists() or not outputs.read_text())
        and time.monotonic() < deadline
        and proc.poll() is None
    ):
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "interrupted; finished records are kept" in err
    run = json.loads((tmp_path / "run" / "run.json").read_text())
    assert run["sessions"][-1]["status"] == "interrupted"
    assert not is_healthy(run["sessions"][-1]["endpoints"]["model"]["base_url"])
    kept = [json.loads(line)["item_id"] for line in outputs.read_text().splitlines()]
    assert 1 <= len(kept) < 6
    again = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    assert f"{6 - len(kept)} generated, {len(kept)} already done, 0 failed of 6" in again.stderr
