"""``--backend ray`` on a local Ray instance against the real llama.cpp server, compared with the plain
client: the same Output and Judgment records at temperature 0, through the same cache, and a re-run that
makes no request. Both request paths run: ``ray.data.llm``'s HTTP request processor (``http``) and
``Dataset.map_batches`` with the harness's own client in Ray actors (``client``).

Each run gets its own cache file, so the Ray run cannot borrow the client run's answers.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from _shared import shared_path

from harness.cli import main
from harness.records import Judgment, Output
from harness.serve import ManagedServer
from harness.store import RunStore

pytestmark = pytest.mark.slow
LIMIT = 2


@pytest.fixture(autouse=True)
def template_mirror(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    monkeypatch.setenv("HARNESS_JUDGE_TEMPLATE_DIR", str(shared_path()))
    monkeypatch.setenv("HARNESS_TEMPLATE_CACHE", str(tmp_path_factory.mktemp("template-cache")))


def score(run_dir: Path, cache: Path, server: ManagedServer, *args: str) -> dict[str, Any]:
    spec = f"openai:{server.model}@{server.base_url}"
    argv = ["score", "--model", spec, "--judge", spec, "--limit", str(LIMIT), "--run-dir", str(run_dir),
            "--cache", str(cache), "--max-tokens", "16", "--judge-max-tokens", "8",
            "--judge-top-logprobs", "20", "--format", "json", *args]  # fmt: skip
    code = main([*argv, "--max-unscored", "1"])
    report = json.loads((run_dir / "report.json").read_text())
    # the records are what these tests compare; with 8 judge tokens the tiny judge's WildBench verdicts are
    # unparseable, so the headline is unavailable and the report's gate fails the command (exit 1)
    assert code == (0 if report["gate"]["passed"] else 1)
    return dict(report["session"])


def records(run_dir: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    store = RunStore(run_dir)
    outputs = sorted(
        (o.model_dump() for o in store.load("outputs", Output)), key=lambda o: (o["item_id"], o["model"])
    )
    judgments = sorted(
        (j.model_dump() for j in store.load("judgments", Judgment)), key=lambda j: (j["item_id"], str(j["order"]))
    )  # fmt: skip
    return outputs, judgments


# WildBench: temperature 0 for the model and the judge (demo's weighted judge and MT-Bench's writing
# questions sample at temperature > 0, where no two runs agree), and short judge prompts (Arena-Hard's
# take minutes on two cores)
WILDBENCH = ("--benchmark", "wildbench", "--subset", "--data", str(Path(__file__).parents[1] / "fixtures" / "wildbench_mini.jsonl"))  # fmt: skip


@pytest.mark.parametrize("processor", ["http", "client"])
def test_ray_backend_writes_the_plain_clients_records(
    tmp_path: Path, llama_server: ManagedServer, ray_local: Any, processor: str
) -> None:
    bench = WILDBENCH
    plain = score(tmp_path / "plain", tmp_path / "plain.db", llama_server, *bench)
    ray_args = (*bench, "--backend", "ray", "--ray-processor", processor)
    first = score(tmp_path / "ray", tmp_path / "ray.db", llama_server, *ray_args)
    assert records(tmp_path / "ray") == records(tmp_path / "plain")
    outputs, judgments = records(tmp_path / "ray")
    assert len([o for o in outputs if o["error"] is None and o["turns"]]) >= LIMIT and len(judgments) >= LIMIT
    assert first["requests"]["model"]["requests"] == plain["requests"]["model"]["requests"]
    assert first["requests"]["judge"]["cache_hits"] == 0
    # the same command on a fresh run directory and the Ray run's cache: every answer is a cache hit
    again = score(tmp_path / "again", tmp_path / "ray.db", llama_server, *ray_args)
    assert records(tmp_path / "again") == records(tmp_path / "ray")
    assert {role: c["requests"] for role, c in again["requests"].items()} == {
        "model": 0,
        "judge": 0,
    }
