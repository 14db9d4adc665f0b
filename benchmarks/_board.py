"""What a benchmark tells ``harness leaderboard``: its upstream judgment layouts and how to build a board.

A benchmark whose upstream publishes judgments (annotation files, judgment JSONL, evaluation results)
declares each layout as an :class:`UpstreamFormat` (a name, a description for messages and a test on
the file's first record) and implements :meth:`benchmarks.Benchmark.leaderboard`, which turns the
upstream files, grouped by format, and the rows of our own run directories into a
:class:`~harness.table.Leaderboard`. The leaderboard package does the generic part (opening
directories, detecting each file's layout, scoring run directories, refusing a model twice) and never
names a benchmark.

The rows of run directories come as :class:`RunRows`, a function the leaderboard passes in: scoring a
run directory belongs to the scoring layer above the benchmarks, so a benchmark calls it rather than
importing it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from harness.table import Row


@dataclass(frozen=True)
class UpstreamFormat:
    """One upstream judgment layout: ``name`` (e.g. ``arena_judgments``), ``description`` (for the
    message that lists what was expected) and ``matches``, a test on the file's first JSON record."""

    name: str
    description: str
    matches: Callable[[Mapping[str, Any]], bool]


@dataclass(frozen=True)
class BoardOptions:
    """The ``harness leaderboard`` options a benchmark's board may read (``None``: its default)."""

    baseline: str | None = None
    version: str | None = None
    style_control: bool = False
    answers: tuple[Path, ...] = ()
    questions: Path | None = None
    difficulty: Path | None = None
    seed: int = 42
    upstream_compatible: bool = False


class RunRows(Protocol):
    def __call__(
        self, paths: Sequence[Path], headline_extras: tuple[str, ...] = ()
    ) -> tuple[str | None, list[Row]]:
        """Rows of run directories: each run's headline Score, the run's other Scores' values and
        ``headline_extras`` (keys of the headline's ``extra``) as extra columns, and the headline metric
        they share (None without runs; runs with different headline metrics are refused)."""
        ...


@dataclass(frozen=True)
class BoardInputs:
    """The inputs of one board: upstream files by format name (command-line order kept), our run
    directories, and the function that scores run directories into rows."""

    upstream: Mapping[str, list[Path]]
    run_dirs: list[Path]
    run_rows: RunRows

    def files(self, fmt: str) -> list[Path]:
        return list(self.upstream.get(fmt, []))
