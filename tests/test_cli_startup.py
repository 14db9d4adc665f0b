"""Start-up stays light: ``harness --help`` and the path to a first generated answer import none of the
heavy libraries (they cost seconds on a loaded machine); those load only where they are used."""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = ("pandas", "numpy", "statsmodels", "sklearn", "datasets", "matplotlib", "torch", "openai", "scipy")

PROBE = """
import sys
{setup}
print(" ".join(sorted({{m.split(".")[0] for m in sys.modules}} & set({heavy!r}))))
"""


def heavy_imports(setup: str) -> list[str]:
    code = PROBE.format(setup=setup, heavy=HEAVY)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return done.stdout.split()


def test_help_imports_no_heavy_library() -> None:
    setup = "from harness.cli import build_parser\nbuild_parser().format_help()"
    assert heavy_imports(setup) == []


@pytest.mark.parametrize("module", ["harness.cli.generate", "harness.generate", "harness.client"])
def test_the_generation_path_imports_no_heavy_library(module: str) -> None:
    assert heavy_imports(f"import {module}") == []
