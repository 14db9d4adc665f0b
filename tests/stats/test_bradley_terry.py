"""Arena-Hard scoring logic on synthetic data: checks 4, 5 and 7 of arena_mtbench.md section E, the
star-design identity, a full round-robin fit, and the bootstrap machinery."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from harness.errors import BadInput
from harness.stats.arena_scores import Bootstrap, resample_counts, score_v01, score_v2
from harness.stats.bradley_terry import (
    REASON_NULL,
    REASON_OUTSIDE_V01,
    REASON_PAIR,
    elo_ratings,
    expand_outcomes,
    fit_bradley_terry,
    fit_logistic,
    pair_design,
    v01_battles,
    v01_elo_sklearn,
    win_rate,
)

BASE = "base"


def judgments(pairs: list[tuple[str, str, str | None, str | None]]) -> pd.DataFrame:
    """Canonical frame from (question, model, game-1 label, game-2 label)."""
    rows = []
    for question, model, g1, g2 in pairs:
        rows.append({"question_id": question, "model": model, "baseline": BASE, "game": 1, "label": g1})
        rows.append({"question_id": question, "model": model, "baseline": BASE, "game": 2, "label": g2})
    return pd.DataFrame(rows)


@pytest.mark.parametrize(
    ("g1", "g2", "expected"),
    [
        ("A>>B", "A>B", [0, 0, 0, 1]),
        ("B>A", "A=B", [1, 0.5]),
        ("B>>A", "B>>A", [1, 1, 1, 0, 0, 0]),
    ],
)
def test_check4_outcome_expansion(g1: str, g2: str, expected: list[float]) -> None:
    rows = expand_outcomes(judgments([("q", "m", g1, g2)])).rows
    assert sorted(rows["outcome"].tolist()) == sorted(expected)
    # game 1 rows come first, as upstream's battle order
    assert rows["outcome"].tolist() == expected
    score = score_v2(judgments([("q", "m", g1, g2), ("r", "m", "A>B", "B>A")]), baseline=BASE)
    model = next(row for row in score if row.model == "m")
    assert model.score == pytest.approx(100 * np.mean(expected + [0, 0]))


def test_weight_is_configurable() -> None:
    rows = expand_outcomes(judgments([("q", "m", "B>>A", "A=B")]), weight=5).rows
    assert rows["outcome"].tolist() == [1, 1, 1, 1, 1, 0.5]


def star_battles(seed: int = 0, n_questions: int = 60) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    labels = ["A>>B", "A>B", "A=B", "B>A", "B>>A", None]
    probs = {"m1": [0.1, 0.2, 0.2, 0.3, 0.18, 0.02], "m2": [0.3, 0.3, 0.2, 0.1, 0.07, 0.03], "m3": None}
    pairs = []
    for model, p in probs.items():
        p = p or [0.05, 0.1, 0.15, 0.3, 0.38, 0.02]
        for q in range(n_questions):
            g1, g2 = rng.choice(len(labels), size=2, p=p)
            pairs.append((f"q{q}", model, labels[g1], labels[g2]))
    return judgments(pairs)


def test_check5_v01_battle_bt_equals_mean_outcome() -> None:
    """Upstream's duplicated-battle BT (sklearn) and our pair-count MLE both give the mean outcome."""
    outcomes = expand_outcomes(star_battles())
    means = outcomes.rows.groupby("model")["outcome"].mean()
    elo = v01_elo_sklearn(v01_battles(outcomes), BASE)
    assert elo[BASE] == pytest.approx(1000.0)
    design = pair_design(outcomes.rows)
    theta = fit_bradley_terry(design, BASE)
    ours = pd.Series(elo_ratings(theta), index=design.models)
    for model, mean in means.items():
        upstream_rate = 1 / (1 + 10 ** ((elo[BASE] - elo[model]) / 400))
        assert upstream_rate == pytest.approx(mean, abs=1e-4)
        assert float(win_rate(theta[design.models.index(model)])) == pytest.approx(mean, abs=1e-6)
        assert ours[model] == pytest.approx(elo[model], abs=1e-3)


def test_star_design_bt_equals_weighted_mean_to_1e6() -> None:
    for seed in range(5):
        outcomes = expand_outcomes(star_battles(seed, n_questions=200))
        means = outcomes.rows.groupby("model")["outcome"].mean()
        scores = {row.model: row.score for row in score_v01(star_battles(seed, 200), baseline=BASE)}
        for model, mean in means.items():
            assert scores[model] == pytest.approx(100 * mean, abs=1e-6)


def test_check7_null_policies_drop_game_or_pair_and_report() -> None:
    frame = judgments(
        [
            ("q1", "m", "B>A", None),  # v0.1: keep game 1; v2: drop both
            ("q2", "m", "A=B", "A>B"),
            ("q3", "m", None, None),
            ("q4", "m", "A<B", "A>B"),  # v2-only label: v0.1 gives it weight 0
        ]
    )
    v01 = expand_outcomes(frame, null_policy="v0.1")
    assert v01.rows["outcome"].tolist() == [1, 0.5, 1, 1]
    assert v01.unscored["reason"].value_counts().to_dict() == {REASON_NULL: 3, REASON_OUTSIDE_V01: 1}
    assert v01.counts().loc["m"].tolist() == [4, 4]
    v2 = expand_outcomes(frame, null_policy="v2")
    assert v2.rows["outcome"].tolist() == [0.5, 1, 1, 1]
    assert v2.unscored["reason"].value_counts().to_dict() == {REASON_NULL: 3, REASON_PAIR: 1}
    assert v2.counts().loc["m"].tolist() == [4, 4]
    row = next(r for r in score_v2(frame, baseline=BASE) if r.model == "m")
    assert (row.n_scored, row.n_unscored) == (4, 4)
    assert row.unscored_reasons == {REASON_NULL: 3, REASON_PAIR: 1}
    assert row.score == pytest.approx(100 * 3.5 / 4)


def test_nan_label_is_unscored_and_unknown_label_is_bad_input() -> None:
    frame = judgments([("q1", "m", "B>A", "A>B")])
    frame.loc[1, "label"] = float("nan")
    assert expand_outcomes(frame).unscored["reason"].tolist() == [REASON_NULL]
    frame.loc[1, "label"] = "A>>>B"
    with pytest.raises(BadInput, match=r"judgments\[1\]\.label.*A>>>B.*expected one of"):
        expand_outcomes(frame)
    with pytest.raises(BadInput, match="null_policy"):
        expand_outcomes(judgments([("q", "m", "A>B", "A>B")]), null_policy="v3")  # type: ignore[arg-type]


def test_missing_column_and_duplicates_are_bad_input() -> None:
    frame = judgments([("q1", "m", "B>A", "A>B")])
    with pytest.raises(BadInput, match="missing column"):
        expand_outcomes(frame.drop(columns=["game"]))
    with pytest.raises(BadInput, match="duplicate judgment"):
        expand_outcomes(pd.concat([frame, frame]))


def round_robin(n_models: int = 12, n_games: int = 60, seed: int = 1) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    strength = rng.normal(0, 1, n_models)
    strength -= strength[0]
    rows = []
    for i in range(n_models):
        for j in range(i + 1, n_models):
            p = 1 / (1 + np.exp(-(strength[i] - strength[j])))
            u = rng.random(n_games)
            outcome = np.where(u < 0.15, 0.5, (u < 0.15 + 0.85 * p).astype(float))
            for k, y in enumerate(outcome):
                rows.append(
                    {"question_id": f"q{k}", "model": f"m{i:02d}", "baseline": f"m{j:02d}", "outcome": y}
                )
    return pd.DataFrame(rows), strength


def test_full_round_robin_fit_satisfies_score_equations_and_matches_sklearn() -> None:
    from sklearn.linear_model import LogisticRegression

    rows, truth = round_robin()
    design = pair_design(rows)
    theta = fit_bradley_terry(design, "m00")
    assert len(design.models) == 12 and design.n_pairs == 66
    # MLE score equations: every model's observed wins equal its expected wins
    y = rows["outcome"].to_numpy()
    index = {m: i for i, m in enumerate(design.models)}
    a = rows["model"].map(index).to_numpy()
    b = rows["baseline"].map(index).to_numpy()
    p = 1 / (1 + np.exp(-(theta[a] - theta[b])))
    for m in range(12):
        observed = y[a == m].sum() + (1 - y[b == m]).sum()
        expected = p[a == m].sum() + (1 - p[b == m]).sum()
        assert observed == pytest.approx(expected, abs=1e-8)
    # the same fit as an unpenalised logistic regression on duplicated rows (tie = one win + one loss)
    x = np.zeros((2 * len(rows), 12))
    x[np.arange(2 * len(rows)), np.concatenate([a, a])] += 1
    x[np.arange(2 * len(rows)), np.concatenate([b, b])] -= 1
    target = np.concatenate([y >= 0.5, y == 1.0]).astype(float)
    coef = LogisticRegression(fit_intercept=False, C=np.inf, tol=1e-10, max_iter=1000).fit(x, target).coef_[0]
    assert np.allclose(coef - coef[0], theta, atol=1e-4)
    assert np.corrcoef(theta, truth)[0, 1] > 0.9


def test_bootstrap_batched_equals_round_by_round_and_is_seeded() -> None:
    rows, _ = round_robin(n_models=10, n_games=20, seed=3)
    design = pair_design(rows)
    counts = resample_counts(len(rows), Bootstrap(rounds=8, seed=7))
    assert np.array_equal(counts, resample_counts(len(rows), Bootstrap(rounds=8, seed=7)))
    assert not np.array_equal(counts, resample_counts(len(rows), Bootstrap(rounds=8, seed=8)))
    assert np.all(counts.sum(axis=1) == len(rows))
    batched = fit_bradley_terry(design, "m00", counts)
    for r in range(8):
        assert np.allclose(batched[r], fit_bradley_terry(design, "m00", counts[r]), atol=1e-9)


def test_upstream_compatible_draws_are_pandas_sample_with_seed_42() -> None:
    frame = pd.DataFrame({"x": np.arange(500)})
    counts = resample_counts(500, Bootstrap(rounds=2, seed=42, upstream_compatible=True))
    state = np.random.RandomState(42)
    for r in range(2):
        drawn = frame.sample(frac=1.0, replace=True, random_state=state)["x"].to_numpy()
        assert np.array_equal(np.bincount(drawn, minlength=500), counts[r])


def test_intervals_cover_point_and_question_resampling_is_wider() -> None:
    frame = star_battles(2, n_questions=300)
    rows = {r.model: r for r in score_v01(frame, baseline=BASE)}
    by_question = {
        r.model: r for r in score_v01(frame, baseline=BASE, bootstrap=Bootstrap(resample="questions"))
    }
    narrow90 = {r.model: r for r in score_v01(frame, baseline=BASE, level=0.90)}
    for model in ("m1", "m2", "m3"):
        assert rows[model].ci_lower < rows[model].score < rows[model].ci_upper
        assert by_question[model].score == rows[model].score
        assert (
            narrow90[model].ci_upper - narrow90[model].ci_lower < rows[model].ci_upper - rows[model].ci_lower
        )
    # >> copies move together when whole questions are resampled: wider on average
    width = np.mean([rows[m].ci_upper - rows[m].ci_lower for m in ("m1", "m2", "m3")])
    width_q = np.mean([by_question[m].ci_upper - by_question[m].ci_lower for m in ("m1", "m2", "m3")])
    assert width_q > width
    assert rows[BASE].score == rows[BASE].ci_lower == rows[BASE].ci_upper == 50.0


def test_fit_logistic_l2_matches_sklearn_default() -> None:
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, 5))
    y = (rng.random(400) < 1 / (1 + np.exp(-x @ np.array([1.0, -2.0, 0.5, 0.0, 0.3])))).astype(float)
    ours = fit_logistic(x, np.ones(400), y, l2=1.0)
    theirs = LogisticRegression(fit_intercept=False, C=1.0, tol=1e-12, max_iter=10_000).fit(x, y).coef_[0]
    assert np.allclose(ours, theirs, atol=1e-6)


def test_separable_outcomes_are_reported_not_infinite() -> None:
    frame = judgments([(f"q{i}", "m", "B>>A", "A>>B") for i in range(5)])
    with pytest.raises(BadInput, match="no finite MLE"):
        score_v01(frame, baseline=BASE)


def test_v2_interval_is_90_percent_quantile_of_per_model_bootstrap_means() -> None:
    frame = star_battles(4, n_questions=150)
    spec = Bootstrap(rounds=50, seed=11)
    rows = {r.model: r for r in score_v2(frame, baseline=BASE, bootstrap=spec)}
    outcomes = expand_outcomes(frame, null_policy="v2").rows
    for i, model in enumerate(sorted(outcomes["model"].unique())):
        y = outcomes.loc[outcomes["model"] == model, "outcome"].to_numpy()
        counts = resample_counts(len(y), Bootstrap(rounds=50, seed=11 + i))
        means = counts @ y / len(y)
        assert rows[model].score == pytest.approx(100 * y.mean())
        assert rows[model].ci_lower == pytest.approx(100 * np.percentile(means, 5))
        assert rows[model].ci_upper == pytest.approx(100 * np.percentile(means, 95))
    compatible = {
        r.model: r for r in score_v2(frame, baseline=BASE, bootstrap=Bootstrap(upstream_compatible=True))
    }
    assert compatible["m1"].score != rows["m1"].score  # upstream reports the mean of bootstrap means
    with pytest.raises(BadInput, match="upstream never resamples questions"):
        score_v01(frame, baseline=BASE, bootstrap=Bootstrap(resample="questions", upstream_compatible=True))
