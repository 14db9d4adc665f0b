"""``--max-connections`` under a low RLIMIT_NOFILE (harness/client/_fds.py): issue 12's scenario was
``ulimit -n 256`` with 256 connections, 245 answers served and 0 written. Now the soft limit is raised
when the hard one allows, else the connections are capped with one warning, and every answer is kept."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from _cli_servers import Working, http_server, url

from harness.client._fds import sockets_needed

N = 300
IN_FLIGHT = 200  # sockets open at once: the old client had 247 open when outputs.jsonl failed to open


def _run(
    tmp_path: Path, ulimit: str, *, hold: bool = True
) -> tuple[subprocess.CompletedProcess[str], list[dict[str, object]]]:
    prompts = tmp_path / "p.jsonl"
    prompts.write_text("".join(json.dumps({"id": f"p{i}", "turns": [f"q{i}"]}) + "\n" for i in range(N)))
    run_dir = tmp_path / "run"
    with http_server(Working) as server:
        command = [sys.executable, "-m", "harness", "generate", "--model", f"openai:m@{url(server)}/v1",
                   "--prompts", str(prompts), "--run-dir", str(run_dir), "--max-connections", "256",
                   "--cache", str(tmp_path / "cache.sqlite")]  # fmt: skip
        script = f"ulimit {ulimit} && exec {' '.join(command)}"
        if hold:
            server.hold.clear()  # type: ignore[attr-defined]  # answers wait until ~200 requests are in flight at once
        proc = subprocess.Popen(
            ["bash", "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        deadline = time.monotonic() + 120
        while server.chats < IN_FLIGHT and proc.poll() is None and time.monotonic() < deadline:  # type: ignore[attr-defined]
            time.sleep(0.05)
        server.hold.set()  # type: ignore[attr-defined]
        out, err = proc.communicate(timeout=600)
        done = subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
    rows = (
        [json.loads(x) for x in (run_dir / "outputs.jsonl").read_text().splitlines()]
        if run_dir.exists()
        else []
    )
    return done, rows


def test_a_hard_limit_too_low_caps_the_connections_with_one_warning_and_loses_nothing(tmp_path: Path) -> None:
    done, rows = _run(tmp_path, "-n 256")  # soft and hard
    assert done.returncode == 0, done.stderr
    warnings = [line for line in done.stderr.splitlines() if "warning" in line]
    assert len(warnings) == 1 and "--max-connections 256" in warnings[0] and "limit is 256" in warnings[0]
    assert "Traceback" not in done.stderr
    assert sorted(r["item_id"] for r in rows) == sorted(f"p{i}" for i in range(N))
    assert all(r["error"] is None for r in rows)


@pytest.mark.skipif(
    resource.getrlimit(resource.RLIMIT_NOFILE)[1] not in (resource.RLIM_INFINITY,)
    and resource.getrlimit(resource.RLIMIT_NOFILE)[1] < sockets_needed(256) + 200,
    reason="the hard limit here is too low to raise the soft one",
)
def test_a_low_soft_limit_is_raised_silently(tmp_path: Path) -> None:
    done, rows = _run(tmp_path, "-Sn 256", hold=False)  # soft only: the hard limit allows more
    assert done.returncode == 0, done.stderr
    assert "warning" not in done.stderr
    assert len(rows) == N and all(r["error"] is None for r in rows)


@pytest.mark.slow
def test_ulimit_against_the_real_local_server_keeps_every_answer(tmp_path: Path, llama_server: Any) -> None:
    """The issue's scenario on llama.cpp: a hard limit below what 256 connections need, and a kill of
    nothing: every answer served is written (and cached), the run exits 0 with one warning."""
    n = 24
    prompts = tmp_path / "p.jsonl"
    prompts.write_text("".join(json.dumps({"id": f"p{i}", "turns": [f"Say {i}."]}) + "\n" for i in range(n)))
    run_dir = tmp_path / "run"
    command = [sys.executable, "-m", "harness", "generate", "--model",
               f"openai:{llama_server.model}@{llama_server.base_url}", "--prompts", str(prompts), "--run-dir",
               str(run_dir), "--max-connections", "256", "--max-tokens", "4",
               "--cache", str(tmp_path / "cache.sqlite")]  # fmt: skip
    done = subprocess.run(["bash", "-c", f"ulimit -n 128 && exec {' '.join(command)}"], capture_output=True,
                          text=True, timeout=900)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert len([line for line in done.stderr.splitlines() if "warning" in line]) == 1
    rows = [json.loads(x) for x in (run_dir / "outputs.jsonl").read_text().splitlines()]
    assert sorted(r["item_id"] for r in rows) == sorted(f"p{i}" for i in range(n))
    assert all(r["error"] is None and r["turns"] for r in rows)
