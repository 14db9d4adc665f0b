"""Position strategies: the AlpacaEval swap rule, aggregation and consistency, PORTIA split/align/merge."""

from __future__ import annotations

import json
import sys
from types import ModuleType

from _shared import shared_path

from judges.position import (
    PositionSpec,
    aggregate_pair,
    alpaca_eval_is_switched,
    consistency_rate,
    length_align,
    merge_interleaved,
    orders_for,
    sentence_boundaries,
    split_sentences,
)


def test_alpaca_eval_swap_rule_equals_upstream_on_the_805_instructions() -> None:
    sys.modules.setdefault("pkg_resources", ModuleType("pkg_resources"))
    from alpaca_eval import utils

    rows = json.loads(
        shared_path("alpaca_eval", "results", "gpt4_1106_preview", "model_outputs.json").read_text()
    )
    ours = [alpaca_eval_is_switched(r["instruction"]) for r in rows]
    upstream = [
        utils.random_seeded_choice(seed="is_switched_outputs" + r["instruction"] + "0", choices=[False, True])
        for r in rows
    ]
    assert ours == upstream
    assert len(rows) == 805 and sum(ours) == 406  # 50.4% switched, the same for every model
    spec = PositionSpec(strategy="random", random_rule="alpaca_eval")
    assert orders_for(spec, "0", rows[0]["instruction"]) == ["model_first" if ours[0] else "baseline_first"]


def test_orders_per_strategy_are_deterministic() -> None:
    assert orders_for(PositionSpec("fixed"), "x", "q") == ["baseline_first"]
    assert orders_for(PositionSpec("both"), "x", "q") == ["baseline_first", "model_first"]
    item_rule = [orders_for(PositionSpec("random", seed=1), f"id{i}", "q")[0] for i in range(200)]
    assert item_rule == [orders_for(PositionSpec("random", seed=1), f"id{i}", "q")[0] for i in range(200)]
    assert 70 < item_rule.count("model_first") < 130


def test_aggregate_and_consistency() -> None:
    assert aggregate_pair([1.0, -1.0], 0.0, "mean") == (0.0, False)  # an always-"A" judge
    assert aggregate_pair([2.0, 1.0], 0.0, "mean") == (1.5, True)
    assert aggregate_pair([1.0, 0.0], 0.0, "agree") == (0.0, False)  # FastChat: disagreement -> tie
    assert aggregate_pair([1.8, 1.6], 1.5, "mean") == (1.7000000000000002, True)
    assert consistency_rate([True, False, None, True]) == 2 / 3
    assert consistency_rate([None]) is None


def test_sentence_split_is_lossless_and_keeps_code_blocks_whole() -> None:
    text = "First one. Second one!\nThird:\n```python\nx = 1. y = 2.\nprint(x)\n```\nLast? Yes."
    parts = split_sentences(text)
    assert "".join(parts) == text
    assert any(p.startswith("```python\nx = 1. y = 2.\nprint(x)\n```") for p in parts)
    fence_start, fence_end = text.index("```"), text.rindex("```") + 3
    assert not [b for b in sentence_boundaries(text) if fence_start < b < fence_end]


def test_length_align_picks_nearest_boundaries_and_needs_k_sentences() -> None:
    text = "Aaaa. Bbbb. Cccc. Dddd. Eeee. Ffff."
    parts = length_align(text, 3)
    assert parts == ["Aaaa. Bbbb. ", "Cccc. Dddd. ", "Eeee. Ffff."]
    assert length_align("One. Two.", 3) is None
    assert "".join(length_align("x. " * 7 + "end", 3) or []) == "x. " * 7 + "end"


def test_merge_interleaves_parts_in_the_templates_own_delimiters() -> None:
    prompt = "<|Q|>\nq\n\n<|A start|>\n@A@\n<|A end|>\n\n<|B start|>\n@B@\n<|B end|>"
    merged = merge_interleaved(prompt, "@A@", "@B@", ["a1", "a2"], ["b1", "b2"])
    assert merged == (
        "<|Q|>\nq\n\n<|A start|>\n(Part 1 of 2)\na1\n<|A end|>\n\n<|B start|>\n(Part 1 of 2)\nb1\n<|B end|>"
        "\n\n<|A start|>\n(Part 2 of 2)\na2\n<|A end|>\n\n<|B start|>\n(Part 2 of 2)\nb2\n<|B end|>"
    )
    assert merge_interleaved("no slots", "@A@", "@B@", ["a"], ["b"]) is None
