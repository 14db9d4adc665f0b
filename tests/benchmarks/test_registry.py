"""The registry, the shared ``load`` checks and each adapter's declared upstream settings."""

from __future__ import annotations

import pytest
from _shared import shared_path

from benchmarks import BENCHMARKS, benchmark_names, get_benchmark
from benchmarks.mt_bench import CATEGORY_TEMPERATURE
from harness.client import SamplingParams
from harness.errors import BadInput
from harness.records import Item


def test_all_adapters_are_registered_once_by_name():
    assert benchmark_names() == ["alpaca_eval", "arena_hard", "demo", "mt_bench", "wildbench"]
    for name, cls in BENCHMARKS.items():
        assert cls.spec.name == name


def test_unknown_benchmark_gets_a_suggestion():
    with pytest.raises(BadInput, match=r"did you mean 'arena_hard'"):
        get_benchmark("arena-hard")


def test_unknown_version_lists_the_known_ones():
    bench = get_benchmark("arena_hard")
    with pytest.raises(BadInput, match=r"unknown arena_hard version 'v3'.*known: v0.1, v2.0"):
        bench.load(shared_path("arena_hard", "v0.1"), version="v3")
    with pytest.raises(BadInput, match=r"did you mean 'v2.0'"):
        bench.spec.version("v2")


def test_default_versions_sizes_judges_and_baselines():
    expected = {
        "alpaca_eval": ("2.0", 805, "alpaca_eval_weighted_gpt4_turbo", ("gpt4_1106_preview",)),
        "arena_hard": ("v0.1", 500, "arena_hard_v0.1", ("gpt-4-0314",)),
        "mt_bench": ("original", 80, "mt_bench_single", ()),
        "wildbench": (
            "v2",
            1024,
            "wildbench_score",
            ("gpt-4-turbo-2024-04-09", "claude-3-haiku-20240307", "Llama-2-70b-chat-hf"),
        ),
        "demo": ("1", 21, "alpaca_eval_weighted_gpt4_turbo", ("demo_reference",)),
    }
    for name, (version, n, judge, baselines) in expected.items():
        spec = get_benchmark(name).spec.default_version
        assert (spec.name, spec.n_items, spec.default_judge, spec.baselines) == (version, n, judge, baselines)
    v2 = get_benchmark("arena_hard").spec.version("v2.0")
    assert (v2.n_items, v2.default_judge) == (750, "arena_hard_v2")


def _item(benchmark: str, category: str | None) -> Item:
    return Item(benchmark=benchmark, item_id="1", turns=["q"], category=category)


def test_upstream_generation_settings():
    mt = get_benchmark("mt_bench")
    temps = {c: mt.sampling(_item("mt_bench", c)).temperature for c in CATEGORY_TEMPERATURE}
    assert temps == {
        "writing": 0.7,
        "roleplay": 0.7,
        "extraction": 0.0,
        "math": 0.0,
        "coding": 0.0,
        "reasoning": 0.0,
        "stem": 0.1,
        "humanities": 0.1,
    }
    assert mt.sampling(_item("mt_bench", "stem")).max_tokens == 1024
    with pytest.raises(BadInput, match="unknown MT-Bench category"):
        mt.sampling(_item("mt_bench", "poetry"))
    assert get_benchmark("arena_hard").sampling(_item("arena_hard", None)) == SamplingParams(
        temperature=0.0, max_tokens=4096
    )
    assert get_benchmark("wildbench").sampling(_item("wildbench", "Math")) == SamplingParams(
        temperature=0.0, top_p=1.0, max_tokens=4096
    )
    # AlpacaEval has no benchmark-wide decoding setting upstream: nothing is overridden.
    assert get_benchmark("alpaca_eval").sampling(_item("alpaca_eval", "oasst")).as_kwargs() == {}


def test_limit_keeps_the_first_items_after_validation():
    bench = get_benchmark("arena_hard")
    path = shared_path("arena_hard", "v0.1")
    full = bench.load(path)
    assert [i.item_id for i in bench.load(path, limit=5)] == [i.item_id for i in full[:5]]
    with pytest.raises(BadInput, match="limit"):
        bench.load(path, limit=0)


def test_missing_path_is_named():
    with pytest.raises(BadInput, match=r"/nope/question.jsonl: no such file"):
        get_benchmark("arena_hard").load("/nope/question.jsonl")
