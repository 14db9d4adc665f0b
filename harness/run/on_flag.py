"""The ``--on-flag loss|exclude|keep`` policy as scoring applies it to the judgments of the items the audit
flagged (their ids are stored in ``audit.json`` in the run directory, written by :mod:`harness.pipeline.flags`).

- ``loss`` (default): every judgment of a flagged item becomes the worst outcome for the model (scored,
  ``metadata.flagged``); a cheat can only lose.
- ``exclude``: they become unscored with reason ``flagged`` (counted beside every figure).
- ``keep``: unchanged; the report still counts the flagged items.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from harness.errors import BadInput
from harness.records import Judgment
from judges.config import verdict_labels
from judges.parsers import GRADED

AUDIT_FILE = "audit.json"


def read_flags(run_dir: Path) -> frozenset[str]:
    """The flagged item ids of a run (empty when it was never audited, e.g. an older run)."""
    path = Path(run_dir) / AUDIT_FILE
    if not path.exists():
        return frozenset()
    try:
        return frozenset(str(i) for i in json.loads(path.read_text(encoding="utf-8"))["flagged"])
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise BadInput(str(path), f"not an audit file: {exc}") from None


def read_disqualified(run_dir: Path) -> tuple[str, ...]:
    """Why the audit disqualified the whole submission (empty: it did not, or the run was never audited).

    A submission-level failure (one template for every item, a length cap, mass irrelevance) is a cheat
    whose items need not be flagged one by one, so under ``loss`` and ``exclude`` *every* item is
    treated as flagged and ``harness score`` exits 1; ``keep`` scores it and reports the verdict."""
    path = Path(run_dir) / AUDIT_FILE
    if not path.exists():
        return ()
    try:
        return tuple(str(m) for m in json.loads(path.read_text(encoding="utf-8")).get("disqualified", []))
    except (json.JSONDecodeError, AttributeError, TypeError) as exc:
        raise BadInput(str(path), f"not an audit file: {exc}") from None


def _loss(j: Judgment) -> Judgment:
    """The worst outcome for the model in this judgment's own frame and grammar."""
    meta = {**j.metadata, "flagged": True, "on_flag": "loss"}
    common: dict[str, Any] = {"status": "scored", "reason": None, "metadata": meta}
    if j.protocol == "single":
        return j.model_copy(update={"score": 1.0, "verdict": "1", **common})
    if j.protocol == "checklist":  # TICK: the question is answered NO
        return j.model_copy(update={"score": 0.0, "verdict": "NO", **common})
    model_first = j.order == "model_first"
    if meta.get("scale") == "preference":
        update: dict[str, Any] = {"score": 1.0, "verdict": "flagged"}
    else:  # the judge's own grammar: its label worst for the model in this prompt order
        grammar = verdict_labels(j.judge) or GRADED
        label = (
            min(grammar, key=grammar.__getitem__) if model_first else max(grammar, key=grammar.__getitem__)
        )
        update = {"score": grammar[label] if model_first else -grammar[label], "verdict": label}
    return j.model_copy(update={**update, **common})


def apply_on_flag(judgments: list[Judgment], flagged: frozenset[str], policy: str) -> list[Judgment]:
    """The judgments scoring uses under ``policy`` (see the module docstring)."""
    if policy == "keep" or not flagged:
        return judgments
    out = []
    for j in judgments:
        if j.item_id not in flagged:
            out.append(j)
        elif policy == "loss":
            out.append(_loss(j))
        else:
            meta = {**j.metadata, "flagged": True, "on_flag": "exclude"}
            out.append(
                j.model_copy(
                    update={"status": "unscored", "reason": "flagged", "score": None, "metadata": meta}
                )
            )
    return out
