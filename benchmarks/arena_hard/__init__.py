"""Arena-Hard-Auto v0.1 and v2.0: the adapter and everything else particular to it."""

from benchmarks.arena_hard.adapter import GENERATION, ArenaHard

__all__ = ["GENERATION", "ArenaHard"]
