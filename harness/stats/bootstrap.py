"""A small, vectorised, seeded percentile bootstrap shared by the statistics in this package.

Resampling ``n`` units with replacement ``B`` times is the same as drawing a ``B x n`` matrix of
multinomial counts (Efron & Tibshirani 1993, ch. 6); every statistic that is a ratio of sums over
units (a mean, a micro rate, a confusion-matrix cell) is then one matrix product, with no Python loop
over resamples. Units are whatever the caller passes — questions, items, sessions — which is the
principled level of resampling (docs/statistics.md, "Intervals": a question-level bootstrap).
The interval is the plain percentile interval at ``level`` (e.g. 0.95 -> 2.5th/97.5th percentiles).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from harness.errors import BadInput

FloatArray = npt.NDArray[np.float64]

DEFAULT_RESAMPLES = 1000
DEFAULT_LEVEL = 0.95
DEFAULT_SEED = 0


def resample_counts(n_units: int, n_resamples: int, seed: int) -> FloatArray:
    """``n_resamples x n_units`` matrix: how often each unit is drawn in each bootstrap resample."""
    if n_units <= 0:
        raise BadInput("bootstrap", "no units to resample")
    if n_resamples <= 0:
        raise BadInput("bootstrap", f"n_resamples must be positive, got {n_resamples}")
    rng = np.random.default_rng(seed)
    probabilities = np.full(n_units, 1.0 / n_units)
    return rng.multinomial(n_units, probabilities, size=n_resamples).astype(np.float64)


def percentile_interval(samples: FloatArray, level: float = DEFAULT_LEVEL) -> tuple[float, float]:
    """Percentile interval of bootstrap replicates (NaN replicates, e.g. an empty denominator, ignored)."""
    if not 0.0 < level < 1.0:
        raise BadInput("bootstrap.level", f"expected a level in (0, 1), got {level}")
    finite = samples[np.isfinite(samples)]
    if finite.size == 0:
        raise BadInput("bootstrap", "every bootstrap replicate was undefined")
    alpha = (1.0 - level) / 2.0
    low, high = np.quantile(finite, [alpha, 1.0 - alpha])
    return float(low), float(high)


def ratio_replicates(
    numerators: npt.ArrayLike,
    denominators: npt.ArrayLike | None = None,
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int = DEFAULT_SEED,
) -> FloatArray:
    """Bootstrap replicates of ``sum(num) / sum(den)`` over resampled units.

    With ``denominators=None`` every unit weighs 1 and the statistic is the plain mean of ``numerators``.
    """
    num = np.asarray(numerators, dtype=np.float64)
    den = np.ones_like(num) if denominators is None else np.asarray(denominators, dtype=np.float64)
    if num.shape != den.shape or num.ndim != 1:
        raise BadInput("bootstrap", "numerators and denominators must be 1-d arrays of equal length")
    if not (np.all(np.isfinite(num)) and np.all(np.isfinite(den))):
        raise BadInput("bootstrap", "NaN or infinite value among the units; mark them unscored first")
    counts = resample_counts(num.size, n_resamples, seed)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray((counts @ num) / (counts @ den), dtype=np.float64)


def ratio_interval(
    numerators: npt.ArrayLike,
    denominators: npt.ArrayLike | None = None,
    n_resamples: int = DEFAULT_RESAMPLES,
    level: float = DEFAULT_LEVEL,
    seed: int = DEFAULT_SEED,
) -> tuple[float, float]:
    """Percentile interval of ``sum(num)/sum(den)`` (a mean when ``denominators`` is None)."""
    return percentile_interval(ratio_replicates(numerators, denominators, n_resamples, seed), level)
