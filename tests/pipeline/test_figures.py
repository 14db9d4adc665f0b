"""The statistic in a worker process (``harness.pipeline.figures``): the same figures as in this process,
the same when the worker cannot deliver them; through ``harness judge`` with the audit in the cache (a
judge swap), the report holds the figures its records give. The effect check's spans computed by a worker
(``harness.pipeline.effect_ahead``) are the ones the effect stage computes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from _shared import shared_path

from benchmarks import get_benchmark
from harness.cli import main
from harness.pipeline.audit_file import audit_items
from harness.pipeline.effect import presample
from harness.pipeline.effect_ahead import presampled, spawn_presample
from harness.pipeline.effect_file import EffectOptions
from harness.pipeline.figures import report_for, spawn_statistic, start_statistic
from harness.pipeline.worker import MIN_OUTPUTS
from harness.scoring.evaluate import evaluate, load_run

N = MIN_OUTPUTS + 20  # enough outputs for the judge command to start a worker


def _judge(answers: Path, judge: Any, run_dir: Path, cache: Path) -> int:
    data = shared_path("alpaca_eval", "results", "gpt4_1106_preview")
    difficulty = shared_path("alpaca_eval", "glm", "instruction_difficulty_recovered.csv")
    return main(["judge", "--outputs", str(answers), "--benchmark", "alpaca_eval", "--data", str(data), "--subset",
                 "--limit", str(N), "--judge", judge.spec, "--position", "fixed", "--cache", str(cache),
                 "--run-dir", str(run_dir), "--on-flag", "keep", "--max-unscored", "1",
                 "--lc-difficulty", str(difficulty)])  # fmt: skip


@pytest.fixture(scope="module")
def answers(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """claude-2.1's answers to the first N AlpacaEval items, as an answer file."""
    bench = get_benchmark("alpaca_eval")
    data = shared_path("alpaca_eval", "results")
    every = bench.load(str(data / "gpt4_1106_preview"))
    outputs = bench.load_outputs(data / "claude-2.1" / "model_outputs.json", every)[:N]
    rows = [
        {"instruction": i.turns[0], "output": o.turns[0], "generator": "m"}
        for i, o in zip(every[:N], outputs, strict=True)
    ]
    path = tmp_path_factory.mktemp("answers") / "model_outputs.json"
    path.write_text(json.dumps(rows))
    return path


def _scores(report: dict[str, Any]) -> list[Any]:
    return report["scores"]


def test_a_judge_swap_reports_the_figures_of_its_records(
    answers: Path, tmp_path: Path, fake_server: Any
) -> None:
    """The second judge finds the audit in the cache: its statistic is computed by the worker, and the
    report holds what the records give in this process."""
    cache = tmp_path / "cache.sqlite"
    assert _judge(answers, fake_server("m", name="j"), tmp_path / "first", cache) in (0, 1)
    swap = tmp_path / "swap"
    assert _judge(answers, fake_server("m", name="j2"), swap, cache) in (0, 1)
    report = json.loads((swap / "report.json").read_text())
    expected = evaluate(load_run(swap)).scores
    assert [s["value"] for s in _scores(report)] == [s.value for s in expected]
    assert report["scores"][0]["metric"] == "length_controlled_winrate"
    assert report["scores"][0]["value"] is not None


def test_the_workers_figures_are_this_process_figures(
    answers: Path, tmp_path: Path, fake_server: Any
) -> None:
    """report_for with a worker computing the statistic writes the figures it writes without one; a worker
    that died before delivering them is replaced by this process."""
    run_dir = tmp_path / "run"
    assert _judge(answers, fake_server("m", name="j"), run_dir, tmp_path / "cache.sqlite") in (0, 1)
    data = load_run(run_dir)
    here = report_for(run_dir, {}, data=data)
    worker = start_statistic(spawn_statistic(data.config), run_dir)
    try:
        assert _scores(report_for(run_dir, {}, data=data, worker=worker)) == _scores(here)
    finally:
        assert worker is not None
        worker.close()
    dead = spawn_statistic(data.config)
    dead.close()  # stopped before its job: it delivers nothing
    assert _scores(report_for(run_dir, {}, data=data, worker=start_statistic(dead, run_dir))) == _scores(here)


def test_the_presample_worker_draws_the_stages_spans(answers: Path, tmp_path: Path, fake_server: Any) -> None:
    """The spans a worker computes from the run directory are those the effect stage computes from the
    items and outputs it holds."""
    run_dir = tmp_path / "run"
    assert _judge(answers, fake_server("m", name="j"), run_dir, tmp_path / "cache.sqlite") in (0, 1)
    data = load_run(run_dir)
    bench = get_benchmark("alpaca_eval")
    items = bench.load(str(shared_path("alpaca_eval", "results", "gpt4_1106_preview")))[:N]
    options = EffectOptions(sample=0.2)
    here = presample({a.item_id: a for a in audit_items(items, data.outputs)}, options, data.config.seed)
    assert any(here.values())
    worker = spawn_presample(run_dir, items, data.config.model_name, options, data.config.seed)
    try:
        assert presampled(worker) == here
    finally:
        worker.close()
