"""The official leaderboards committed under ``results/``: every benchmark's pinned published boards.

Each benchmark declares its boards (``Benchmark.official_boards``: :class:`~benchmarks.OfficialBoard`, whose
inputs are :class:`~benchmarks.Source` files pinned by repository, commit, path and git blob id, and a
builder that turns their local copies into a :class:`~harness.table.Leaderboard` with the same
statistics ``harness score`` uses), and the published boards it does not rebuild with the reason
(``Benchmark.unbuilt_boards``), so the index says what is missing instead of leaving it out. This module
gathers them from the benchmark registry, in registry order.
"""

from __future__ import annotations

from collections.abc import Sequence

from benchmarks import BENCHMARKS, OfficialBoard
from harness.errors import BadInput


def all_boards() -> tuple[OfficialBoard, ...]:
    """Every registered benchmark's official boards."""
    return tuple(board for name in BENCHMARKS for board in BENCHMARKS.get(name).official_boards)


def not_built() -> dict[str, str]:
    """Published boards that are not rebuilt here, with the reason."""
    return {key: why for name in BENCHMARKS for key, why in BENCHMARKS.get(name).unbuilt_boards.items()}


def boards(only: Sequence[str] = ()) -> list[OfficialBoard]:
    """The boards named in ``only`` (a board name or a benchmark name), all of them when empty."""
    every = all_boards()
    known = {b.name for b in every} | {b.benchmark for b in every}
    missing = not_built()
    for name in only:
        if name not in known:
            hint = f" ({missing[name].split(';')[0]})" if name in missing else ""
            raise BadInput("--only", f"no committed board {name!r}{hint}; known: {', '.join(sorted(known))}")
    return [b for b in every if not only or b.name in only or b.benchmark in only]
