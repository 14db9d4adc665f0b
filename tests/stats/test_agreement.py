"""Judge diagnostics: position consistency, Cohen's kappa (vs scikit-learn), length slope, DBG."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import cohen_kappa_score

from harness.errors import BadInput
from harness.stats.agreement import cohen_kappa, length_slope, position_consistency, self_preference


def test_position_consistency_counts_agreeing_orders_and_first_position_pull() -> None:
    table = pd.DataFrame(
        {
            "verdict_original": ["model_1", "model_1", "tie", "model_2", "model_1", "error", None],
            "verdict_swapped": ["model_1", "model_2", "tie", "model_2", "model_2", "model_1", "tie"],
        }
    )
    result = position_consistency(table)
    assert result.consistency.value == 3 / 5
    assert (result.consistency.n_scored, result.consistency.n_unscored) == (5, 2)
    assert result.consistency.unscored_reasons == {"missing": 1, "parse_failure": 1}
    assert result.first_position_bias == 2 / 5
    with pytest.raises(BadInput, match="expected one of"):
        position_consistency(pd.DataFrame({"verdict_original": ["A"], "verdict_swapped": ["B"]}))


def test_kappa_matches_scikit_learn_and_drops_only_missing_pairs() -> None:
    rng = np.random.default_rng(5)
    a = rng.choice(["A", "B", "tie"], size=300, p=[0.45, 0.4, 0.15])
    b = np.where(rng.random(300) < 0.7, a, rng.choice(["A", "B", "tie"], size=300))
    result = cohen_kappa(a, b, n_resamples=400)
    assert result.value == pytest.approx(cohen_kappa_score(a, b), abs=1e-12)
    assert result.ci_lower < result.value < result.ci_upper
    with_missing = list(a) + [None, "A"]
    other = list(b) + ["A", float("nan")]
    missing = cohen_kappa(with_missing, other, n_resamples=0)
    assert missing.value == pytest.approx(result.value, abs=1e-12)
    assert missing.n_unscored == 2 and missing.unscored_reasons == {"missing": 2}
    with pytest.raises(BadInput, match="undefined"):
        cohen_kappa(["A", "A"], ["A", "A"])
    with pytest.raises(BadInput, match="different numbers"):
        cohen_kappa(["A"], ["A", "B"])


def test_length_slope_recovers_a_known_logistic_slope() -> None:
    rng = np.random.default_rng(9)
    diff = rng.uniform(-2000, 2000, size=4000)
    win = rng.random(4000) < 1 / (1 + np.exp(-(0.2 + 0.8 * diff / 1000)))
    frame = pd.DataFrame({"outcome": win.astype(float), "length_diff": diff})
    frame.loc[:9, "outcome"] = np.nan
    result = length_slope(frame)
    slope = result.slope_per_1k_chars
    assert slope.ci_lower < 0.8 < slope.ci_upper and abs(slope.value - 0.8) < 0.1
    assert (slope.n_scored, slope.n_unscored) == (3990, 10)
    assert 0.5 < result.win_rate_at_equal_length < 0.6
    flat = pd.DataFrame({"outcome": [1, 0, 0.5, 0.5, 0, 1], "length_diff": [-10, -10, 0, 0, 10, 10]})
    assert abs(length_slope(flat).slope_per_1k_chars.value) < 1e-6
    with pytest.raises(BadInput, match=r"\[0, 1\]"):
        length_slope(pd.DataFrame({"outcome": [2, 0, 1], "length_diff": [1, 2, 3]}))


def test_self_preference_is_own_win_rate_minus_gold_majority() -> None:
    rows = []
    for item, (own, gold_votes) in enumerate(
        [
            (1.0, [1, 1, 0, 0.5, 1, 0]),  # gold majority: 3 wins vs 2 losses -> 1
            (1.0, [0, 0, 1, 0, 0.5, 0.5]),  # -> 0
            (0.5, [1, 0, 1, 0, 0.5, 0.5]),  # tie -> 0.5
            (1.0, [0, 0, 0, 0, 0, 0]),  # -> 0
        ]
    ):
        rows += [(item, "judge-x", "judge-x", own), (item, "judge-x", "judge-x", own)]  # both orders
        rows += [
            (item, "judge-x", g, v)
            for g, v in zip(["g1", "g1", "g2", "g2", "g3", "g3"], gold_votes, strict=True)
        ]
    rows.append((99, "judge-x", "judge-x", 1.0))  # no gold verdict: unscored
    rows.append((5, "other-model", "judge-x", 0.0))  # not the judge's own output: ignored
    frame = pd.DataFrame(rows, columns=["item_id", "generator", "judge", "outcome"])
    result = self_preference(frame, "judge-x", ["g1", "g2", "g3"], n_resamples=200)
    judge_wr = (1 + 1 + 0.5 + 1) / 4
    gold_wr = (1 + 0 + 0.5 + 0) / 4
    assert result.value == pytest.approx(100 * (judge_wr - gold_wr))
    assert (result.n_scored, result.n_unscored) == (4, 1)
    assert result.unscored_reasons == {"unpaired": 1}
    with pytest.raises(BadInput, match="own gold"):
        self_preference(frame, "judge-x", ["judge-x"])


def test_text_where_a_number_is_expected_is_a_format_error() -> None:
    with pytest.raises(BadInput, match="expected numbers"):
        length_slope(pd.DataFrame({"outcome": ["win", 0, 1], "length_diff": [1, 2, 3]}))
