"""WildBench v2: the adapter and everything else particular to it."""

from benchmarks.wildbench.adapter import BASELINES, GENERATION, WildBench

__all__ = ["BASELINES", "GENERATION", "WildBench"]
