"""Prices per role and the judge-variant rule (MT-Bench's math / multi-turn prompts)."""

from __future__ import annotations

import pytest

from harness.errors import BadInput
from harness.pipeline.costs import Price, parse_price_overrides, price_for, role_cost
from harness.records import Item, TokenUsage
from harness.run.config import variant_name


def test_local_is_free_a_known_api_model_is_priced_an_unknown_one_is_unknown() -> None:
    assert price_for("local") == Price(0.0, 0.0) and price_for("vllm:/ckpt") == Price(0.0, 0.0)
    assert price_for("openai:gpt-4-1106-preview") == Price(10.0, 30.0)
    assert price_for("openai:my-model@http://h/v1") is None
    cost = role_cost(
        "judge", "openai:gpt-4", [TokenUsage(prompt_tokens=1_000_000, completion_tokens=500_000)]
    )
    assert cost.cost_usd == pytest.approx(30.0 + 30.0)
    assert role_cost("judge", "openai:mystery", [TokenUsage(prompt_tokens=5)]).cost_usd is None


def test_price_overrides_parse_per_role_and_bad_ones_are_one_line_errors() -> None:
    prices = parse_price_overrides(["judge=10,30", "model=0.5"])
    assert prices == {"judge": Price(10.0, 30.0), "model": Price(0.5, 0.5)}
    cost = role_cost("model", "openai:x", [TokenUsage(prompt_tokens=2_000_000)], prices["model"])
    assert cost.cost_usd == pytest.approx(1.0)
    for bad in ("judge", "critic=1", "judge=a,b", "judge=-1", "judge=1,2,3"):
        with pytest.raises(BadInput, match="--price-per-mtok"):
            parse_price_overrides([bad])


@pytest.mark.parametrize(
    ("category", "turn", "expected"),
    [
        ("writing", 1, "mt_bench_single"),
        ("writing", 2, "mt_bench_single_multi_turn"),
        ("math", 1, "mt_bench_single_math"),
        ("coding", 2, "mt_bench_single_math_multi_turn"),
        ("reasoning", 2, "mt_bench_single_math_multi_turn"),
    ],
)
def test_mt_bench_uses_fastchats_prompt_per_category_and_turn(
    category: str, turn: int, expected: str
) -> None:
    item = Item(benchmark="mt_bench", item_id="1", turns=["q1", "q2"], category=category)
    assert variant_name("mt_bench_single", item, turn) == expected
    assert variant_name("arena_hard_v0.1", item, turn) == "arena_hard_v0.1"
