"""AlpacaEval 2.0: the adapter (items, baseline, judge) and everything else particular to it."""

from benchmarks.alpaca_eval.adapter import BASELINE, AlpacaEval, alpaca_format_items, alpaca_format_outputs

__all__ = ["BASELINE", "AlpacaEval", "alpaca_format_items", "alpaca_format_outputs"]
