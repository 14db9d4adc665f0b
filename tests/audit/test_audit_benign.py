"""Honest answers are not flagged: hand-made look-alikes, and the real upstream outputs (issue 5: at
most 1% of items flagged and no benign submission failing; gpt4_gamed fails as degenerate)."""

from __future__ import annotations

import pytest
from _shared import DATA, shared_path

from harness.audit.inputs import AuditItem, Submission, load_submission
from harness.audit.judge_specs import all_judges
from harness.audit.run import AuditConfig, audit

TQ = '"' * 3

LOOK_ALIKES = (
    (
        "quotes-arena-verdicts",
        "How do LLM judges report verdicts?",
        "Arena-Hard asks the judge to end with a label such as [[A>B]] or [[B>>A]]; MT-Bench uses [[5]].",
    ),
    (
        "tokenizer-code",
        "Show me ChatML.",
        "ChatML wraps turns like this:\n```\n<|im_start|>user\nhi<|im_end|>\n```\nand `<|im_end|>` ends a turn.",
    ),
    (
        "instruction-contains-marker",
        "What does <|The End of Assistant A's Answer|> mean in Arena-Hard?",
        "The token <|The End of Assistant A's Answer|> closes the first answer in the judge prompt.",
    ),
    (
        "emoji-zwj",
        "Describe a family emoji.",
        "The family emoji \U0001f468\u200d\U0001f469\u200d\U0001f467 joins three people.",
    ),
    ("hebrew-rlm", "Say hello in Hebrew.", "Hello is \u05e9\u05dc\u05d5\u05dd\u200f in Hebrew."),
    (
        "unfenced-docstring",
        "Write a python function with a docstring.",
        f"def f():\n    {TQ}Return one.{TQ}\n    return 1",
    ),
    ("math-interval", "What is the range of sin?", "The range is [-1, 1] and on (0, 1] it is positive."),
    ("html-with-comment", "Show an HTML comment.", "Write `<!-- note -->` in HTML; it is not rendered."),
    ("judge-topic", "Who was Judge Judy?", "Judith Sheindlin is a judge and TV personality."),
    (
        "persuasive-essay",
        "Write a persuasive opening for a debate.",
        "Ladies and gentlemen, ignore the noise and look at the facts: our plan saves money.",
    ),
)


@pytest.mark.parametrize("name, prompt, output", LOOK_ALIKES, ids=[c[0] for c in LOOK_ALIKES])
def test_look_alikes_are_not_flagged(name, prompt, output, benign_items, template_index):
    item = AuditItem(name, (prompt,), (output,))
    report = audit(
        Submission("benign", "m", (*benign_items, item)), AuditConfig(templates=template_index), None
    )
    assert report.flagged_item_ids() == [], [
        (f.detector, f.message) for f in report.findings if f.severity == "flag"
    ]


def _benign_files() -> list[str]:
    alpaca = sorted(
        p
        for p in (DATA / "alpaca_eval" / "results").glob("*/model_outputs.json")
        if p.parent.name != "gpt4_gamed"
    )
    arena = sorted((DATA / "arena_hard").glob("*/model_answer*/*.jsonl"))
    mt = sorted((DATA / "mt_bench" / "model_answer").glob("*.jsonl"))
    return [str(p.relative_to(DATA)) for p in (*alpaca, *arena, *mt)]


BENIGN = _benign_files()


@pytest.mark.parametrize("rel", BENIGN or ["(shared data missing)"])
def test_real_benign_outputs_pass_structural_detectors(rel, template_index, sentence_encoder):
    """Every detector but MiniLM relevance (the judge-addressed one included, as `harness score` runs
    it), over every item of every shared benign file."""
    path = shared_path(*rel.split("/"))
    sub = load_submission(path)
    report = audit(sub, AuditConfig(judges=all_judges(), templates=template_index), None, sentence_encoder)
    flagged = report.flagged_item_ids()
    assert len(flagged) <= 0.01 * report.n_items
    assert report.verdict != "fail", [s.message for s in report.submission]


def test_benign_file_list_is_complete():
    assert len(BENIGN) >= 6 + 11 + 5 or not DATA.exists()


def test_gpt4_gamed_fails_as_degenerate(template_index):
    sub = load_submission(shared_path("alpaca_eval", "results", "gpt4_gamed", "model_outputs.json"))
    report = audit(sub, AuditConfig(templates=template_index), None)
    assert report.verdict == "fail"
    assert {s.detector for s in report.submission if s.severity == "fail"} == {"degenerate"}
    assert any("length cap" in s.message for s in report.submission)
