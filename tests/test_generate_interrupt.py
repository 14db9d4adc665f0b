"""Ctrl-C during ``harness generate``: exit 130, finished records kept, run.json says "interrupted", the
server the command started is stopped, and the same command then finishes the rest.

Pacing is the test's, not the clock's: the first test's model is a scripted server that answers the
first request and holds every other one until the test has interrupted the command, so exactly one
record is finished at the Ctrl-C however busy the machine is. The second test, on the llama.cpp server
the command starts itself, interrupts at the first finished record of a run that is 40 requests long.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from _timing import scaled, wait_until

from harness.serve import is_healthy
from tests._servers import REPO, harness_cmd


def _prompts(tmp_path: Path, n: int) -> Path:
    path = tmp_path / "p.jsonl"
    path.write_text(
        "".join(json.dumps({"id": f"q{i}", "turns": [f"Count to {i + 3}."]}) + "\n" for i in range(n))
    )
    return path


def _records(path: Path) -> list[str]:
    return [json.loads(line)["item_id"] for line in path.read_text().splitlines()] if path.exists() else []


def _interrupt_after_first_record(proc: subprocess.Popen[str], outputs: Path) -> str:
    wait_until(lambda: bool(_records(outputs)) or proc.poll() is not None, 180, "the first finished record")
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=scaled(120))
    return err


def test_ctrl_c_keeps_finished_records_and_resumes_the_rest(
    tmp_path: Path, fake_server: Callable[..., Any]
) -> None:
    release = threading.Event()
    seen: list[int] = []

    def reply(body: dict[str, Any]) -> str:
        seen.append(1)
        if len(seen) > 1:  # every request after the first waits until the test has interrupted the run
            release.wait(scaled(300))
        return "1, 2, 3."

    model = fake_server(reply, name="held")
    env = {**os.environ, "PYTHONPATH": str(REPO), "HARNESS_HOME": str(tmp_path / "home")}
    cmd = harness_cmd("generate", "--model", model.spec, "--prompts", str(_prompts(tmp_path, 6)),
                      "--run-dir", str(tmp_path / "run"), "--cache", str(tmp_path / "c.sqlite"),
                      "--max-connections", "2")  # fmt: skip
    proc = subprocess.Popen(cmd, env=env, stderr=subprocess.PIPE, text=True)
    outputs = tmp_path / "run" / "outputs.jsonl"
    try:
        err = _interrupt_after_first_record(proc, outputs)
    finally:
        release.set()
    assert proc.returncode == 130, err
    assert "interrupted; finished records are kept" in err
    run = json.loads((tmp_path / "run" / "run.json").read_text())
    assert run["sessions"][-1]["status"] == "interrupted"
    assert len(_records(outputs)) == 1  # the one the server answered; the held ones were not written
    again = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=scaled(300))
    assert again.returncode == 0, again.stderr
    assert "5 generated, 1 already done, 0 failed of 6" in again.stderr


@pytest.mark.slow
def test_ctrl_c_stops_the_server_the_command_started(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO), "HARNESS_HOME": str(tmp_path / "home")}
    cmd = harness_cmd("generate", "--model", "local", "--prompts", str(_prompts(tmp_path, 40)),
                      "--run-dir", str(tmp_path / "run"), "--no-cache", "--max-tokens", "32",
                      "--max-connections", "1")  # fmt: skip
    proc = subprocess.Popen(cmd, env=env, stderr=subprocess.PIPE, text=True)
    outputs = tmp_path / "run" / "outputs.jsonl"
    err = _interrupt_after_first_record(proc, outputs)
    assert proc.returncode == 130, err
    run = json.loads((tmp_path / "run" / "run.json").read_text())
    assert run["sessions"][-1]["status"] == "interrupted"
    assert not is_healthy(run["sessions"][-1]["endpoints"]["model"]["base_url"])
    assert 1 <= len(_records(outputs)) < 40
