"""Position strategies: the AlpacaEval swap rule, aggregation and consistency, PORTIA split/align/merge."""

from __future__ import annotations

import itertools
import json
import random
import sys
from types import ModuleType

import pytest
from _shared import shared_path

from judges.position import (
    PositionSpec,
    aggregate_pair,
    alpaca_eval_is_switched,
    consistency_rate,
    cut_at,
    length_align,
    length_cuts,
    merge_interleaved,
    orders_for,
    sentence_boundaries,
    split_sentences,
    token_overlap,
)
from judges.semantic_align import semantic_align


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


# ---- PORTIA semantic alignment ------------------------------------------------------------------------

CATS_FIRST = "Cats purr. Cats nap. Cats hunt mice. Dogs bark, fetch sticks and guard houses. Birds sing."
DOGS_LONG = "Cats purr, nap and hunt mice. Dogs bark. Dogs fetch sticks. Dogs guard houses. Birds sing."


def total_overlap(a_parts: list[str], b_parts: list[str]) -> float:
    return sum(token_overlap(x, y) for x, y in zip(a_parts, b_parts, strict=True))


def test_token_overlap_is_jaccard_on_lowercase_word_sets() -> None:
    assert (
        token_overlap("The cat sat.", "the CAT ran, the end") == 2 / 5
    )  # {the, cat} of {the cat sat ran end}
    assert token_overlap("Same words here.", "here words SAME!") == 1.0
    assert token_overlap("...", "!!!") == 0.0


def test_semantic_align_pairs_matching_topics_where_length_alignment_does_not() -> None:
    a_len, b_len = length_align(CATS_FIRST, 3), length_align(DOGS_LONG, 3)
    assert b_len == [
        "Cats purr, nap and hunt mice. ",
        "Dogs bark. Dogs fetch sticks. ",
        "Dogs guard houses. Birds sing.",
    ]
    assert a_len is not None and a_len[2] == "Birds sing."  # B's last dog sentence faces A's birds
    aligned = semantic_align(CATS_FIRST, DOGS_LONG, 3)
    assert aligned == (
        [
            "Cats purr. Cats nap. Cats hunt mice. ",
            "Dogs bark, fetch sticks and guard houses. ",
            "Birds sing.",
        ],
        [
            "Cats purr, nap and hunt mice. ",
            "Dogs bark. Dogs fetch sticks. Dogs guard houses. ",
            "Birds sing.",
        ],
    )
    # cats 5/6 (B adds "and"), dogs 6/7 (A adds "and"), birds 1
    assert total_overlap(*aligned) == pytest.approx(5 / 6 + 6 / 7 + 1)
    assert total_overlap(a_len, b_len) < 2.0


def brute_force_best(a: str, b: str, k: int) -> float:
    """Every combination of k-1 cuts in each answer: the exponential search the DP replaces."""
    best = -1.0
    for ca in itertools.combinations(sentence_boundaries(a), k - 1):
        for cb in itertools.combinations(sentence_boundaries(b), k - 1):
            best = max(best, total_overlap(cut_at(a, list(ca)), cut_at(b, list(cb))))
    return best


def test_semantic_align_reaches_the_exhaustive_optimum() -> None:
    words = "cat dog bird fish tree lake sun moon rain snow wind road".split()
    rng = random.Random(7)

    def answer() -> str:
        n = rng.randint(3, 7)
        return " ".join(" ".join(rng.choices(words, k=rng.randint(1, 4))) + "." for _ in range(n))

    checked = 0
    for _ in range(60):
        a, b, k = answer(), answer(), rng.randint(1, 4)
        aligned = semantic_align(a, b, k)
        if aligned is None:
            assert min(len(split_sentences(a)), len(split_sentences(b))) < k
            continue
        assert "".join(aligned[0]) == a and "".join(aligned[1]) == b and len(aligned[0]) == k
        assert total_overlap(*aligned) == pytest.approx(brute_force_best(a, b, k), abs=1e-9)
        checked += 1
    assert checked > 30


def test_semantic_align_without_shared_tokens_keeps_the_length_split() -> None:
    a, b = "Alpha one. Beta two. Gamma three. Delta four.", "Zeta five. Eta six. Theta seven. Iota eight."
    assert semantic_align(a, b, 3) == (length_align(a, 3), length_align(b, 3))
    assert semantic_align("One. Two.", b, 3) is None
    assert semantic_align(a, b, 1) == ([a], [b])


def test_semantic_align_bounds_the_search_on_long_answers() -> None:
    rng = random.Random(3)
    words = [f"w{i}" for i in range(80)]
    a = " ".join(" ".join(rng.choices(words, k=5)) + "." for _ in range(300))
    b = " ".join(" ".join(rng.choices(words, k=5)) + "." for _ in range(250))
    aligned = semantic_align(a, b, 4, max_candidates=12)
    assert aligned is not None and "".join(aligned[0]) == a and "".join(aligned[1]) == b
    # the coarse grid: 12 candidate cuts, evenly spaced by sentence index, plus the length-aligned cuts
    bounds = sentence_boundaries(a)
    cuts = length_cuts(a, 4) or []
    grid = {bounds[round(j * (len(bounds) - 1) / 8)] for j in range(9)} | set(cuts)
    offsets = [len("".join(aligned[0][: i + 1])) for i in range(3)]
    assert set(offsets) <= grid and len(grid) <= 12
    with pytest.raises(ValueError):
        semantic_align(a, b, 4, max_candidates=2)
