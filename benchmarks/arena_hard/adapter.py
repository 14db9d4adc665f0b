"""Arena-Hard-Auto: v0.1 (500 prompts, 250 clusters x 2, baseline gpt-4-0314) and v2.0 (750 prompts).

Source: ``lmarena/arena-hard-auto`` at commit 196f6b826783b3da7310e361a805fa36f0be83f3 (the files in
docs/benchmarks.md). The questions are not on the Hub
at a known revision, so the pinned GitHub files are the source.

Question layouts, both accepted: the current ``{uid, category, cluster|subcategory, prompt}`` and the
legacy v0.1 ``{question_id, category, cluster, turns:[{content}]}``; ``uid == question_id``.
Baselines (``utils/judge_utils.py`` at that commit): v0.1 gpt-4-0314; v2.0 ``hard_prompt`` ->
o3-mini-2025-01-31, ``creative_writing`` -> gemini-2.0-flash-001. Baseline answers are read from
``model_answer/<model>.jsonl`` beside the questions when present (legacy or v2 answer records).

Generation (``config/gen_answer_config.yaml``): temperature 0.0, max_tokens 4096, one choice.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benchmarks._base import Benchmark, BenchmarkSpec, VersionSpec
from benchmarks._board import BoardInputs, BoardOptions
from benchmarks._hub import fetch_url, github_raw
from benchmarks.arena_hard import board, official
from benchmarks.arena_hard.upstream import ANSWERS, load_arena_hard_answers
from harness.client import SamplingParams
from harness.errors import BadInput
from harness.jsonrows import Row, field, read_rows
from harness.records import Item, Output
from harness.table import Leaderboard

REPO = "lmarena/arena-hard-auto"
COMMIT = "196f6b826783b3da7310e361a805fa36f0be83f3"
_DIRS = {"v0.1": "data/arena-hard-v0.1", "v2.0": "data/arena-hard-v2.0"}
V2_BASELINE_BY_CATEGORY = {"hard_prompt": "o3-mini-2025-01-31", "creative_writing": "gemini-2.0-flash-001"}
GENERATION = SamplingParams(temperature=0.0, max_tokens=4096)


def _question(row: Row, benchmark: str, version: str) -> Item:
    """One question in either layout, checked against what its version allows."""
    if "uid" in row.data:
        item_id = field(row, "uid", str)
        prompt = field(row, "prompt", str)
    else:
        item_id = field(row, "question_id", str)
        turns = field(row, "turns", list)
        if len(turns) != 1 or not isinstance(turns[0], dict) or not isinstance(turns[0].get("content"), str):
            raise BadInput(row.where, "field 'turns' must be one object with a string 'content'")
        prompt = turns[0]["content"]
    category = field(row, "category", str)
    if version == "v0.1":
        if category != "arena-hard-v0.1":
            raise BadInput(row.where, f"category {category!r} is not a v0.1 question ('arena-hard-v0.1')")
        extra: dict[str, Any] = {"cluster": field(row, "cluster", str)}
    elif category not in V2_BASELINE_BY_CATEGORY:
        known = ", ".join(V2_BASELINE_BY_CATEGORY)
        raise BadInput(row.where, f"category {category!r} is not a v2.0 category ({known})")
    else:
        extra = {"metadata": {"subcategory": field(row, "subcategory", str)}}
    return Item(
        benchmark=benchmark,
        version=version,
        item_id=item_id,
        turns=[prompt],
        category=category,
        **extra,
    )


class ArenaHard(Benchmark):
    spec = BenchmarkSpec(
        name="arena_hard",
        description="Arena-Hard-Auto: hard Chatbot Arena prompts, pairwise vs a baseline, Bradley-Terry score",
        versions=(
            VersionSpec(
                name="v0.1",
                n_items=500,
                source=f"github:{REPO}@{COMMIT[:7]}",
                default_judge="arena_hard_v0.1",
                statistic="bradley_terry",
                baselines=("gpt-4-0314",),
            ),
            VersionSpec(
                name="v2.0",
                n_items=750,
                source=f"github:{REPO}@{COMMIT[:7]}",
                default_judge="arena_hard_v2",
                statistic="bradley_terry",
                baselines=tuple(V2_BASELINE_BY_CATEGORY.values()),
                notes="baseline by category: hard_prompt -> o3-mini, creative_writing -> gemini-2.0-flash",
            ),
        ),
        generation="temperature 0, max_tokens 4096",
        audit="benchmarks.arena_hard.audit:AUDIT",
    )
    upstream_formats = board.FORMATS
    answer_formats = (ANSWERS,)
    official_boards = official.BOARDS
    unbuilt_boards = official.NOT_BUILT

    def leaderboard(self, inputs: BoardInputs, opts: BoardOptions) -> Leaderboard:
        return board.leaderboard(inputs, opts)

    def load_local(self, path: Path, version: VersionSpec) -> list[Item]:
        """``question.jsonl`` (either layout), or a directory holding it; baselines from ``model_answer/``."""
        questions = path / "question.jsonl" if path.is_dir() else path
        if not questions.is_file():
            raise BadInput(str(path), "expected question.jsonl or a directory holding it")
        items = [_question(row, self.spec.name, version.name) for row in read_rows(questions)]
        answers_dir = questions.parent / "model_answer"
        for model in version.baselines:
            file = answers_dir / f"{model}.jsonl"
            if file.is_file():
                self._attach_baseline(items, model, load_arena_hard_answers(file), str(file))
        return items

    def load_hub(self, version: VersionSpec) -> list[Item]:
        base = _DIRS[version.name]
        questions = fetch_url(github_raw(REPO, COMMIT, f"{base}/question.jsonl"))
        items = [_question(row, self.spec.name, version.name) for row in read_rows(questions)]
        for model in version.baselines:
            file = fetch_url(github_raw(REPO, COMMIT, f"{base}/model_answer/{model}.jsonl"))
            self._attach_baseline(items, model, load_arena_hard_answers(file), str(file))
        return items

    def _attach_baseline(self, items: list[Item], model: str, answers: list[Output], where: str) -> None:
        """Give each item that uses ``model`` as baseline its answer; every such item must have one."""
        if answers and answers[0].model != model:
            raise BadInput(where, f"file holds answers of {answers[0].model!r}, expected {model!r}")
        by_id = {a.item_id: a for a in answers}  # extra answers are fine: a question file may be a subset
        for item in items:
            if model not in self.baselines_for(item):
                continue
            if item.item_id not in by_id:
                raise BadInput(where, f"no {model} answer for question {item.item_id!r}")
            item.baselines[model] = list(by_id[item.item_id].turns)

    def baselines_for(self, item: Item) -> tuple[str, ...]:
        if item.version == "v2.0" and item.category in V2_BASELINE_BY_CATEGORY:
            return (V2_BASELINE_BY_CATEGORY[item.category],)
        return super().baselines_for(item)

    def sampling(self, item: Item) -> SamplingParams:
        return GENERATION
