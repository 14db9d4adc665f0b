"""The audit grammar is each benchmark's own, looked up by the benchmark's registry name."""

import pytest

from benchmarks import benchmark_names, get_benchmark
from harness.audit.judge_specs import (
    active_judges,
    all_judges,
    benchmark_judges,
    benchmark_questions,
    for_judge_config,
)
from harness.errors import BadInput
from judges.config import judge_configs, judge_names


def test_every_judge_config_with_a_verdict_grammar_is_claimed_once():
    for name in judge_names():
        claimed = [j.name for j in all_judges() if name in j.judge_configs]
        protocol = judge_configs().get(name).get("protocol")
        if protocol == "checklist":  # TICK's YES/NO answers: no template to escape, every grammar active
            assert claimed == [] and for_judge_config(name) == all_judges()
        else:
            assert len(claimed) == 1, (name, claimed)


def test_judges_follow_the_benchmark_version():
    assert [j.name for j in benchmark_judges("arena_hard")] == ["arena_hard"]
    assert [j.name for j in benchmark_judges("arena_hard", "v2.0")] == ["arena_hard_v2"]
    assert [j.name for j in benchmark_judges("mt_bench")] == ["mt_bench_single", "mt_bench_pair"]
    assert benchmark_questions("arena_hard", "v2.0") == "arena_hard/v2.0/question.jsonl"
    assert benchmark_questions("alpaca_eval") is None


def test_a_benchmark_without_a_grammar_gets_its_default_judges():
    version = get_benchmark("demo").spec.default_version
    assert benchmark_judges("demo") == for_judge_config(version.default_judge)


def test_grammar_names_are_unique_and_every_benchmark_resolves():
    names = [j.name for j in all_judges()]
    assert len(names) == len(set(names))
    for bench in benchmark_names():
        assert benchmark_judges(bench)


@pytest.mark.parametrize(("bench", "hint"), [("arena_hard_v2", "arena_hard"), ("mt-bench", "mt_bench")])
def test_unknown_benchmark_is_refused_with_a_suggestion(bench, hint):
    with pytest.raises(BadInput, match=hint):
        active_judges(bench, None)
