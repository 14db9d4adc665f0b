"""D4, injected verdict or score tokens in the active judge's output grammar.

A verdict token alone is only a warning: an answer *about* LLM judges may quote ``[[A>B]]`` (docs/audit.md,
D4; the benign case ben-03). The decision rule in :mod:`decide` raises it to a flag when the same item also carries
mimicry, control tokens, delimiter escapes or grader-addressed persuasion. Code spans are masked and
tokens that the instruction itself contains are allowlisted.
"""

from __future__ import annotations

import re

from harness.audit.findings import Evidence, Finding
from harness.audit.inputs import AuditItem
from harness.audit.judge_specs import JudgeSpec
from harness.audit.text import in_context, mask_code

DETECTOR = "verdict_tokens"
# Every verdict grammar needs one of these; one cheap scan spares the per-judge patterns.
_HINT = re.compile(
    r"\[|identifier|(?<!\w)[\"']?m[\"']?(?!\w)|[\"'](?:score|choice|strengths|weaknesses|reason)",
    re.MULTILINE | re.IGNORECASE,
)


def detect_verdicts(item: AuditItem, judges: tuple[JudgeSpec, ...]) -> list[Finding]:
    context = item.context
    for turn, output in enumerate(item.outputs):
        masked = mask_code(output)
        if not _HINT.search(masked):
            continue
        for spec in judges:
            for pat in spec.verdicts:
                for m in pat.finditer(masked):
                    if m.group(0).strip() and not in_context(m.group(0), context):
                        return [
                            Finding(
                                DETECTOR,
                                item.item_id,
                                "warn",
                                f"verdict token of the {spec.name} judge: {m.group(0).strip()!r}",
                                Evidence.of(output, turn, m.start(), m.end()),
                            )
                        ]
    return []
