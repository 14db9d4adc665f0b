"""A benchmark's board is its own: a benchmark defined outside harness/ brings its upstream judgment layout
and its board, and ``harness leaderboard`` builds it from files and directories with no benchmark named
in harness/leaderboard."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import (
    BENCHMARKS,
    Benchmark,
    BenchmarkSpec,
    BoardInputs,
    BoardOptions,
    UpstreamFormat,
    VersionSpec,
)
from harness.cli import main
from harness.client import SamplingParams
from harness.errors import BadInput
from harness.leaderboard.builders import Options, build
from harness.records import Item
from harness.table import Leaderboard, Row

VOTES = UpstreamFormat(
    "tally_votes", "tally vote JSONL", lambda record: "votes" in record and "model" in record
)


class Tally(Benchmark):
    """Upstream publishes one JSONL file of ``{model, votes}`` per judge; the board sums the votes."""

    spec = BenchmarkSpec(
        name="tally",
        description="test benchmark whose upstream publishes vote counts",
        versions=(VersionSpec("1", 1, "test", "alpaca_eval_weighted_gpt4_turbo", "win_rate"),),
        generation="",
    )
    upstream_formats = (VOTES,)

    def load_local(self, path: Path, version: VersionSpec) -> list[Item]:
        raise BadInput(str(path), "no items")

    def load_hub(self, version: VersionSpec) -> list[Item]:
        raise BadInput("tally", "no items")

    def sampling(self, item: Item) -> SamplingParams:
        return SamplingParams()

    def leaderboard(self, inputs: BoardInputs, opts: BoardOptions) -> Leaderboard:
        votes: dict[str, float] = {}
        for path in inputs.files(VOTES.name):
            for line in path.read_text(encoding="utf-8").splitlines():
                record = json.loads(line)
                votes[record["model"]] = votes.get(record["model"], 0.0) + float(record["votes"])
        rows = tuple(Row(model, value, None, None, 1, 0) for model, value in votes.items())
        return Leaderboard("tally", "votes", rows, interval="none")


@pytest.fixture
def tally(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(BENCHMARKS._items, "tally", Tally)


def _votes(path: Path, rows: list[dict[str, object]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_a_new_benchmark_builds_its_board_from_its_own_upstream_files(tally: None, tmp_path: Path) -> None:
    first = _votes(
        tmp_path / "judge_a" / "votes.jsonl", [{"model": "m1", "votes": 3}, {"model": "m2", "votes": 1}]
    )
    _votes(tmp_path / "judge_b" / "votes.jsonl", [{"model": "m2", "votes": 4}])
    board = build("tally", [tmp_path], Options())  # a directory: its files are found and detected
    assert [(r.model, r.score) for r in board.sorted_rows()] == [("m2", 5.0), ("m1", 3.0)]
    assert [(r.model, r.score) for r in build("tally", [first], Options()).sorted_rows()] == [
        ("m1", 3.0),
        ("m2", 1.0),
    ]


def test_another_benchmarks_file_is_refused_by_name(tally: None, tmp_path: Path, capsys) -> None:
    votes = _votes(tmp_path / "votes.jsonl", [{"model": "m1", "votes": 3}])
    assert main(["leaderboard", "arena_hard", "--from", str(votes)]) == 2
    assert "is tally_votes, which is not a arena_hard input" in capsys.readouterr().err
    games = _votes(tmp_path / "games.jsonl", [{"question_id": "q", "model": "m", "games": [None, None]}])
    assert main(["leaderboard", "tally", "--from", str(games)]) == 2
    assert "is arena_judgments, which is not a tally input" in capsys.readouterr().err
