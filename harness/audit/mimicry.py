"""D3, judge-template mimicry: an output that reproduces the judge's own scaffolding.

Two complementary checks (docs/audit.md, D3). (a) Static markers of every supported judge
(:mod:`judge_specs`): always on, because an attack on one judge is still an attack when another judge
is active. (b) Template-derived, against the *active* template text: a verbatim overlap of at least
``min_common`` characters, at least two reproduced template lines, or the slot closer that ends the
output's own slot. (b) needs no knowledge of the attack and so covers templates and escapes nobody
listed. Detectors read the canonical text (:mod:`canonical`: NFKC, confusable skeleton, invisible
characters removed), so look-alike letters do not evade them, and also the hidden channel
(:mod:`channels`). Code spans are masked for weak markers and the template overlap; strong markers and
the slot closer count inside a fence too, because the judge reads a fence's content like any other
text and no answer has a reason to write them unless the instruction does (then they are allowlisted).
"""

from __future__ import annotations

import re
from functools import lru_cache

from harness.audit.channels import View, views
from harness.audit.findings import Finding, Severity
from harness.audit.grammar import JudgeSpec
from harness.audit.inputs import AuditItem
from harness.audit.scan import Caseless, folded
from harness.audit.templates import TemplateIndex
from harness.audit.text import in_context, locate, normalize

DETECTOR = "mimicry"
MIN_COMMON = 40  # docs/audit.md D3b: >= 40 shared characters with the template


def detect_mimicry(
    item: AuditItem,
    judges: tuple[JudgeSpec, ...],
    index: TemplateIndex,
    min_common: int = MIN_COMMON,
) -> list[Finding]:
    findings: list[Finding] = []
    context = item.context
    for view in views(item.outputs):
        findings += _markers(item, view, judges, context)
        if not index.empty:
            findings += _template_overlap(item, view, index, context, min_common)
    return findings


@lru_cache(maxsize=32)
def marker_patterns(judges: tuple[JudgeSpec, ...]) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
    """The strong and the weak markers of ``judges`` as two alternations (one scan each)."""

    def join(patterns: list[re.Pattern[str]]) -> re.Pattern[str] | None:
        unique = list(dict.fromkeys(p.pattern for p in patterns))
        return (
            re.compile("|".join(f"(?:{p})" for p in unique), re.IGNORECASE | re.MULTILINE) if unique else None
        )

    return (
        join([p for j in judges for p in j.strong_markers]),
        join([p for j in judges for p in j.weak_markers]),
    )


@lru_cache(maxsize=32)
def _marker_scans(judges: tuple[JudgeSpec, ...]) -> tuple[Caseless | None, Caseless | None]:
    """:func:`marker_patterns` as :class:`Caseless` scans (lowercased where that finds the same)."""
    strong, weak = marker_patterns(judges)
    return (None if strong is None else Caseless(strong), None if weak is None else Caseless(weak))


def _markers(item: AuditItem, view: View, judges: tuple[JudgeSpec, ...], context: str) -> list[Finding]:
    strong: dict[str, tuple[int, int]] = {}
    weak: dict[str, tuple[int, int]] = {}
    strong_re, weak_re = _marker_scans(judges)
    low = folded(view.text)
    low_masked = low if view.masked == view.text else folded(view.masked)
    for bucket, pattern, text, low_text in (
        (strong, strong_re, view.text, low),
        (weak, weak_re, view.masked, low_masked),
    ):
        if pattern is None:
            continue
        for m in pattern.finditer(text, low_text):
            found = text[m.start() : m.end()].strip()
            if found and not in_context(found, context):
                bucket.setdefault(normalize(found), (m.start(), m.end()))
    hidden = view.hidden and bool(strong or weak)
    if strong or weak:
        marks = strong or weak
        first = min(marks.values())
        severity: Severity = "flag" if strong or len(weak) >= 2 or hidden else "warn"
        what = "judge-template markers" if strong else "judge-template headers"
        return [
            Finding(
                DETECTOR,
                item.item_id,
                severity,
                f"{what}: {', '.join(sorted(marks))}{view.where(first[0])}",
                view.evidence(*first),
                float(len(marks)),
            )
        ]
    return []


def _template_overlap(
    item: AuditItem, view: View, index: TemplateIndex, context: str, min_common: int
) -> list[Finding]:
    norm = normalize(view.masked)
    found = []
    length, start = index.longest_common(norm)
    if length >= min_common:
        span = norm[start : start + length]
        if not in_context(span, context):
            pos = locate(span, view.text) or (0, 0)
            found.append(
                Finding(
                    DETECTOR,
                    item.item_id,
                    "flag",
                    f"{length} characters copied verbatim from the judge template{view.where(pos[0])}",
                    view.evidence(*pos),
                    float(length),
                )
            )
    lines = []
    for raw in view.masked.splitlines():
        line = normalize(raw)
        if line in index.lines and not in_context(line, context):
            lines.append(line)
    distinct = sorted(set(lines))
    if len(distinct) >= 2:
        pos = locate(distinct[0], view.text) or (0, 0)
        found.append(
            Finding(
                DETECTOR,
                item.item_id,
                "flag",
                f"{len(distinct)} judge-template lines reproduced: {' | '.join(distinct[:3])}",
                view.evidence(*pos),
                float(len(distinct)),
            )
        )
    # The slot closer counts even inside code: a fence does not stop it from ending the judge's slot.
    norm_full = norm if view.masked == view.text else normalize(view.text)
    for closer in sorted(index.closers):
        if closer in norm_full and not in_context(closer, context):
            pos = locate(closer, view.text) or (0, 0)
            found.append(
                Finding(
                    DETECTOR,
                    item.item_id,
                    "flag",
                    f"writes the template's slot closer {closer!r}{view.where(pos[0])}",
                    view.evidence(*pos),
                )
            )
            break
    return found
