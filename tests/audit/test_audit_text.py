"""Code masking, template indexing and the decision rule: the pieces every detector relies on."""

from __future__ import annotations

from harness.audit.decide import decide
from harness.audit.findings import Finding
from harness.audit.templates import Template, TemplateIndex
from harness.audit.text import locate, mask_code, normalize


def test_mask_code_blanks_closed_fences_and_inline_code_keeping_offsets():
    text = "a `<|im_start|>` b\n```python\nx = '[[A>B]]'\n```\nc"
    masked = mask_code(text)
    assert len(masked) == len(text)
    assert "im_start" not in masked and "[[A>B]]" not in masked
    assert masked.endswith("\nc") and masked.startswith("a ")


def test_unclosed_fence_hides_nothing():
    text = "```\n<|The End of Assistant A's Answer|>"
    assert mask_code(text) == text


def test_longest_common_finds_every_overlap_of_39_or_more():
    tpl = TemplateIndex.build(
        [Template("t", "intro {x} " + "abcdefghij" * 2 + "KLMNOPQRSTUVWXYZ0123456789" + " {y}")]
    )
    probe = normalize("zz " + ("abcdefghij" * 2 + "KLMNOPQRSTUVWXYZ0123456789")[3:45] + " zz")
    length, start = tpl.longest_common(probe)
    assert length == 42 and probe[start : start + 5] == "defgh"


def test_locate_maps_normalised_span_back():
    assert locate("hello world", "x  Hello\n  World y") == (3, 16)


def _f(detector, severity="warn", item="i"):
    return Finding(detector, item, severity, "m")


def test_decision_rule_escalates_only_with_corroboration():
    alone = decide([_f("verdict_tokens"), _f("persuasion", item="j")])
    assert [f.severity for f in alone] == ["warn", "warn"]
    both = decide([_f("verdict_tokens"), _f("persuasion")])
    assert [f.severity for f in both] == ["flag", "flag"]
    with_structure = decide([_f("verdict_tokens"), _f("delimiters", "flag")])
    assert with_structure[0].severity == "flag"
    off_topic = decide([_f("persuasion"), _f("relevance")])
    assert off_topic[0].severity == "flag" and off_topic[1].severity == "warn"
    assert decide([_f("verdict_tokens"), _f("relevance")])[0].severity == "warn"
