"""From stored judgments to a :class:`Leaderboard`, the same way for every benchmark.

The generic part lives here: directories are opened, each file's layout detected among the benchmarks'
upstream formats, our run directories scored by ``score_run`` (the statistic ``harness score`` uses, so a
leaderboard row and a score report can never disagree), and a model given twice refused. The scoring
layer is a lazy reference, loaded with the first run directory: a board of upstream files never imports
it (nor the judges it reads run configs with). What a board of
one benchmark looks like (its upstream readers, headline, columns, interval and notes) is the
benchmark's own :meth:`benchmarks.Benchmark.leaderboard`; a benchmark without one gets the board of its
run directories (:func:`from_runs`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path

from benchmarks import BENCHMARKS, Benchmark, BoardInputs
from benchmarks import BoardOptions as Options
from harness.errors import BadInput
from harness.leaderboard.formats import (
    RUN_DIR,
    detect_format,
    detect_own_format,
    expand_answer_files,
    expand_inputs,
)
from harness.records import Score
from harness.registry import Lazy
from harness.table import Leaderboard, Row

__all__ = ["Options", "build", "from_runs"]

_SCORE_RUN = Lazy("harness.scoring.evaluate:score_run")


def score_run(path: Path) -> list[Score]:
    """Every Score of one of our run directories (``harness.scoring.evaluate.score_run``)."""
    scores: list[Score] = _SCORE_RUN.load()(path)
    return scores


def _split(adapter: Benchmark, paths: Sequence[Path]) -> dict[str, list[Path]]:
    """Paths by format; one of another benchmark's layouts (or of none) is refused, naming the path."""
    name, own = adapter.spec.name, adapter.upstream_formats
    accepted = (*(fmt.name for fmt in own), RUN_DIR)
    groups: dict[str, list[Path]] = {}
    for path in paths:
        fmt = detect_own_format(path, own)
        if fmt not in accepted:
            raise BadInput(str(path), f"is {fmt}, which is not a {name} input; expected {accepted}")
        groups.setdefault(fmt, []).append(path)
    return groups


def _row_from_score(score: Score, extras: dict[str, float | int | str | None] | None = None) -> Row:
    return Row(
        model=score.model,
        score=score.value,
        ci_lower=score.ci_lower,
        ci_upper=score.ci_upper,
        n_scored=score.n_scored,
        n_unscored=score.n_unscored,
        extra=extras or {},
    )


def _run_dir_rows(
    paths: Sequence[Path], headline_extras: tuple[str, ...] = ()
) -> tuple[str | None, list[Row]]:
    """Rows from our own run directories: each run's own headline Score (the one its report stars, whatever
    the judge: MT-Bench single grading or pairwise, WB-Score or WB-Reward), with the other Scores' values,
    and ``headline_extras`` taken from the headline's ``extra``, as extra columns. Returns the headline
    metric too (None without runs); runs whose headlines are different statistics are refused."""
    if not paths:
        return None, []

    rows = []
    metrics: dict[str, Path] = {}
    for path in paths:
        scores = score_run(path)
        chosen = [s for s in scores if s.extra.get("headline")]
        if not chosen:
            have = sorted({s.metric for s in scores})
            raise BadInput(str(path), f"run has no headline score (has {have})")
        head = chosen[0]
        metrics.setdefault(head.metric, path)
        extras: dict[str, float | int | str | None] = {
            s.metric: s.value for s in scores if s.metric != head.metric and s.model == head.model
        }
        extras |= {key: head.extra.get(key) for key in headline_extras}
        rows.append(_row_from_score(head, extras))
    if len(metrics) > 1:
        shown = ", ".join(f"{m} ({p})" for m, p in metrics.items())
        raise BadInput("--from", f"runs with different headline statistics: {shown}; build them separately")
    return next(iter(metrics)), rows


def _check_unique(rows: list[Row]) -> None:
    seen: set[str] = set()
    for row in rows:
        if row.model in seen:
            raise BadInput("--from", f"model {row.model!r} appears in more than one input")
        seen.add(row.model)


def from_runs(benchmark: str, paths: Sequence[Path]) -> Leaderboard:
    """Any registered benchmark from our own run directories: each run's headline Score (the first its
    statistic marks ``extra["headline"]``, recomputed by ``score_run`` exactly as ``harness score`` did),
    the run's other figures as extra columns. This is how a benchmark without upstream judgment files of
    its own (a plugin's, say) gets a leaderboard."""
    for path in paths:
        fmt = detect_format(path)
        if fmt != "run_dir":
            raise BadInput(
                str(path), f"is {fmt}; a {benchmark} leaderboard is built from harness run directories"
            )
    rows: list[Row] = []
    heads: list[Score] = []
    metric = ""
    extra_columns: list[str] = []
    for path in paths:
        scores = score_run(path)
        head = next((s for s in scores if s.extra.get("headline")), None)
        if head is None or head.benchmark != benchmark:
            raise BadInput(str(path), f"not a {benchmark} run with a headline score")
        if metric and head.metric != metric:
            raise BadInput(str(path), f"headline {head.metric!r} differs from the other runs' {metric!r}")
        metric = head.metric
        heads.append(head)
        others = [s for s in scores if s is not head and s.model == head.model]
        extra_columns += [s.metric for s in others if s.metric not in extra_columns]
        rows.append(_row_from_score(head, {s.metric: s.value for s in others}))
    _check_unique(rows)
    levels = {head.extra.get("level") for head in heads}
    level = levels.pop() if len(levels) == 1 else None
    interval = f"{100 * float(level):.0f}% interval of the benchmark's statistic" if level else ""
    return Leaderboard(benchmark, metric, tuple(rows), tuple(extra_columns), interval)


def build(benchmark: str, paths: Sequence[Path], opts: Options) -> Leaderboard:
    if not paths:
        raise BadInput("--from", "give at least one input path")
    adapter = BENCHMARKS.get(benchmark)()
    opts = dataclasses.replace(opts, answers=tuple(expand_answer_files(opts.answers)))
    inputs = expand_inputs(paths, adapter.upstream_formats)
    groups = _split(adapter, inputs)
    run_dirs = groups.pop(RUN_DIR, [])
    board = adapter.leaderboard(BoardInputs(groups, run_dirs, _run_dir_rows), opts)
    if board is None:
        return from_runs(benchmark, inputs)
    _check_unique(list(board.rows))
    return board
