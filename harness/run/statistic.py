"""What every benchmark's statistic shares: the :class:`Statistic` record and its registry (both defined in
:mod:`harness.run.registry`, re-exported here), and the plain statistics any benchmark falls back to when judged by another protocol than its own (a pairwise judge on
MT-Bench gets the pairwise win rate, a single-answer judge on AlpacaEval the mean rating).

A statistic is a pure function from a run's records (:class:`~harness.run.data.RunData`, after the
``--on-flag`` policy) to its Score records, headline first. It is registered by name (``STATISTICS``, one
registry with entry-point group ``harness.statistics``); a benchmark version names its statistic
(``VersionSpec.statistic``), and ``harness score``, ``sweep``, ``leaderboard``, the canary and Clean-Eval all
call that same function through :func:`harness.scoring.evaluate`. Fits that can fail on small or
degenerate data (the LC GLM, Bradley-Terry) are caught and reported as unavailable with the reason: a
``--limit 5`` run must still give a readable report.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from harness.errors import BadInput
from harness.records import Score
from harness.run.data import (
    PairUnit,
    RunData,
    is_pairwise,
    make_score,
    pair_units,
    unit_reason,
    unscored_counts,
)
from harness.run.registry import STATISTICS, Scored, Statistic
from harness.stats.bootstrap import ratio_interval

__all__ = [
    "FIT_ERRORS",
    "STATISTICS",
    "WIN_RATE",
    "Scored",
    "Statistic",
    "fallback",
    "is_pairwise",
    "single_frame",
    "single_mean",
    "win_rate_scores",
]

FIT_ERRORS = (BadInput, ValueError, ArithmeticError, np.linalg.LinAlgError)


def win_rate_scores(data: RunData, units: list[PairUnit], headline: str) -> list[Score]:
    """Plain pairwise win rate (ties half) with a 95% item bootstrap interval (demo, any pair judge)."""
    wins = [u.win for u in units if u.win is not None]
    reasons = [unit_reason(u) for u in units if u.win is None]
    counts = unscored_counts(len(wins), reasons, data)
    if not wins:
        return [make_score(data, headline, None, extra={"headline": True}, **counts)]
    y = np.asarray(wins, dtype=float)
    low, high = ratio_interval(y) if y.size > 1 else (None, None)
    discrete = np.where(y == 0.5, 0.5, np.round(y))
    return [
        make_score(
            data,
            headline,
            100 * float(y.mean()),
            ci_lower=None if low is None else 100 * low,
            ci_upper=None if high is None else 100 * high,
            standard_error=100 * float(y.std(ddof=1) / math.sqrt(y.size)) if y.size > 1 else None,
            extra={"headline": True, "level": 0.95},
            **counts,
        ),
        make_score(data, "discrete_win_rate", 100 * float(discrete.mean()), **counts),
    ]


def single_frame(data: RunData) -> tuple[pd.DataFrame, list[str]]:
    rows, reasons = [], []
    for j in data.judgments:
        if j.protocol != "single":
            continue
        if j.status == "scored" and j.score is not None:
            rows.append({"question_id": j.item_id, "model": j.model, "turn": j.turn or 1, "score": j.score})
        else:
            reasons.append(str(j.reason or "unscored"))
    return pd.DataFrame(rows, columns=["question_id", "model", "turn", "score"]), reasons


def single_mean(data: RunData) -> list[Score]:
    frame, reasons = single_frame(data)
    counts = unscored_counts(len(frame), reasons, data)
    value = float(frame["score"].mean()) if len(frame) else None
    low, high = ratio_interval(frame["score"].to_numpy(dtype=float)) if len(frame) > 1 else (None, None)
    return [
        make_score(
            data, "mean_rating", value, ci_lower=low, ci_upper=high, extra={"headline": True}, **counts
        )
    ]


def fallback(data: RunData) -> Scored:
    """The plain statistic of the run's protocol: pairwise win rate, else the mean rating."""
    if is_pairwise(data):
        return Scored(win_rate_scores(data, pair_units(data.judgments), "win_rate"))
    return Scored(single_mean(data))


def _win_rate(data: RunData) -> Scored:
    if data.judgments and not is_pairwise(data):
        return Scored(single_mean(data))
    return Scored(win_rate_scores(data, pair_units(data.judgments), "win_rate"))


WIN_RATE = Statistic(
    _win_rate, canary_floor=5.0, description="pairwise win rate (ties half), 95% item bootstrap"
)
