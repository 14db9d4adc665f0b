"""What the audit reports: item findings, submission findings and the verdict they imply.

Kept free of detector logic so that later producers plug in without touching the detectors: the
null-model canary (issue 5, part 2) adds a :class:`SubmissionFinding` with ``detector="canary"``, and
``harness score --on-flag`` (part 4) reads :meth:`AuditReport.flagged_item_ids` to score those items
with the loss policy. Item severity is ``warn`` (worth a look, never fails CI alone) or ``flag`` (the
item is treated as an attack); a submission is ``fail`` when any submission finding fails or any item
is flagged.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Severity = Literal["warn", "flag"]
SubmissionSeverity = Literal["warn", "fail"]
Verdict = Literal["pass", "warn", "fail"]

SEVERITY_RANK = {"warn": 1, "flag": 2}
EVIDENCE_CHARS = 160


@dataclass(frozen=True)
class Evidence:
    """Where in which turn of the output the detector looked: ``text == output[start:end]`` (cut)."""

    turn: int
    start: int
    end: int
    text: str

    @classmethod
    def of(cls, output: str, turn: int, start: int, end: int) -> Evidence:
        snippet = output[start:end]
        if len(snippet) > EVIDENCE_CHARS:
            snippet = snippet[: EVIDENCE_CHARS - 1] + "…"
        return cls(turn=turn, start=start, end=end, text=snippet)


@dataclass(frozen=True)
class Finding:
    """One detector hit on one item. ``score`` is the measured value (similarity, length...)."""

    detector: str
    item_id: str
    severity: Severity
    message: str
    evidence: Evidence | None = None
    score: float | None = None

    def escalated(self, reason: str) -> Finding:
        """The same hit raised to ``flag`` because other evidence on the item corroborates it."""
        return Finding(
            self.detector, self.item_id, "flag", f"{self.message} ({reason})", self.evidence, self.score
        )


@dataclass(frozen=True)
class SubmissionFinding:
    """A property of the whole set of outputs (constant outputs, mass irrelevance, degeneracy)."""

    detector: str
    severity: SubmissionSeverity
    message: str
    value: float
    threshold: float
    item_ids: tuple[str, ...] = ()


@dataclass
class AuditReport:
    """Everything one audit found; formatting lives in :mod:`harness.audit.formats`."""

    source: str
    model: str
    benchmark: str | None
    judges: tuple[str, ...]
    n_items: int
    findings: list[Finding] = field(default_factory=list)
    submission: list[SubmissionFinding] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def verdict(self) -> Verdict:
        if any(s.severity == "fail" for s in self.submission) or self.flagged_item_ids():
            return "fail"
        if self.findings or self.submission:
            return "warn"
        return "pass"

    def flagged_item_ids(self) -> list[str]:
        """Items to exclude or score with the loss policy (``--on-flag``), in input order."""
        seen: dict[str, None] = {}
        for f in self.findings:
            if f.severity == "flag":
                seen.setdefault(f.item_id, None)
        return list(seen)

    def item_severity(self) -> dict[str, Severity]:
        worst: dict[str, Severity] = {}
        for f in self.findings:
            if SEVERITY_RANK[f.severity] > SEVERITY_RANK.get(worst.get(f.item_id, ""), 0):
                worst[f.item_id] = f.severity
        return worst

    def counts(self) -> dict[str, dict[str, int]]:
        """Items per detector and severity (an item counts once per detector, at its worst)."""
        worst: dict[tuple[str, str], Severity] = {}
        for f in self.findings:
            key = (f.detector, f.item_id)
            if SEVERITY_RANK[f.severity] > SEVERITY_RANK.get(worst.get(key, ""), 0):
                worst[key] = f.severity
        table: dict[str, Counter[str]] = {}
        for (detector, _), sev in worst.items():
            table.setdefault(detector, Counter())[sev] += 1
        return {d: {"warn": c["warn"], "flag": c["flag"]} for d, c in sorted(table.items())}

    def to_dict(self) -> dict[str, Any]:
        sev = self.item_severity()
        return {
            "source": self.source,
            "model": self.model,
            "benchmark": self.benchmark,
            "judges": list(self.judges),
            "verdict": self.verdict,
            "n_items": self.n_items,
            "n_flagged": sum(1 for s in sev.values() if s == "flag"),
            "n_warned": sum(1 for s in sev.values() if s == "warn"),
            "counts": self.counts(),
            "submission": [asdict(s) for s in self.submission],
            "findings": [asdict(f) for f in self.findings],
            "timings_s": {k: round(v, 3) for k, v in self.timings.items()},
        }

    @classmethod
    def from_dict(cls, doc: dict[str, Any]) -> AuditReport:
        """The report :meth:`to_dict` wrote (a cached audit, ``harness.pipeline.derived``)."""
        findings = [
            Finding(
                f["detector"], f["item_id"], f["severity"], f["message"],
                Evidence(**f["evidence"]) if f.get("evidence") else None, f.get("score"),
            )
            for f in doc["findings"]
        ]  # fmt: skip
        submission = [
            SubmissionFinding(**{**s, "item_ids": tuple(s.get("item_ids", ()))}) for s in doc["submission"]
        ]
        return cls(
            source=doc["source"], model=doc["model"], benchmark=doc["benchmark"], judges=tuple(doc["judges"]),
            n_items=doc["n_items"], findings=findings, submission=submission, timings=dict(doc.get("timings_s", {})),
        )  # fmt: skip
