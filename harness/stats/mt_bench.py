"""MT-Bench statistics: single-grade means per turn, overall and per category; pairwise win rates.

Semantics follow FastChat ``fastchat/llm_judge/show_result.py`` (docs/statistics.md, "MT-Bench"):

- single grading: a judgment the parser could not read carries ``score == -1``; such rows are dropped
  before averaging (FastChat PR #2074; before it they were averaged in). Turn means are over the rows
  left; the overall "Average" is the pooled mean of all rows left, which equals ``(t1 + t2) / 2`` only
  when nothing was dropped. Here the dropped rows are counted and reported, never silently lost, and a
  missing/NaN score is unscored too.
- pairwise: each match has two games (g1: A=model_1, g2: swapped), winners already mapped back to
  ``model_1``/``model_2``/``tie``/``error``. A row with an ``error`` game is dropped (counted here); if g1
  is a tie or the games disagree (position-inconsistent) the match is a tie for both, else a win/loss.
  ``win_rate_adjusted = (win + 0.5 tie) / (win + loss + tie)`` (FastChat#1886).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from harness.errors import BadInput
from harness.stats.bootstrap import DEFAULT_LEVEL, DEFAULT_RESAMPLES, DEFAULT_SEED, ratio_interval
from harness.stats.estimate import Estimate, count_reasons, is_missing, numeric_column, require_columns

UNPARSED_SCORE = -1.0
SINGLE_COLUMNS = ("question_id", "model", "turn", "score")
PAIR_COLUMNS = ("question_id", "model_1", "model_2", "g1_winner", "g2_winner")
PAIR_WINNERS = ("model_1", "model_2", "tie", "error")


@dataclass(frozen=True)
class SingleResult:
    """One model's MT-Bench single-grade figures (1-10 scale)."""

    model: str
    overall: Estimate
    turns: Mapping[int, Estimate]
    categories: Mapping[str, Estimate] = field(default_factory=dict)


@dataclass(frozen=True)
class PairwiseResult:
    """One model's pairwise record over its matches (FastChat ``display_result_pairwise``)."""

    model: str
    win: int
    loss: int
    tie: int
    n_unscored: int
    unscored_reasons: Mapping[str, int]

    @property
    def n_scored(self) -> int:
        return self.win + self.loss + self.tie

    @property
    def win_rate(self) -> float:
        return self.win / self.n_scored if self.n_scored else float("nan")

    @property
    def loss_rate(self) -> float:
        return self.loss / self.n_scored if self.n_scored else float("nan")

    @property
    def win_rate_adjusted(self) -> float:
        return (self.win + 0.5 * self.tie) / self.n_scored if self.n_scored else float("nan")


def attach_categories(df: pd.DataFrame, categories: Mapping[int, str]) -> pd.DataFrame:
    """Add the ``category`` column (``question_id -> category``, FastChat ``question.jsonl``); an unknown
    question id is bad input."""
    require_columns(df, ["question_id"], "mt_bench judgments")
    unknown = sorted(set(int(q) for q in df["question_id"]) - set(categories))
    if unknown:
        raise BadInput("mt_bench judgments.question_id", f"ids not in question.jsonl: {unknown[:10]}")
    out = df.copy()
    out["category"] = [categories[int(q)] for q in out["question_id"]]
    return out


# ------------------------------------------------------------------------------------------ single grade


def _unscored_reason(score: float) -> str | None:
    if is_missing(score):
        return "missing"
    if score == UNPARSED_SCORE:
        return "parse_failure"
    return None


def _mean_estimate(
    frame: pd.DataFrame, n_resamples: int, level: float, seed: int, with_interval: bool
) -> Estimate:
    """Pooled mean of the scored rows; question-level bootstrap (resampling whole questions)."""
    reasons = [r for r in frame["_reason"] if isinstance(r, str)]
    scored = frame[frame["_reason"].isna()]
    if scored.empty:
        return Estimate(float("nan"), None, None, 0, len(reasons), count_reasons(reasons))
    value = float(scored["score"].mean())
    low: float | None = None
    high: float | None = None
    if with_interval and n_resamples > 0:
        per_question = scored.groupby("question_id")["score"].agg(["sum", "count"])
        low, high = ratio_interval(
            per_question["sum"].to_numpy(), per_question["count"].to_numpy(), n_resamples, level, seed
        )
    return Estimate(value, low, high, len(scored), len(reasons), count_reasons(reasons))


def single_scores(
    df: pd.DataFrame,
    n_resamples: int = DEFAULT_RESAMPLES,
    level: float = DEFAULT_LEVEL,
    seed: int = DEFAULT_SEED,
) -> dict[str, SingleResult]:
    """Per model: turn means, overall pooled mean (with a question-level bootstrap CI), category means.

    ``df`` rows: question_id, model, turn, score (float, -1 = unparsed, NaN = missing) and optionally
    ``category``. Unscored rows are excluded from every mean and counted with their reason.
    """
    require_columns(df, SINGLE_COLUMNS, "mt_bench single judgments")
    frame = df.copy()
    frame["score"] = numeric_column(frame["score"], "mt_bench single judgments.score")
    frame["_reason"] = [_unscored_reason(s) for s in frame["score"]]
    results: dict[str, SingleResult] = {}
    for model, rows in frame.groupby("model", sort=True):
        turns = {
            int(str(turn)): _mean_estimate(part, n_resamples, level, seed, with_interval=False)
            for turn, part in rows.groupby("turn", sort=True)
        }
        categories: dict[str, Estimate] = {}
        if "category" in rows.columns:
            categories = {
                str(cat): _mean_estimate(part, n_resamples, level, seed, with_interval=False)
                for cat, part in rows.groupby("category", sort=True)
            }
        overall = _mean_estimate(rows, n_resamples, level, seed, with_interval=True)
        results[str(model)] = SingleResult(str(model), overall, turns, categories)
    return results


# --------------------------------------------------------------------------------------------- pairwise


def match_outcome(g1_winner: object, g2_winner: object) -> str:
    """One match's outcome from its two games: 'model_1', 'model_2', 'tie', or an unscored reason.

    Swap rule (FastChat ``display_result_pairwise``): a tie in g1 or disagreeing games is a tie.
    """
    if is_missing(g1_winner) or is_missing(g2_winner):
        return "missing"
    for game in (g1_winner, g2_winner):
        if game not in PAIR_WINNERS:
            raise BadInput(
                "mt_bench pair judgments.g*_winner", f"got {game!r}; expected one of {PAIR_WINNERS}"
            )
    if g1_winner == "error" or g2_winner == "error":
        return "parse_failure"
    if g1_winner == "tie" or g1_winner != g2_winner:
        return "tie"
    return str(g1_winner)


def pairwise_win_rates(df: pd.DataFrame, baseline: str | None = None) -> dict[str, PairwiseResult]:
    """Win/loss/tie per model over pairwise matches (``--mode pairwise-baseline`` when ``baseline`` given).

    With a baseline, only matches involving it count and the baseline itself is not reported.
    """
    require_columns(df, PAIR_COLUMNS, "mt_bench pair judgments")
    tallies: dict[str, dict[str, int]] = {}
    unscored: dict[str, list[str]] = {}
    for m1, m2, g1, g2 in df[["model_1", "model_2", "g1_winner", "g2_winner"]].itertuples(index=False):
        if baseline is not None and baseline not in (m1, m2):
            continue
        outcome = match_outcome(g1, g2)
        for model in (m1, m2):
            tallies.setdefault(model, {"win": 0, "loss": 0, "tie": 0})
            unscored.setdefault(model, [])
        if outcome in ("missing", "parse_failure"):
            unscored[m1].append(outcome)
            unscored[m2].append(outcome)
        elif outcome == "tie":
            tallies[m1]["tie"] += 1
            tallies[m2]["tie"] += 1
        else:
            winner, loser = (m1, m2) if outcome == "model_1" else (m2, m1)
            tallies[winner]["win"] += 1
            tallies[loser]["loss"] += 1
    return {
        model: PairwiseResult(
            model, t["win"], t["loss"], t["tie"], len(unscored[model]), count_reasons(unscored[model])
        )
        for model, t in sorted(tallies.items())
        if model != baseline
    }


def scores_table(results: Mapping[str, SingleResult]) -> pd.DataFrame:
    """A leaderboard-shaped frame: model, score, first/second turn, interval, counts (sorted by score)."""
    rows = []
    for model, res in results.items():
        rows.append(
            {
                "model": model,
                "score": res.overall.value,
                "ci_lower": res.overall.ci_lower,
                "ci_upper": res.overall.ci_upper,
                **{f"turn_{t}": est.value for t, est in res.turns.items()},
                "n_scored": res.overall.n_scored,
                "n_unscored": res.overall.n_unscored,
            }
        )
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    return table.sort_values("score", ascending=False, kind="stable").reset_index(drop=True)


__all__ = [
    "PairwiseResult",
    "SingleResult",
    "attach_categories",
    "match_outcome",
    "pairwise_win_rates",
    "scores_table",
    "single_scores",
]
