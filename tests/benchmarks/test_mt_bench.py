"""MT-Bench questions and GPT-4 references (reference arena_mtbench.md §E check 11), corrected references."""

from __future__ import annotations

import shutil
from collections import Counter

import pytest
from _shared import shared_path

from benchmarks import get_benchmark
from benchmarks.mt_bench import KNOWN_WRONG_REFERENCE_IDS
from harness.errors import BadInput

RANGES = {
    "writing": range(81, 91),
    "roleplay": range(91, 101),
    "reasoning": range(101, 111),
    "math": range(111, 121),
    "coding": range(121, 131),
    "extraction": range(131, 141),
    "stem": range(141, 151),
    "humanities": range(151, 161),
}


def test_80_questions_8_categories_of_10_two_turns_each():
    items = get_benchmark("mt_bench").load(shared_path("mt_bench"))
    assert len(items) == 80
    assert Counter(i.category for i in items) == dict.fromkeys(RANGES, 10)
    for item in items:
        assert int(item.item_id) in RANGES[item.category]
        assert len(item.turns) == 2


def test_30_gpt4_references_for_101_to_130(read_jsonl):
    items = get_benchmark("mt_bench").load(shared_path("mt_bench"))
    with_refs = [i for i in items if i.references]
    assert [int(i.item_id) for i in with_refs] == list(range(101, 131))
    rows = {
        str(r["question_id"]): r
        for r in read_jsonl(shared_path("mt_bench", "reference_answer", "gpt-4.jsonl"))
    }
    for item in with_refs:
        assert item.references == {"gpt-4": rows[item.item_id]["choices"][0]["turns"]}
    flagged = {i.item_id for i in with_refs if i.metadata["reference_known_wrong"]}
    assert flagged == KNOWN_WRONG_REFERENCE_IDS and len(flagged) == 13


def _corrected_dir(tmp_path, read_jsonl, write_jsonl, drop: str | None = None):
    data = tmp_path / "mt_bench"
    (data / "reference_answer").mkdir(parents=True)
    shutil.copy(shared_path("mt_bench", "question.jsonl"), data / "question.jsonl")
    rows = read_jsonl(shared_path("mt_bench", "reference_answer", "gpt-4.jsonl"))
    fixed = [
        {
            **r,
            "model_id": "gpt-4-0125-preview",
            "choices": [{"index": 0, "turns": [f"fixed {r['question_id']}", "t2"]}],
        }
        for r in rows
        if str(r["question_id"]) != drop
    ]
    return data, write_jsonl(data / "reference_answer" / "gpt-4-0125-preview.jsonl", fixed)


def test_corrected_references_from_the_data_directory_or_a_path(tmp_path, read_jsonl, write_jsonl):
    data, refs = _corrected_dir(tmp_path, read_jsonl, write_jsonl)
    bench = get_benchmark("mt_bench")
    items = bench.load(data, version="corrected")
    q104 = next(i for i in items if i.item_id == "104")
    assert q104.version == "corrected"
    assert q104.references == {"gpt-4-0125-preview": ["fixed 104", "t2"]}
    assert "reference_known_wrong" not in q104.metadata
    moved = tmp_path / "elsewhere.jsonl"
    refs.rename(moved)
    from_path = bench.load(shared_path("mt_bench"), references=moved)
    assert [i.references for i in from_path] == [i.references for i in items]


def test_corrected_references_must_cover_every_reference_question(tmp_path, read_jsonl, write_jsonl):
    data, _ = _corrected_dir(tmp_path, read_jsonl, write_jsonl, drop="113")
    with pytest.raises(
        BadInput, match=r"gpt-4-0125-preview.jsonl: no reference answer for question 113 \(math\)"
    ):
        get_benchmark("mt_bench").load(data, version="corrected")


def test_corrected_without_a_file_says_how_to_give_one(tmp_path):
    bench = get_benchmark("mt_bench")
    with pytest.raises(BadInput, match=r"--data DIR holding reference_answer/gpt-4-0125-preview.jsonl"):
        bench.load(version="corrected")  # refused before any download
    with pytest.raises(BadInput, match="reference answers not found"):
        bench.load(shared_path("mt_bench"), version="corrected")
    with pytest.raises(BadInput, match="goes with version 'corrected'"):
        bench.load(shared_path("mt_bench"), version="original", references=tmp_path / "x.jsonl")


def test_malformed_questions_are_named(tmp_path, read_jsonl, write_jsonl):
    rows = read_jsonl(shared_path("mt_bench", "question.jsonl"))
    refs = shared_path("mt_bench", "reference_answer", "gpt-4.jsonl")
    (tmp_path / "reference_answer").mkdir()
    shutil.copy(refs, tmp_path / "reference_answer" / "gpt-4.jsonl")
    bench = get_benchmark("mt_bench")
    cases = [
        ({**rows[3], "turns": ["only one"]}, r"question.jsonl:4: field 'turns' has 1 entries"),
        (
            {**rows[3], "turns": ["a", "b", "c"]},
            r"question.jsonl:4: field 'turns' has 3 entries, MT-Bench questions have 2",
        ),
        ({**rows[3], "category": "poetry"}, r"question.jsonl:4: unknown category 'poetry'"),
        (
            {k: v for k, v in rows[3].items() if k != "question_id"},
            r"question.jsonl:4: missing field 'question_id'",
        ),
    ]
    for bad, message in cases:
        write_jsonl(tmp_path / "question.jsonl", [*rows[:3], bad, *rows[4:]])
        with pytest.raises(BadInput, match=message):
            bench.load(tmp_path)
    write_jsonl(tmp_path / "question.jsonl", rows[:79])
    with pytest.raises(BadInput, match="expected 80 items, found 79"):
        bench.load(tmp_path)
    write_jsonl(tmp_path / "question.jsonl", [*rows, rows[0]])
    with pytest.raises(BadInput, match="duplicate item id '81'"):
        bench.load(tmp_path)
