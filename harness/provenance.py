"""Where a run came from, as run.json records it: when, which package versions, which git commit.

Read once per new run.json (harness/store.py), while the first requests go out; nothing here is needed
to read a run back.
"""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

PACKAGES = (
    "harness",
    "openai",
    "httpx",
    "pydantic",
    "pandas",
    "numpy",
    "datasets",
    "llama-cpp-python",
    "vllm",
)


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def package_versions(names: tuple[str, ...] = PACKAGES) -> dict[str, str]:
    out: dict[str, str] = {}
    for name in names:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return out


def git_state(cwd: Path | None = None) -> dict[str, Any] | None:
    """``{"commit", "dirty"}`` of the checkout the harness runs from, or None outside a git repo."""
    return GitState(cwd).result()


class GitState:
    """The two ``git`` commands of :func:`git_state`, started at once and read later, so that a new
    run.json waits for the slower of them (``git status`` stats every tracked file) while it reads the
    package versions, not for each in turn."""

    def __init__(self, cwd: Path | None = None) -> None:
        where = cwd or Path(__file__).resolve().parent
        self._procs: list[subprocess.Popen[str]] = []
        try:
            for argv in (
                ["git", "rev-parse", "HEAD"],
                ["git", "status", "--porcelain", "--untracked-files=no"],
            ):
                self._procs.append(
                    subprocess.Popen(
                        argv, cwd=where, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
                    )
                )
        except OSError:
            self._stop()

    def _stop(self) -> None:
        for proc in self._procs:
            proc.kill()
            proc.wait()
        self._procs = []

    def result(self) -> dict[str, Any] | None:
        if len(self._procs) != 2:
            self._stop()
            return None
        try:
            outs = [proc.communicate(timeout=10)[0] for proc in self._procs]
        except (OSError, subprocess.SubprocessError):
            self._stop()
            return None
        if self._procs[0].returncode != 0:
            return None
        return {"commit": outs[0].strip(), "dirty": bool(outs[1].strip())}
