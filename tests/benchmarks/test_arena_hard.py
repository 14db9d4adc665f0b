"""Arena-Hard v0.1 and v2.0 from the shared snapshot (reference arena_mtbench.md §E check 1)."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from _shared import shared_path

from benchmarks import get_benchmark
from benchmarks.arena_hard.upstream import load_arena_hard_answers
from harness.errors import BadInput


def test_v01_has_500_questions_in_250_clusters_of_two_with_the_gpt4_baseline():
    items = get_benchmark("arena_hard").load(shared_path("arena_hard", "v0.1"))
    assert len(items) == 500
    clusters = Counter(i.cluster for i in items)
    assert len(clusters) == 250 and set(clusters.values()) == {2}
    assert {i.category for i in items} == {"arena-hard-v0.1"}
    answers = {
        a.item_id: a.turns
        for a in load_arena_hard_answers(
            shared_path("arena_hard", "v0.1", "model_answer", "gpt-4-0314.jsonl")
        )
    }
    assert all(i.baselines == {"gpt-4-0314": answers[i.item_id]} for i in items)
    first = items[0]
    assert first.item_id == "328c149ed45a41c0b9d6f14659e63599"
    assert first.turns == ["Use ABC notation to write a melody in the style of a folk tune."]


def test_legacy_question_layout_maps_question_id_to_uid():
    bench = get_benchmark("arena_hard")
    current = bench.load(shared_path("arena_hard", "v0.1", "question.jsonl"))
    legacy = bench.load(shared_path("arena_hard", "v0.1", "question_legacy_format.jsonl"))
    assert [(i.item_id, i.turns, i.cluster) for i in legacy] == [
        (i.item_id, i.turns, i.cluster) for i in current
    ]


def test_v2_format_baseline_answers_equal_the_legacy_ones(tmp_path):
    (tmp_path / "model_answer").mkdir()
    (tmp_path / "question.jsonl").symlink_to(shared_path("arena_hard", "v0.1", "question.jsonl"))
    v2_answers = shared_path("arena_hard", "v0.1", "model_answer_v2format", "gpt-4-0314.jsonl")
    (tmp_path / "model_answer" / "gpt-4-0314.jsonl").symlink_to(v2_answers)
    bench = get_benchmark("arena_hard")
    from_v2 = bench.load(tmp_path)
    from_legacy = bench.load(shared_path("arena_hard", "v0.1"))
    assert [i.baselines for i in from_v2] == [i.baselines for i in from_legacy]


def test_v20_has_750_questions_and_a_baseline_per_category():
    bench = get_benchmark("arena_hard")
    items = bench.load(shared_path("arena_hard", "v2.0"), version="v2.0")
    assert len(items) == 750
    assert Counter(i.category for i in items) == {"hard_prompt": 500, "creative_writing": 250}
    assert Counter(i.metadata["subcategory"] for i in items) == {
        "coding": 253,
        "math": 247,
        "creative_writing": 250,
    }
    hard = [i for i in items if i.category == "hard_prompt"]
    creative = [i for i in items if i.category == "creative_writing"]
    assert {bench.baselines_for(i) for i in hard} == {("o3-mini-2025-01-31",)}
    assert {bench.baselines_for(i) for i in creative} == {("gemini-2.0-flash-001",)}
    # o3-mini answers are attached to hard prompts only; gemini's answers are not in the snapshot.
    assert all(list(i.baselines) == ["o3-mini-2025-01-31"] for i in hard)
    assert all(i.baselines == {} for i in creative)


def test_v20_questions_are_not_v01_questions():
    with pytest.raises(BadInput, match=r"question.jsonl:1: category 'hard_prompt' is not a v0.1 question"):
        get_benchmark("arena_hard").load(shared_path("arena_hard", "v2.0"))


def _questions(n: int = 3) -> list[dict[str, str]]:
    lines = shared_path("arena_hard", "v0.1", "question.jsonl").read_text(encoding="utf-8").split("\n")
    return [json.loads(line) for line in lines[:n]]


def _answers(questions: list[dict[str, str]], model: str = "gpt-4-0314") -> list[dict[str, object]]:
    return [
        {
            "question_id": q["uid"],
            "model_id": model,
            "choices": [{"index": 0, "turns": [{"content": "answer"}]}],
        }
        for q in questions
    ]


def test_wrong_count_duplicate_id_and_missing_field(tmp_path, write_jsonl):
    bench = get_benchmark("arena_hard")
    rows = _questions(3)
    path = write_jsonl(tmp_path / "q" / "question.jsonl", rows)
    with pytest.raises(BadInput, match="expected 500 items, found 3"):
        bench.load(path)
    assert len(bench.load(path, check_count=False)) == 3
    write_jsonl(path, [*rows, rows[0]])
    with pytest.raises(BadInput, match=f"duplicate item id '{rows[0]['uid']}'"):
        bench.load(path, check_count=False)
    write_jsonl(path, [rows[0], {k: v for k, v in rows[1].items() if k != "prompt"}])
    with pytest.raises(BadInput, match=r"question.jsonl:2: missing field 'prompt'"):
        bench.load(path, check_count=False)
    write_jsonl(path, [rows[0], {k: v for k, v in rows[1].items() if k != "cluster"}])
    with pytest.raises(BadInput, match=r"question.jsonl:2: missing field 'cluster'"):
        bench.load(path, check_count=False)


def test_bad_json_line_is_named(tmp_path):
    path = tmp_path / "question.jsonl"
    path.write_text(json.dumps(_questions(1)[0]) + "\n{not json}\n", encoding="utf-8")
    with pytest.raises(BadInput, match=r"question.jsonl:2: invalid JSON"):
        get_benchmark("arena_hard").load(path, check_count=False)


def test_baseline_file_must_answer_every_question(tmp_path, write_jsonl):
    rows = _questions(3)
    write_jsonl(tmp_path / "question.jsonl", rows)
    answer_file = tmp_path / "model_answer" / "gpt-4-0314.jsonl"
    write_jsonl(answer_file, _answers(rows[:2]))
    with pytest.raises(
        BadInput, match=f"gpt-4-0314.jsonl: no gpt-4-0314 answer for question '{rows[2]['uid']}'"
    ):
        get_benchmark("arena_hard").load(tmp_path, check_count=False)
    write_jsonl(answer_file, _answers(rows, model="gpt-4-0613"))
    with pytest.raises(BadInput, match="holds answers of 'gpt-4-0613', expected 'gpt-4-0314'"):
        get_benchmark("arena_hard").load(tmp_path, check_count=False)
    write_jsonl(answer_file, _answers(rows))
    items = get_benchmark("arena_hard").load(tmp_path, check_count=False)
    assert [i.baselines for i in items] == [{"gpt-4-0314": ["answer"]}] * 3
