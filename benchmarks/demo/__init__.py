"""The built-in demo benchmark (a handful of instructions shipped with the package)."""

from benchmarks.demo.adapter import BASELINE, DATA_FILE, Demo

__all__ = ["BASELINE", "DATA_FILE", "Demo"]
