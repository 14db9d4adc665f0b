"""Benchmark adapters, one module each, registered by name (alpaca_eval, arena_hard, mt_bench, wildbench, demo).

Usage::

    from benchmarks import get_benchmark
    bench = get_benchmark("arena_hard")
    items = bench.load("arena-hard-auto/data/arena-hard-v0.1", version="v0.1")

Importing this package imports every adapter (cheap: ``datasets`` is imported only when a hub source
is read), which is what registers them.
"""

from benchmarks import alpaca_eval, arena_hard, demo, mt_bench, wildbench  # noqa: F401  (registration)
from benchmarks._base import Benchmark, BenchmarkSpec, VersionSpec, pair_outputs, validate_items
from benchmarks._registry import BENCHMARKS, benchmark_names, get_benchmark, register_benchmark

__all__ = [
    "BENCHMARKS",
    "Benchmark",
    "BenchmarkSpec",
    "VersionSpec",
    "benchmark_names",
    "get_benchmark",
    "pair_outputs",
    "register_benchmark",
    "validate_items",
]
