"""WB-Score against the official score.json (allenai/WildBench@d6b8dca) and on hand-made tagged data."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from _shared import shared_path

from benchmarks.wildbench.upstream import load_score_judgments
from harness.errors import BadInput
from harness.stats.wildbench import GROUP_WEIGHTS, task_groups, wb_score, weighted_task_macro

MODELS = ("gemma-2b-it", "gpt-3.5-turbo-0125", "reka-core-20240501")
JUDGE_DIR = ("wildbench", "eval_results", "v2.0625", "score.v2", "eval=gpt-4o-2024-05-13")


def _official() -> dict[str, dict]:
    return json.loads(shared_path("wildbench", "leaderboard", "score.json").read_text())


@pytest.mark.parametrize("model", MODELS)
def test_wb_score_reproduces_official_row_exactly(model: str) -> None:
    official = _official()[model]
    judgments = load_score_judgments(shared_path(*JUDGE_DIR, f"{model}.json"))
    result = wb_score(judgments, n_resamples=200)
    row = result.to_leaderboard_row()
    for key in ("model", "score", "adjusted_score", "total", "avg_len"):
        assert row[key] == official[key], key
    assert result.score.n_unscored == 0
    assert result.score.ci_lower < result.score.value < result.score.ci_upper
    assert result.adjusted_score.ci_lower == pytest.approx((result.score.ci_lower - 5) * 2)


def test_empty_outputs_are_counted_and_kept_in_the_raw_mean() -> None:
    judgments = load_score_judgments(shared_path(*JUDGE_DIR, "reka-core-20240501.json"))
    result = wb_score(judgments, n_resamples=0)
    assert (result.n_empty, result.n_truncated, result.total) == (62, 0, 1024)
    assert result.score.n_scored == 1024


def test_task_macro_reproduces_every_official_row() -> None:
    official = _official()
    assert len(official) > 40
    for model, row in official.items():
        macro = weighted_task_macro(row["task_categorized_scores"])
        assert macro == row["task_macro_score"] == row["adjusted_task_macro_score"], model


@pytest.mark.parametrize("k", ["-1", "500", "1500"])
def test_merged_table_carries_our_wb_score_times_ten(k: str) -> None:
    merged = json.loads(shared_path("wildbench", "leaderboard", f"all_stat_wildbench.{k}.json").read_text())
    for model in MODELS:
        result = wb_score(load_score_judgments(shared_path(*JUDGE_DIR, f"{model}.json")), n_resamples=0)
        assert merged[model]["WB_score"] == result.adjusted_score.value * 10
        assert merged[model]["Length"] == result.avg_len


def _tagged() -> pd.DataFrame:
    rows = [
        ("s1", "8", "a" * 10, ["Math", "Data Analysis", "Reasoning"]),
        ("s2", "6", "b" * 20, ["Creative Writing"]),
        ("s3", "4", "c" * 30, ["Coding & Debugging", "Planning"]),
        ("s4", "2", "d" * 5 + "... (truncated)", ["Math"]),
        ("s5", None, "", ["Advice seeking"]),
        ("s6", "N/A", "e" * 40, ["Information seeking"]),
    ]
    return pd.DataFrame(rows, columns=["session_id", "score", "output", "tags"])


def test_groups_exclude_truncated_and_empty_but_raw_mean_keeps_them() -> None:
    result = wb_score(_tagged(), model="toy", n_resamples=0)
    # raw mean over s1..s5 (s5 empty -> scored 1 without a judge); s6 is unscored
    assert result.score.value == (8 + 6 + 4 + 2 + 1) / 5
    assert result.score.n_unscored == 1 and result.score.unscored_reasons == {"parse_failure": 1}
    assert result.task_categorized_scores == {
        "Math & Data Analysis": (8 - 5) * 2,
        "Planning & Reasoning": ((8 + 4) / 2 - 5) * 2,
        "Creative Tasks": (6 - 5) * 2,
        "Coding & Debugging": (4 - 5) * 2,
    }
    expected_macro = (6 * 1.0 + 2 * 1.25 + 2 * 0.5 + -2 * 1.25) / 4.75
    assert result.task_macro_score == pytest.approx(expected_macro)
    assert result.avg_len == (10 + 20 + 30 + 40) / 4
    assert (result.n_truncated, result.n_empty) == (1, 1)


def test_task_groups_dedupe_in_order_and_reject_unknown_tags() -> None:
    assert task_groups(["Planning", "Reasoning", "Others", "Editing"]) == (
        "Planning & Reasoning",
        "Creative Tasks",
    )
    assert sum(GROUP_WEIGHTS.values()) == 4.75
    with pytest.raises(BadInput, match="expected one of"):
        task_groups(["Poetry"])
    frame = _tagged()
    frame.loc[0, "tags"] = None
    with pytest.raises(BadInput, match="tags"):
        wb_score(frame, n_resamples=0)


def test_loader_names_the_bad_file_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "m.json"
    bad.write_text("{not json")
    with pytest.raises(BadInput, match="m.json"):
        load_score_judgments(bad)
    bad.write_text(json.dumps([{"model_output": "x", "score": "3"}]))
    with pytest.raises(BadInput, match="session_id"):
        load_score_judgments(bad)
    good = tmp_path / "judged.json"
    good.write_text(
        json.dumps(
            [
                {"session_id": "a", "model_output": ["hi"], "parsed_result": {"score": "7"}},
                {"session_id": "b", "model_output": "yo", "score": "ten"},
            ]
        )
    )
    frame = load_score_judgments(good)
    assert list(frame["model"]) == ["judged", "judged"]
    result = wb_score(frame, n_resamples=0)
    assert (result.score.value, result.score.n_unscored) == (7.0, 1)
    with pytest.raises(BadInput, match="missing column"):
        wb_score(frame.drop(columns="output"))
