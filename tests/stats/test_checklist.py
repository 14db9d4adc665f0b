"""TICK pass rates, DRFR and the strict YES/NO rule."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from harness.errors import BadInput
from harness.stats.checklist import checklist_preference, item_pass_rates, parse_answer, tick_scores


def _answers() -> pd.DataFrame:
    rows = [
        ("m", "i1", "YES"),
        ("m", "i1", " yes\n"),
        ("m", "i1", "No"),
        ("m", "i1", "Yes."),  # not YES/NO: unscored
        ("m", "i2", "NO"),
        ("m", "i2", None),  # missing: unscored
        ("m", "i3", "maybe"),  # the item's only answer is unscored
        ("n", "i1", "YES"),
        ("n", "i2", "YES"),
    ]
    return pd.DataFrame(rows, columns=["model", "item_id", "answer"])


def test_answers_are_case_and_whitespace_tolerant_but_otherwise_strict() -> None:
    assert parse_answer(" yes ") is True and parse_answer("NO\n") is False
    for raw in ("Yes.", "Y", "yes, mostly", "", None, float("nan"), 1):
        assert parse_answer(raw) is None


def test_item_pass_rates_and_unscored_counts() -> None:
    table = item_pass_rates(_answers()).set_index(["model", "item_id"])
    assert table.loc[("m", "i1"), "pass_rate"] == pytest.approx(2 / 3)
    assert table.loc[("m", "i1"), "n_unscored"] == 1
    assert table.loc[("m", "i2"), "pass_rate"] == 0.0
    assert np.isnan(table.loc[("m", "i3"), "pass_rate"])


def test_model_mean_is_macro_over_items_and_drfr_is_micro() -> None:
    results = tick_scores(_answers(), n_resamples=200)
    m = results["m"]
    assert m.pass_rate.value == pytest.approx((2 / 3 + 0) / 2)
    assert (m.pass_rate.n_scored, m.pass_rate.n_unscored) == (2, 1)
    assert m.pass_rate.unscored_reasons == {"no_scored_answer": 1}
    assert m.drfr.value == pytest.approx(2 / 4)
    assert (m.drfr.n_scored, m.drfr.n_unscored) == (4, 3)
    assert m.drfr.unscored_reasons == {"missing": 1, "parse_failure": 2}
    assert results["n"].pass_rate.value == 1.0


def test_bootstrap_interval_is_seeded_and_brackets_the_mean() -> None:
    rng = np.random.default_rng(11)
    rows = [("m", f"i{i}", "YES" if rng.random() < 0.7 else "NO") for i in range(200) for _ in range(5)]
    frame = pd.DataFrame(rows, columns=["model", "item_id", "answer"])
    first = tick_scores(frame, n_resamples=500, seed=1)["m"].pass_rate
    again = tick_scores(frame, n_resamples=500, seed=1)["m"].pass_rate
    assert first.ci_lower < first.value < first.ci_upper
    assert (first.ci_lower, first.ci_upper) == (again.ci_lower, again.ci_upper)
    assert 0.6 < first.value < 0.8 and first.ci_upper - first.ci_lower < 0.1


def test_preference_and_bad_table() -> None:
    assert checklist_preference(0.8, 0.5) == "A"
    assert checklist_preference(0.5, 0.5) == "tie"
    assert checklist_preference(float("nan"), 0.5) == "unscored"
    with pytest.raises(BadInput, match="missing column"):
        tick_scores(pd.DataFrame({"model": ["m"], "answer": ["YES"]}))
