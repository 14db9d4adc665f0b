"""Start-up stays light: ``harness --help`` and the path to a first generated answer import none of the
heavy libraries (they cost seconds on a loaded machine); those load only where they are used."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

import pytest

from harness.client import SamplingParams
from harness.prompts import file_sha256
from harness.records import Output
from harness.store import RunStore

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


def test_a_complete_generate_run_loads_no_http_stack_and_probes_nothing(tmp_path: Path) -> None:
    """Re-running ``harness generate`` on a complete run directory answers from its records: the endpoint
    is not resolved or probed (its port is dead by then) and aiohttp and httpx are never imported."""
    prompts = tmp_path / "p.jsonl"
    prompts.write_text('{"id": "a", "turns": ["hi"]}\n')
    run = tmp_path / "run"
    run.mkdir()
    spec = "openai:m@http://127.0.0.1:9/v1"
    config = {
        "model": spec,
        "name": "m",
        "prompts": str(prompts),
        "sampling": asdict(SamplingParams(0.0, max_tokens=512)),
    }
    dataset = {"id": str(prompts), "revision": file_sha256(prompts), "n": 1}
    store = RunStore(run)
    store.write_run_json(command="generate", config=config, dataset=dataset, seeds={"sampling": None})
    store.append("outputs", Output(item_id="a", model="m", turns=["hello"]))
    store.finish_run("finished")
    store.close()
    argv = ["generate", "--model", spec, "--prompts", str(prompts), "--run-dir", str(run), "--no-cache"]
    setup = f"from harness.cli import main\nassert main({argv!r}) == 0"
    assert heavy_imports(setup) == []
    code = PROBE.format(setup=setup, heavy=("aiohttp", "httpx"))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == [], done.stderr
    assert "0 generated, 1 already done" in done.stderr
