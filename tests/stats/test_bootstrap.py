"""The shared percentile bootstrap: multinomial resample counts, ratio statistics, seeding."""

from __future__ import annotations

import numpy as np
import pytest

from harness.errors import BadInput
from harness.stats.bootstrap import ratio_interval, ratio_replicates, resample_counts


def test_each_resample_draws_n_units() -> None:
    counts = resample_counts(50, 200, seed=0)
    assert counts.shape == (200, 50)
    assert np.all(counts.sum(axis=1) == 50)


def test_ratio_replicates_are_ratios_of_resampled_sums_and_seeded() -> None:
    num, den = np.array([1.0, 2.0, 0.0, 5.0]), np.array([2.0, 2.0, 1.0, 5.0])
    replicates = ratio_replicates(num, den, n_resamples=100, seed=4)
    counts = resample_counts(4, 100, seed=4)
    assert np.allclose(replicates, (counts @ num) / (counts @ den))
    assert ratio_interval(num, den, 300, 0.9, 4) == ratio_interval(num, den, 300, 0.9, 4)
    low, high = ratio_interval(np.full(30, 0.25), None, 100)
    assert low == high == 0.25


def test_nan_units_and_bad_levels_are_refused() -> None:
    with pytest.raises(BadInput, match="unscored"):
        ratio_interval([1.0, float("nan")])
    with pytest.raises(BadInput, match="level"):
        ratio_interval([1.0, 2.0], level=95)
