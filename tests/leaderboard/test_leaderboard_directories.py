"""`harness leaderboard --from DIR --answers DIR`: upstream folders as they are published give the same table
as their files listed one by one (issue 11: a directory was refused unless it was a run directory)."""

from __future__ import annotations

from pathlib import Path

import pytest
from _shared import shared_path

from harness.cli import main


def _table(out: Path, benchmark: str) -> str:
    return (out / "results" / benchmark / "leaderboard.csv").read_text()


def _board(tmp_path: Path, name: str, *args: str) -> str:
    out = tmp_path / name
    assert main(["leaderboard", *args, "--out", str(out), "--max-unscored", "1"]) == 0
    return _table(out, args[0])


def test_arena_hard_judgment_folder_and_answer_folder(tmp_path: Path) -> None:
    folder = shared_path("arena_hard", "v0.1", "peer_check", "model_judgment", "gpt-4-1106-preview")
    answers = shared_path("arena_hard", "v0.1", "model_answer")
    files = sorted(str(p) for p in folder.glob("*.jsonl.gz"))
    answer_files = sorted(str(p) for p in answers.glob("*.jsonl"))
    listed = _board(
        tmp_path, "files", "arena_hard", "--from", *files, "--answers", *answer_files, "--style-control"
    )
    given = _board(
        tmp_path, "dirs", "arena_hard", "--from", str(folder), "--answers", str(answers), "--style-control"
    )
    assert given == listed and len(listed.splitlines()) >= 1 + len(files)


def test_alpaca_eval_results_tree_skips_the_outputs_beside_the_annotations(tmp_path: Path) -> None:
    results = shared_path("alpaca_eval", "results")
    gamma = str(shared_path("alpaca_eval", "glm", "instruction_difficulty_recovered.csv"))
    files = sorted(str(p) for p in results.glob("*/annotations*.json"))
    listed = _board(tmp_path, "files", "alpaca_eval", "--from", *files, "--difficulty", gamma)
    given = _board(tmp_path, "dirs", "alpaca_eval", "--from", str(results), "--difficulty", gamma)
    assert given == listed and len(listed.splitlines()) >= 1 + len(files)


def test_a_directory_without_judgments_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "notes.json").write_text('{"a": 1}')
    assert main(["leaderboard", "arena_hard", "--from", str(tmp_path)]) == 2
    assert "holds no run directory or judgment file" in capsys.readouterr().err
