"""Benchmarks, one package each (alpaca_eval, arena_hard, mt_bench, wildbench, demo), registered by name.

Usage::

    from benchmarks import get_benchmark
    bench = get_benchmark("arena_hard")
    items = bench.load("arena-hard-auto/data/arena-hard-v0.1", version="v0.1")

A package ``benchmarks/<name>/`` owns everything particular to its benchmark: the adapter (items,
versions, sampling, default judge, baselines), the readers of its upstream files (``upstream``), its
leaderboard from them (``board``) and its statistic. Packages are imported when their
benchmark is first asked for; benchmarks of other installed packages come in through the
``harness.benchmarks`` entry-point group (``benchmarks._registry``).
"""

from benchmarks._base import Benchmark, BenchmarkSpec, VersionSpec, pair_outputs, validate_items
from benchmarks._board import BoardInputs, BoardOptions, OfficialBoard, RunRows, Source, UpstreamFormat
from benchmarks._registry import (
    BENCHMARKS,
    VARIANTS,
    answer_format_of,
    answer_formats,
    benchmark_names,
    get_benchmark,
    load_answers,
    register_benchmark,
)

__all__ = [
    "BENCHMARKS",
    "VARIANTS",
    "Benchmark",
    "BenchmarkSpec",
    "BoardInputs",
    "BoardOptions",
    "OfficialBoard",
    "RunRows",
    "Source",
    "UpstreamFormat",
    "VersionSpec",
    "answer_format_of",
    "answer_formats",
    "benchmark_names",
    "get_benchmark",
    "load_answers",
    "pair_outputs",
    "register_benchmark",
    "validate_items",
]
