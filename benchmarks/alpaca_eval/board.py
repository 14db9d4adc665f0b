"""AlpacaEval 2.0's leaderboard from upstream ``annotations.json`` files and our run directories.

Headline: the length-controlled win rate with a bootstrap interval that refits the GLM (wider than
upstream's ``lc_standard_error``, which ignores coefficient uncertainty; docs/statistics.md). Without an
instruction-difficulty file LC cannot be computed: the rows keep the raw win rate and a note says why.
"""

from __future__ import annotations

from benchmarks._board import BoardInputs, BoardOptions
from benchmarks.alpaca_eval.difficulty import resolve_difficulty
from benchmarks.alpaca_eval.formats import ANNOTATIONS
from benchmarks.alpaca_eval.upstream import load_annotations, load_difficulty
from harness.stats.alpaca_annotations import Difficulty
from harness.stats.lc_glm import (
    BaselineLengths,
    alpaca_eval_metrics,
    bootstrap_lc_interval,
    output_lengths,
    raw_metrics,
)
from harness.table import Leaderboard, Row

FORMATS = (ANNOTATIONS,)
NO_GAMED_NOTE = (
    "LC fitted without the gamed-baseline regulariser rows (HF df_gamed.csv, not available offline): within "
    "about 1.2 points of the official LC for normal outputs, inflated for adversarially short ones"
)
ALPACA_EXTRAS = ("win_rate", "standard_error", "lc_standard_error", "discrete_win_rate", "n_wins", "n_wins_base",
                 "n_draws", "avg_length")  # fmt: skip


def _difficulty(opts: BoardOptions) -> tuple[Difficulty | None, str]:
    """γ from ``--difficulty``, else the pinned upstream file (``benchmarks.alpaca_eval.difficulty``);
    without it LC cannot be computed (say why)."""
    found = resolve_difficulty(opts.difficulty)
    if found.path is None:
        return None, f"length-controlled win rate not computed: no instruction difficulty ({found.reason})"
    return load_difficulty(found.path), ""


def leaderboard(inputs: BoardInputs, opts: BoardOptions) -> Leaderboard:
    annotations = inputs.files(ANNOTATIONS.name)
    difficulty, note = _difficulty(opts) if annotations else (None, "")
    rows: list[Row] = []
    baseline: BaselineLengths | None = None  # the last file's baseline outputs and their characters
    for path in annotations:
        ann = load_annotations(path)
        if difficulty is None:
            raw = raw_metrics(ann)
            model = str(ann["generator_2"].iloc[0])
            row = {"win_rate": raw.win_rate, "standard_error": raw.standard_error}
            rows.append(Row(model, float("nan"), None, None, raw.n_total, raw.n_unscored, dict(row)))
            continue
        # the characters are counted once a model (the baseline's once for all, when it recurs) and the
        # interval's refit starts from the fit just made: the same numbers as computing each afresh
        lengths = output_lengths(ann, baseline)
        baseline = (ann["output_1"], lengths[0])
        res = alpaca_eval_metrics(ann, difficulty, lengths=lengths)
        lo, hi = bootstrap_lc_interval(
            ann, difficulty, n_boot=200, seed=opts.seed, fit=res.lc, lengths=lengths
        )
        lb = res.leaderboard_row()
        extra: dict[str, float | int | str | None] = {k: lb[k] for k in ALPACA_EXTRAS}
        rows.append(
            Row(
                res.model,
                res.lc.length_controlled_winrate,
                lo,
                hi,
                res.raw.n_total,
                res.raw.n_unscored,
                extra,
            )
        )
    run_metric, run_rows = inputs.run_rows(inputs.run_dirs)
    metric = run_metric if run_metric and not rows else "length_controlled_winrate"
    rows += run_rows
    return Leaderboard(
        "alpaca_eval", metric, tuple(rows), ALPACA_EXTRAS,
        "95% bootstrap percentile over instructions, GLM refit (200 rounds)",
        (note,) if note else (NO_GAMED_NOTE,),
    )  # fmt: skip
