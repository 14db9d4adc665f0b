"""AlpacaEval 2.0's published board, rebuilt from upstream files pinned by commit and git blob id.

LC for every model of upstream's committed GLM weights (:mod:`benchmarks.alpaca_eval.coefficients`), with
the win rate and counts where annotation files are among the inputs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from benchmarks._board import OfficialBoard, Source
from harness.registry import Lazy
from harness.table import Leaderboard

ALPACA_REPO, ALPACA_COMMIT = "tatsu-lab/alpaca_eval", "cd543a149df89434d8a54582c0151c0b945c3d20"


def _alpaca(path: str, blob: str) -> Source:
    return Source(ALPACA_REPO, ALPACA_COMMIT, path, blob)


ALPACA_ANNOTATIONS = {
    "FuseChat-Gemma-2-9B-Instruct": "5c6e8c580d3a71035177ed5d27b78611d1efb4f3",
    "claude-2.1": "695c1dc9d0ef4bfeed2015f24da50678347af014",
    "falcon-7b-instruct": "e9f15a71e8b88ff87fd62f78c0b77da2448b21c0",
    "gpt-3.5-turbo-1106": "162f2a408aeb194757559a401373eb92509d39fb",
    "gpt4_1106_preview": "50f0cccbbe584b9dd3eae91079c2c6aab1864129",
    "gpt4_gamed": "ca38a736e456dd3bfc30afa03652a4b424be6109",
}
# vicuna-7b-v1.5's annotations in upstream's nested directory also store each row's GLM prediction
VICUNA_GLM = _alpaca(
    "results/vicuna-7b-v1.5/weighted_alpaca_eval_gpt4_turbo/weighted_alpaca_eval_gpt4_turbo/annotations.json",
    "4a7485421ee2628b0ccfb4f675714cd928667947",
)
GAMMA_MODEL = "vicuna-7b-v1.5"
# the board's builder reads the statistics stack: loaded when a board is built, not when it is listed
COEFFICIENT_BOARD = Lazy("benchmarks.alpaca_eval.coefficients:coefficient_board")


def alpaca_eval_board(paths: Mapping[str, list[Path]]) -> Leaderboard:
    """LC for every model of the committed GLM weights (γ recovered from upstream annotations, the row
    count of each fit from the upstream leaderboard CSV), WR and counts where annotations exist."""
    build: Callable[..., Leaderboard] = COEFFICIENT_BOARD.load()
    return build(
        weights=paths["weights"][0],
        leaderboard=paths["leaderboard"][0],
        gamma_annotations=paths["gamma"][0],
        gamma_model=GAMMA_MODEL,
        annotations=paths["annotations"] + paths["gamma"],
    )


BOARDS = (
    OfficialBoard(
        "alpaca_eval",
        "alpaca_eval",
        "AlpacaEval 2.0 (judge weighted_alpaca_eval_gpt4_turbo, baseline gpt4_1106_preview)",
        {
            "weights": (
                _alpaca(
                    "src/alpaca_eval/metrics/weights/weighted_alpaca_eval_gpt4_turbo/length_controlled_v1/"
                    "baseline_gpt4_1106_preview.csv",
                    "a6c7fa7707ee5f5dc7925ee4aad80ccaaaa2ac91",
                ),
            ),
            "leaderboard": (
                _alpaca(
                    "src/alpaca_eval/leaderboards/data_AlpacaEval_2/weighted_alpaca_eval_gpt4_turbo_leaderboard.csv",
                    "223dc09846025a4d06575ef6bcea529acf2df143",
                ),
            ),
            "gamma": (VICUNA_GLM,),
            "annotations": tuple(
                _alpaca(f"results/{model}/weighted_alpaca_eval_gpt4_turbo/annotations.json", blob)
                for model, blob in ALPACA_ANNOTATIONS.items()
            ),
        },
        alpaca_eval_board,
        compare=True,
    ),
)
