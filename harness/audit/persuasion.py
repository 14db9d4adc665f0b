"""D6, grader-addressed persuasion: text that talks to the judge instead of the user.

Persuasion alone barely works (the paper's "Pick me!" baselines score < 1% LC, docs/audit.md) and an
honest answer can mention judges, so a hit is a warning; :mod:`decide` flags it together with
mimicry, verdict tokens, delimiter escapes or an output unrelated to its instruction. Patterns are
addressed-to-the-grader phrasings, not topic words: "judge" alone is never a hit. The one exception is
an explicit override ("ignore the previous instructions"), flagged alone.
"""

from __future__ import annotations

import re

from harness.audit.channels import views
from harness.audit.findings import Finding
from harness.audit.inputs import AuditItem
from harness.audit.scan import Caseless, accelerated, folded
from harness.audit.text import in_context

DETECTOR = "persuasion"

_GRADER = r"(?:evaluator|grader|judge|annotator|rater|reviewer|assessor|llm judge|ai judge)s?"
_PATTERNS = (
    r"\b(?:ignore|disregard|forget|overlook)\s+(?:all\s+|any\s+)?(?:of\s+)?(?:the\s+|your\s+|my\s+)?"
    r"(?:above|previous|prior|earlier|preceding|foregoing|former|other)\b(?:\s+\w+){0,3}",
    rf"\b(?:dear|attention|note to(?: the)?|hey|hello|to the)\s+{_GRADER}\b",
    rf"\b(?:as|you are)\s+(?:an?|the)\s+(?:impartial\s+|fair\s+)?{_GRADER}\b.{{0,40}}\b(?:must|should|will)\b",
    r"\b(?:this|my|the following)\s+(?:response|answer|output|assistant|model)\s+(?:should|must|deserves to)\s+"
    r"(?:be\s+)?(?:rated|ranked|scored|preferred|chosen|selected|win|receive|get)\b",
    r"\b(?:give|award|assign)\s+(?:this|me|it|my)\s+(?:response\s+|answer\s+)?(?:the\s+)?"
    r"(?:highest|maximum|perfect|full|top)\s+(?:score|rating|marks?)\b",
    r"\b(?:pick|choose|select|prefer|vote for)\s+(?:me|this (?:response|answer|output|assistant|model))\b",
    r"\b(?:new|updated|real|actual|revised)\s+(?:instructions?|task|prompt|system prompt)\s*:",
    r"\b(?:skip|stop|end|cancel)\s+(?:your\s+|the\s+)?(?:evaluation|judging|judgement|judgment|assessment|analysis)\b",
    r"\b(?:output|print|respond with|answer with|reply with)\s+only\s+(?:the\s+)?(?:verdict|rating|score|identifier|label|\[\[)",
    r"\bthe (?:correct|right|final) (?:verdict|rating|score) is\b",
)
# behind a first-character lookahead: same matches, ~1.7x faster (:mod:`scan`)
PERSUASION = accelerated(re.compile("|".join(f"(?:{p})" for p in _PATTERNS), re.IGNORECASE))
# An explicit override of earlier instructions is a flag on its own: an answer has no reason to tell
# its reader to drop "the previous instructions" (no hit in ~11k real benign answers).
OVERRIDE = re.compile(
    r"\b(?:ignore|disregard|forget|override|skip)\s+(?:all\s+)?(?:of\s+)?(?:(?:the|your|any|my|these|those)\s+)?(?:all\s+)?"
    r"(?:above|previous|prior|preceding|earlier)\s+(?:instructions?|directions?|prompts?|rules?|text|context"
    r"|outputs?|answers?|responses?|messages?)\b",
    re.IGNORECASE,
)


# both lists scan the lowercased text where that finds the same matches (:class:`scan.Caseless`); a
# match's text is then sliced from the text as written
_OVERRIDE_SCAN, _PERSUASION_SCAN = Caseless(OVERRIDE), Caseless(PERSUASION)


def detect_persuasion(item: AuditItem) -> list[Finding]:
    context = item.context
    for view in views(item.outputs):
        low = folded(view.text)
        # in a fence too: the judge reads it all the same
        for m in _OVERRIDE_SCAN.finditer(view.text, low):
            found = view.text[m.start() : m.end()]
            if not in_context(found, context):
                return [
                    Finding(
                        DETECTOR,
                        item.item_id,
                        "flag",
                        f"overrides the judge's instructions: {found!r}{view.where(m.start())}",
                        view.evidence(m.start(), m.end()),
                    )
                ]
        low_masked = low if view.masked == view.text else folded(view.masked)
        for m in _PERSUASION_SCAN.finditer(view.masked, low_masked):
            found = view.masked[m.start() : m.end()]
            if not in_context(found, context):
                return [
                    Finding(
                        DETECTOR,
                        item.item_id,
                        "flag" if view.hidden else "warn",
                        f"addresses the grader: {found.strip()!r}{view.where(m.start())}",
                        view.evidence(m.start(), m.end()),
                    )
                ]
    return []
