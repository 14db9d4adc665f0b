"""Judge diagnostics: position consistency, Cohen's kappa, length slope, self-preference (DBG).

- Position consistency: a pair judged in both orders is consistent when both verdicts, mapped back to the
  models, agree (FastChat ``load_pairwise_model_judgments`` labels the rest "inconsistent";
  FastChat issue #3911 reports 12.9% flips for GPT-4 on MT-Bench; docs/statistics.md).
- Cohen's kappa (Cohen 1960): ``(p_o - p_e) / (1 - p_e)`` from the two judges' confusion matrix.
- Length slope: a logistic regression (binomial GLM, logit link) of the outcome (win 1, tie 0.5, loss 0)
  on the length difference in thousands of characters. Logistic rather than linear because the outcome
  is a probability: a linear model predicts outside [0, 1] for long differences and its slope changes
  meaning with the base rate, while a log-odds slope is comparable across judges — the same link the
  AlpacaEval length-controlled GLM uses (Dubois et al. 2024, ``glm_winrate.py``). Ties enter as soft
  0.5 labels (quasi-binomial fit); the interval is the Wald 95% interval of the slope.
- Self-preference (DBG, Chen et al. arXiv:2506.02592; docs/statistics.md): judge J's win
  rate on its own responses minus the gold judges' win rate on the same responses, in points; gold per
  item = majority over the gold verdicts (both orders of every gold judge), ties 0.5.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm

from harness.errors import BadInput
from harness.stats.bootstrap import (
    DEFAULT_LEVEL,
    DEFAULT_RESAMPLES,
    DEFAULT_SEED,
    percentile_interval,
    ratio_interval,
    resample_counts,
)
from harness.stats.estimate import Estimate, count_reasons, is_missing, numeric_column, require_columns

PAIR_VERDICTS = ("model_1", "model_2", "tie")
UNSCORED_VERDICTS = ("error",)


@dataclass(frozen=True)
class PositionConsistency:
    """Share of pairs whose two orders agree, and the net pull toward the first-shown answer.

    ``first_position_bias`` = (pairs where whichever answer was shown first won both times - pairs where
    the second-shown won both times) / scored pairs; 0 means no systematic position preference.
    """

    consistency: Estimate
    first_position_bias: float


def position_consistency(df: pd.DataFrame) -> PositionConsistency:
    """From a both-orders table: columns ``verdict_original`` (model_1 shown first) and ``verdict_swapped``.

    Both verdicts are already mapped back to ``model_1``/``model_2``/``tie``; ``error`` or missing is unscored.
    """
    require_columns(df, ["verdict_original", "verdict_swapped"], "both-orders table")
    reasons: list[str] = []
    agree = first = second = 0
    for original, swapped in df[["verdict_original", "verdict_swapped"]].itertuples(index=False):
        if is_missing(original) or is_missing(swapped):
            reasons.append("missing")
            continue
        for verdict in (original, swapped):
            if verdict not in PAIR_VERDICTS + UNSCORED_VERDICTS:
                expected = list(PAIR_VERDICTS + UNSCORED_VERDICTS)
                raise BadInput("both-orders table.verdict", f"got {verdict!r}; expected one of {expected}")
        if "error" in (original, swapped):
            reasons.append("parse_failure")
            continue
        agree += original == swapped
        first += (original, swapped) == ("model_1", "model_2")
        second += (original, swapped) == ("model_2", "model_1")
    n = len(df) - len(reasons)
    value = agree / n if n else float("nan")
    estimate = Estimate(value, None, None, n, len(reasons), count_reasons(reasons))
    return PositionConsistency(estimate, (first - second) / n if n else float("nan"))


def _kappa_from_counts(confusion: np.ndarray, n_labels: int) -> np.ndarray:
    """Kappa for each row of a (B, L*L) stack of flattened confusion matrices."""
    cells = confusion.reshape(-1, n_labels, n_labels)
    total = cells.sum(axis=(1, 2))
    observed = np.trace(cells, axis1=1, axis2=2) / total
    expected = (cells.sum(axis=2) * cells.sum(axis=1)).sum(axis=1) / total**2
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray((observed - expected) / (1.0 - expected))


def cohen_kappa(
    labels_a: Sequence[object] | pd.Series,
    labels_b: Sequence[object] | pd.Series,
    n_resamples: int = DEFAULT_RESAMPLES,
    level: float = DEFAULT_LEVEL,
    seed: int = DEFAULT_SEED,
) -> Estimate:
    """Cohen's kappa between two judges' verdicts on the same items (aligned sequences), item bootstrap CI.

    A pair where either judge has no verdict (None/NaN) is unscored. Kappa is undefined when both judges
    gave one and the same label everywhere (p_e = 1): that raises ``BadInput`` rather than report NaN.
    """
    a, b = list(labels_a), list(labels_b)
    if len(a) != len(b):
        raise BadInput(
            "cohen_kappa", f"the two judges rate different numbers of items ({len(a)} vs {len(b)})"
        )
    pairs = [(x, y) for x, y in zip(a, b, strict=True) if not (is_missing(x) or is_missing(y))]
    n_missing = len(a) - len(pairs)
    reasons = {"missing": n_missing} if n_missing else {}
    if not pairs:
        raise BadInput("cohen_kappa", "no item rated by both judges")
    labels = sorted({str(v) for pair in pairs for v in pair})
    index = {label: i for i, label in enumerate(labels)}
    n_labels = len(labels)
    codes = np.array([index[str(x)] * n_labels + index[str(y)] for x, y in pairs])
    one_hot = np.zeros((len(codes), n_labels * n_labels))
    one_hot[np.arange(len(codes)), codes] = 1.0
    value = float(_kappa_from_counts(one_hot.sum(axis=0, keepdims=True), n_labels)[0])
    if math.isnan(value):
        raise BadInput("cohen_kappa", "kappa undefined: both judges used one identical label throughout")
    low = high = None
    if n_resamples > 0:
        replicates = _kappa_from_counts(resample_counts(len(codes), n_resamples, seed) @ one_hot, n_labels)
        low, high = percentile_interval(replicates, level)
    return Estimate(value, low, high, len(pairs), n_missing, reasons)


@dataclass(frozen=True)
class LengthSlope:
    """Log-odds change of winning per 1,000 more characters than the opponent (Wald CI), and the base rate."""

    slope_per_1k_chars: Estimate
    win_rate_at_equal_length: float


def length_slope(df: pd.DataFrame) -> LengthSlope:
    """Logistic regression of ``outcome`` (1 win, 0.5 tie, 0 loss) on ``length_diff`` (model - opponent, chars)."""
    require_columns(df, ["outcome", "length_diff"], "length table")
    outcome = numeric_column(df["outcome"], "length table.outcome").to_numpy(dtype=float)
    diff = numeric_column(df["length_diff"], "length table.length_diff").to_numpy(dtype=float)
    ok = np.isfinite(outcome) & np.isfinite(diff)
    if np.any((outcome[ok] < 0) | (outcome[ok] > 1)):
        raise BadInput("length table.outcome", "expected outcomes in [0, 1] (1 win, 0.5 tie, 0 loss)")
    n_missing = int((~ok).sum())
    if ok.sum() < 3 or np.ptp(diff[ok]) == 0:
        raise BadInput("length table", "need at least 3 scored rows with differing lengths to fit a slope")
    design = sm.add_constant(diff[ok] / 1000.0)
    fit = sm.GLM(outcome[ok], design, family=sm.families.Binomial()).fit()
    params = np.asarray(fit.params)
    low, high = np.asarray(fit.conf_int(alpha=0.05))[1]
    estimate = Estimate(
        float(params[1]),
        float(low),
        float(high),
        int(ok.sum()),
        n_missing,
        {"missing": n_missing} if n_missing else {},
    )
    return LengthSlope(estimate, float(1.0 / (1.0 + math.exp(-params[0]))))


def _majority(outcomes: pd.Series) -> float:
    """Majority of soft verdicts: more wins than losses -> 1, fewer -> 0, equal (incl. all ties) -> 0.5."""
    wins = int((outcomes > 0.5).sum())
    losses = int((outcomes < 0.5).sum())
    return 1.0 if wins > losses else 0.0 if losses > wins else 0.5


def self_preference(
    df: pd.DataFrame,
    judge: str,
    gold_judges: Sequence[str],
    generator: str | None = None,
    n_resamples: int = DEFAULT_RESAMPLES,
    level: float = DEFAULT_LEVEL,
    seed: int = DEFAULT_SEED,
) -> Estimate:
    """DBG = 100 * (WR_judge(own) - WR_gold(own)) in points, with an item-level paired bootstrap CI.

    ``df`` rows: item_id, generator (whose response is rated), judge, outcome (the generator's win
    probability: 1/0.5/0 or a soft preference). Several rows per (item, judge), e.g. both orders, are
    averaged for the judge; for gold, every row is one vote in the majority. ``generator`` defaults to
    ``judge`` (a judge rating its own outputs). Items lacking a verdict from either side are unscored.
    """
    require_columns(df, ["item_id", "generator", "judge", "outcome"], "self-preference table")
    if judge in gold_judges:
        raise BadInput("self_preference.gold_judges", f"the judge {judge!r} cannot be its own gold")
    own = df[df["generator"].astype(str) == (generator or judge)].copy()
    own["outcome"] = numeric_column(own["outcome"], "self-preference table.outcome")
    if not bool(own["outcome"].dropna().between(0, 1).all()):
        raise BadInput("self-preference table.outcome", "expected outcomes in [0, 1]")
    n_nan = int(own["outcome"].isna().sum())
    own = own.dropna(subset=["outcome"])
    by_judge = own[own["judge"] == judge].groupby("item_id")["outcome"].mean()
    gold = own[own["judge"].isin(list(gold_judges))].groupby("item_id")["outcome"].agg(_majority)
    items = by_judge.index.intersection(gold.index)
    unpaired = len(by_judge.index.union(gold.index)) - len(items)
    reasons = {k: v for k, v in (("missing", n_nan), ("unpaired", unpaired)) if v}
    if len(items) == 0:
        raise BadInput(
            "self-preference table", f"no item of {generator or judge!r} rated by both judge and gold"
        )
    diffs = (by_judge.loc[items] - gold.loc[items]).to_numpy(dtype=float) * 100.0
    low = high = None
    if n_resamples > 0:
        low, high = ratio_interval(diffs, None, n_resamples, level, seed)
    return Estimate(float(diffs.mean()), low, high, len(items), n_nan + unpaired, reasons)
