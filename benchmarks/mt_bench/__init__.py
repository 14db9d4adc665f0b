"""MT-Bench (FastChat llm_judge): the adapter and everything else particular to it."""

from benchmarks.mt_bench.adapter import (
    CATEGORY_TEMPERATURE,
    KNOWN_WRONG_REFERENCE_IDS,
    MAX_TOKENS,
    NEED_REF_CATEGORIES,
    MtBench,
)

__all__ = [
    "CATEGORY_TEMPERATURE",
    "KNOWN_WRONG_REFERENCE_IDS",
    "MAX_TOKENS",
    "NEED_REF_CATEGORIES",
    "MtBench",
]
