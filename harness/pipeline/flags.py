"""``harness score --on-flag loss|exclude|keep``: audit the model's outputs and apply the policy in scoring.

Why in the score pipeline and not only in ``harness audit``: a template-escape output wins its judgment
(methods.md §c), so a leaderboard figure computed over it is wrong whatever a separate audit says. The
audit (``harness.audit``, deterministic; embeddings only with ``--audit-embeddings``) runs over the
finished outputs after generation and its flagged item ids are stored in ``audit.json`` in the run
directory; scoring reads them back, so the report stays a pure function of the run directory.

- ``loss`` (default): every judgment of a flagged item becomes the worst outcome for the model (scored,
  ``metadata.flagged``); a cheat can only lose.
- ``exclude``: they become unscored with reason ``flagged`` (counted beside every figure).
- ``keep``: unchanged; the report still counts the flagged items.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from harness.errors import BadInput
from harness.records import Item, Judgment, Output

AUDIT_FILE = "audit.json"


def audit_judges(judge_config: str) -> tuple[Any, ...]:
    """The audit's judge specs for a judge config (its verdict grammar); unknown: every judge's."""
    from harness.audit.judge_specs import JUDGES, all_judges

    prefix = {"alpaca_eval": "alpaca_eval", "arena_hard_v0.1": "arena_hard", "arena_hard_v2": "arena_hard_v2"}
    for config_prefix, name in prefix.items():
        if judge_config.startswith(config_prefix):
            return (JUDGES.get(name),)
    for name in JUDGES:
        if judge_config.startswith(name):
            return (JUDGES.get(name),)
    return all_judges()


def audit_outputs(
    items: Iterable[Item], outputs: dict[str, Output], judge_config: str, template_texts: list[str],
    benchmark: str, embeddings: bool = False,
) -> Any:  # fmt: skip
    """Run :func:`harness.audit.audit` over the model's finished outputs; returns the AuditReport."""
    from harness.audit.inputs import AuditItem, Submission
    from harness.audit.run import AuditConfig, audit
    from harness.audit.templates import Template, TemplateIndex

    audit_items = tuple(
        AuditItem(
            item.item_id,
            tuple(item.turns),
            tuple(outputs[item.item_id].turns),
            "\n".join(m.get("content", "") for m in item.history),
        )
        for item in items
        if item.item_id in outputs
    )
    model = next(iter(outputs.values())).model if outputs else ""
    templates = [Template(f"{judge_config}#{i}", t) for i, t in enumerate(template_texts) if t.strip()]
    config = AuditConfig(
        judges=audit_judges(judge_config), templates=TemplateIndex.build(templates), benchmark=None
    )
    from harness.audit.embed import default_sentence_encoder

    embedder = None
    if embeddings:
        from harness.audit.embed import default_embedder

        embedder = default_embedder()
    # the judge-addressed detector is cheap (numpy, candidate sentences only): always on
    return audit(Submission(benchmark, model, audit_items), config, embedder, default_sentence_encoder())


def write_flags(run_dir: Path, report: Any) -> None:
    """``audit.json``: the flagged item ids and the audit's summary (atomic write)."""
    doc = report.to_dict()
    doc = {"flagged": report.flagged_item_ids(), **{k: doc[k] for k in ("verdict", "n_items", "counts")}}
    path = run_dir / AUDIT_FILE
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def read_flags(run_dir: Path) -> frozenset[str]:
    """The flagged item ids of a run (empty when it was never audited, e.g. an older run)."""
    path = Path(run_dir) / AUDIT_FILE
    if not path.exists():
        return frozenset()
    try:
        return frozenset(str(i) for i in json.loads(path.read_text(encoding="utf-8"))["flagged"])
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise BadInput(str(path), f"not an audit file: {exc}") from None


def _loss(j: Judgment) -> Judgment:
    """The worst outcome for the model in this judgment's own frame and grammar."""
    meta = {**j.metadata, "flagged": True, "on_flag": "loss"}
    common: dict[str, Any] = {"status": "scored", "reason": None, "metadata": meta}
    if j.protocol == "single":
        return j.model_copy(update={"score": 1.0, "verdict": "1", **common})
    model_first = j.order == "model_first"
    if meta.get("scale") == "preference":
        update = {"score": 1.0, "verdict": "flagged"}
    elif j.judge.startswith("mt_bench_pair"):
        update = {"score": -1.0, "verdict": "B" if model_first else "A"}
    elif j.judge.startswith("wildbench"):
        update = {"score": -2.0, "verdict": "B++" if model_first else "A++"}
    else:
        update = {"score": -2.0, "verdict": "B>>A" if model_first else "A>>B"}
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
