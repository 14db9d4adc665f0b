"""Benchmark adapters, one module each, registered by name (alpaca_eval, arena_hard, mt_bench, wildbench)."""
