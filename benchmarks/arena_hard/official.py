"""Arena-Hard's published boards (v0.1 and v2.0 hard prompts, plain and style-controlled), rebuilt from
upstream judgment and answer files pinned by commit and git blob id."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from benchmarks._board import BoardOptions, OfficialBoard, Source, upstream_only
from benchmarks.arena_hard import board
from harness.table import Leaderboard

ARENA_REPO, ARENA_COMMIT = "lmarena/arena-hard-auto", "196f6b826783b3da7310e361a805fa36f0be83f3"
# a fork that keeps the v0.1 answers in their original layout, with the style metadata (conv_metadata)
ARENA_LEGACY_REPO, ARENA_LEGACY_COMMIT = (
    "meltemi-ai/arena-hard-auto-english",
    "74d985fed4eed51b2dca4dcb37a5753567b43dea",
)


def _arena(version: str, baseline: str, style: bool) -> Callable[[Mapping[str, list[Path]]], Leaderboard]:
    def builder(paths: Mapping[str, list[Path]]) -> Leaderboard:
        opts = BoardOptions(
            version=version, baseline=baseline, style_control=style, answers=tuple(paths["answers"])
        )
        return board.leaderboard(upstream_only({board.JUDGMENTS.name: paths["judgments"]}), opts)

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

V01_INPUTS = {"judgments": ARENA_V01_JUDGMENTS, "answers": ARENA_V01_ANSWERS}
V2_INPUTS = {"judgments": ARENA_V2_JUDGMENTS, "answers": ARENA_V2_ANSWERS}

BOARDS = (
    *(
        OfficialBoard(
            name,
            "arena_hard",
            title,
            inputs,
            _arena(version, baseline, style),
            compare=name == "arena_hard_v0.1",
            version=version,
        )
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
)
NOT_BUILT: dict[str, str] = {
    "arena_hard_v2.0 creative writing": (
        "its baseline answers (gemini-2.0-flash-001) are in lmarena/arena-hard-auto@196f6b8 but the official "
        "creative-writing board pools two judges (gpt-4.1 and gemini-2.5); the boards here are the hard-prompt "
        "category with the gpt-4.1 judge"
    ),
}
