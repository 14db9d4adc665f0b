"""The closing line of a run that had failures: its top causes with counts, read from the stored records.

Why: "0 generated, 2 failed; re-run" says nothing about *why*, and the cause used to live only inside
outputs.jsonl. Causes come from the records themselves (an Output's ``error``, an ``api_error``
judgment's ``detail``), so a resumed run reports what is still failing, not only this session's
failures. The cause is the client's last classified reason (``last: 503``, ``last: connection``, see
:mod:`harness.client._retry`), else the message up to its first colon.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from harness.records import Judgment, Output
from harness.store import RunStore, is_final

_LAST = re.compile(r"last: (.+)$")
_STATUS = re.compile(r"^(\d{3} [A-Za-z ]+?) from ")


def cause_of(message: str) -> str:
    """A short cause for one failure message: ``503``, ``connection``, ``401 Unauthorized``..."""
    text = " ".join(message.split())
    text = re.sub(r"^turn \d+: ", "", text)
    text = re.sub(r"^[A-Za-z]+(Error|Exhausted): ", "", text)
    if match := _LAST.search(text):
        return match.group(1).strip()
    if match := _STATUS.match(text):
        return match.group(1)
    return text.split(":", 1)[0][:60] or "unknown"


def count_causes(messages: Iterable[str]) -> Counter[str]:
    return Counter(cause_of(m) for m in messages)


def causes_line(causes: Counter[str], top: int = 3) -> str | None:
    """``top failure causes: 503 x40, connection x2`` (None when nothing failed)."""
    if not causes:
        return None
    parts = [f"{cause} x{n}" for cause, n in causes.most_common(top)]
    rest = sum(causes.values()) - sum(n for _, n in causes.most_common(top))
    return "top failure causes: " + ", ".join(parts) + (f", other x{rest}" if rest else "")


def run_failures(store: RunStore, model: str | None = None) -> Counter[str]:
    """Causes of the run's records that are still failed (outputs of ``model``, api_error judgments)."""
    causes: Counter[str] = Counter()
    for output in store.load("outputs", Output):
        if not is_final(output) and output.error and (model is None or output.model == model):
            causes[cause_of(output.error)] += 1
    for judgment in store.load("judgments", Judgment):
        if judgment.reason == "api_error":
            causes["judge: " + cause_of(judgment.detail or "no attempt made")] += 1
    return causes
