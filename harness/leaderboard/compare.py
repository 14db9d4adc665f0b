"""Where a run's headline would rank inside a published board (``harness score --compare upstream``).

``upstream`` means the board regenerated under ``results/`` for the run's benchmark and version (see
:mod:`harness.leaderboard.official`); a path names any leaderboard CSV this project wrote. The run must be
scored on the board's headline metric, or the rank would compare different things. A run judged by
another judge than the board's is still ranked: read that rank as indicative only.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

from harness.errors import BadInput
from harness.leaderboard.official import all_boards

RESULTS = Path(__file__).resolve().parents[2] / "results"  # a checkout's committed boards


@dataclass(frozen=True)
class Board:
    path: Path
    metric: str
    scores: tuple[tuple[str, float], ...]  # (model, headline), rows with a number only


@dataclass(frozen=True)
class Placement:
    rank: int
    of: int
    above: tuple[str, float] | None  # the board's row just ahead
    below: tuple[str, float] | None


def board_path(spec: str, benchmark: str, version: str | None) -> Path:
    """``spec`` is ``upstream`` or a CSV path; check it exists now, before any model call."""
    if spec != "upstream":
        path = Path(spec)
        if not path.is_file():
            raise BadInput("--compare", f"no such leaderboard CSV: {path}")
        return path
    ranking = [b for b in all_boards() if b.compare]  # the boards a run is ranked in (OfficialBoard.compare)
    name = next((b.name for b in ranking if b.benchmark == benchmark and b.version in (None, version)), None)
    if name is None:
        known = ", ".join(sorted({b.benchmark for b in ranking}))
        raise BadInput(
            "--compare", f"no published {benchmark} {version or ''} board in results/ (have: {known})"
        )
    path = RESULTS / name / "leaderboard.csv"
    if not path.is_file():
        raise BadInput(
            "--compare",
            f"{path} is missing (installed without the results/ folder, or the board is online only: "
            f"`harness leaderboard --regenerate --only {name} --online`); pass --compare PATH/leaderboard.csv",
        )
    return path


def load_board(path: Path) -> Board:
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            reader = csv.reader(fh)
            header = next(reader)
            rows = list(reader)
    except (OSError, StopIteration, csv.Error) as exc:
        raise BadInput(str(path), f"cannot read leaderboard CSV: {exc}") from None
    if len(header) < 3 or header[:2] != ["rank", "model"]:
        raise BadInput(
            str(path), "not a harness leaderboard CSV (expected columns rank, model, HEADLINE, ...)"
        )
    scores = []
    for row in rows:
        try:
            value = float(row[2])
        except (ValueError, IndexError):
            continue
        if not math.isnan(value):
            scores.append((row[1], value))
    return Board(path, header[2], tuple(scores))


def place(board: Board, score: float) -> Placement:
    """Rank among the board's rows (ties rank ahead of the new score, the conservative place)."""
    ahead = [row for row in board.scores if row[1] >= score]
    behind = [row for row in board.scores if row[1] < score]
    above = min(ahead, key=lambda r: r[1]) if ahead else None
    below = max(behind, key=lambda r: r[1]) if behind else None
    return Placement(len(ahead) + 1, len(board.scores) + 1, above, below)


def describe(board: Board, model: str, metric: str, score: float | None) -> str:
    if metric != board.metric:
        raise BadInput("--compare", f"{board.path} ranks by {board.metric}; this run's headline is {metric}")
    if score is None:
        return f"{model}: no {metric} to rank (see the report)"
    p = place(board, score)
    around = ", ".join(
        f"{label} {row[0]} ({row[1]:.2f})" for label, row in (("after", p.above), ("before", p.below)) if row
    )
    return f"{model}: {metric} {score:.2f} ranks {p.rank} of {p.of} on {board.path}" + (
        f" ({around})" if around else ""
    )
