"""Run every detector over a submission and assemble the report: the audit's one entry point.

Pure over its inputs except for the embedder (a loaded model, passed in so tests and the CLI load it
once). Item detectors see one item at a time; submission detectors (duplicates, relevance, degenerate)
see all of them. The decision rule (:mod:`decide`) is applied last.

Scheduling in :func:`audit`: the two embedding models run in one background thread while this thread
runs the pure-Python detectors. Their matrix products release the GIL, so on two cores the encoders'
time overlaps the detectors' instead of adding to it (docs/audit.md, "Speed"). The relevance texts
are queued first (the lexical cascade is cheap); the judge-addressed candidates are queued in chunks
of items as they are found, so the encoder starts after the first chunk; when the detectors are done,
this thread encodes the chunks the background thread has not reached (from the last one back), so
both cores finish the encoder's work. The report is that of a sequential run: findings keep their
order (a D10 score may move in the 7th decimal with the batch composition).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import Generic, TypeVar

import numpy as np

from harness.audit.addressed import (
    AddressedConfig,
    Row,
    SentenceEncoder,
    addressed_rows,
    detect_addressed,
    row_findings,
    row_texts,
    scorer,
)
from harness.audit.comparison import detect_comparison
from harness.audit.decide import decide
from harness.audit.degenerate import DegenerateConfig, detect_degenerate
from harness.audit.delimiters import detect_delimiters
from harness.audit.duplicates import DuplicateConfig, detect_duplicates
from harness.audit.embed import Embedder
from harness.audit.findings import AuditReport, Finding, SubmissionFinding
from harness.audit.gibberish import detect_gibberish
from harness.audit.grammar import JudgeSpec
from harness.audit.hidden import detect_hidden
from harness.audit.inputs import Submission
from harness.audit.judge_specs import all_judges
from harness.audit.mimicry import MIN_COMMON, detect_mimicry
from harness.audit.persuasion import detect_persuasion
from harness.audit.relevance import (
    RelevanceConfig,
    detect_relevance,
    plan_relevance,
    relevance_findings,
    scores_from,
)
from harness.audit.templated import TemplatedConfig, detect_templated
from harness.audit.templates import TemplateIndex
from harness.audit.verdicts import detect_verdicts

CHUNK = 64  # items whose judge-addressed candidates are queued for the encoder at once
T = TypeVar("T")


@dataclass(frozen=True)
class AuditConfig:
    """Active judges (verdict grammar), the template index (D3b), thresholds of each detector."""

    judges: tuple[JudgeSpec, ...] = field(default_factory=all_judges)
    templates: TemplateIndex = field(default_factory=TemplateIndex)
    benchmark: str | None = None
    min_common: int = MIN_COMMON
    duplicates: DuplicateConfig = DuplicateConfig()
    relevance: RelevanceConfig = RelevanceConfig()
    degenerate: DegenerateConfig = DegenerateConfig()
    templated: TemplatedConfig = TemplatedConfig()
    embed_all: bool = False  # embed every turn, not only those the lexical measure leaves in doubt
    addressed: AddressedConfig = AddressedConfig()


@dataclass
class AuditPart:
    """What some of the detectors found: the audit is assembled from its parts (:func:`assemble`), so the
    sentence encoder's part can run in another process than the rest (harness.pipeline.audit_job)."""

    findings: list[Finding] = field(default_factory=list)
    submission: list[SubmissionFinding] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)


def detector_findings(submission: Submission, config: AuditConfig, embedder: Embedder | None) -> AuditPart:
    """Every detector but the judge-addressed one (D10, :func:`addressed_findings`); without an embedder
    the relevance detector (D2) is skipped."""
    part = AuditPart()
    timings, findings, submission_findings = part.timings, part.findings, part.submission
    items = submission.items

    t = time.perf_counter()
    markers = all_judges()  # static markers of every judge; verdict grammar of the active ones
    for item in items:
        findings += detect_mimicry(item, markers, config.templates, config.min_common)
        findings += detect_verdicts(item, config.judges)
        findings += detect_hidden(item)
        findings += detect_persuasion(item)
        findings += detect_gibberish(item)
        findings += detect_delimiters(item)
        findings += detect_comparison(item)
    timings["item_detectors"] = time.perf_counter() - t

    t = time.perf_counter()
    f, s = detect_duplicates(items, config.duplicates)
    findings += f
    submission_findings += s
    timings["duplicates"] = time.perf_counter() - t

    t = time.perf_counter()
    f, s = detect_templated(items, config.templated)
    findings += f
    submission_findings += s
    timings["templated"] = time.perf_counter() - t

    t = time.perf_counter()
    f, s = detect_degenerate(items, config.degenerate)
    findings += f
    submission_findings += s
    timings["degenerate"] = time.perf_counter() - t

    if embedder is not None:
        t = time.perf_counter()
        f, s, _ = detect_relevance(items, embedder, config.relevance, config.embed_all)
        findings += f
        submission_findings += s
        timings["relevance"] = time.perf_counter() - t
    return part


def addressed_findings(submission: Submission, config: AuditConfig, encoder: SentenceEncoder) -> AuditPart:
    """The judge-addressed detector (D10), the one that needs the sentence encoder."""
    t = time.perf_counter()
    findings, embedded = detect_addressed(submission.items, encoder, config.addressed)
    return AuditPart(
        findings, [], {"addressed": time.perf_counter() - t, "addressed_sentences": float(embedded)}
    )


def assemble(submission: Submission, config: AuditConfig, parts: list[AuditPart]) -> AuditReport:
    """The report of the parts' findings, in the parts' order, after the decision rule (:mod:`decide`)."""
    findings = [f for part in parts for f in part.findings]
    order = {item.item_id: i for i, item in enumerate(submission.items)}
    decided = sorted(decide(findings), key=lambda x: (order.get(x.item_id, 0), x.detector))
    return AuditReport(
        source=submission.source,
        model=submission.model,
        benchmark=config.benchmark,
        judges=tuple(j.name for j in config.judges),
        n_items=len(submission.items),
        findings=decided,
        submission=[s for part in parts for s in part.submission],
        timings={k: v for part in parts for k, v in part.timings.items()},
    )


class _Job(Generic[T]):
    """Work queued for the background thread; if the thread has not started it when the caller is free
    (:meth:`steal`), the caller does it (the encoder's chunks then run on both cores). Seconds spent are
    added to ``spent[key]``."""

    def __init__(self, pool: ThreadPoolExecutor, spent: dict[str, float], key: str, fn: Callable[[], T]):
        self._fn, self._spent, self._key = fn, spent, key
        self._stolen: tuple[T] | None = None
        self._future: Future[T] = pool.submit(self._run)

    def _run(self) -> T:
        t0 = time.perf_counter()
        try:
            return self._fn()
        finally:
            self._spent[self._key] += time.perf_counter() - t0

    def steal(self) -> None:
        if self._stolen is None and self._future.cancel():
            self._stolen = (self._run(),)

    def result(self) -> T:
        self.steal()
        return self._stolen[0] if self._stolen is not None else self._future.result()


def audit(
    submission: Submission,
    config: AuditConfig,
    embedder: Embedder | None,
    encoder: SentenceEncoder | None = None,
) -> AuditReport:
    """Audit ``submission``; without an embedder the relevance detector (D2) is skipped, without a
    sentence encoder the judge-addressed detector (D10)."""
    items = submission.items
    spent: dict[str, float] = {"relevance": 0.0, "addressed": 0.0}  # seconds in the encoders
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="audit-embed") as pool:
        t = time.perf_counter()
        if embedder is not None:
            plan = plan_relevance(items, config.relevance, config.embed_all)
            encode = partial(embedder.encode, plan.texts) if plan.texts else lambda: None
            vectors = _Job(pool, spent, "relevance", encode)
        rows: list[Row] = []
        scored: list[_Job[tuple[np.ndarray, np.ndarray]]] = []
        if encoder is not None:
            bank = scorer(encoder)  # the prototype banks, embedded here before the worker uses the encoder
            for k in range(0, len(items), CHUNK):
                found = addressed_rows(items[k : k + CHUNK])
                rows += found
                scored.append(_Job(pool, spent, "addressed", partial(bank.score, row_texts(found))))
        queued = time.perf_counter() - t

        main = detector_findings(submission, config, None)  # this thread, meanwhile
        main.timings["embedding_queue"] = queued
        t = time.perf_counter()
        for job in reversed(scored):  # the chunks the worker has not reached, from the last: both cores
            job.steal()
        parts = [main]
        if embedder is not None:
            scores = scores_from(plan, len(items), vectors.result())
            f, s = relevance_findings(items, scores, config.relevance)
            main.findings += f
            main.submission += s
            main.timings["relevance"] = spent["relevance"]
        if encoder is not None:
            results = [job.result() for job in scored]
            margin = np.concatenate([r[0] for r in results]) if results else np.zeros(0)
            near = np.concatenate([r[1] for r in results]) if results else np.zeros(0)
            found_addressed = row_findings(rows, margin, near, config.addressed)
            timings = {"addressed": spent["addressed"], "addressed_sentences": float(len(rows))}
            parts.append(AuditPart(found_addressed, [], timings))
        main.timings["embedding_wait"] = time.perf_counter() - t
    return assemble(submission, config, parts)
