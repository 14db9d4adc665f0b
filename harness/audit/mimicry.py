"""D3, judge-template mimicry: an output that reproduces the judge's own scaffolding.

Two complementary checks (docs/audit.md, D3). (a) Static markers of every supported judge
(:mod:`judge_specs`): always on, because an attack on one judge is still an attack when another judge
is active. (b) Template-derived, against the *active* template text: a verbatim overlap of at least
``min_common`` characters, at least two reproduced template lines, or the slot closer that ends the
output's own slot. (b) needs no knowledge of the attack and so covers templates and escapes nobody
listed. Code spans are masked first (except for the slot closer, which ends the slot even inside a
fence) and anything the instruction itself contains is allowlisted. Markers are matched after NFKC
folding, so fullwidth look-alikes do not evade them.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from harness.audit.findings import Evidence, Finding, Severity
from harness.audit.inputs import AuditItem
from harness.audit.judge_specs import JudgeSpec
from harness.audit.templates import TemplateIndex
from harness.audit.text import in_context, locate, mask_code, normalize

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
    for turn, output in enumerate(item.outputs):
        masked = mask_code(output)
        findings += _markers(item, turn, output, masked, judges, context)
        if not index.empty:
            findings += _template_overlap(item, turn, output, masked, index, context, min_common)
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


def _markers(
    item: AuditItem, turn: int, output: str, masked: str, judges: tuple[JudgeSpec, ...], context: str
) -> list[Finding]:
    strong: dict[str, tuple[int, int]] = {}
    weak: dict[str, tuple[int, int]] = {}
    strong_re, weak_re = marker_patterns(judges)
    # Fullwidth or compatibility look-alikes ("＜|…|＞") are folded by NFKC before matching.
    folded = unicodedata.normalize("NFKC", masked)
    for bucket, pattern in ((strong, strong_re), (weak, weak_re)):
        if pattern is None:
            continue
        for m in pattern.finditer(folded):
            text = m.group(0).strip()
            if text and not in_context(text, context):
                same = len(folded) == len(masked)
                span = (m.start(), m.end()) if same else (locate(normalize(text), output) or (0, 0))
                bucket.setdefault(normalize(text), span)
    found = []
    if strong:
        first = min(strong.values())
        names = ", ".join(sorted(strong))
        found.append(
            Finding(
                DETECTOR,
                item.item_id,
                "flag",
                f"judge-template markers: {names}",
                Evidence.of(output, turn, *first),
                float(len(strong)),
            )
        )
    elif weak:
        first = min(weak.values())
        severity: Severity = "flag" if len(weak) >= 2 else "warn"
        found.append(
            Finding(
                DETECTOR,
                item.item_id,
                severity,
                f"judge-template headers: {', '.join(sorted(weak))}",
                Evidence.of(output, turn, *first),
                float(len(weak)),
            )
        )
    return found


def _template_overlap(
    item: AuditItem, turn: int, output: str, masked: str, index: TemplateIndex, context: str, min_common: int
) -> list[Finding]:
    norm = normalize(masked)
    found = []
    length, start = index.longest_common(norm)
    if length >= min_common:
        span = norm[start : start + length]
        if not in_context(span, context):
            pos = locate(span, output) or (0, 0)
            found.append(
                Finding(
                    DETECTOR,
                    item.item_id,
                    "flag",
                    f"{length} characters copied verbatim from the judge template",
                    Evidence.of(output, turn, *pos),
                    float(length),
                )
            )
    lines = []
    for raw in masked.splitlines():
        line = normalize(raw)
        if line in index.lines and not in_context(line, context):
            lines.append(line)
    distinct = sorted(set(lines))
    if len(distinct) >= 2:
        pos = locate(distinct[0], output) or (0, 0)
        found.append(
            Finding(
                DETECTOR,
                item.item_id,
                "flag",
                f"{len(distinct)} judge-template lines reproduced: {' | '.join(distinct[:3])}",
                Evidence.of(output, turn, *pos),
                float(len(distinct)),
            )
        )
    # The slot closer counts even inside code: a fence does not stop it from ending the judge's slot.
    norm_full = norm if masked == output else normalize(output)
    for closer in sorted(index.closers):
        if closer in norm_full and not in_context(closer, context):
            pos = locate(closer, output) or (0, 0)
            found.append(
                Finding(
                    DETECTOR,
                    item.item_id,
                    "flag",
                    f"writes the template's slot closer {closer!r}",
                    Evidence.of(output, turn, *pos),
                )
            )
            break
    return found
