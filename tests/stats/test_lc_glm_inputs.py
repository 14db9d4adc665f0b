"""Loading AlpacaEval annotations and our own judgments; bad input is refused with the file/field named."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _shared import shared_path
from test_lc_glm import annotation_path

from benchmarks.alpaca_eval.upstream import load_annotations, load_difficulty
from harness.errors import BadInput
from harness.records import Item, Judgment, Output
from harness.stats.alpaca_annotations import check_instructions, judgments_to_annotations, validate_gamed
from harness.stats.lc_glm import (
    align_difficulty,
    alpaca_eval_metrics,
    bootstrap_lc_interval,
    output_lengths,
    raw_metrics,
)

ROW = {
    "instruction": "Say hi.",
    "output_1": "Hi!",
    "output_2": "Hello there.",
    "preference": 1.7,
    "generator_1": "base",
    "generator_2": "model",
}


def write(tmp_path: Path, name: str, data: object) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data))
    return path


def test_missing_field_is_named(tmp_path: Path) -> None:
    row = {k: v for k, v in ROW.items() if k != "output_2"}
    with pytest.raises(BadInput) as err:
        load_annotations(write(tmp_path, "a.json", [ROW, row]))
    assert err.value.where.endswith("a.json[1]")
    assert "output_2" in err.value.reason


def test_model_outputs_file_is_recognised(tmp_path: Path) -> None:
    outputs = [{"instruction": "Say hi.", "output": "Hi", "generator": "m"}]
    with pytest.raises(BadInput, match="looks like model_outputs.json"):
        load_annotations(write(tmp_path, "model_outputs.json", outputs))


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("a.csv", "x,y\n", "unknown format '.csv'"),
        ("a.json", '{"win_rate": 3}', "top level is a dict"),
        ("a.json", "[{", "invalid JSON"),
    ],
)
def test_unknown_format_names_what_was_expected(
    tmp_path: Path, name: str, content: str, expected: str
) -> None:
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(BadInput, match=expected) as err:
        load_annotations(path)
    assert "instruction, output_1, output_2, preference" in err.value.reason


@pytest.mark.parametrize("bad", [2.5, 0.5, "strong", True])
def test_bad_preference_is_refused(tmp_path: Path, bad: object) -> None:
    with pytest.raises(BadInput) as err:
        load_annotations(write(tmp_path, "a.json", [ROW, ROW | {"preference": bad}]))
    assert err.value.where.endswith("a.json[1].preference")


def test_null_preference_is_unscored_and_reported(tmp_path: Path) -> None:
    rows = [ROW, ROW | {"preference": None}, ROW | {"preference": 0}, ROW | {"preference": 2.0}]
    path = tmp_path / "a.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows))
    frame = load_annotations(path)
    assert math.isnan(frame.loc[1, "preference"])
    assert frame.loc[1, "unscored_reason"] == "missing_preference"
    assert frame.loc[2, "preference"] == 1.5  # upstream's legacy draw encoding
    raw = raw_metrics(frame)
    assert (raw.n_total, raw.n_unscored, raw.n_draws, raw.n_wins) == (3, 1, 1, 2)
    assert raw.unscored_reasons == {"missing_preference": 1}


def test_instructions_differing_from_the_baseline() -> None:
    expected = ["a", "b", "c", "d"]
    with pytest.raises(BadInput) as err:
        check_instructions(["a", "b", "x"], expected, what="model outputs")
    assert err.value.where == "model outputs"
    assert "3 vs 4 rows, 2 missing, 1 extra" in err.value.reason
    assert "first difference at row 2: got 'x', expected 'c'" in err.value.reason
    with pytest.raises(BadInput, match="first missing: 'd'"):
        check_instructions(["a", "b", "c"], expected)


def test_eval_instructions_are_enforced() -> None:
    difficulty = load_difficulty(shared_path("alpaca_eval", "glm", "instruction_difficulty_recovered.csv"))
    annotations = (
        load_annotations(annotation_path("falcon-7b-instruct")).drop(index=[7]).reset_index(drop=True)
    )
    with pytest.raises(BadInput, match="804 vs 805 rows, 1 missing, 0 extra; first difference at row 7"):
        alpaca_eval_metrics(annotations, difficulty, eval_instructions=list(difficulty.instructions))
    unknown = annotations.copy()
    unknown.loc[0, "instruction"] = "an instruction outside the eval set"
    with pytest.raises(BadInput, match="first difference at row 0"):
        align_difficulty(unknown, difficulty, "instruction")
    with pytest.raises(BadInput, match="expected 'position' or 'instruction'"):
        align_difficulty(annotations, difficulty, "hash")  # type: ignore[arg-type]


def test_two_models_in_one_frame_is_refused() -> None:
    difficulty = load_difficulty(shared_path("alpaca_eval", "glm", "instruction_difficulty_recovered.csv"))
    mixed = pd.concat(
        [load_annotations(annotation_path(m)).iloc[:10] for m in ("claude-2.1", "falcon-7b-instruct")]
    )
    with pytest.raises(BadInput, match="one generator per annotations frame"):
        alpaca_eval_metrics(mixed, difficulty)


def test_gamed_rows_are_validated() -> None:
    gamed = pd.DataFrame({"index": [0, 1], "preference": [0.2, float("nan")], "std_delta_len": [0.1, 0.2]})
    with pytest.raises(BadInput, match="instruction_difficulty"):
        validate_gamed(gamed)
    with pytest.raises(BadInput, match=r"gamed\[1\]"):
        validate_gamed(gamed.assign(instruction_difficulty=0.0))
    with pytest.raises(BadInput, match=r"in \[0, 1\]"):
        validate_gamed(gamed.assign(instruction_difficulty=0.0, preference=[0.2, 1.7]))


def test_judgments_feed_the_same_statistics() -> None:
    """Our own records → the same frame and numbers as the upstream file; unscored judgments are kept."""
    upstream = load_annotations(annotation_path("claude-2.1"))
    items = [
        Item(benchmark="alpaca_eval", item_id=str(i), turns=[r.instruction]) for i, r in upstream.iterrows()
    ]
    model_out = [
        Output(item_id=str(i), model="claude-2.1", turns=[r.output_2]) for i, r in upstream.iterrows()
    ]
    base_out = [
        Output(item_id=str(i), model="gpt4_1106_preview", turns=[r.output_1]) for i, r in upstream.iterrows()
    ]
    judgments = [
        Judgment(
            item_id=str(i),
            model="claude-2.1",
            opponent="gpt4_1106_preview",
            judge="weighted_alpaca_eval_gpt4_turbo",
            protocol="pairwise",
            score=float(r.preference),
        )
        for i, r in upstream.iterrows()
    ]
    frame = judgments_to_annotations(judgments, items, model_out, base_out)
    pd.testing.assert_frame_equal(frame, upstream)
    judgments[5] = judgments[5].model_copy(
        update={"status": "unscored", "reason": "parse_failure", "score": None}
    )
    del judgments[9]
    frame = judgments_to_annotations(judgments, items, model_out, base_out)
    raw = raw_metrics(frame)
    assert (raw.n_total, raw.n_unscored) == (803, 2)
    assert raw.unscored_reasons == {"parse_failure": 1, "missing_judgment": 1}
    with pytest.raises(BadInput, match="first missing"):
        judgments_to_annotations(judgments, items, model_out[:-1], base_out)


def test_bootstrap_interval_is_wider_than_upstream_se() -> None:
    difficulty = load_difficulty(shared_path("alpaca_eval", "glm", "instruction_difficulty_recovered.csv"))
    annotations = load_annotations(annotation_path("claude-2.1"))
    result = alpaca_eval_metrics(annotations, difficulty)
    lo, hi = bootstrap_lc_interval(annotations, difficulty, n_boot=200, seed=1)
    assert lo < result.lc.length_controlled_winrate < hi
    assert hi - lo > 2 * 1.96 * result.lc.lc_standard_error


def test_shared_counts_and_fit_give_the_same_numbers_as_computing_afresh() -> None:
    """The leaderboard counts the shared baseline's characters once and starts the interval from the fit
    it just made: every figure is the same as computing each afresh; another baseline is counted anew."""
    difficulty = load_difficulty(shared_path("alpaca_eval", "glm", "instruction_difficulty_recovered.csv"))
    first, second = (load_annotations(annotation_path(m)) for m in ("claude-2.1", "falcon-7b-instruct"))
    baseline = (first["output_1"], output_lengths(first)[0])
    shared = output_lengths(second, baseline)
    assert shared[0] is baseline[1]
    for ours, fresh in zip(shared, output_lengths(second), strict=True):
        assert np.array_equal(ours, fresh, equal_nan=True)
    other = second.assign(output_1=second["output_1"] + "!")
    assert np.array_equal(output_lengths(other, baseline)[0], output_lengths(second)[0] + 1)

    result, fresh_result = (alpaca_eval_metrics(second, difficulty, lengths=x) for x in (shared, None))
    assert result.raw == fresh_result.raw and result.leaderboard_row() == fresh_result.leaderboard_row()
    assert result.lc.coefficients == fresh_result.lc.coefficients and result.lc.C == fresh_result.lc.C
    reused = bootstrap_lc_interval(second, difficulty, n_boot=50, seed=3, fit=result.lc, lengths=shared)
    assert reused == bootstrap_lc_interval(second, difficulty, n_boot=50, seed=3)
