"""D8, delimiter escapes: an output that closes the slot the judge template put it in.

The AlpacaEval escape opens with ``\"\"\"`` + ``}`` closers and leaves one triple quote open for the
template to close; JSON-, XML- and comment-delimited templates fall the same way (docs/audit.md, D8).
Flags: an output (outside code) that *starts* with a closing token, a triple quote followed by a
``}``/``]`` (leaving a JSON string slot; an odd number of triple quotes alone is a warning, because
unfenced docstrings have them),
or a run of ``}``/``]``/``-->`` closing what the output never opened (one stray closer is only a
warning: unfenced code and LaTeX have them). Round brackets are exempt: "1)" list markers are prose.
"""

from __future__ import annotations

import re

from harness.audit.channels import views
from harness.audit.findings import Finding
from harness.audit.inputs import AuditItem

DETECTOR = "delimiters"
OPENS_WITH_CLOSER = re.compile(r"\A\s*(\"\"\"|'''|[}\]]|-->|\*/|</[A-Za-z][\w:-]*\s*>|\|>|%>|\?>)")
TRIPLE = re.compile(r"\"\"\"|'''")
SLOT_CLOSE = re.compile(r"(\"\"\"|''')[ \t]*,?[ \t]*\n?[ \t]*[}\]]")
_PAIRS = {"}": "{", "]": "["}
_BRACKETS = re.compile(r"[{}\[\]]|<!--|-->")
_BETWEEN = re.compile(r"[\s\"',-]*")


def unmatched_closers(text: str) -> list[int]:
    """Offsets of the ``}``/``]``/``-->`` that close nothing the text opened before them."""
    depth = {"{": 0, "[": 0}
    comment_open = 0
    found = []
    for m in _BRACKETS.finditer(text):
        i, ch = m.start(), m.group(0)[0]
        if ch in depth:
            depth[ch] += 1
        elif ch in _PAIRS:
            if depth[_PAIRS[ch]] == 0:
                found.append(i)
            else:
                depth[_PAIRS[ch]] -= 1
        elif ch == "<":
            comment_open += 1
        else:
            if comment_open == 0:
                found.append(i)
            else:
                comment_open -= 1
    return found


def closer_run(text: str, offsets: list[int]) -> int | None:
    """First of two unmatched closers separated only by spaces, quotes or commas (``\"\"\"\n }\n}``).

    A single stray closer is common in unfenced code or LaTeX (``});``, ``\\dfrac(1}{2}``); a run of
    them is what leaving a JSON or template slot looks like.
    """
    for a, b in zip(offsets, offsets[1:], strict=False):
        if _BETWEEN.fullmatch(text[a + 1 : b]):
            return a
    return None


def detect_delimiters(item: AuditItem) -> list[Finding]:
    findings: list[Finding] = []
    for view in views(item.outputs):
        if view.hidden:
            continue
        masked = view.masked
        m = OPENS_WITH_CLOSER.match(masked)
        if m:
            findings.append(
                Finding(
                    DETECTOR,
                    item.item_id,
                    "flag",
                    f"output opens with the closer {m.group(1)!r}",
                    view.evidence(m.start(1), m.end(1)),
                )
            )
            continue
        slot = SLOT_CLOSE.search(masked)
        if slot:
            findings.append(
                Finding(
                    DETECTOR,
                    item.item_id,
                    "flag",
                    "closes a quoted slot (triple quote, then closer)",
                    view.evidence(slot.start(), slot.end()),
                )
            )
            continue
        triples = list(TRIPLE.finditer(masked))
        if len(triples) % 2 == 1:
            last = triples[-1]
            findings.append(
                Finding(
                    DETECTOR,
                    item.item_id,
                    "warn",
                    f"unbalanced triple quotes ({len(triples)})",
                    view.evidence(last.start(), last.end()),
                )
            )
            continue
        stray = unmatched_closers(masked)
        run = closer_run(masked, stray)
        if run is not None:
            findings.append(
                Finding(
                    DETECTOR,
                    item.item_id,
                    "flag",
                    "a run of closers for brackets it never opened",
                    view.evidence(max(run - 30, 0), run + 10),
                )
            )
        elif stray:
            findings.append(
                Finding(
                    DETECTOR,
                    item.item_id,
                    "warn",
                    "closes a bracket it never opened",
                    view.evidence(max(stray[0] - 30, 0), stray[0] + 3),
                )
            )
    return findings
