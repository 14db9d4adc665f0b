"""Style features: check 2 of arena_mtbench.md section E (markdown counts recomputed from the shipped answer
texts equal upstream's stored metadata on every row; avg_tokens equals the leaderboard csv) and the v0.1 /
v2 covariate formulas."""

from __future__ import annotations

import csv

import numpy as np
import pandas as pd
import pytest
from _shared import shared_path

from benchmarks.arena_hard.upstream import load_answer_metadata, load_answer_texts
from harness.errors import BadInput
from harness.stats.arena_judgments import average_tokens
from harness.stats.arena_scores import score_v01, score_v2
from harness.stats.style import count_markdown, strip_code_blocks, style_features_v01, style_features_v2


def test_check2_markdown_counts_reproduce_conv_metadata_on_every_answer() -> None:
    legacy = sorted(shared_path("arena_hard", "v0.1", "model_answer").glob("*.jsonl"))
    v2 = [shared_path("arena_hard", "v2.0", "model_answer", "o3-mini-2025-01-31.jsonl")]
    answers = load_answer_texts(legacy + v2)
    assert len(answers) == 7 * 500 + 750
    mismatches = []
    for row in answers.itertuples():
        stored = {k: v for k, v in row.metadata.items() if k != "token_len"}
        if count_markdown(row.text).as_metadata() != stored:
            mismatches.append((row.model, row.question_id))
    assert mismatches == []
    # the counts are not trivially zero: the fixture exercises every element kind
    totals = answers["metadata"].map(
        lambda m: (sum(m["header_count"].values()), sum(m["bold_count"].values()))
    )
    assert min(sum(t[0] for t in totals), sum(t[1] for t in totals)) > 100


def test_avg_tokens_equal_leaderboard_csv() -> None:
    metadata = load_answer_metadata(sorted(shared_path("arena_hard", "v0.1", "model_answer").glob("*.jsonl")))
    with shared_path("arena_hard", "leaderboard", "arena_hard_leaderboard_20240731.csv").open() as handle:
        published = {row["model"]: int(float(row["avg_tokens"])) for row in csv.DictReader(handle)}
    ours = average_tokens(metadata)
    assert len(ours) == 7
    for model, tokens in ours.items():
        assert tokens == published[model], model


def test_code_block_inner_text_is_removed_everywhere_as_upstream() -> None:
    text = "# Title\n```\n# not a header\n```\n- item\n**bold** and __also__\n"
    counts = count_markdown(text)
    assert (counts.header_count, counts.list_count, counts.bold_count) == (1, 1, 2)
    # str.replace semantics: the block's inner text vanishes elsewhere too
    assert strip_code_blocks("```x```x") == "``````"
    assert count_markdown("1. one\n  2. two\n* three\n##### five\n").as_metadata() == {
        "header_count": {"h1": 0, "h2": 0, "h3": 0, "h4": 0, "h5": 1, "h6": 0},
        "list_count": {"ordered": 2, "unordered": 1},
        "bold_count": {"**": 0, "__": 0},
    }


def test_v01_features_are_normalised_differences_zscored_with_population_std() -> None:
    baseline = np.array([[100, 0, 2, 1], [300, 1, 0, 0], [50, 2, 4, 3]], dtype=float)
    model = np.array([[200, 1, 2, 0], [100, 0, 5, 2], [50, 0, 0, 1]], dtype=float)
    raw = (baseline - model) / (baseline + model + 1)
    expected = (raw - raw.mean(axis=0)) / raw.std(axis=0)
    assert np.allclose(style_features_v01(baseline, model), expected)
    # weights = battle rows per answer pair: same as repeating the rows
    weighted = style_features_v01(baseline, model, np.array([3, 1, 2]))
    repeated = style_features_v01(np.repeat(baseline, [3, 1, 2], axis=0), np.repeat(model, [3, 1, 2], axis=0))
    assert np.allclose(np.repeat(weighted, [3, 1, 2], axis=0), repeated)


def test_v2_features_use_length_ratio_and_markdown_density() -> None:
    model = np.array([[200, 2, 4, 0], [100, 0, 5, 2], [60, 1, 0, 1]], dtype=float)
    baseline = np.array([[100, 0, 2, 1], [300, 1, 0, 0], [40, 2, 4, 3]], dtype=float)
    raw = np.empty_like(model)
    raw[:, 0] = (model[:, 0] - baseline[:, 0]) / (model[:, 0] + baseline[:, 0])
    dm, db = model[:, 1:] / (model[:, :1] + 1), baseline[:, 1:] / (baseline[:, :1] + 1)
    raw[:, 1:] = (dm - db) / (dm + db + 1)
    expected = (raw - raw.mean(axis=0)) / raw.std(axis=0, ddof=1)
    assert np.allclose(style_features_v2(model, baseline), expected)


def test_bad_style_input_names_the_problem() -> None:
    good = np.ones((3, 4))
    with pytest.raises(BadInput, match=r"\(n, 4\)"):
        style_features_v01(good[:, :3], good[:, :3])
    with pytest.raises(BadInput, match="finite"):
        style_features_v01(np.full((3, 4), np.nan), good)
    with pytest.raises(BadInput, match="no variation"):
        style_features_v01(good, good)


def style_fixture(length_effect: float, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Judgments where the verdict depends only on answer length, plus the answers' metadata."""
    rng = np.random.default_rng(seed)
    judgment_rows, meta_rows = [], []
    for q in range(300):
        base_len = rng.integers(100, 600)
        meta_rows.append(
            {
                "model": "base",
                "question_id": f"q{q}",
                "token_len": base_len,
                "header_count": rng.integers(0, 3),
                "list_count": rng.integers(0, 5),
                "bold_count": rng.integers(0, 4),
            }
        )
        for model, scale in (("long", 2.0), ("short", 0.6)):
            length = int(base_len * scale * rng.uniform(0.8, 1.2))
            meta_rows.append(
                {
                    "model": model,
                    "question_id": f"q{q}",
                    "token_len": length,
                    "header_count": rng.integers(0, 3),
                    "list_count": rng.integers(0, 5),
                    "bold_count": rng.integers(0, 4),
                }
            )
            logit = length_effect * np.log(length / base_len)
            for game in (1, 2):
                wins = rng.random() < 1 / (1 + np.exp(-logit))
                label = ("B>A" if wins else "A>B") if game == 1 else ("A>B" if wins else "B>A")
                judgment_rows.append(
                    {"question_id": f"q{q}", "model": model, "baseline": "base", "game": game, "label": label}
                )
    return pd.DataFrame(judgment_rows), pd.DataFrame(meta_rows)


def test_style_control_removes_a_pure_length_effect() -> None:
    judgments, metadata = style_fixture(length_effect=2.0)
    raw = {r.model: r.score for r in score_v01(judgments, baseline="base")}
    controlled = {
        r.model: r.score for r in score_v01(judgments, baseline="base", style="style", metadata=metadata)
    }
    length_only = {
        r.model: r.score for r in score_v01(judgments, baseline="base", style="length", metadata=metadata)
    }
    v2 = {r.model: r.score for r in score_v2(judgments, baseline="base", style="style", metadata=metadata)}
    assert raw["long"] > 70 and raw["short"] < 30
    for scores in (controlled, length_only, v2):
        assert abs(scores["long"] - 50) < abs(raw["long"] - 50) / 2
        assert abs(scores["short"] - 50) < abs(raw["short"] - 50) / 2


def test_style_control_needs_metadata_for_every_answer() -> None:
    judgments, metadata = style_fixture(length_effect=0.0)
    with pytest.raises(BadInput, match="style metadata"):
        score_v01(judgments, baseline="base", style="style")
    with pytest.raises(BadInput, match=r"answers\['long'\].*q7"):
        score_v01(judgments, baseline="base", style="style", metadata=metadata.drop(index=22))
    with pytest.raises(BadInput, match="unknown style control"):
        score_v01(judgments, baseline="base", style="colour", metadata=metadata)
