"""``harness clean-eval build`` imports the Clean-Eval package before any benchmark, ``harness score
B@clean:PATH`` the benchmark registry first (it loads the variant kind ``clean`` lazily): both orders must
import in a fresh interpreter, with no import placed to dodge a cycle."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize(
    "module",
    [
        "harness.clean_eval",
        "harness.clean_eval.variant",
        "harness.clean_eval.records",
        "harness.clean_eval.pipeline",
        "benchmarks",
    ],
)
def test_the_package_imports_first_in_a_fresh_interpreter(module: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", f"import {module}"], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
