"""Run every detector over a submission and assemble the report: the audit's one entry point.

Pure over its inputs except for the embedder (a loaded model, passed in so tests and the CLI load it
once). Item detectors see one item at a time; submission detectors (duplicates, relevance, degenerate)
see all of them. The decision rule (:mod:`decide`) is applied last.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from harness.audit.addressed import AddressedConfig, SentenceEncoder, detect_addressed
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
from harness.audit.relevance import RelevanceConfig, detect_relevance
from harness.audit.templated import TemplatedConfig, detect_templated
from harness.audit.templates import TemplateIndex
from harness.audit.verdicts import detect_verdicts


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


def audit(
    submission: Submission,
    config: AuditConfig,
    embedder: Embedder | None,
    encoder: SentenceEncoder | None = None,
) -> AuditReport:
    """Audit ``submission``; without an embedder the relevance detector (D2) is skipped, without a
    sentence encoder the judge-addressed detector (D10)."""
    parts = [detector_findings(submission, config, embedder)]
    if encoder is not None:
        parts.append(addressed_findings(submission, config, encoder))
    return assemble(submission, config, parts)
