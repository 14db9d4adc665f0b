"""The official leaderboards committed under ``results/``: which upstream files each one is rebuilt from.

Each :class:`Board` pins its inputs (:class:`~harness.leaderboard.sources.Source`: repository, commit,
path, git blob id) and a builder that turns the resolved local paths into a
:class:`~harness.table.Leaderboard` with the same statistics ``harness score`` uses. Boards
whose upstream judgments are published only on the Hugging Face hub without a pinned revision are listed
in :data:`NOT_BUILT` with the reason, so the index says what is missing instead of leaving it out.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from harness.errors import BadInput
from harness.leaderboard.alpaca_coefficients import coefficient_board
from harness.leaderboard.builders import Options, build
from harness.leaderboard.sources import Source
from harness.table import Leaderboard

ALPACA_REPO, ALPACA_COMMIT = "tatsu-lab/alpaca_eval", "cd543a149df89434d8a54582c0151c0b945c3d20"
ARENA_REPO, ARENA_COMMIT = "lmarena/arena-hard-auto", "196f6b826783b3da7310e361a805fa36f0be83f3"
# a fork that keeps the v0.1 answers in their original layout, with the style metadata (conv_metadata)
ARENA_LEGACY_REPO, ARENA_LEGACY_COMMIT = (
    "meltemi-ai/arena-hard-auto-english",
    "74d985fed4eed51b2dca4dcb37a5753567b43dea",
)
WILD_REPO, WILD_COMMIT = "allenai/WildBench", "d6b8dcaf377d173d031980f97c16e1a82618c03d"

BoardBuilder = Callable[[dict[str, list[Path]]], Leaderboard]


@dataclass(frozen=True)
class Board:
    """``inputs`` groups sources by role (e.g. ``weights``, ``annotations``); the builder gets the same
    roles with local paths."""

    name: str
    benchmark: str
    title: str
    inputs: dict[str, tuple[Source, ...]]
    builder: BoardBuilder

    @property
    def sources(self) -> tuple[Source, ...]:
        return tuple(s for group in self.inputs.values() for s in group)


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


def alpaca_eval_board(paths: dict[str, list[Path]]) -> Leaderboard:
    """LC for every model of the committed GLM weights (γ recovered from upstream annotations, the row
    count of each fit from the upstream leaderboard CSV), WR and counts where annotations exist."""
    return coefficient_board(
        weights=paths["weights"][0],
        leaderboard=paths["leaderboard"][0],
        gamma_annotations=paths["gamma"][0],
        gamma_model=GAMMA_MODEL,
        annotations=paths["annotations"] + paths["gamma"],
    )


def _wildbench(paths: dict[str, list[Path]]) -> Leaderboard:
    return build("wildbench", paths["judgments"], Options())


def _arena(version: str, baseline: str, style: bool) -> BoardBuilder:
    def builder(paths: dict[str, list[Path]]) -> Leaderboard:
        opts = Options(
            version=version, baseline=baseline, style_control=style, answers=tuple(paths["answers"])
        )
        return build("arena_hard", paths["judgments"], opts)

    return builder


def _arena_file(path: str, blob: str, legacy: bool = False) -> Source:
    if legacy:
        return Source(ARENA_LEGACY_REPO, ARENA_LEGACY_COMMIT, path, blob)
    return Source(ARENA_REPO, ARENA_COMMIT, path, blob)


ARENA_V01_JUDGMENTS = (
    _arena_file(
        "data/arena-hard-v0.1/model_judgment/gpt-4-1106-preview/gpt-4-0613.jsonl",
        "f4c63cbea854f31da4e48699f5646742d0a1bece",
    ),
    _arena_file(
        "data/arena-hard-v0.1/model_judgment/gpt-4-1106-preview/gpt-3.5-turbo-0125.jsonl",
        "f4b441506b561ef34fc76fe785fc01ede79c100b",
    ),
)
ARENA_V01_ANSWERS = tuple(
    _arena_file(f"data/arena-hard-v0.1/model_answer/{model}.jsonl", blob, legacy=True)
    for model, blob in (
        ("gpt-4-0314", "e14a15f164430e87b5dd1e20ccbf58fec06e834e"),
        ("gpt-4-0613", "6c2298b4214bab65796296ab80a05eff15efe320"),
        ("gpt-3.5-turbo-0125", "ca0db18ec3d6944be697b4be90672163800021ed"),
    )
)
V2_BASELINE = "o3-mini-2025-01-31"  # hard prompts' baseline (creative writing: gemini-2.0-flash-001)
ARENA_V2_JUDGMENTS = tuple(
    _arena_file(f"data/arena-hard-v2.0/model_judgment/gpt-4.1/{model}.jsonl", blob)
    for model, blob in (
        ("deepseek-r1", "c0144e54454034e1447fd9e83bc3144282f61d89"),
        ("qwq-32b", "a370aa1bafb6a7ac8c81788b75fa8000181da769"),
    )
)
ARENA_V2_ANSWERS = tuple(
    _arena_file(f"data/arena-hard-v2.0/model_answer/{model}.jsonl", blob)
    for model, blob in (
        (V2_BASELINE, "8a62dff8a43ac57306dcfd5725d687950c50551b"),
        ("deepseek-r1", "1b0306c44b7c500d0c9d0cbd2fa05cabae463f7f"),
        ("qwq-32b", "c2aed9f98a74560a1a5e85c4cbd6224965cea49c"),
    )
)
WILDBENCH_SCORES = tuple(
    Source(WILD_REPO, WILD_COMMIT, f"eval_results/v2.0625/score.v2/eval=gpt-4o-2024-05-13/{model}.json", blob)
    for model, blob in (
        ("gemma-2b-it", "1333589ec8f63af7f9c93d9a3964191263ea38ab"),
        ("gpt-3.5-turbo-0125", "a69e1269e4730e8d92973f8a1c81c45a96e5dec0"),
        ("reka-core-20240501", "b6115e5308ab76bdb0f9140eb6db3ddd9ace36da"),
    )
)

V01_INPUTS = {"judgments": ARENA_V01_JUDGMENTS, "answers": ARENA_V01_ANSWERS}
V2_INPUTS = {"judgments": ARENA_V2_JUDGMENTS, "answers": ARENA_V2_ANSWERS}

BOARDS: tuple[Board, ...] = (
    Board(
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
    ),
    *(
        Board(name, "arena_hard", title, inputs, _arena(version, baseline, style))
        for name, title, inputs, version, baseline, style in (
            (
                "arena_hard_v0.1",
                "Arena-Hard v0.1 (judge gpt-4-1106-preview, baseline gpt-4-0314)",
                V01_INPUTS,
                "v0.1",
                "gpt-4-0314",
                False,
            ),
            (
                "arena_hard_v0.1_style",
                "Arena-Hard v0.1, style-controlled (length and markdown)",
                V01_INPUTS,
                "v0.1",
                "gpt-4-0314",
                True,
            ),
            (
                "arena_hard_v2.0",
                f"Arena-Hard v2.0 hard prompts (judge gpt-4.1, baseline {V2_BASELINE})",
                V2_INPUTS,
                "v2.0",
                V2_BASELINE,
                False,
            ),
            (
                "arena_hard_v2.0_style",
                "Arena-Hard v2.0 hard prompts, style-controlled",
                V2_INPUTS,
                "v2.0",
                V2_BASELINE,
                True,
            ),
        )  # fmt: skip
    ),
    Board(
        "wildbench",
        "wildbench",
        "WildBench v2 WB-Score (judge gpt-4o-2024-05-13)",
        {"judgments": WILDBENCH_SCORES},
        _wildbench,
    ),
)

NOT_BUILT: dict[str, str] = {
    "arena_hard_v2.0 creative writing": (
        "its baseline answers (gemini-2.0-flash-001) are in lmarena/arena-hard-auto@196f6b8 but the official "
        "creative-writing board pools two judges (gpt-4.1 and gemini-2.5); the boards here are the hard-prompt "
        "category with the gpt-4.1 judge"
    ),
    "mt_bench": (
        "the GPT-4 judgments (gpt-4_single.jsonl, gpt-4_pair.jsonl) are published only in the Hugging Face "
        "space lmsys/mt-bench, with no pinned revision to rebuild from. Build a board from a copy with "
        "`harness leaderboard mt_bench --from gpt-4_single.jsonl --questions question.jsonl`"
    ),
}


def boards(only: Sequence[str] = ()) -> list[Board]:
    """The boards named in ``only`` (a board name or a benchmark name), all of them when empty."""

    known = {b.name for b in BOARDS} | {b.benchmark for b in BOARDS}
    for name in only:
        if name not in known:
            hint = f" ({NOT_BUILT[name].split(';')[0]})" if name in NOT_BUILT else ""
            raise BadInput("--only", f"no committed board {name!r}{hint}; known: {', '.join(sorted(known))}")
    return [b for b in BOARDS if not only or b.name in only or b.benchmark in only]
