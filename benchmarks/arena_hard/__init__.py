"""Arena-Hard-Auto v0.1 and v2.0: the adapter and its statistic (Bradley-Terry / mean outcome)."""

from benchmarks.arena_hard.adapter import GENERATION, ArenaHard
from harness.run.registry import STATISTICS

BENCHMARK = ArenaHard
STATISTICS.add("bradley_terry", "benchmarks.arena_hard.statistic:BRADLEY_TERRY")

__all__ = ["BENCHMARK", "GENERATION", "ArenaHard"]
