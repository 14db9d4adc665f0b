"""Where AlpacaEval's instruction difficulty comes from when LC is computed (issue 11: LC was unavailable by
default because the file was not fetched like the other pinned upstream files)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from _shared import shared_path

import benchmarks.alpaca_eval.difficulty as difficulty
from benchmarks.alpaca_eval.difficulty import PINNED, resolve_difficulty
from harness.errors import BadInput


@pytest.fixture()
def fetches(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, ...]]:
    """The calls that would go to the network; each returns a file that is not the pinned one."""
    calls: list[tuple[str, ...]] = []

    def fetch(*args: str) -> Path:
        calls.append(args)
        return shared_path("alpaca_eval", "glm", "instruction_difficulty_recovered.csv")

    monkeypatch.setattr(difficulty, "fetch_hf_file", fetch)
    monkeypatch.delenv("HARNESS_OFFLINE", raising=False)
    return calls


def test_a_given_file_or_one_in_the_data_dir_needs_no_network(
    tmp_path: Path, fetches: list[tuple[str, ...]]
) -> None:
    given = tmp_path / "gamma.csv"
    assert resolve_difficulty(given, tmp_path).path == given
    shutil.copy(shared_path("alpaca_eval", "glm", "instruction_difficulty_recovered.csv"),
                tmp_path / "instruction_difficulty.csv")  # fmt: skip
    (tmp_path / "model_outputs.json").write_text("[]")
    for data in (tmp_path, tmp_path / "model_outputs.json"):
        assert resolve_difficulty(None, data).path == tmp_path / "instruction_difficulty.csv"
    assert fetches == []


def test_offline_without_a_file_says_what_to_pass(
    monkeypatch: pytest.MonkeyPatch, fetches: list[tuple[str, ...]]
) -> None:
    monkeypatch.setenv("HARNESS_OFFLINE", "1")
    found = resolve_difficulty(None, None)
    assert found.path is None and "--lc-difficulty" in found.reason and "HARNESS_OFFLINE" in found.reason
    assert fetches == []


def test_the_default_is_the_pinned_file_and_another_file_is_refused(fetches: list[tuple[str, ...]]) -> None:
    with pytest.raises(
        BadInput, match="is not the pinned tatsu-lab/alpaca_eval/instruction_difficulty.csv@2edc6fa"
    ):
        resolve_difficulty(None, None)
    assert fetches == [PINNED]
