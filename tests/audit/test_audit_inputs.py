"""The input readers: every accepted format yields prompts + outputs; malformed input is BadInput."""

from __future__ import annotations

import json

import pytest
from _shared import shared_path

from harness.audit.inputs import load_submission, read_questions
from harness.errors import BadInput
from harness.records import Item, Output


def _write_jsonl(path, rows):
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")


def test_alpaca_model_outputs(tmp_path):
    p = tmp_path / "model_outputs.json"
    p.write_text(json.dumps([{"instruction": "Say hi", "output": "hi", "generator": "m1"}]))
    sub = load_submission(p)
    assert sub.model == "m1"
    assert sub.items[0].prompts == ("Say hi",) and sub.items[0].outputs == ("hi",)
    assert load_submission(tmp_path).items == sub.items  # a results directory works too


def test_legacy_answers_need_questions_and_find_the_upstream_file(tmp_path):
    answers = tmp_path / "model_answer" / "m.jsonl"
    answers.parent.mkdir()
    _write_jsonl(answers, [{"question_id": 7, "model_id": "m", "choices": [{"turns": [{"content": "A1"}]}]}])
    with pytest.raises(BadInput, match="--questions"):
        load_submission(answers)
    _write_jsonl(tmp_path / "question.jsonl", [{"question_id": 7, "turns": ["Q1", "Q2"]}])
    sub = load_submission(answers)
    assert sub.items[0].item_id == "7" and sub.items[0].prompts == ("Q1", "Q2")


def test_v2_answers_carry_their_prompts_and_unicode_line_separators(tmp_path):
    p = tmp_path / "a.jsonl"
    row = {
        "uid": "u1",
        "model": "m",
        "messages": [
            {"role": "user", "content": "Q\u2028still Q"},
            {"role": "assistant", "content": {"answer": "A"}},
        ],
    }
    _write_jsonl(p, [row])
    sub = load_submission(p)
    assert sub.items[0].prompts == ("Q\u2028still Q",) and sub.items[0].outputs == ("A",)


def test_run_directory(tmp_path):
    _write_jsonl(tmp_path / "items.jsonl", [Item(benchmark="b", item_id="i1", turns=["Q"]).model_dump()])
    _write_jsonl(tmp_path / "outputs.jsonl", [Output(item_id="i1", model="m", turns=["A"]).model_dump()])
    sub = load_submission(tmp_path)
    assert (sub.model, sub.items[0].prompts, sub.items[0].outputs) == ("m", ("Q",), ("A",))


@pytest.mark.parametrize(
    "content, reason",
    [("{not json", "not JSON"), ('{"uid": "u"}', "neither"), ("[1]", "JSON object")],
)
def test_bad_answer_lines_name_file_and_line(tmp_path, content, reason):
    p = tmp_path / "a.jsonl"
    p.write_text('{"uid":"x","messages":[{"role":"user","content":"q"}]}\n' + content + "\n")
    with pytest.raises(BadInput, match=reason) as err:
        load_submission(p)
    assert err.value.where.endswith("a.jsonl:2")


def test_unknown_shapes_are_bad_input(tmp_path):
    with pytest.raises(BadInput):
        load_submission(tmp_path / "missing.json")
    (tmp_path / "x.csv").write_text("a,b")
    with pytest.raises(BadInput):
        load_submission(tmp_path / "x.csv")
    (tmp_path / "o.json").write_text(json.dumps([{"output": "no instruction"}]))
    with pytest.raises(BadInput, match="instruction"):
        load_submission(tmp_path / "o.json")


def test_real_upstream_files_load():
    assert (
        len(load_submission(shared_path("arena_hard", "v0.1", "model_answer", "gpt-4-0314.jsonl")).items)
        == 500
    )
    mt = load_submission(shared_path("mt_bench", "model_answer", "koala-13b.jsonl"))
    assert len(mt.items) == 80 and all(len(i.outputs) == 2 and len(i.prompts) == 2 for i in mt.items)
    assert len(read_questions(shared_path("arena_hard", "v2.0", "question.jsonl"))) == 750
