"""AlpacaEval 2.0: the adapter (items, baseline, judge) and its statistic (the length-controlled win rate)."""

from benchmarks.alpaca_eval.adapter import BASELINE, AlpacaEval, alpaca_format_items, alpaca_format_outputs
from harness.run.registry import STATISTICS

BENCHMARK = AlpacaEval
STATISTICS.add("lc_win_rate", "benchmarks.alpaca_eval.statistic:LC_WIN_RATE")

__all__ = ["BASELINE", "BENCHMARK", "AlpacaEval", "alpaca_format_items", "alpaca_format_outputs"]
