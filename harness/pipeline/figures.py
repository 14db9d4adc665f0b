"""A run's figures: its statistic and its report (``report.json``, ``report.md``), from the stored records.

The statistic is reused from the response cache when the same records were scored by the same code
before (:func:`harness.pipeline.derived.evaluate_key`). Else it is computed, by a worker process
(:mod:`harness.pipeline.worker`) when the run has one: ``harness judge`` over outputs whose audit the
cache holds spawns it before its first judge call (:func:`spawn_statistic`), so that the statistic's
imports (pandas, numpy, the benchmark's statistic: ~0.4 s on the AlpacaEval job) load on the other core
while this process waits on the judge, and the report waits only for the fit itself. The worker reads the
same records from the run directory, closed by then; a result it cannot deliver is computed here (the
same function on the same records, so the same figures, and the same errors).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks import get_benchmark
from harness.cache import Cache
from harness.pipeline import effect_file
from harness.pipeline.costs import Price, costs_by_role
from harness.pipeline.derived import REPORT_KEY, evaluate_key
from harness.pipeline.effect_file import read_effect
from harness.pipeline.guard import DEFAULT_MAX_UNSCORED, check_report
from harness.pipeline.report import build_report, write_report
from harness.pipeline.worker import Worker
from harness.records import Score
from harness.run.config import RunConfig
from harness.run.registry import STATISTICS
from harness.scoring.evaluate import RunData, RunResult, evaluate, load_run
from harness.store import RunStore


def spawn_statistic(config: RunConfig) -> Worker:
    """A worker loading the statistic of the run's benchmark version while the stages run; its job
    comes with the report (:class:`EvaluateJob`)."""
    name = get_benchmark(config.benchmark).spec.version(config.version).statistic
    target = STATISTICS.target(name)  # a lazy entry's "module:object": its module is what loads slowly
    return Worker.spawn(["harness.scoring.evaluate", *([target.partition(":")[0]] if target else [])])


@dataclass(frozen=True)
class EvaluateJob:
    """:func:`harness.scoring.evaluate.evaluate` of a run directory's records, as a worker's job."""

    run_dir: Path

    def run(self) -> RunResult:
        return evaluate(load_run(self.run_dir))


def report_for(
    run_dir: Path,
    prices: dict[str, Price],
    session: dict[str, Any] | None = None,
    max_unscored: float = DEFAULT_MAX_UNSCORED,
    inputs_key: str | None = None,
    cache: Cache | None = None,
    data: RunData | None = None,
    worker: Worker | None = None,
) -> dict[str, Any]:
    """Score the stored records and write report.json / report.md (pure over the run directory and the
    ``--max-unscored`` threshold of its headline check; ``inputs_key``: the hash of its inputs, kept in
    report.json when the run is complete, :func:`reuse_report`; ``cache``: where the statistic's result is
    kept under the hash of its inputs, :func:`harness.pipeline.derived.evaluate_key`; ``data``: the run
    directory's records, when the caller read them already; ``worker``: one computing the statistic
    already, :func:`start_statistic`)."""
    data = data if data is not None else load_run(run_dir)
    result = _evaluate(run_dir, data, cache, worker)
    c = data.config
    effect = read_effect(run_dir)
    specs = {"judge": c.judge} if c.source_run else {"model": c.model, "judge": c.judge}
    usages = {
        "model": [o.usage for o in data.outputs.values()],
        "judge": [j.usage for j in data.judgments]
        + [c.usage for c in data.checklists.values()]
        + effect_file.usages(effect),
    }
    costs = costs_by_role(specs, usages, prices)
    report = build_report(run_dir=run_dir, config=c.to_json(), result=result, costs=costs, session=session)
    report["gate"] = check_report(report, max_unscored)
    report["effect"] = effect_file.summary(effect)  # its tokens are in the judge's costs
    if inputs_key is not None:
        report[REPORT_KEY] = inputs_key
    write_report(run_dir, report)
    return report


def _evaluate(run_dir: Path, data: RunData, cache: Cache | None, worker: Worker | None) -> RunResult:
    """:func:`harness.scoring.evaluate.evaluate`, reused from the cache for the same inputs."""
    info = RunStore(run_dir).read_run_json() if cache is not None else None
    if cache is None or info is None:
        return _computed(run_dir, data, worker)
    key = evaluate_key(run_dir, info.config, info.dataset)
    stored = cache.get_derived(key)
    if stored is not None:
        return RunResult(
            scores=[Score.model_validate(s) for s in stored["scores"]], consistency=stored["consistency"],
            coverage=stored["coverage"], notes=list(stored["notes"]),
        )  # fmt: skip
    result = _computed(run_dir, data, worker)
    doc = {"scores": [s.model_dump(mode="python") for s in result.scores], "consistency": result.consistency,
           "coverage": result.coverage, "notes": result.notes}  # fmt: skip
    cache.put_derived(key, "evaluate", doc)
    return result


def start_statistic(worker: Worker | None, run_dir: Path) -> Worker | None:
    """Hand ``worker`` (:func:`spawn_statistic`'s, if any) the statistic of ``run_dir``, whose records are
    all written and closed: it computes while this process reads them for the report's other parts."""
    if worker is not None:
        worker.submit([EvaluateJob(run_dir)])
    return worker


def _computed(run_dir: Path, data: RunData, worker: Worker | None) -> RunResult:
    """The statistic of ``data`` (the records of ``run_dir``): by ``worker`` (:func:`start_statistic`)
    when there is one and it delivers, else here."""
    if worker is not None:
        result = worker.result(0)
        if isinstance(result, RunResult):
            return result
    return evaluate(data)
