"""The static audit's stage of a run: started in worker processes before the judge calls
(:func:`start_audits`), awaited by the effect stage (:func:`static_audit`), stored as ``audit.json`` for
scoring (:func:`audit_run`); reused from the response cache under the hash of its inputs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from harness.audit.findings import AuditReport
from harness.cache import Cache
from harness.pipeline.audit_file import audit_items, write_flags
from harness.pipeline.derived import audit_key
from harness.pipeline.effect_file import merge_into
from harness.pipeline.runner import Run, RunOptions
from harness.pipeline.worker import worthwhile
from harness.records import Item
from harness.registry import Lazy
from harness.run.config import JudgeSet
from harness.scoring.evaluate import RunData, load_run

if TYPE_CHECKING:
    from harness.pipeline.audit_job import AuditInputs, Audits

# the audit's job and workers (every detector, numpy) load only when an audit is computed, not when the
# cache holds it (a cached re-run)
AUDIT_INPUTS = Lazy("harness.pipeline.audit_job:AuditInputs")
AUDITS = Lazy("harness.pipeline.audit_job:Audits")


@dataclass
class AuditsAhead:
    """The audits started before the judge calls (:mod:`harness.pipeline.audit_job`): per run (by
    ``id``), its records as read then (the outputs the audit reads) and its job's index."""

    audits: Audits | None  # None: nothing to audit and no worker to close
    started: dict[int, tuple[RunData, int]]
    read: dict[int, RunData] = field(default_factory=dict)  # every run's records as read then


def start_audits(runs: list[Run], options: RunOptions, cache: Cache | None) -> AuditsAhead:
    """Start the static audit of every run whose outputs are all there (after generation) and whose
    audit the cache does not hold, in the worker processes (those ``harness judge`` spawned ahead, or
    new ones), so that it runs while the judge answers."""
    jobs: list[AuditInputs] = []
    started: dict[int, tuple[RunData, int]] = {}
    read: dict[int, RunData] = {}
    for run in runs:
        data = read[id(run)] = load_run(run.store.dir)
        if not worthwhile(len(data.outputs)):
            continue
        key, texts = _audit_key(data, run.items, options, run)
        if cache is not None and cache.get_derived(key) is not None:
            continue
        started[id(run)] = (data, len(jobs))
        jobs.append(_audit_inputs(data, run.items, texts, options))
    ahead = tuple(w for run in runs for w in run.workers)
    audits: Audits | None = AUDITS.load()(jobs, ahead) if jobs or ahead else None
    return AuditsAhead(audits, started, read)


def audit_run(
    run_dir: Path, items: list[Item], options: RunOptions, report: AuditReport | None = None
) -> None:
    """Audit the model's finished outputs (unless ``report`` is the audit already computed) and store the
    flagged ids (``audit.json``), the effect check's included, for scoring's ``--on-flag`` policy
    (:mod:`harness.pipeline.flags`)."""

    if report is None:  # else the effect stage audited the outputs it found (there were some)
        data = load_run(run_dir)
        if not data.outputs:
            return
        report = static_audit(data, items, options)
    write_flags(run_dir, merge_into(report, run_dir))


def _audit_key(
    data: RunData, items: list[Item], options: RunOptions, run: Run | None = None
) -> tuple[str, list[str]]:
    """The key of the run's static audit in the cache, and the judge's template texts it covers (kept
    on ``run``: computed once a run, its outputs do not change after generation)."""
    if run is not None and run.audit_key is not None:
        return run.audit_key
    c = data.config
    texts = JudgeSet(c).base.prompt_texts()
    key = audit_key(
        audit_items(items, data.outputs), c.judge_config, texts, c.benchmark, options.audit_embeddings
    )
    if run is not None:
        run.audit_key = (key, texts)
    return key, texts


def _audit_inputs(data: RunData, items: list[Item], texts: list[str], options: RunOptions) -> AuditInputs:
    c = data.config
    inputs: AuditInputs = AUDIT_INPUTS.load()(
        items, data.outputs, c.judge_config, texts, c.benchmark, options.audit_embeddings
    )
    return inputs


def static_audit(data: RunData, items: list[Item], options: RunOptions, cache: Cache | None = None,
           started: Callable[[], AuditReport] | None = None, run: Run | None = None) -> AuditReport:  # fmt: skip
    """The static audit of the run's outputs; with a cache, reused when the same inputs were audited
    by the same code before (any run directory: a judge swap, a cached re-run). ``started``: the result
    of the same audit started ahead (:func:`start_audits`), instead of computing it here."""
    key, texts = _audit_key(data, items, options, run)
    stored = cache.get_derived(key) if cache is not None else None
    if stored is not None:
        return AuditReport.from_dict(stored)
    report = started() if started is not None else _audit_inputs(data, items, texts, options).run()
    if cache is not None:
        cache.put_derived(key, "audit", report.to_dict())
    return report
