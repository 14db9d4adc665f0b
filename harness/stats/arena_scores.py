"""Arena-Hard leaderboards: v0.1 (Bradley-Terry, 95% percentile bootstrap) and v2.0 (mean outcome, 90%).

v0.1 follows ``v0.1:show_result.py`` + ``utils_math.py`` of lmarena/arena-hard-auto: point = full-data fit,
interval = 2.5/97.5 percentiles of the bootstrap ratings (Elo is affine in the strength, so percentiles are
taken on the strength gap and then turned into a win rate, as upstream does), 100 rounds resampling the
expanded battle rows. ``upstream_compatible=True`` draws the rounds exactly as upstream (``numpy.random.seed(42)``
at import, then per round ``randint(0, N, N)``, which is what both ``DataFrame.sample(frac=1, replace=True)``
and ``np.random.choice(range(N), N)`` consume) so that, given the same row order, the bounds are equal to the
cent. The default draws from ``numpy.random.default_rng(seed)``; ``resample="questions"`` resamples whole
questions (all games and ``>>`` copies together), the principled choice (docs/statistics.md, "Intervals").

v2.0 follows ``HEAD:show_result.py``: raw score = mean outcome per model, bootstrap per model over its rows,
5/95% quantiles; style control = unpenalised BT with v2 covariates, reported from the full-data fit (upstream
reports the bootstrap median; ``upstream_compatible=True`` does that and uses the bootstrap mean for raw).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from harness.errors import BadInput
from harness.records import Score
from harness.stats.arena_judgments import V01_BASELINE, average_tokens
from harness.stats.bradley_terry import (
    LN10,
    ExpandedOutcomes,
    NullPolicy,
    expand_outcomes,
    fit_bradley_terry,
    fit_logistic,
    group_sums,
    pair_design,
    v01_style_coef_sklearn,
    win_rate,
)
from harness.stats.style import STYLE_FEATURES, STYLE_SETS, style_features_v01, style_features_v2

Resample = Literal["rows", "questions"]


@dataclass(frozen=True)
class Bootstrap:
    """How intervals are drawn. ``upstream_compatible`` reproduces upstream's global-RNG draws (rows only)."""

    rounds: int = 100
    seed: int = 42
    resample: Resample = "rows"
    upstream_compatible: bool = False


@dataclass(frozen=True)
class ArenaScore:
    """One leaderboard row. ``score`` and bounds are win rates vs the baseline in percent (not rounded)."""

    model: str
    score: float
    ci_lower: float
    ci_upper: float
    n_scored: int
    n_unscored: int
    avg_tokens: int | None = None
    unscored_reasons: dict[str, int] = field(default_factory=dict)

    def to_record(self, benchmark: str = "arena_hard", judge: str | None = None, **extra: Any) -> Score:
        """The persisted ``harness.records.Score`` of this row."""
        return Score(
            benchmark=benchmark,
            model=self.model,
            metric="win_rate_vs_baseline",
            value=self.score,
            ci_lower=self.ci_lower,
            ci_upper=self.ci_upper,
            n_scored=self.n_scored,
            n_unscored=self.n_unscored,
            unscored_reasons=dict(self.unscored_reasons),
            judge=judge,
            extra={"avg_tokens": self.avg_tokens, **extra},
        )


def resample_draws(n_units: int, spec: Bootstrap) -> np.ndarray:
    """(rounds, n_units) unit indices drawn with replacement; upstream's global-RNG stream when compatible."""
    if spec.rounds < 1 or n_units < 1:
        raise BadInput(
            "bootstrap", f"need at least one round and one unit (rounds={spec.rounds}, units={n_units})"
        )
    if spec.upstream_compatible:
        state = np.random.RandomState(spec.seed)
        return np.stack([state.randint(0, n_units, size=n_units) for _ in range(spec.rounds)])
    return np.random.default_rng(spec.seed).integers(0, n_units, size=(spec.rounds, n_units))


def resample_counts(n_units: int, spec: Bootstrap) -> np.ndarray:
    """(rounds, n_units) multiplicities of a with-replacement resample of ``n_units`` units per round."""
    draws = resample_draws(n_units, spec)
    offsets = (np.arange(spec.rounds)[:, None] * n_units + draws).ravel()
    return np.bincount(offsets, minlength=spec.rounds * n_units).reshape(spec.rounds, n_units).astype(float)


def row_counts(rows: pd.DataFrame, spec: Bootstrap) -> np.ndarray:
    """Resampling multiplicities per outcome row, by row or by whole question."""
    if spec.resample == "rows":
        return resample_counts(len(rows), spec)
    if spec.resample != "questions":
        raise BadInput(
            "bootstrap.resample", f"unknown unit {spec.resample!r}; expected 'rows' or 'questions'"
        )
    if spec.upstream_compatible:
        raise BadInput("bootstrap", "upstream never resamples questions; drop upstream_compatible")
    codes, uniques = pd.factorize(rows["question_id"])
    return resample_counts(len(uniques), spec)[:, codes]


def _percentiles(values: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    tail = 100.0 * (1.0 - level) / 2.0
    return np.percentile(values, tail, axis=0), np.percentile(values, 100.0 - tail, axis=0)


def _table(
    outcomes: ExpandedOutcomes,
    points: dict[str, float],
    lower: dict[str, float],
    upper: dict[str, float],
    baseline: str,
    metadata: pd.DataFrame | None,
) -> list[ArenaScore]:
    counts = outcomes.counts()
    reason_rows = outcomes.unscored.groupby(["model", "reason"]).size().reset_index(name="n")
    reasons: dict[str, dict[str, int]] = {}
    for who, reason, n in zip(reason_rows["model"], reason_rows["reason"], reason_rows["n"], strict=True):
        reasons.setdefault(str(who), {})[str(reason)] = int(n)
    tokens = average_tokens(metadata) if metadata is not None else {}
    table = [ArenaScore(baseline, 50.0, 50.0, 50.0, 0, 0, tokens.get(baseline))]
    for model in counts.index:
        if model == baseline:
            continue
        table.append(
            ArenaScore(
                model=model,
                score=100.0 * points[model] if model in points else float("nan"),
                ci_lower=100.0 * lower[model] if model in lower else float("nan"),
                ci_upper=100.0 * upper[model] if model in upper else float("nan"),
                n_scored=int(counts.loc[model, "n_scored"]),
                n_unscored=int(counts.loc[model, "n_unscored"]),
                avg_tokens=tokens.get(model),
                unscored_reasons=reasons.get(model, {}),
            )
        )
    return sorted(table, key=lambda row: -row.score if np.isfinite(row.score) else np.inf)


def _single_baseline(rows: pd.DataFrame, baseline: str) -> None:
    others = sorted(set(rows["baseline"]) - {baseline})
    if others:
        raise BadInput("judgments.baseline", f"expected every game against {baseline!r}, also found {others}")


# ---------------------------------------------------------------------------------------------------
# style design shared by v0.1 and v2


def _answer_features(metadata: pd.DataFrame, model: pd.Series, question: pd.Series, what: str) -> np.ndarray:
    indexed = metadata.set_index(["model", "question_id"])[list(STYLE_FEATURES)]
    keys = pd.MultiIndex.from_arrays([model.to_numpy(), question.to_numpy()])
    missing = ~keys.isin(indexed.index)
    if missing.any():
        m, q = keys[np.flatnonzero(missing)[0]]
        raise BadInput(f"answers[{m!r}]", f"no style metadata for question {q!r} ({what} answer)")
    return indexed.loc[keys].to_numpy(dtype=float)


@dataclass(frozen=True)
class _StyleDesign:
    units: pd.DataFrame  # one row per (question_id, model)
    unit_of_row: np.ndarray  # (N,): the unit of each outcome row
    baseline_features: np.ndarray
    model_features: np.ndarray
    rows_per_unit: np.ndarray

    def unit_sums(self, weights: np.ndarray) -> np.ndarray:
        """(R, U) sums of per-row ``weights`` (R, N) over the rows of each (question, model) unit."""
        return group_sums(weights, self.unit_of_row, len(self.units))


def _style_design(rows: pd.DataFrame, metadata: pd.DataFrame, baseline: str) -> _StyleDesign:
    keys = rows["question_id"] + "\x00" + rows["model"]
    codes, _ = pd.factorize(keys)
    first = pd.Series(np.arange(len(rows))).groupby(codes).first().to_numpy()
    units = rows.iloc[first][["question_id", "model"]].reset_index(drop=True)
    base = pd.Series([baseline] * len(units))
    return _StyleDesign(
        units=units,
        unit_of_row=codes,
        baseline_features=_answer_features(metadata, base, units["question_id"], "baseline"),
        model_features=_answer_features(metadata, units["model"], units["question_id"], "model"),
        rows_per_unit=np.bincount(codes, minlength=len(units)).astype(float),
    )


def _style_columns(style: str) -> tuple[int, ...]:
    if style not in STYLE_SETS:
        raise BadInput("style", f"unknown style control {style!r}; expected one of {sorted(STYLE_SETS)}")
    return STYLE_SETS[style]


# ---------------------------------------------------------------------------------------------------
# v0.1


def _v01_strength_gaps(
    rows: pd.DataFrame,
    baseline: str,
    counts: np.ndarray,
    style: str | None,
    metadata: pd.DataFrame | None,
    c: float,
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Models, their natural-log strength gap to the baseline (M,) and its bootstrap replicates (R, M).

    The design is built once; the bootstrap rounds (``counts``, (R, N) row multiplicities) start Newton from
    the full-data optimum."""
    if style is None:
        design = pair_design(rows)
        models = list(design.models)
        anchor = models.index(baseline)
        theta = fit_bradley_terry(design, baseline)
        boot = fit_bradley_terry(design, baseline, counts)
        return models, theta - theta[anchor], boot - boot[:, anchor : anchor + 1]
    if metadata is None:
        raise BadInput("metadata", "style control needs the answers' style metadata")
    columns = _style_columns(style)
    sd = _style_design(rows, metadata, baseline)
    features = style_features_v01(sd.baseline_features, sd.model_features, sd.rows_per_unit)[:, columns]
    models = [baseline, *pd.unique(sd.units["model"])]
    one_hot = np.zeros((len(sd.units), len(models)))
    one_hot[:, 0] = LN10
    one_hot[np.arange(len(sd.units)), [models.index(m) for m in sd.units["model"]]] = -LN10
    x = np.hstack([one_hot, features])
    baseline_wins = 1.0 - rows["outcome"].to_numpy(dtype=float)

    def fit(weights: np.ndarray, start: np.ndarray | None = None) -> np.ndarray:
        # duplicated battles: each battle row is two logistic rows, a tie one success and one failure
        total = 2.0 * sd.unit_sums(weights)
        success = 2.0 * sd.unit_sums(weights * baseline_wins)
        return fit_logistic(x, total, success, l2=1.0 / c, start=start)

    full = fit(np.ones((1, len(rows))))[0]
    coef = np.vstack([full, fit(np.atleast_2d(counts), start=full)])[:, : len(models)]
    gap = LN10 * (coef - coef[:, :1])
    return models, gap[0], gap[1:]


def _v01_style_legacy(
    rows: pd.DataFrame, baseline: str, metadata: pd.DataFrame | None, style: str, c: float, spec: Bootstrap
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Style control exactly as upstream computes it: per-battle design, sklearn lbfgs at tol 1e-4."""
    if metadata is None:
        raise BadInput("metadata", "style control needs the answers' style metadata")
    if spec.resample != "rows":
        raise BadInput("bootstrap", "upstream never resamples questions; drop upstream_compatible")
    sd = _style_design(rows, metadata, baseline)
    units = sd.unit_of_row
    features = style_features_v01(sd.baseline_features[units], sd.model_features[units])
    models = [baseline, *pd.unique(sd.units["model"])]
    design = np.zeros((len(rows), len(models)))
    design[:, 0] = LN10
    design[np.arange(len(rows)), [models.index(m) for m in rows["model"]]] = -LN10
    design = np.hstack([design, features[:, _style_columns(style)]])
    baseline_wins = 1.0 - rows["outcome"].to_numpy(dtype=float)

    def gap(indices: np.ndarray | None) -> np.ndarray:
        coef = v01_style_coef_sklearn(design, baseline_wins, c, indices)[: len(models)]
        return LN10 * (coef - coef[0])

    boot = np.stack([gap(draw) for draw in resample_draws(len(rows), spec)])
    return models, gap(None), boot


def score_v01(
    judgments: pd.DataFrame,
    *,
    baseline: str = V01_BASELINE,
    weight: int = 3,
    null_policy: NullPolicy = "v0.1",
    bootstrap: Bootstrap | None = None,
    level: float = 0.95,
    style: str | None = None,
    metadata: pd.DataFrame | None = None,
    c: float = 1.0,
) -> list[ArenaScore]:
    """The v0.1 leaderboard: BT win rate vs ``baseline`` with a percentile bootstrap interval.

    ``style`` = ``"style"`` (length + markdown), ``"length"`` or ``"markdown"`` adds the v0.1 covariates and
    fits with sklearn's default L2 penalty ``C = c`` on every coefficient, as ``fit_bt`` does. By default the
    exact optimum (batched Newton); with ``bootstrap.upstream_compatible`` upstream's own sklearn lbfgs
    (tol 1e-4) on its row layout and draws, ~0.01 win-rate points away and about 10x slower.
    """
    spec = bootstrap or Bootstrap()
    outcomes = expand_outcomes(judgments, weight=weight, null_policy=null_policy)
    rows = outcomes.rows
    _single_baseline(rows, baseline)
    if style is not None and spec.upstream_compatible:
        models, gap, boot = _v01_style_legacy(rows, baseline, metadata, style, c, spec)
    else:
        models, gap, boot = _v01_strength_gaps(rows, baseline, row_counts(rows, spec), style, metadata, c)
    low, high = _percentiles(boot, level)
    points = dict(zip(models, win_rate(gap).tolist(), strict=True))
    lower = dict(zip(models, win_rate(low).tolist(), strict=True))
    upper = dict(zip(models, win_rate(high).tolist(), strict=True))
    return _table(outcomes, points, lower, upper, baseline, metadata)


# ---------------------------------------------------------------------------------------------------
# v2.0


def score_v2(
    judgments: pd.DataFrame,
    *,
    baseline: str,
    weight: int = 3,
    null_policy: NullPolicy = "v2",
    bootstrap: Bootstrap | None = None,
    level: float = 0.90,
    style: str | None = None,
    metadata: pd.DataFrame | None = None,
) -> list[ArenaScore]:
    """The v2.0 leaderboard: mean outcome (raw) or style-controlled BT, 90% bootstrap quantiles."""
    spec = bootstrap or Bootstrap()
    outcomes = expand_outcomes(judgments, weight=weight, null_policy=null_policy)
    rows = outcomes.rows
    _single_baseline(rows, baseline)
    if style is None:
        points, boot, models = _v2_raw(rows, spec)
    else:
        if metadata is None:
            raise BadInput("metadata", "style control needs the answers' style metadata")
        points, boot, models = _v2_style(rows, baseline, metadata, _style_columns(style), spec)
    low, high = _percentiles(boot, level)
    if spec.upstream_compatible:
        points = boot.mean(axis=0) if style is None else np.median(boot, axis=0)
    return _table(
        outcomes,
        dict(zip(models, points.tolist(), strict=True)),
        dict(zip(models, low.tolist(), strict=True)),
        dict(zip(models, high.tolist(), strict=True)),
        baseline,
        metadata,
    )


def _v2_raw(rows: pd.DataFrame, spec: Bootstrap) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Per-model means; the bootstrap resamples each model's rows (or questions) on its own."""
    models = sorted(pd.unique(rows["model"]))
    points = np.empty(len(models))
    boot = np.empty((spec.rounds, len(models)))
    for i, model in enumerate(models):
        own = rows[rows["model"] == model]
        outcome = own["outcome"].to_numpy(dtype=float)
        points[i] = outcome.mean()
        counts = row_counts(
            own, Bootstrap(spec.rounds, spec.seed + i, spec.resample, spec.upstream_compatible)
        )
        boot[:, i] = (counts @ outcome) / counts.sum(axis=1)
    return points, boot, models


def _v2_style(
    rows: pd.DataFrame, baseline: str, metadata: pd.DataFrame, columns: tuple[int, ...], spec: Bootstrap
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Unpenalised BT with the baseline's strength fixed at 0 plus v2 covariates (soft labels)."""
    sd = _style_design(rows, metadata, baseline)
    features = style_features_v2(sd.model_features, sd.baseline_features, sd.rows_per_unit)[:, columns]
    models = sorted(pd.unique(sd.units["model"]))
    one_hot = np.zeros((len(sd.units), len(models)))
    one_hot[np.arange(len(sd.units)), [models.index(m) for m in sd.units["model"]]] = 1.0
    x = np.hstack([one_hot, features])
    outcome = rows["outcome"].to_numpy(dtype=float)

    def fit(weights: np.ndarray, start: np.ndarray | None = None) -> np.ndarray:
        return fit_logistic(x, sd.unit_sums(weights), sd.unit_sums(weights * outcome), start=start)

    full = fit(np.ones((1, len(rows))))[0]
    boot = fit(row_counts(rows, spec), start=full)
    return np.asarray(win_rate(full[: len(models)])), np.asarray(win_rate(boot[:, : len(models)])), models
