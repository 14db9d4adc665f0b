"""WildBench v2 in the HF schema: a hand-written fixture (the 1,024 tasks are only on the Hub)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from benchmarks import get_benchmark
from harness.errors import BadInput

MINI = Path(__file__).resolve().parents[1] / "fixtures" / "wildbench_mini.jsonl"


def test_fixture_tasks_become_items_with_history_query_checklist_and_reference(read_jsonl):
    items = get_benchmark("wildbench").load(MINI, check_count=False)
    rows = read_jsonl(MINI)
    assert [i.item_id for i in items] == [r["session_id"] for r in rows]
    for item, row in zip(items, rows, strict=True):
        conversation = row["conversation_input"]
        assert item.turns == [conversation[-1]["content"]]
        assert item.history == [{"role": m["role"], "content": m["content"]} for m in conversation[:-1]]
        assert item.checklist == row["checklist"]
        assert item.references == {"gpt-4": [row["references"]["gpt-4"]]}
        assert item.category == row["primary_tag"]
        assert item.metadata["secondary_tags"] == row["secondary_tags"]
        assert item.metadata["intent"] == row["intent"]
    assert [len(i.history) for i in items] == [0, 2, 0, 0, 4, 0]


def test_the_full_benchmark_needs_1024_tasks():
    with pytest.raises(BadInput, match="wildbench_mini.jsonl: expected 1024 items, found 6"):
        get_benchmark("wildbench").load(MINI)


def test_baseline_outputs_from_a_model_outputs_directory(tmp_path, read_jsonl, write_json):
    shutil.copy(MINI, tmp_path / "tasks.jsonl")
    rows = read_jsonl(MINI)
    model = "claude-3-haiku-20240307"
    out = [
        {"session_id": r["session_id"], "output": [f"answer {n}"], "generator": model}
        for n, r in enumerate(rows)
    ]
    write_json(tmp_path / "model_outputs" / f"{model}.json", out)
    items = get_benchmark("wildbench").load(tmp_path, check_count=False)
    assert [i.baselines for i in items] == [{model: [f"answer {n}"]} for n in range(6)]
    write_json(tmp_path / "model_outputs" / f"{model}.json", out[1:])
    with pytest.raises(BadInput, match=f"no {model} output for session 'mini0001'"):
        get_benchmark("wildbench").load(tmp_path, check_count=False)


def _broken(row: dict, **change) -> dict:
    return {**row, **change}


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            lambda r: _broken(r, conversation_input=r["conversation_input"][:2]),
            "must end with a user message",
        ),
        (
            lambda r: _broken(r, conversation_input=[{**r["conversation_input"][0], "role": "assistant"}]),
            r"conversation_input\[0\].role is 'assistant', expected 'user'",
        ),
        (lambda r: _broken(r, conversation_input=[]), "'conversation_input' is empty"),
        (lambda r: _broken(r, primary_tag="Gardening"), "unknown task tag 'Gardening'"),
        (lambda r: _broken(r, secondary_tags=["Math", "Poetry"]), "unknown task tag 'Poetry'"),
        (lambda r: _broken(r, checklist=[]), "field 'checklist' has 0 entries"),
        (lambda r: {k: v for k, v in r.items() if k != "checklist"}, "missing field 'checklist'"),
        (lambda r: {k: v for k, v in r.items() if k != "session_id"}, "missing field 'session_id'"),
        (lambda r: _broken(r, references="gpt-4 says"), "field 'references' must be an object"),
    ],
)
def test_malformed_tasks_are_named_by_line(tmp_path, read_jsonl, write_jsonl, mutate, message):
    rows = read_jsonl(MINI)
    rows[1] = mutate(rows[1])
    path = write_jsonl(tmp_path / "tasks.jsonl", rows)
    with pytest.raises(BadInput, match=rf"tasks.jsonl:2: .*{message}"):
        get_benchmark("wildbench").load(path, check_count=False)


def test_duplicate_session_and_bad_json(tmp_path, read_jsonl, write_jsonl):
    rows = read_jsonl(MINI)
    path = write_jsonl(tmp_path / "tasks.jsonl", [*rows, rows[2]])
    with pytest.raises(BadInput, match="duplicate item id 'mini0003'"):
        get_benchmark("wildbench").load(path, check_count=False)
    path.write_text(json.dumps(rows[0]) + "\n" + json.dumps(rows[1])[:-5] + "\n", encoding="utf-8")
    with pytest.raises(BadInput, match=r"tasks.jsonl:2: invalid JSON"):
        get_benchmark("wildbench").load(path, check_count=False)


def test_a_directory_without_a_task_file(tmp_path):
    with pytest.raises(BadInput, match="tasks.jsonl"):
        get_benchmark("wildbench").load(tmp_path)
