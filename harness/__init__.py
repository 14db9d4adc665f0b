"""harness: one automatic LLM benchmark harness (AlpacaEval 2.0, Arena-Hard, MT-Bench, WildBench)."""

__version__ = "0.1.0"
