"""Headless Chromium for the viewer tests: Debian's ``chromium`` (``.ci/run`` installs it if missing).

Started with the flags a closed network needs (no background networking, no component update, no sync),
no sandbox (CI runs as root) and a new empty profile per call. Under CI=true a missing browser fails the
test; elsewhere it is skipped.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
)  # fmt: skip


def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        message = "chromium not installed (Debian package chromium; .ci/run installs it)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


def run_chromium(tmp: Path, url: str, *args: str, timeout: float = 120.0) -> str:
    """Load ``url`` in a fresh headless Chromium with ``args`` (``--dump-dom``, ``--screenshot=...``)."""
    profile = tmp / f"profile-{len(list(tmp.glob('profile-*')))}"
    profile.mkdir(parents=True)
    proc = subprocess.run(
        [chromium(), *FLAGS, f"--user-data-dir={profile}", *args, url],
        capture_output=True, text=True, timeout=timeout, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def dump_dom(tmp: Path, page: Path, fragment: str = "") -> str:
    """The DOM after the page's script ran (Chromium's ``--dump-dom``)."""
    return run_chromium(tmp, page.resolve().as_uri() + fragment, "--dump-dom")


def screenshot(tmp: Path, page: Path, out: Path, fragment: str = "") -> Path:
    run_chromium(tmp, page.resolve().as_uri() + fragment, f"--screenshot={out}", "--window-size=1280,1600")
    return out
