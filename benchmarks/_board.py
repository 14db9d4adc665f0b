"""What a benchmark tells ``harness leaderboard``: its upstream judgment layouts and how to build a board.

A benchmark whose upstream publishes judgments (annotation files, judgment JSONL, evaluation results)
declares each layout as an :class:`UpstreamFormat` (a name, a description for messages and a test on
the file's first record) and implements :meth:`benchmarks.Benchmark.leaderboard`, which turns the
upstream files, grouped by format, and the rows of our own run directories into a
:class:`~harness.table.Leaderboard`. The leaderboard package does the generic part (opening
directories, detecting each file's layout, scoring run directories, refusing a model twice) and never
names a benchmark.

A benchmark may also pin the upstream files of its published boards (:class:`OfficialBoard`, built into
``results/`` by ``harness leaderboard --regenerate`` and checked by ``--check``): each names its inputs
as :class:`Source` (repository, commit, path, git blob id) and the function that builds the board from
their local copies.

The rows of run directories come as :class:`RunRows`, a function the leaderboard passes in: scoring a
run directory belongs to the scoring layer above the benchmarks, so a benchmark calls it rather than
importing it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from harness.table import Leaderboard, Row


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


@dataclass(frozen=True)
class Source:
    """One upstream file: ``repo`` (owner/name) at ``commit``, ``path`` inside it, its git blob id."""

    repo: str
    commit: str
    path: str
    blob: str

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    @property
    def label(self) -> str:
        return f"{self.repo}@{self.commit[:7]}:{self.path}"


@dataclass(frozen=True)
class OfficialBoard:
    """A published board rebuilt from pinned upstream files. ``inputs`` groups the sources by role (e.g.
    ``weights``, ``annotations``); ``builder`` gets the same roles with local paths. ``compare`` marks the
    board ``harness score --compare upstream`` ranks a run of ``benchmark`` in (of ``version``, or of any
    version when None)."""

    name: str
    benchmark: str
    title: str
    inputs: Mapping[str, tuple[Source, ...]]
    builder: Callable[[Mapping[str, list[Path]]], Leaderboard]
    compare: bool = False
    version: str | None = None

    @property
    def sources(self) -> tuple[Source, ...]:
        return tuple(s for group in self.inputs.values() for s in group)


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


def no_runs(paths: Sequence[Path], headline_extras: tuple[str, ...] = ()) -> tuple[str | None, list[Row]]:
    """The :class:`RunRows` of a board built from upstream files only (it is given no run directory)."""
    return None, []


def upstream_only(upstream: Mapping[str, list[Path]]) -> BoardInputs:
    """The inputs of a board built from upstream files only (an :class:`OfficialBoard`)."""
    return BoardInputs(upstream, [], no_runs)
