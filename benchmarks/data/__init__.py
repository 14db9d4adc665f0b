"""Data files shipped with the benchmarks package (the built-in demo benchmark)."""
