"""TICK checklist statistics: per-item pass rate, per-model mean with a bootstrap interval, micro DRFR.

TICK (Cook et al., arXiv:2410.03608; docs/judges.md, "TICK") has a judge answer each YES/NO
checklist question about a response. The pass rate of a response is #YES / #answered questions; a
model's score is the mean pass rate over its items (interval: percentile bootstrap over items), and
InFoBench's DRFR is the micro rate sum(YES) / sum(answered) over all questions (not a mean of rates).

Answers are matched strictly: ``YES`` or ``NO`` after stripping whitespace and ignoring case. Anything
else ("Yes.", "maybe", "") is unscored with reason ``parse_failure``; a missing answer is ``missing``.
An item whose every answer is unscored has no pass rate and is counted as an unscored item.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from harness.stats.bootstrap import DEFAULT_LEVEL, DEFAULT_RESAMPLES, DEFAULT_SEED, ratio_interval
from harness.stats.estimate import Estimate, count_reasons, is_missing, require_columns

ANSWER_COLUMNS = ("model", "item_id", "answer")


def parse_answer(raw: object) -> bool | None:
    """True for YES, False for NO (case/whitespace tolerant), None for anything else."""
    if is_missing(raw) or not isinstance(raw, str):
        return None
    token = raw.strip().upper()
    if token == "YES":
        return True
    if token == "NO":
        return False
    return None


def _reason(raw: object) -> str:
    return "missing" if is_missing(raw) else "parse_failure"


@dataclass(frozen=True)
class TickResult:
    """One model's TICK figures: ``pass_rate`` counts items, ``drfr`` counts checklist answers."""

    model: str
    pass_rate: Estimate
    drfr: Estimate


def item_pass_rates(df: pd.DataFrame) -> pd.DataFrame:
    """Per (model, item): n_yes, n_answered, n_unscored and pass_rate (NaN when nothing was answered)."""
    require_columns(df, ANSWER_COLUMNS, "checklist answers")
    parsed = [parse_answer(a) for a in df["answer"]]
    frame = pd.DataFrame(
        {
            "model": df["model"].astype(str).to_numpy(),
            "item_id": df["item_id"].astype(str).to_numpy(),
            "yes": [p is True for p in parsed],
            "answered": [p is not None for p in parsed],
        }
    )
    grouped = frame.groupby(["model", "item_id"], sort=True)
    table = grouped.agg(n_yes=("yes", "sum"), n_answered=("answered", "sum"), n_questions=("yes", "size"))
    table["n_unscored"] = table["n_questions"] - table["n_answered"]
    with np.errstate(invalid="ignore", divide="ignore"):
        table["pass_rate"] = table["n_yes"] / table["n_answered"].where(table["n_answered"] > 0)
    return table.drop(columns="n_questions").reset_index()


def tick_scores(
    df: pd.DataFrame,
    n_resamples: int = DEFAULT_RESAMPLES,
    level: float = DEFAULT_LEVEL,
    seed: int = DEFAULT_SEED,
) -> dict[str, TickResult]:
    """Per model: mean item pass rate and micro DRFR, each with an item-level bootstrap interval.

    ``df`` rows: model, item_id, answer (one row per checklist question).
    """
    items = item_pass_rates(df)
    reasons_by_model: dict[str, list[str]] = {}
    for who, raw in zip(df["model"].astype(str), df["answer"], strict=True):
        if parse_answer(raw) is None:
            reasons_by_model.setdefault(who, []).append(_reason(raw))
    results: dict[str, TickResult] = {}
    for model, rows in items.groupby("model", sort=True):
        name = str(model)
        answered = rows[rows["n_answered"] > 0]
        empty_items = len(rows) - len(answered)
        answer_reasons = count_reasons(reasons_by_model.get(name, []))
        n_bad_answers = sum(answer_reasons.values())
        if answered.empty:
            nan = float("nan")
            results[name] = TickResult(
                name,
                Estimate(nan, None, None, 0, empty_items, {"no_scored_answer": empty_items}),
                Estimate(nan, None, None, 0, n_bad_answers, answer_reasons),
            )
            continue
        rates = answered["pass_rate"].to_numpy(dtype=float)
        yes = answered["n_yes"].to_numpy(dtype=float)
        n_ans = answered["n_answered"].to_numpy(dtype=float)
        rate_ci: tuple[float | None, float | None] = (None, None)
        drfr_ci: tuple[float | None, float | None] = (None, None)
        if n_resamples > 0:
            rate_ci = ratio_interval(rates, None, n_resamples, level, seed)
            drfr_ci = ratio_interval(yes, n_ans, n_resamples, level, seed)
        item_reasons = {"no_scored_answer": empty_items} if empty_items else {}
        results[name] = TickResult(
            name,
            Estimate(float(rates.mean()), *rate_ci, len(answered), empty_items, item_reasons),
            Estimate(
                float(yes.sum() / n_ans.sum()), *drfr_ci, int(n_ans.sum()), n_bad_answers, answer_reasons
            ),
        )
    return results


def checklist_preference(pass_rate_a: float, pass_rate_b: float) -> str:
    """TICK pairwise preference: the response with the higher pass rate wins; equal rates tie."""
    if is_missing(pass_rate_a) or is_missing(pass_rate_b):
        return "unscored"
    if pass_rate_a > pass_rate_b:
        return "A"
    if pass_rate_b > pass_rate_a:
        return "B"
    return "tie"
