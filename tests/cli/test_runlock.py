"""One writer per run directory (harness/runlock.py): the two-process scenario of issue 12, for real.

The first ``harness generate`` is held mid-run by a server that answers only when the test says so; a
second process on the same directory must exit 2 at once naming the holder's pid and the directory,
having sent nothing, and the records must hold each item once. ``kill -9`` of the holder frees the lock.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from _cli_servers import Working, http_server, url

from harness import runlock
from harness.errors import BadInput
from harness.store import RunStore

N = 4


def _cmd(base: str, run_dir: Path, prompts: Path) -> list[str]:
    return [sys.executable, "-m", "harness", "generate", "--model", f"openai:m@{base}/v1", "--prompts",
            str(prompts), "--run-dir", str(run_dir), "--no-cache", "--max-connections", "2"]  # fmt: skip


def _wait(
    predicate: object, what: str, proc: subprocess.Popen[str] | None = None, limit: float = 120
) -> None:
    deadline = time.monotonic() + limit
    while not predicate():  # type: ignore[operator]
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"the first process ended early ({proc.returncode}): {proc.stderr.read()}")  # type: ignore[union-attr]
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


@pytest.fixture
def held(tmp_path: Path) -> Iterator[tuple[object, subprocess.Popen[str], Path, Path]]:
    prompts = tmp_path / "prompts.jsonl"
    prompts.write_text("".join(json.dumps({"id": f"p{i}", "turns": ["hi"]}) + "\n" for i in range(N)))
    run_dir = tmp_path / "run"
    with http_server(Working) as server:
        server.hold.clear()  # type: ignore[attr-defined]
        first = subprocess.Popen(_cmd(url(server), run_dir, prompts), stderr=subprocess.PIPE, text=True,
                                 stdout=subprocess.DEVNULL)  # fmt: skip
        try:
            _wait(lambda: server.chats >= 1, "the first process's first request", first)  # type: ignore[attr-defined]
            yield server, first, run_dir, prompts
        finally:
            server.hold.set()  # type: ignore[attr-defined]
            if first.poll() is None:
                first.kill()
            first.wait()


def test_a_second_process_on_the_run_dir_exits_2_naming_the_holder(
    held: tuple[object, subprocess.Popen[str], Path, Path],
) -> None:
    server, first, run_dir, prompts = held
    sent = server.chats  # type: ignore[attr-defined]
    second = subprocess.run(_cmd(url(server), run_dir, prompts), capture_output=True, text=True, timeout=120)  # type: ignore[arg-type]
    lines = second.stderr.strip().splitlines()
    assert second.returncode == 2, second.stderr
    assert len(lines) == 1 and "Traceback" not in second.stderr
    assert f"pid {first.pid}" in lines[0] and str(run_dir) in lines[0]
    assert server.chats == sent  # type: ignore[attr-defined]  # the refused process sent nothing
    server.hold.set()  # type: ignore[attr-defined]
    assert first.wait(timeout=120) == 0
    ids = [json.loads(line)["item_id"] for line in (run_dir / "outputs.jsonl").read_text().splitlines()]
    assert sorted(ids) == [f"p{i}" for i in range(N)]  # each item once: no duplicate work
    assert server.chats == N  # type: ignore[attr-defined]


def test_kill_9_of_the_holder_frees_the_run_dir(
    held: tuple[object, subprocess.Popen[str], Path, Path],
) -> None:
    server, first, run_dir, prompts = held
    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=60)
    server.hold.set()  # type: ignore[attr-defined]
    again = subprocess.run(_cmd(url(server), run_dir, prompts), capture_output=True, text=True, timeout=300)  # type: ignore[arg-type]
    assert again.returncode == 0, again.stderr
    ids = {json.loads(line)["item_id"] for line in (run_dir / "outputs.jsonl").read_text().splitlines()}
    assert ids == {f"p{i}" for i in range(N)}


def test_the_lock_is_reentrant_in_one_process_and_released_by_the_last_user(tmp_path: Path) -> None:
    a, b = RunStore(tmp_path / "r"), RunStore(tmp_path / "r")
    a.lock()
    b.lock()  # the same process: a sweep or a resumed stage may open a directory twice
    a.close()
    assert runlock.is_held(tmp_path / "r")
    b.close()
    assert not runlock.is_held(tmp_path / "r")


def test_a_lock_held_by_another_process_is_refused_in_process(tmp_path: Path) -> None:
    run_dir = tmp_path / "r"
    run_dir.mkdir()
    holder = subprocess.Popen(
        [sys.executable, "-c", "import fcntl, os, sys, time; fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT); "
         "fcntl.flock(fd, fcntl.LOCK_EX); os.write(fd, b'%d' % os.getpid()); print('held', flush=True); "
         "time.sleep(600)", str(run_dir / runlock.LOCK_NAME)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(BadInput, match=f"pid {holder.pid}"):
            RunStore(run_dir).write_run_json(command="generate", config={})
    finally:
        holder.kill()
        holder.wait()
