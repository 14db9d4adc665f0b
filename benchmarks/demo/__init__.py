"""The built-in demo benchmark (21 instructions shipped in ``demo.json``), scored by the plain win rate."""

from benchmarks.demo.adapter import BASELINE, DATA_FILE, Demo

BENCHMARK = Demo

__all__ = ["BASELINE", "BENCHMARK", "DATA_FILE", "Demo"]
