"""harness.answers: upstream answer files of the shared snapshot become Output records."""

from __future__ import annotations

import json

import pytest
from _shared import shared_path

from benchmarks import answer_format_of as detect_format
from benchmarks import get_benchmark, load_answers, pair_outputs
from benchmarks.alpaca_eval.formats import load_alpaca_eval_outputs
from benchmarks.arena_hard.upstream import load_arena_hard_answers
from benchmarks.mt_bench.upstream import load_mt_bench_answers
from benchmarks.wildbench.upstream import load_wildbench_outputs
from harness.errors import BadInput


def test_alpaca_outputs_are_paired_with_the_eval_set_by_instruction():
    items = get_benchmark("alpaca_eval").load(shared_path("alpaca_eval", "results", "gpt4_1106_preview"))
    ids = {i.turns[0]: i.item_id for i in items}
    path = shared_path("alpaca_eval", "results", "claude-2.1", "model_outputs.json")
    outputs = load_alpaca_eval_outputs(path, instruction_ids=ids)
    rows = json.loads(path.read_text(encoding="utf-8"))
    assert len(outputs) == 805 and {o.model for o in outputs} == {"claude-2.1"}
    assert sorted(o.item_id for o in outputs) == sorted(i.item_id for i in items)
    assert [o.turns for o in outputs] == [[r["output"]] for r in rows]
    assert all(ids[r["instruction"]] == o.item_id for r, o in zip(rows, outputs, strict=True))


def test_alpaca_output_for_an_unknown_instruction_is_refused(tmp_path):
    path = tmp_path / "model_outputs.json"
    path.write_text(json.dumps([{"instruction": "x?", "output": "y", "generator": "m"}]), encoding="utf-8")
    with pytest.raises(BadInput, match=r"model_outputs.json\[0\]: instruction not in the eval set"):
        load_alpaca_eval_outputs(path, instruction_ids={"other": "0"})
    assert load_alpaca_eval_outputs(path)[0].item_id == "0"


def test_arena_legacy_and_v2_answer_layouts_agree():
    legacy = load_arena_hard_answers(shared_path("arena_hard", "v0.1", "model_answer", "gpt-4-0314.jsonl"))
    v2 = load_arena_hard_answers(
        shared_path("arena_hard", "v0.1", "model_answer_v2format", "gpt-4-0314.jsonl")
    )
    assert len(legacy) == 500
    assert {o.item_id: o.turns for o in legacy} == {o.item_id: o.turns for o in v2}
    o3 = load_arena_hard_answers(
        shared_path("arena_hard", "v2.0", "model_answer", "o3-mini-2025-01-31.jsonl")
    )
    assert len(o3) == 750 and {o.model for o in o3} == {"o3-mini-2025-01-31"}


def test_fastchat_mt_bench_answers_have_two_turns_per_question():
    for model in ("gpt-3.5-turbo", "guanaco-33b", "koala-13b", "alpaca-13b", "llama-13b"):
        path = shared_path("mt_bench", "model_answer", f"{model}.jsonl")
        assert detect_format(path) == "mt_bench"
        outputs = load_mt_bench_answers(path)
        assert len(outputs) == 80 and {o.model for o in outputs} == {model}
        assert {len(o.turns) for o in outputs} == {2}
        assert sorted(int(o.item_id) for o in outputs) == list(range(81, 161))


def test_wildbench_judged_rows_carry_the_model_output():
    path = shared_path(
        "wildbench", "eval_results", "v2.0625", "score.v2", "eval=gpt-4o-2024-05-13", "gemma-2b-it.json"
    )
    outputs = load_wildbench_outputs(path)
    rows = json.loads(path.read_text(encoding="utf-8"))
    assert len(outputs) == 1021 and {o.model for o in outputs} == {"google/gemma-2b-it"}  # model_test
    assert [o.turns[0] for o in outputs] == [r["model_output"] for r in rows]


def test_format_detection_for_each_layout():
    assert (
        detect_format(shared_path("alpaca_eval", "results", "claude-2.1", "model_outputs.json"))
        == "alpaca_eval"
    )
    assert (
        detect_format(shared_path("arena_hard", "v0.1", "model_answer", "gpt-4-0613.jsonl")) == "arena_hard"
    )
    assert (
        detect_format(shared_path("arena_hard", "v2.0", "model_answer", "o3-mini-2025-01-31.jsonl"))
        == "arena_hard"
    )
    assert len(load_answers(shared_path("arena_hard", "v0.1", "model_answer", "gpt-4-0613.jsonl"))) == 500


def _arena(uid: str, model: str = "m", turns: object = None) -> dict[str, object]:
    return {"question_id": uid, "model_id": model, "choices": [{"turns": turns or [{"content": "a"}]}]}


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([_arena("q1"), _arena("q1")], "duplicate answer for item 'q1'"),
        ([_arena("q1"), _arena("q2", model="other")], "one model per file expected, found 2"),
        (
            [_arena("q1", turns=[{"text": "a"}])],
            r":1: choices\[0\].turns\[0\] must be an object with a string 'content'",
        ),
        ([{"question_id": "q1", "model_id": "m", "choices": []}], r":1: field 'choices' must be a list"),
        (
            [{"uid": "q1", "model": "m", "messages": [{"role": "assistant", "content": {"reasoning": "x"}}]}],
            r":1: messages\[0\].content must be a string or \{'answer': str\}",
        ),
        (
            [{"uid": "q1", "model": "m", "messages": [{"role": "user", "content": "hi"}]}],
            "no assistant answer",
        ),
    ],
)
def test_malformed_answer_files_are_named(tmp_path, write_jsonl, rows, message):
    path = write_jsonl(tmp_path / "answers.jsonl", rows)
    with pytest.raises(BadInput, match=message):
        load_arena_hard_answers(path)


def test_unknown_answer_format(tmp_path, write_jsonl):
    path = write_jsonl(tmp_path / "answers.jsonl", [{"id": 1, "text": "a"}])
    with pytest.raises(BadInput, match=r"answers.jsonl:1: unknown answer format \(fields: id, text\)"):
        load_answers(path)
    with pytest.raises(BadInput, match="unknown answer format 'csv'"):
        load_answers(path, "csv")
    with pytest.raises(BadInput, match="file not found"):
        load_answers(tmp_path / "missing.jsonl")


def test_benchmarks_pair_upstream_answers_with_their_items():
    alpaca = get_benchmark("alpaca_eval")
    items = alpaca.load(shared_path("alpaca_eval", "results", "gpt4_1106_preview"))
    outputs = alpaca.load_outputs(
        shared_path("alpaca_eval", "results", "falcon-7b-instruct", "model_outputs.json"), items
    )
    pairs = pair_outputs(items, outputs, "falcon")
    assert len(pairs) == 805 and all(o.item_id == i.item_id for i, o in pairs)

    mt = get_benchmark("mt_bench")
    mt_items = mt.load(shared_path("mt_bench"))
    answers = mt.load_outputs(shared_path("mt_bench", "model_answer", "llama-13b.jsonl"), mt_items)
    assert [i.item_id for i, _ in pair_outputs(mt_items, answers, "llama")] == [i.item_id for i in mt_items]
    with pytest.raises(BadInput, match=r"llama: no answer for item '81' \(1 missing\)"):
        pair_outputs(mt_items, answers[1:], "llama")
    assert len(pair_outputs(mt_items, answers[1:], "llama", allow_missing=True)) == 79
    one_turn = [answers[0].model_copy(update={"turns": ["only"]}), *answers[1:]]
    with pytest.raises(BadInput, match="item '81' has 2 turns, the answer 1"):
        pair_outputs(mt_items, one_turn, "llama")
    with pytest.raises(BadInput, match="answer for unknown item '81'"):
        pair_outputs(mt_items[1:], answers, "llama")
    with pytest.raises(BadInput, match="two answers for item '81'"):
        pair_outputs(mt_items, [*answers, answers[0]], "llama")
