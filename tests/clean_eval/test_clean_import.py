"""``harness clean-eval build`` imports the Clean-Eval package before any benchmark: the benchmark
registry reads clean variants, and that order once failed with a half-initialized module."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize(
    "module", ["harness.clean_eval", "harness.clean_eval.variant", "harness.clean_eval.pipeline"]
)
def test_the_package_imports_first_in_a_fresh_interpreter(module: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", f"import {module}"], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
