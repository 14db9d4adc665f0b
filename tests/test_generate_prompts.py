"""Malformed prompt files: ``harness generate`` exits 2 with one line naming FILE:LINE and the reason,
before starting any server or writing anything (the run directory is not even created)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.cli import main
from harness.prompts import load_prompts

GOOD = '{"id": "a", "turns": ["hi"]}\n'

CASES = {
    "bad_json": (GOOD + '{"id": "b", "turns": ["x"]\n', 2, "not valid JSON"),
    "missing_turns": (GOOD + '{"id": "b"}\n', 2, 'missing field "turns"'),
    "missing_id": ('{"turns": ["x"]}\n', 1, 'missing field "id"'),
    "empty_id": (GOOD + '{"id": " ", "turns": ["x"]}\n', 2, '"id" is empty'),
    "turns_not_list": (GOOD + GOOD.replace('"a"', '"b"').replace('["hi"]', '"hi"'), 2, "non-empty list"),
    "turns_empty_list": ('{"id": 1, "turns": []}\n', 1, "non-empty list"),
    "turn_not_string": ('{"id": 1, "turns": ["ok", 3]}\n', 1, '"turns"[2] must be a string'),
    "not_an_object": ('["a", ["b"]]\n', 1, "expected a JSON object"),
    "duplicate_ids": (GOOD + '{"id": "z", "turns": ["y"]}\n' + GOOD, 3, "duplicate id 'a' (first on line 1)"),
    "empty_file": ("", 1, "empty prompt file"),
    "only_blank_lines": ("\n  \n\n", 1, "empty prompt file"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_malformed_prompt_file_exits_2_naming_file_line(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text, line, reason = CASES[case]
    prompts = tmp_path / "prompts.jsonl"
    prompts.write_text(text, encoding="utf-8")
    run_dir = tmp_path / "run"
    # `local` would start llama.cpp: reaching that point would be the bug under test
    code = main(["generate", "--model", "local", "--prompts", str(prompts), "--run-dir", str(run_dir)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1, err
    assert f"{prompts}:{line}: " in err and reason in err
    assert not run_dir.exists()


def test_non_utf8_names_the_line_and_byte(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    prompts = tmp_path / "latin1.jsonl"
    prompts.write_bytes(GOOD.encode() + '{"id": "b", "turns": ["café"]}\n'.encode("latin-1"))
    code = main(["generate", "--model", "local", "--prompts", str(prompts), "--run-dir", str(tmp_path / "r")])
    err = capsys.readouterr().err
    assert code == 2 and f"{prompts}:2: not UTF-8 (byte 0xe9" in err
    assert not (tmp_path / "r").exists()


def test_missing_prompt_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["generate", "--model", "local", "--prompts", str(tmp_path / "nope.jsonl")])
    assert code == 2 and "--prompts" in (err := capsys.readouterr().err) and "no such file" in err


def test_a_good_file_becomes_items(tmp_path: Path) -> None:
    prompts = tmp_path / "p.jsonl"
    rows = [
        {"id": 7, "turns": ["a", "b"], "category": "writing", "source": "me"},
        {"id": "x", "turns": ["c"]},
    ]
    prompts.write_text("\ufeff" + "\n".join(json.dumps(r) for r in rows) + "\n\n", encoding="utf-8")
    items = load_prompts(prompts)
    assert [(i.item_id, i.turns, i.category) for i in items] == [
        ("7", ["a", "b"], "writing"),
        ("x", ["c"], None),
    ]
    assert items[0].metadata == {"source": "me"} and items[0].benchmark == "prompts"
    assert len(items[0].version) == 12


def test_the_shipped_example_file_is_valid() -> None:
    items = load_prompts(Path(__file__).resolve().parents[1] / "examples" / "prompts.jsonl")
    assert len(items) >= 4 and any(len(i.turns) > 1 for i in items)
