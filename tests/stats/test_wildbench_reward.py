"""WB-Reward: the length-penalty rule on hand-made pairs, and the official pairwise/merged tables."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest
from _shared import shared_path

from benchmarks.wildbench.upstream import load_pairwise_judgments
from harness.errors import BadInput
from harness.stats.wildbench import weighted_task_macro
from harness.stats.wildbench_reward import (
    OUTCOME_VALUES,
    apply_length_penalty,
    mixture_interval,
    mixture_of_rewards,
    outcome_from_choice,
    reward_from_counts,
    wb_reward,
)

BASELINES = ("haiku", "llama", "gpt4t")
PAIRWISE_K = ("-1", "500", "1000", "1500")
ALL_K = ("-1", "100", "300", "500", "1000", "1500", "2000", "3000")


def _pairs() -> pd.DataFrame:
    rows = [
        ("p1", "win", "x" * 1000, "y" * 400, ["Math"]),  # slight win, model longer by 600
        ("p2", "win", "x" * 900, "y" * 400, ["Math"]),  # longer by exactly 500: kept
        ("p3", "lose", "x" * 100, "y" * 700, ["Planning"]),  # slight loss, baseline longer by 600
        ("p4", "win_much", "x" * 5000, "y" * 10, ["Editing"]),  # ++ never converted
        ("p5", "lose_much", "x" * 10, "y" * 5000, ["Editing"]),
        ("p6", "tie", "x" * 50, "y" * 50, ["Math"]),
        ("p7", "win", "x" * 20 + "... (truncated)", "y", ["Math"]),  # skipped, stays in total
        ("p8", "lose", "x", "[This model response is empty.]", ["Math"]),  # skipped
        ("p9", None, "x" * 30, "y" * 30, ["Math"]),  # no verdict: unscored
    ]
    return pd.DataFrame(rows, columns=["session_id", "outcome", "model_output", "baseline_output", "tags"])


def test_length_penalty_turns_long_slight_wins_into_ties_at_k500() -> None:
    result = wb_reward(_pairs(), k=500, model="toy", n_resamples=0)
    assert result.counts == {"win_much": 1, "win": 1, "tie": 3, "lose": 0, "lose_much": 1}
    assert (result.total, result.n_skipped) == (8, 2)
    assert result.reward.value == (1 + 0.5 + 0 - 1) / 8
    assert result.reward.n_unscored == 1 and result.reward.unscored_reasons == {"missing": 1}
    assert result.task_categorized_results["Math & Data Analysis"] == {
        "win_much": 0,
        "win": 1,
        "tie": 2,
        "lose": 0,
        "lose_much": 0,
    }
    assert result.task_categorized_rewards["Creative Tasks"] == 0.0
    assert result.task_macro_reward == weighted_task_macro(result.task_categorized_rewards)
    assert result.avg_len == (1000 + 900 + 100 + 5000 + 10 + 50) / 6


@pytest.mark.parametrize("k", [-1, math.inf])
def test_k_minus_one_and_infinity_disable_the_penalty(k: float) -> None:
    result = wb_reward(_pairs(), k=k, n_resamples=0)
    assert result.counts == {"win_much": 1, "win": 2, "tie": 1, "lose": 1, "lose_much": 1}
    assert result.reward.value == (1 + 1.0 + 0 - 0.5 - 1) / 8


def test_penalty_rule_edges() -> None:
    assert apply_length_penalty("win", 501, 0, 500) == "tie"
    assert apply_length_penalty("win", 500, 0, 500) == "win"
    assert apply_length_penalty("lose", 0, 501, 500) == "tie"
    assert apply_length_penalty("lose", 501, 0, 500) == "lose"  # loser longer: not the rule
    assert apply_length_penalty("win", 1, 0, 0) == "tie"
    assert apply_length_penalty("win_much", 10_000, 0, 0) == "win_much"
    for bad in (-5, float("nan")):
        with pytest.raises(BadInput, match="K"):
            apply_length_penalty("win", 1, 0, bad)


def test_choice_mapping_from_either_side() -> None:
    assert outcome_from_choice("A++", "A") == "win_much"
    assert outcome_from_choice("A+", "B") == "lose"
    assert outcome_from_choice("B+", "B") == "win"
    assert outcome_from_choice("B++", "A") == "lose_much"
    assert outcome_from_choice("A=B", "B") == "tie"
    with pytest.raises(BadInput, match="expected one of"):
        outcome_from_choice("A>B", "A")
    with pytest.raises(BadInput, match="'A' or 'B'"):
        outcome_from_choice("A+", "model")


def test_counts_reproduce_every_official_pairwise_reward() -> None:
    checked = 0
    for baseline in BASELINES:
        for k in PAIRWISE_K:
            table = json.loads(
                shared_path("wildbench", "leaderboard", f"pairwise-{baseline}-K={k}.json").read_text()
            )
            for model, row in table.items():
                assert reward_from_counts(row, row["total"]) == row["reward"], (baseline, k, model)
                groups = {g: reward_from_counts(c) for g, c in row["task_categorized_results"].items()}
                assert groups == row["task_categorized_rewards"], (baseline, k, model)
                assert weighted_task_macro(row["task_categorized_rewards"]) == row["task_macro_reward"]
                checked += 1
    assert checked > 500


def test_mixture_is_the_mean_of_the_three_baselines_in_every_merged_table() -> None:
    for k in ALL_K:
        merged = json.loads(
            shared_path("wildbench", "leaderboard", f"all_stat_wildbench.{k}.json").read_text()
        )
        pairwise = {}
        if k in PAIRWISE_K:
            for b in BASELINES:
                path = shared_path("wildbench", "leaderboard", f"pairwise-{b}-K={k}.json")
                pairwise[b] = json.loads(path.read_text())
        for model, row in merged.items():
            rewards = {b: row[f"{b}_reward.K={k}"] for b in BASELINES}
            if pairwise:  # the merged figure is the pairwise reward x100, 0 when a baseline lacks the model
                expected = {
                    b: pairwise[b][model]["reward"] * 100 if model in pairwise[b] else 0 for b in BASELINES
                }
                assert rewards == expected, (k, model)
            assert mixture_of_rewards(rewards) == row[f"mixture_of_rewards.K={k}"], (k, model)
            macros = {b: row[f"{b}_reward.task_macro.K={k}"] for b in BASELINES}
            assert mixture_of_rewards(macros) == row[f"task_macro_reward.K={k}"], (k, model)


def test_mixture_refuses_a_missing_baseline_unless_asked() -> None:
    with pytest.raises(BadInput, match="llama"):
        mixture_of_rewards({"gpt4t": 10.0, "haiku": 20.0})
    with pytest.raises(BadInput, match="haiku"):
        mixture_of_rewards({"gpt4t": 10.0, "haiku": float("nan"), "llama": 1.0})
    assert mixture_of_rewards({"gpt4t": 10.0, "haiku": 20.0}, missing_as_zero=True) == 10.0


def test_upstream_pairwise_file_loads_into_wb_reward(tmp_path: Path) -> None:
    ref, test = "claude-3-haiku-20240307", "my-model"
    items = [
        {"session_id": "a", "model_outputs": {test: "x" * 900, ref: "y" * 100}, "winner": test, "extent": 1},
        {"session_id": "b", "model_outputs": {ref: "y", test: "x"}, "winner": ref, "extent": 2},
        {"session_id": "c", "model_outputs": {test: "x", ref: "y"}, "winner": "tie", "extent": 0},
        {"session_id": "d", "model_outputs": {test: "x", ref: "y"}},
    ]
    path = tmp_path / f"{test}.json"
    path.write_text(json.dumps(items))
    frame = load_pairwise_judgments(path, baseline="claude-3-haiku")
    assert list(frame["outcome"][:3]) == ["win", "lose_much", "tie"] and pd.isna(frame["outcome"][3])
    at_500 = wb_reward(frame, k=500, n_resamples=0)
    assert at_500.counts["tie"] == 2 and at_500.reward.value == -1 / 3
    assert wb_reward(frame, k=-1, n_resamples=0).reward.value == (0.5 - 1) / 3
    items[0]["winner"] = "somebody-else"
    path.write_text(json.dumps(items))
    with pytest.raises(BadInput, match=r"\[0\]"):
        load_pairwise_judgments(path, baseline="claude-3-haiku")


def test_unknown_outcome_label_names_the_expected_ones() -> None:
    frame = _pairs()
    frame.loc[0, "outcome"] = "A>B"
    with pytest.raises(BadInput, match="win_much"):
        wb_reward(frame)
    assert set(OUTCOME_VALUES) == {"win_much", "win", "tie", "lose", "lose_much"}


def test_reward_interval_brackets_the_value() -> None:
    frame = pd.concat([_pairs()] * 20, ignore_index=True)
    result = wb_reward(frame, k=-1, n_resamples=500, seed=3)
    assert result.reward.ci_lower < result.reward.value < result.reward.ci_upper
    again = wb_reward(frame, k=-1, n_resamples=500, seed=3)
    assert (again.reward.ci_lower, again.reward.ci_upper) == (result.reward.ci_lower, result.reward.ci_upper)


def test_a_reason_column_names_why_a_verdict_is_missing() -> None:
    frame = _pairs()
    frame["reason"] = [None] * 8 + ["parse_failure"]
    result = wb_reward(frame, k=500, n_resamples=0)
    assert result.reward.unscored_reasons == {"parse_failure": 1}
    # the skipped pairs (p7, p8) stay in total with value 0; the unscored one (p9) is not a row
    assert [s for s, _ in result.item_values] == ["p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8"]
    assert sum(v for _, v in result.item_values) / result.total == result.reward.value


def test_mixture_interval_resamples_sessions_across_baselines() -> None:
    frame = pd.concat([_pairs()] * 20, ignore_index=True)
    frame["session_id"] = [f"s{i:03d}" for i in range(len(frame))]  # sorted, one row per session
    one = wb_reward(frame, k=-1, n_resamples=500, seed=3)
    # three identical baselines: the mix's replicates are the single reward's, resampled the same way
    assert mixture_interval([one, one, one], n_resamples=500, seed=3) == (
        one.reward.ci_lower,
        one.reward.ci_upper,
    )
    other = frame.assign(
        outcome=frame["outcome"].map({"win": "lose", "lose": "win"}).fillna(frame["outcome"])
    )
    two = wb_reward(other, k=-1, n_resamples=0)
    low, high = mixture_interval([one, two], n_resamples=500, seed=3)
    assert low < (one.reward.value + two.reward.value) / 2 < high
    with pytest.raises(BadInput, match="at least one counted pair"):
        mixture_interval([one, wb_reward(frame.iloc[8:9], n_resamples=0)])
