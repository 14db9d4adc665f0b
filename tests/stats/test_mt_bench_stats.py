"""MT-Bench aggregation (../shared/reference/arena_mtbench.md §E checks 11 and 14) on FastChat-schema fixtures."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _shared import shared_path

from benchmarks.mt_bench.upstream import load_pair_judgments, load_questions, load_single_judgments
from harness.errors import BadInput
from harness.stats.mt_bench import (
    attach_categories,
    match_outcome,
    pairwise_win_rates,
    scores_table,
    single_scores,
)

CATEGORY_RANGES = {
    "writing": range(81, 91),
    "roleplay": range(91, 101),
    "reasoning": range(101, 111),
    "math": range(111, 121),
    "coding": range(121, 131),
    "extraction": range(131, 141),
    "stem": range(141, 151),
    "humanities": range(151, 161),
}


def _write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


def _single_rows(model: str, scores: dict[tuple[int, int], float | None]) -> list[dict]:
    rows = []
    for (qid, turn), score in scores.items():
        prompt = "single-math-v1" if 101 <= qid <= 130 else "single-v1"
        if turn == 2:
            prompt += "-multi-turn"
        rows.append(
            {
                "question_id": qid,
                "model": model,
                "judge": ["gpt-4", prompt],
                "user_prompt": "...",
                "judgment": f"Rating: [[{score}]]",
                "score": score,
                "turn": turn,
                "tstamp": 1687000000.0,
            }
        )
    return rows


def test_questions_have_eight_categories_of_ten_with_the_upstream_id_ranges() -> None:
    categories = load_questions(shared_path("mt_bench", "question.jsonl"))
    assert len(categories) == 80
    for category, ids in CATEGORY_RANGES.items():
        assert [q for q, c in categories.items() if c == category] == list(ids)


def test_clean_model_reports_the_mean_of_the_two_turn_means(tmp_path: Path) -> None:
    rng = np.random.default_rng(7)
    scores = {(q, t): float(rng.integers(1, 11)) for q in range(81, 161) for t in (1, 2)}
    path = _write_jsonl(tmp_path / "gpt-4_single.jsonl", _single_rows("clean", scores))
    frame = load_single_judgments(path)
    assert len(frame) == 160 and set(frame["judge"]) >= {"gpt-4/single-v1", "gpt-4/single-math-v1-multi-turn"}
    result = single_scores(frame, n_resamples=300)["clean"]
    t1 = np.mean([s for (_, t), s in scores.items() if t == 1])
    t2 = np.mean([s for (_, t), s in scores.items() if t == 2])
    assert result.turns[1].value == pytest.approx(t1) and result.turns[2].value == pytest.approx(t2)
    assert result.overall.value == pytest.approx((t1 + t2) / 2)
    assert result.overall.n_scored == 160 and result.overall.n_unscored == 0
    assert result.overall.ci_lower < result.overall.value < result.overall.ci_upper


def test_unparsed_rows_are_excluded_counted_and_the_pooled_mean_is_used(tmp_path: Path) -> None:
    scores: dict[tuple[int, int], float | None] = {(q, 1): 9.0 for q in range(81, 91)}
    scores.update({(q, 2): 3.0 for q in range(81, 91)})
    scores.update({(81, 2): -1.0, (82, 2): -1.0, (83, 2): None})
    path = _write_jsonl(tmp_path / "j.jsonl", _single_rows("noisy", scores))
    frame = attach_categories(
        load_single_judgments(path), load_questions(shared_path("mt_bench", "question.jsonl"))
    )
    result = single_scores(frame, n_resamples=0)["noisy"]
    assert result.turns[1].value == 9.0 and result.turns[2].value == 3.0
    pooled = (10 * 9 + 7 * 3) / 17
    assert result.overall.value == pytest.approx(pooled)
    assert result.overall.value != pytest.approx((9 + 3) / 2)
    assert result.overall.n_unscored == 3
    assert result.overall.unscored_reasons == {"missing": 1, "parse_failure": 2}
    assert result.turns[2].n_unscored == 3 and result.turns[1].n_unscored == 0
    assert result.categories["writing"].value == pytest.approx(pooled)
    table = scores_table({"noisy": result})
    assert list(table.columns[:2]) == ["model", "score"] and table.loc[0, "n_unscored"] == 3


def test_bad_inputs_name_file_line_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"question_id": 81, "model": "m", "turn": 1, "score": 5}\n{oops\n')
    with pytest.raises(BadInput, match="bad.jsonl:2"):
        load_single_judgments(bad)
    bad.write_text('{"question_id": 81, "model": "m", "turn": 1, "score": "five"}\n')
    with pytest.raises(BadInput, match="score"):
        load_single_judgments(bad)
    bad.write_text('{"question_id": 81, "turn": 1, "score": 5}\n')
    with pytest.raises(BadInput, match="'model'"):
        load_single_judgments(bad)
    with pytest.raises(BadInput, match="missing column"):
        single_scores(pd.DataFrame({"model": ["m"], "score": [5.0]}))
    with pytest.raises(BadInput, match="not in question.jsonl"):
        attach_categories(pd.DataFrame({"question_id": [999]}), {81: "writing"})


def test_swap_rule_of_a_match() -> None:
    assert match_outcome("model_1", "model_1") == "model_1"
    assert match_outcome("model_2", "model_2") == "model_2"
    assert match_outcome("model_1", "model_2") == "tie"  # position-inconsistent
    assert match_outcome("tie", "model_1") == "tie"
    assert match_outcome("error", "model_1") == "parse_failure"
    assert match_outcome(None, "model_1") == "missing"
    with pytest.raises(BadInput, match="expected one of"):
        match_outcome("A", "model_1")


def test_pairwise_baseline_win_rates(tmp_path: Path) -> None:
    def row(qid: int, m1: str, m2: str, g1: str, g2: str) -> dict:
        return {
            "question_id": qid,
            "model_1": m1,
            "model_2": m2,
            "g1_winner": g1,
            "g2_winner": g2,
            "judge": ["gpt-4", "pair-v2"],
            "turn": 1,
        }

    rows = [
        row(81, "a", "gpt-3.5-turbo", "model_1", "model_1"),  # a wins
        row(82, "a", "gpt-3.5-turbo", "model_1", "model_2"),  # inconsistent -> tie
        row(83, "a", "gpt-3.5-turbo", "model_2", "model_2"),  # a loses
        row(84, "a", "gpt-3.5-turbo", "error", "model_1"),  # dropped, counted
        row(85, "a", "gpt-3.5-turbo", "model_1", "model_1"),  # a wins
        row(86, "a", "b", "model_1", "model_1"),  # not against the baseline
    ]
    frame = load_pair_judgments(_write_jsonl(tmp_path / "gpt-4_pair.jsonl", rows))
    results = pairwise_win_rates(frame, baseline="gpt-3.5-turbo")
    assert set(results) == {"a"}
    a = results["a"]
    assert (a.win, a.loss, a.tie, a.n_unscored) == (2, 1, 1, 1)
    assert a.unscored_reasons == {"parse_failure": 1}
    assert a.win_rate == 0.5 and a.loss_rate == 0.25 and a.win_rate_adjusted == 2.5 / 4
    everyone = pairwise_win_rates(frame)
    assert (everyone["b"].loss, everyone["gpt-3.5-turbo"].win) == (1, 1)


def test_text_score_in_a_frame_is_a_format_error() -> None:
    frame = pd.DataFrame({"question_id": [81], "model": ["m"], "turn": [1], "score": ["seven"]})
    with pytest.raises(BadInput, match="score"):
        single_scores(frame)
