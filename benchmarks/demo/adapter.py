"""``demo``: a small built-in benchmark (21 short instructions) for running the whole pipeline offline.

The instructions and reference outputs in ``benchmarks/demo/demo.json`` were written for this project
(no upstream text). They are in the AlpacaEval ``model_outputs.json`` format, one of writing, coding,
math, advice, facts, reasoning or summarization each, short and answerable so that
``harness score --benchmark demo --model local --judge local`` finishes in minutes on SmolLM2-135M.
It is judged like AlpacaEval (pairwise against the reference outputs) but scored by the plain win
rate: the LC GLM's instruction-difficulty terms exist only for AlpacaEval's 805 instructions.

Generation: temperature 0 and at most 256 new tokens, so a CPU run stays short and repeatable.
"""

from __future__ import annotations

from pathlib import Path

from benchmarks._base import Benchmark, BenchmarkSpec, VersionSpec
from benchmarks._board import BoardInputs, BoardOptions
from benchmarks.alpaca_eval.adapter import alpaca_format_items, alpaca_format_outputs
from harness.client import SamplingParams
from harness.errors import BadInput
from harness.jsonrows import read_rows
from harness.records import Item, Output
from harness.table import Leaderboard

DATA_FILE = Path(__file__).parent / "demo.json"
BASELINE = "demo_reference"
GENERATION = SamplingParams(temperature=0.0, max_tokens=256)


class Demo(Benchmark):
    spec = BenchmarkSpec(
        name="demo",
        description="built-in offline demo: 21 short instructions (AlpacaEval format) vs written references",
        versions=(
            VersionSpec(
                name="1",
                n_items=21,
                source="builtin:benchmarks/demo/demo.json",
                default_judge="alpaca_eval_weighted_gpt4_turbo",
                statistic="win_rate",
                baselines=(BASELINE,),
            ),
        ),
        generation="temperature 0, max_tokens 256",
    )

    def leaderboard(self, inputs: BoardInputs, opts: BoardOptions) -> Leaderboard:
        """Only our own runs (``harness score --benchmark demo``) exist: their headline and discrete win rate."""
        metric, rows = inputs.run_rows(inputs.run_dirs)
        return Leaderboard(
            "demo",
            metric or "win_rate",
            tuple(rows),
            ("discrete_win_rate",),
            "95% item-level bootstrap percentile",
        )

    def load_local(self, path: Path, version: VersionSpec) -> list[Item]:
        file = path / "demo.json" if path.is_dir() else path
        if not file.is_file():
            raise BadInput(str(path), "expected a demo.json-style file or a directory holding demo.json")
        return alpaca_format_items(
            read_rows(file), benchmark=self.spec.name, version=version.name, where=str(file)
        )

    def load_hub(self, version: VersionSpec) -> list[Item]:
        """The built-in file (no network: this benchmark ships with the package)."""
        return self.load_local(DATA_FILE, version)

    def load_outputs(self, path: Path, items: list[Item]) -> list[Output]:
        return alpaca_format_outputs(path, items)

    def sampling(self, item: Item) -> SamplingParams:
        return GENERATION
