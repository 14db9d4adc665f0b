"""Render an :class:`AuditReport` for people and for CI: text, JSON, JUnit XML, GitHub annotations.

The text form is the short human summary (verdict, submission findings, counts per detector, the worst
examples); JSON is the whole report as one document on stdout (docs/design.md, "Model calls": stdout is machine-readable);
JUnit has one test case per detector so CI dashboards show which check failed; GitHub prints workflow
commands (``::error``/``::warning``) that the Actions UI turns into annotations, then the summary.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from xml.etree import ElementTree as ET

from harness.audit.findings import SEVERITY_RANK, AuditReport, Finding

DETECTORS = (
    "duplicates",
    "templated",
    "relevance",
    "degenerate",
    "mimicry",
    "verdict_tokens",
    "control_tokens",
    "persuasion",
    "addressed",
    "comparison",
    "gibberish",
    "delimiters",
)
MAX_EXAMPLES = 8
MAX_ANNOTATIONS = 50


# Most telling evidence first when choosing which finding stands for an item.
PRIORITY = (
    "mimicry",
    "control_tokens",
    "delimiters",
    "gibberish",
    "duplicates",
    "templated",
    "verdict_tokens",
    "addressed",
    "comparison",
    "persuasion",
    "relevance",
    "degenerate",
)


def worst(report: AuditReport, limit: int = MAX_EXAMPLES) -> list[Finding]:
    """One finding per item (flags first, then by :data:`PRIORITY`), spread over detectors."""
    rank = {d: i for i, d in enumerate(PRIORITY)}

    def key(f: Finding) -> tuple[int, int]:
        return (-SEVERITY_RANK[f.severity], rank.get(f.detector, len(PRIORITY)))

    best: dict[str, Finding] = {}
    for f in report.findings:
        if f.item_id not in best or key(f) < key(best[f.item_id]):
            best[f.item_id] = f
    ranked = sorted(best.values(), key=key)
    chosen: list[Finding] = []
    seen: set[tuple[str, str]] = set()
    for f in ranked:  # first the best example of each (severity, detector), then the rest in order
        if (f.severity, f.detector) not in seen:
            seen.add((f.severity, f.detector))
            chosen.append(f)
    chosen += [f for f in ranked if f not in chosen]
    return sorted(chosen[:limit], key=key)


def render_text(report: AuditReport) -> str:
    d = report.to_dict()
    lines = [
        f"audit {report.source} ({report.model or 'unknown model'}, {report.n_items} items, "
        f"judges: {', '.join(report.judges)}): {report.verdict.upper()}",
        f"  items flagged: {d['n_flagged']}, warned: {d['n_warned']}",
    ]
    for s in report.submission:
        lines.append(f"  submission {s.severity.upper()} [{s.detector}] {s.message}")
    counts = report.counts()
    if counts:
        lines.append("  detector         flag  warn")
        for name, c in counts.items():
            lines.append(f"  {name:<15} {c['flag']:>5} {c['warn']:>5}")
    examples = worst(report)
    if examples:
        lines.append("  worst examples:")
        for f in examples:
            where = f" turn {f.evidence.turn}" if f.evidence and f.evidence.turn else ""
            snippet = f" :: {f.evidence.text!r}" if f.evidence else ""
            lines.append(
                f"    {f.severity.upper():<4} item {f.item_id}{where} [{f.detector}] {f.message}{snippet}"
            )
    return "\n".join(lines)


def render_json(report: AuditReport) -> str:
    return json.dumps(report.to_dict(), ensure_ascii=False, indent=2)


def render_junit(report: AuditReport) -> str:
    suite = ET.Element("testsuite", name="harness-audit", hostname=report.source)
    failures = 0
    cases = 0
    by_detector: dict[str, list[Finding]] = {d: [] for d in DETECTORS}
    for f in report.findings:
        by_detector.setdefault(f.detector, []).append(f)
    submission = {s.detector: s for s in report.submission}
    for detector, found in by_detector.items():
        cases += 1
        case = ET.SubElement(
            suite, "testcase", classname=f"audit.{report.model or 'submission'}", name=detector
        )
        flags = [f for f in found if f.severity == "flag"]
        failing = submission.get(detector)
        if flags or (failing and failing.severity == "fail"):
            failures += 1
            head = failing.message if failing else f"{len(flags)} item(s) flagged"
            body = "\n".join(f"item {f.item_id}: {f.message}" for f in flags[:MAX_ANNOTATIONS])
            ET.SubElement(case, "failure", message=head, type=detector).text = body
        elif found:
            ET.SubElement(case, "system-out").text = "\n".join(
                f"warn item {f.item_id}: {f.message}" for f in found[:MAX_ANNOTATIONS]
            )
    for name, s in submission.items():
        if name not in by_detector:
            cases += 1
            case = ET.SubElement(suite, "testcase", classname="audit.submission", name=name)
            if s.severity == "fail":
                failures += 1
                ET.SubElement(case, "failure", message=s.message, type=name)
    suite.set("tests", str(cases))
    suite.set("failures", str(failures))
    root = ET.Element("testsuites", tests=str(cases), failures=str(failures))
    root.append(suite)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(report: AuditReport) -> str:
    """Workflow commands: one annotation per finding (flags as errors), capped, then the summary."""
    lines = []
    for s in report.submission:
        level = "error" if s.severity == "fail" else "warning"
        title = _escape_property(f"audit {s.detector}")
        lines.append(
            f"::{level} file={_escape_property(report.source)},title={title}::{_escape_data(s.message)}"
        )
    ranked = sorted(report.findings, key=lambda f: -SEVERITY_RANK[f.severity])
    for f in ranked[:MAX_ANNOTATIONS]:
        level = "error" if f.severity == "flag" else "warning"
        title = _escape_property(f"audit {f.detector}: item {f.item_id}")
        evidence = f" :: {f.evidence.text!r}" if f.evidence else ""
        lines.append(
            f"::{level} file={_escape_property(report.source)},title={title}::{_escape_data(f.message + evidence)}"
        )
    if len(ranked) > MAX_ANNOTATIONS:
        lines.append(
            f"::notice::{len(ranked) - MAX_ANNOTATIONS} more findings; run with --format json for all"
        )
    lines.append(render_text(report))
    return "\n".join(lines)


RENDERERS: dict[str, Callable[[AuditReport], str]] = {
    "text": render_text,
    "json": render_json,
    "junit": render_junit,
    "github": render_github,
}
