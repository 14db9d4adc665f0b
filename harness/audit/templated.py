"""D1b, templates with slots: fixed text with the question echoed into it (issue 13, part 4).

A null model need not print one constant string: ``You asked: '<question>'`` followed by generic
sentences drawn from a small bank, shuffled, is a different string for every item, so exact and
near-duplicate detection (:mod:`duplicates`) sees no cluster. What stays constant is the text *around*
the slots. So each output is cut into sentences, the words of the item's own instruction are dropped
from each (that removes the echoed slot, whatever part of the question was echoed), and a sentence
that is then the same in many items is template text. An item whose output is mostly template text
(``min_share`` of its sentence characters) is templated; the submission fails when ``fail_share`` of
its items are, and those items are flagged. Honest models repeat a closing line ("I hope this
helps!") but it is a small share of each answer; measured on the shared benign outputs, docs/audit.md.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from harness.audit.findings import Evidence, Finding, SubmissionFinding
from harness.audit.inputs import AuditItem
from harness.audit.text import normalize

DETECTOR = "templated"
_SENTENCE = re.compile(r"[^\n.!?。！？]+[.!?。！？]*")
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


@dataclass(frozen=True)
class TemplatedConfig:
    min_share: float = 0.6  # of an output's sentence characters in shared template sentences
    min_items: int = 3  # a sentence is template text when this many items share it...
    min_item_share: float = 0.02  # ...and at least this share of the items
    fail_share: float = 0.05  # submission fails when this share of items are templated
    min_words: int = 3  # sentences shorter than this (after dropping the slot) say nothing


def _keys(item: AuditItem, min_words: int) -> list[tuple[tuple[str, ...], int]]:
    """(sentence key without the instruction's words, sentence length) per sentence of the output."""
    asked = set(_WORD.findall(normalize(" ".join(item.prompts))))
    out = []
    for m in _SENTENCE.finditer(normalize("\n".join(item.outputs))):
        words = tuple([w for w in _WORD.findall(m.group(0)) if w not in asked and not w.isdigit()])
        if len(words) >= min_words:
            out.append((words, len(m.group(0))))
    return out


def detect_templated(
    items: tuple[AuditItem, ...], config: TemplatedConfig = TemplatedConfig()
) -> tuple[list[Finding], list[SubmissionFinding]]:
    keys = [_keys(item, config.min_words) for item in items]
    df: Counter[tuple[str, ...]] = Counter()
    for sentences in keys:
        df.update({k for k, _ in sentences})
    common = max(config.min_items, int(config.min_item_share * len(items)))
    templated: list[tuple[int, float]] = []
    for i, sentences in enumerate(keys):
        total = sum(n for _, n in sentences)
        shared = sum(n for k, n in sentences if df[k] >= common)
        if total and shared / total >= config.min_share:
            templated.append((i, shared / total))
    share = len(templated) / len(items) if items else 0.0
    failing = share >= config.fail_share and len(templated) >= config.min_items
    findings = []
    for i, s in templated:
        output = "\n".join(items[i].outputs)
        findings.append(
            Finding(
                DETECTOR,
                items[i].item_id,
                "flag" if failing else "warn",
                f"{s:.0%} of the output is template text shared with other items (question slots removed)",
                Evidence.of(output, 0, 0, min(len(output), 80)),
                s,
            )
        )
    submission = []
    if failing:
        submission.append(
            SubmissionFinding(
                DETECTOR,
                "fail",
                f"{len(templated)} items ({share:.1%}) are one template with the question filled in",
                share,
                config.fail_share,
                tuple(items[i].item_id for i, _ in templated),
            )
        )
    return findings, submission
