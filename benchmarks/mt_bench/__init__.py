"""MT-Bench (FastChat llm_judge): the adapter and its statistic (mean rating over both turns)."""

from benchmarks.mt_bench.adapter import (
    CATEGORY_TEMPERATURE,
    KNOWN_WRONG_REFERENCE_IDS,
    MAX_TOKENS,
    NEED_REF_CATEGORIES,
    MtBench,
)
from harness.run.registry import STATISTICS

BENCHMARK = MtBench
STATISTICS.add("mt_bench_mean", "benchmarks.mt_bench.statistic:MT_BENCH_MEAN")

__all__ = [
    "BENCHMARK",
    "CATEGORY_TEMPERATURE",
    "KNOWN_WRONG_REFERENCE_IDS",
    "MAX_TOKENS",
    "NEED_REF_CATEGORIES",
    "MtBench",
]
