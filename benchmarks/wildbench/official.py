"""WildBench's published WB-Score board, rebuilt from upstream ``eval_results`` files pinned by commit and
git blob id."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from benchmarks._board import BoardOptions, OfficialBoard, Source, upstream_only
from benchmarks.wildbench import board
from harness.table import Leaderboard

WILD_REPO, WILD_COMMIT = "allenai/WildBench", "d6b8dcaf377d173d031980f97c16e1a82618c03d"
WILDBENCH_SCORES = tuple(
    Source(WILD_REPO, WILD_COMMIT, f"eval_results/v2.0625/score.v2/eval=gpt-4o-2024-05-13/{model}.json", blob)
    for model, blob in (
        ("gemma-2b-it", "1333589ec8f63af7f9c93d9a3964191263ea38ab"),
        ("gpt-3.5-turbo-0125", "a69e1269e4730e8d92973f8a1c81c45a96e5dec0"),
        ("reka-core-20240501", "b6115e5308ab76bdb0f9140eb6db3ddd9ace36da"),
    )
)


def _wildbench(paths: Mapping[str, list[Path]]) -> Leaderboard:
    return board.leaderboard(upstream_only({board.SCORES.name: paths["judgments"]}), BoardOptions())


BOARDS = (
    OfficialBoard(
        "wildbench",
        "wildbench",
        "WildBench v2 WB-Score (judge gpt-4o-2024-05-13)",
        {"judgments": WILDBENCH_SCORES},
        _wildbench,
        compare=True,
    ),
)
