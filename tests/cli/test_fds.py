"""``--max-connections`` under a low RLIMIT_NOFILE (harness/client/_fds.py): issue 12's scenario was
``ulimit -n 256`` with 256 connections, 245 answers served and 0 written. Now the soft limit is raised
when the hard one allows, else the connections are capped with one warning, and every answer is kept."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from _cli_servers import Working, http_server, url

from harness.client._fds import sockets_needed

N = 300


def _run(tmp_path: Path, ulimit: str) -> tuple[subprocess.CompletedProcess[str], list[dict[str, object]]]:
    prompts = tmp_path / "p.jsonl"
    prompts.write_text("".join(json.dumps({"id": f"p{i}", "turns": [f"q{i}"]}) + "\n" for i in range(N)))
    run_dir = tmp_path / "run"
    with http_server(Working) as server:
        command = [sys.executable, "-m", "harness", "generate", "--model", f"openai:m@{url(server)}/v1",
                   "--prompts", str(prompts), "--run-dir", str(run_dir), "--max-connections", "256",
                   "--cache", str(tmp_path / "cache.sqlite")]  # fmt: skip
        script = f"ulimit {ulimit} && exec {' '.join(command)}"
        done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=600)
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
    done, rows = _run(tmp_path, "-Sn 256")  # soft only: the hard limit allows more
    assert done.returncode == 0, done.stderr
    assert "warning" not in done.stderr
    assert len(rows) == N and all(r["error"] is None for r in rows)
