"""AlpacaEval 2.0: 805 single-turn instructions, compared against gpt4_1106_preview's outputs.

Source: the eval set and the reference outputs are one file, ``alpaca_eval_gpt4_baseline.json`` of the
Hugging Face dataset ``tatsu-lab/alpaca_eval`` (config ``alpaca_eval_gpt4_baseline``, split ``eval``),
pinned at revision 2edc6fad8be6b14ea7230aabfd08188da6b8b814; the same bytes (sha256 83db546b...) are
``results/gpt4_1106_preview/model_outputs.json`` in the GitHub repo (docs/benchmarks.md).

Item ids are the row positions "0".."804": AlpacaEval has no ids, it joins model and reference on the
instruction text, and the LC GLM looks instruction difficulty up by row position (docs/statistics.md),
so the position is the stable upstream key. The ``dataset`` tag (selfinstruct, oasst, koala,
helpful_base, vicuna) becomes the item's category.

Generation: upstream has no benchmark-wide setting; ``alpaca_eval evaluate_from_model`` decodes with
each model's own config (``src/alpaca_eval/models_configs/<model>/configs.yaml``). We therefore send
no sampling override and the endpoint's defaults apply.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from benchmarks._base import Benchmark, BenchmarkSpec, VersionSpec
from benchmarks._board import BoardInputs, BoardOptions
from benchmarks._hub import fetch_hf_file
from benchmarks.alpaca_eval import official
from benchmarks.alpaca_eval.formats import ANNOTATIONS, ANSWERS, load_alpaca_eval_outputs
from harness.client import SamplingParams
from harness.errors import BadInput
from harness.jsonrows import Row, field, read_rows
from harness.records import Item, Output
from harness.registry import Lazy
from harness.table import Leaderboard

HF_REPO = "tatsu-lab/alpaca_eval"
HF_REVISION = "2edc6fad8be6b14ea7230aabfd08188da6b8b814"
HF_FILE = "alpaca_eval_gpt4_baseline.json"
BASELINE = "gpt4_1106_preview"
# the leaderboard from upstream annotations needs the statistics stack: loaded when a board is built
BOARD = Lazy("benchmarks.alpaca_eval.board:leaderboard")


def alpaca_format_items(rows: list[Row], *, benchmark: str, version: str, where: str) -> list[Item]:
    """Items from rows of an AlpacaEval ``model_outputs.json``-style file whose outputs are the baseline.

    Every row needs ``instruction``, ``output`` and ``generator`` (the baseline's name, the same on
    every row); ``dataset`` is optional and becomes the category. Instructions must be unique because
    upstream pairs answers by instruction text.
    """
    items: list[Item] = []
    seen: dict[str, str] = {}
    generators: set[str] = set()
    for index, row in enumerate(rows):
        instruction = field(row, "instruction", str)
        if not instruction.strip():
            raise BadInput(row.where, "field 'instruction' is empty")
        output = field(row, "output", str)
        generator = field(row, "generator", str)
        generators.add(generator)
        if len(generators) > 1:
            raise BadInput(row.where, f"baseline file mixes generators: {', '.join(sorted(generators))}")
        if instruction in seen:
            raise BadInput(
                row.where, f"duplicate instruction (first at {seen[instruction]}): {instruction[:60]!r}"
            )
        seen[instruction] = row.where
        dataset = row.data.get("dataset")
        if dataset is not None and not isinstance(dataset, str):
            raise BadInput(row.where, f"field 'dataset' must be str, got {type(dataset).__name__}")
        items.append(
            Item(
                benchmark=benchmark,
                version=version,
                item_id=str(index),
                turns=[instruction],
                category=dataset,
                baselines={generator: [output]},
            )
        )
    if not items:
        raise BadInput(where, "no rows")
    return items


def alpaca_format_outputs(path: Path, items: list[Item]) -> list[Output]:
    """A ``model_outputs.json`` paired with ``items`` by instruction text (upstream's join key)."""
    return load_alpaca_eval_outputs(path, instruction_ids={item.turns[0]: item.item_id for item in items})


class AlpacaEval(Benchmark):
    spec = BenchmarkSpec(
        name="alpaca_eval",
        description="AlpacaEval 2.0: 805 instructions vs gpt4_1106_preview, length-controlled win rate",
        versions=(
            VersionSpec(
                name="2.0",
                n_items=805,
                source=f"hf:{HF_REPO}:alpaca_eval_gpt4_baseline@{HF_REVISION[:7]}",
                default_judge="alpaca_eval_weighted_gpt4_turbo",
                statistic="lc_win_rate",
                baselines=(BASELINE,),
            ),
        ),
        generation="the model's own defaults (upstream decodes with each model's config; no override)",
        audit="benchmarks.alpaca_eval.audit:AUDIT",
    )
    upstream_formats = (ANNOTATIONS,)
    answer_formats = (ANSWERS,)
    official_boards = official.BOARDS

    def leaderboard(self, inputs: BoardInputs, opts: BoardOptions) -> Leaderboard:
        build: Callable[[BoardInputs, BoardOptions], Leaderboard] = BOARD.load()
        return build(inputs, opts)

    def load_local(self, path: Path, version: VersionSpec) -> list[Item]:
        """A ``model_outputs.json``-style file, or a directory holding ``model_outputs.json``."""
        file = path / "model_outputs.json" if path.is_dir() else path
        if not file.is_file():
            raise BadInput(str(path), "expected a model_outputs.json-style file or a directory holding one")
        return alpaca_format_items(
            read_rows(file), benchmark=self.spec.name, version=version.name, where=str(file)
        )

    def load_hub(self, version: VersionSpec) -> list[Item]:
        file = fetch_hf_file(HF_REPO, HF_FILE, HF_REVISION)
        return alpaca_format_items(
            read_rows(file), benchmark=self.spec.name, version=version.name, where=str(file)
        )

    def load_outputs(self, path: Path, items: list[Item]) -> list[Output]:
        return alpaca_format_outputs(path, items)

    def sampling(self, item: Item) -> SamplingParams:
        return SamplingParams()
