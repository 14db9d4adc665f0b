"""``effect.json`` as the report reads it, and the effect check's options (:mod:`harness.pipeline.effect`).

Apart from the check itself so that what reads a finished check (the report, its costs, ``audit.json``'s
flags, a re-run of a complete run directory) does not load the check's span finders and the audit's
detectors.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from harness.audit.findings import AuditReport, Finding, SubmissionFinding
from harness.records import TokenUsage

EFFECT_FILE = "effect.json"
DETECTOR = "effect"  # the finding of an item the check flagged
DEFAULT_SHARE = 0.10  # default budget: this share of the run's judge calls
MIN_BUDGET = 12  # ... but at least this many calls (a small run still gets a check)


@dataclass(frozen=True)
class EffectOptions:
    """``--effect-check-budget``, ``--no-effect-check`` and the thresholds (see the module docstring)."""

    enabled: bool = True
    budget: int | None = None  # judge calls; None: DEFAULT_SHARE of the run's, at least MIN_BUDGET
    sample: float = 0.05  # share of the unflagged items drawn at random
    tolerance: float = 0.25
    disqualify_share: float = 0.1

    def budget_for(self, run_calls: int) -> int:
        if self.budget is not None:
            return self.budget
        return max(MIN_BUDGET, math.ceil(DEFAULT_SHARE * run_calls))


def read_doc(path: Path) -> dict[str, Any]:
    """The JSON object of ``path`` ({} when it is missing, unreadable or not an object)."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return {}
    return doc if isinstance(doc, dict) else {}


def read_effect(run_dir: Path) -> dict[str, Any] | None:
    """The run's ``effect.json`` (None when the run has none: an older run, or no judging yet)."""
    path = Path(run_dir) / EFFECT_FILE
    return read_doc(path) if path.exists() else None


def merge_into(report: AuditReport, run_dir: Path) -> AuditReport:
    """The audit report with the effect check's flags (finding ``effect``) and its disqualification
    (a failing submission finding), so ``audit.json`` and the ``--on-flag`` policy see them."""
    doc = read_effect(run_dir)
    if not doc or doc.get("skipped"):
        return report
    report = replace(report, findings=list(report.findings), submission=list(report.submission))
    for row in doc.get("items", []):
        if not row.get("carried"):
            continue
        tasks = [r for r in row["tasks"] if r.get("carried")] or row["tasks"]
        worst = max(tasks, key=lambda r: (r["before"] or 0.0) - (r["after"] or 0.0))
        message = (
            f"verdict carried by non-answer text: {worst['before']:.2f} with it, {worst['after']:.2f} "
            f"without {len(row['spans'])} span(s) ({', '.join(sorted({s['kind'] for s in row['spans']}))})"
        )
        if worst.get("control") is not None:
            message += f", {worst['control']:.2f} without as much answer text instead (control)"
        report.findings.append(
            Finding(DETECTOR, row["item_id"], "flag", message, score=worst["before"] - worst["after"])
        )
    if doc.get("disqualified"):
        checked = max(int(doc.get("checked", 0)), 1)
        share = len(doc.get("flagged", [])) / checked
        report.submission.append(
            SubmissionFinding(
                DETECTOR,
                "fail",
                str(doc["disqualified"]),
                share,
                float(doc["disqualify_share"]),
                tuple(doc.get("flagged", [])),
            )  # fmt: skip
        )
    return report


def usages(doc: dict[str, Any] | None) -> list[TokenUsage]:
    """The tokens of the check's judge calls, one entry per re-judged item (for the report's costs)."""
    rows = (doc or {}).get("items", [])
    return [TokenUsage(**row["usage"]) for row in rows if isinstance(row.get("usage"), dict)]


def summary(doc: dict[str, Any] | None) -> dict[str, Any] | None:
    """What report.json shows of the check (the per-item rows stay in effect.json)."""
    if doc is None:
        return None
    keys = ("enabled", "skipped", "budget_calls", "calls", "control_calls", "checked", "checked_by_why", "pools",
            "not_checked", "rounds", "flipped", "unconfirmed", "flagged", "disqualified", "tolerance")  # fmt: skip
    return {k: doc.get(k) for k in keys if k in doc}


def summary_line(doc: dict[str, Any] | None) -> str | None:
    """One line for report.md and the printed table."""
    if doc is None:
        return None
    if doc.get("skipped"):
        return f"effect check: skipped ({doc['skipped']})"
    line = (
        f"effect check: {doc.get('checked', 0)} items re-judged without their non-answer text, "
        f"{doc.get('calls', 0)} judge calls (budget {doc.get('budget_calls')}), "
        f"{len(doc.get('flagged') or [])} flagged"
    )
    if doc.get("flipped"):
        line += (
            f" ({len(doc['flipped'])} verdicts fell without it, {doc.get('control_calls', 0)} calls for "
            "controls that removed as much answer text instead)"
        )
    if doc.get("disqualified"):
        line += f"; DISQUALIFIED: {doc['disqualified']}"
    return line
