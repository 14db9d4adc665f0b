"""MT-Bench: 80 two-turn questions in 8 categories x 10, graded 1-10 by a judge (FastChat ``llm_judge``).

Source: ``lm-sys/FastChat`` at commit 0e6d3e4beaab66f4d3f93db72541a4abab8af28d,
``fastchat/llm_judge/data/mt_bench/question.jsonl`` and ``reference_answer/gpt-4.jsonl`` (docs/benchmarks.md). The judge needs a reference answer for the ``NEED_REF_CATS`` (math,
reasoning, coding: ids 101-130); ``item.references`` holds exactly one entry for those items, keyed by the
reference file's ``model_id``.

Versions:
- ``original``: the GPT-4 references as shipped; 13 of them are wrong (FastChat PR #3158:
  ids in ``KNOWN_WRONG_REFERENCE_IDS``), flagged in ``metadata["reference_known_wrong"]``.
- ``corrected``: the references of that PR (``reference_answer/gpt-4-0125-preview.jsonl``, never merged
  to main, so there is no pinned upstream file): give the file with ``references=PATH`` or put it in the
  ``--data`` directory. It must cover all 30 reference questions.

Generation (``common.py temperature_config``, ``gen_api_answer.py``): temperature by category (writing,
roleplay 0.7; extraction, math, coding, reasoning 0.0; stem, humanities 0.1), max_tokens 1024; turn 2 is
asked with the model's own turn-1 answer in context.
"""

from __future__ import annotations

from pathlib import Path

from benchmarks._base import Benchmark, BenchmarkSpec, VersionSpec
from benchmarks._board import BoardInputs, BoardOptions
from benchmarks._hub import fetch_url, github_raw
from benchmarks.mt_bench import board
from benchmarks.mt_bench.upstream import ANSWERS, load_mt_bench_answers
from harness.client import SamplingParams
from harness.errors import BadInput
from harness.jsonrows import Row, field, read_rows, str_list
from harness.records import Item
from harness.table import Leaderboard

REPO = "lm-sys/FastChat"
COMMIT = "0e6d3e4beaab66f4d3f93db72541a4abab8af28d"
BASE = "fastchat/llm_judge/data/mt_bench"
ORIGINAL_REFERENCES = "gpt-4.jsonl"
CORRECTED_REFERENCES = "gpt-4-0125-preview.jsonl"

CATEGORY_TEMPERATURE = {
    "writing": 0.7,
    "roleplay": 0.7,
    "extraction": 0.0,
    "math": 0.0,
    "coding": 0.0,
    "reasoning": 0.0,
    "stem": 0.1,
    "humanities": 0.1,
}
MAX_TOKENS = 1024
NEED_REF_CATEGORIES = frozenset({"math", "reasoning", "coding"})
KNOWN_WRONG_REFERENCE_IDS = frozenset(
    {"104", "105", "109", "111", "113", "114", "120", "122", "124", "125", "126", "128", "130"}
)


def _question(row: Row, benchmark: str, version: str) -> Item:
    category = field(row, "category", str)
    if category not in CATEGORY_TEMPERATURE:
        raise BadInput(row.where, f"unknown category {category!r} (known: {', '.join(CATEGORY_TEMPERATURE)})")
    turns = str_list(row, "turns", min_len=2)
    if len(turns) != 2:
        raise BadInput(row.where, f"field 'turns' has {len(turns)} entries, MT-Bench questions have 2")
    human_reference = row.data.get("reference")
    return Item(
        benchmark=benchmark,
        version=version,
        item_id=field(row, "question_id", str),
        turns=turns,
        category=category,
        metadata={"human_reference": human_reference} if human_reference else {},
    )


def _attach_references(items: list[Item], file: Path, *, flag_known_wrong: bool) -> None:
    """Reference turns for every math/reasoning/coding item; a missing one is an error."""
    by_id = {ref.item_id: ref for ref in load_mt_bench_answers(file)}
    for item in items:
        if item.category not in NEED_REF_CATEGORIES:
            continue
        ref = by_id.get(item.item_id)
        if ref is None:
            raise BadInput(str(file), f"no reference answer for question {item.item_id} ({item.category})")
        if len(ref.turns) != len(item.turns):
            raise BadInput(
                str(file), f"reference for question {item.item_id} has {len(ref.turns)} turns, expected 2"
            )
        item.references = {ref.model: list(ref.turns)}
        if flag_known_wrong:
            item.metadata["reference_known_wrong"] = item.item_id in KNOWN_WRONG_REFERENCE_IDS


def _attach_model_answers(items: list[Item], folder: Path) -> None:
    """Every ``model_answer/<model>.jsonl`` beside the questions as a baseline a pairwise judge can compare
    against (FastChat ``--mode pairwise-baseline``, default ``gpt-3.5-turbo``): the model is the file's stem,
    as in FastChat's ``load_model_answers``. Answers to other questions (a ``--limit`` run) are ignored."""
    if not folder.is_dir():
        return
    by_id = {item.item_id: item for item in items}
    for file in sorted(folder.glob("*.jsonl")):
        for answer in load_mt_bench_answers(file):
            item = by_id.get(answer.item_id)
            if item is not None:
                item.baselines[file.stem] = list(answer.turns)


class MtBench(Benchmark):
    spec = BenchmarkSpec(
        name="mt_bench",
        description="MT-Bench: 80 two-turn questions, single-answer grading 1-10 (GPT-4 references for 30)",
        versions=(
            VersionSpec(
                name="original",
                n_items=80,
                source=f"github:{REPO}@{COMMIT[:7]}",
                default_judge="mt_bench_single",
                statistic="mt_bench_mean",
                notes="GPT-4 references as shipped (13 known wrong)",
            ),
            VersionSpec(
                name="corrected",
                n_items=80,
                source="local only: FastChat PR #3158 reference_answer/gpt-4-0125-preview.jsonl",
                default_judge="mt_bench_single",
                statistic="mt_bench_mean",
                notes="corrected references (pass the file with --data DIR or references=PATH)",
            ),
        ),
        generation="temperature by category (0.7 writing/roleplay, 0.0 extraction/math/coding/reasoning, "
        "0.1 stem/humanities), max_tokens 1024",
        audit="benchmarks.mt_bench.audit:AUDIT",
    )
    upstream_formats = board.FORMATS
    answer_formats = (ANSWERS,)
    unbuilt_boards = board.NOT_BUILT

    def leaderboard(self, inputs: BoardInputs, opts: BoardOptions) -> Leaderboard:
        return board.leaderboard(inputs, opts)

    def __init__(self) -> None:
        self._references: Path | None = None

    def load(
        self,
        data: Path | str | None = None,
        *,
        version: str | None = None,
        limit: int | None = None,
        check_count: bool = True,
        references: Path | str | None = None,
    ) -> list[Item]:
        """As :meth:`Benchmark.load`; ``references`` is a corrected reference file (implies ``corrected``)."""
        if references is not None:
            if version not in (None, "corrected"):
                raise BadInput(
                    "references", f"a reference file goes with version 'corrected', not {version!r}"
                )
            version = "corrected"
            self._references = Path(references)
        try:
            return super().load(data, version=version, limit=limit, check_count=check_count)
        finally:
            self._references = None

    def load_local(self, path: Path, version: VersionSpec) -> list[Item]:
        """``question.jsonl`` or a directory holding it, with ``reference_answer/`` beside it."""
        questions = path / "question.jsonl" if path.is_dir() else path
        if not questions.is_file():
            raise BadInput(str(path), "expected question.jsonl or a directory holding it")
        items = [_question(row, self.spec.name, version.name) for row in read_rows(questions)]
        name = ORIGINAL_REFERENCES if version.name == "original" else CORRECTED_REFERENCES
        refs = self._references or questions.parent / "reference_answer" / name
        if not refs.is_file():
            raise BadInput(str(refs), f"reference answers not found (needed for {version.name!r} references)")
        _attach_references(items, refs, flag_known_wrong=version.name == "original")
        _attach_model_answers(items, questions.parent / "model_answer")
        return items

    def load_hub(self, version: VersionSpec) -> list[Item]:
        if version.name == "corrected" and self._references is None:
            raise BadInput(
                "version",
                "the corrected references (FastChat PR #3158) have no pinned upstream file; "
                "pass --data DIR holding reference_answer/gpt-4-0125-preview.jsonl, or references=PATH",
            )
        questions = fetch_url(github_raw(REPO, COMMIT, f"{BASE}/question.jsonl"))
        items = [_question(row, self.spec.name, version.name) for row in read_rows(questions)]
        refs = self._references or fetch_url(
            github_raw(REPO, COMMIT, f"{BASE}/reference_answer/{ORIGINAL_REFERENCES}")
        )
        _attach_references(items, refs, flag_known_wrong=version.name == "original")
        return items

    def sampling(self, item: Item) -> SamplingParams:
        if item.category not in CATEGORY_TEMPERATURE:
            raise BadInput(f"item {item.item_id}", f"unknown MT-Bench category {item.category!r}")
        return SamplingParams(temperature=CATEGORY_TEMPERATURE[item.category], max_tokens=MAX_TOKENS)
