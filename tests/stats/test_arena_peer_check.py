"""Agreement with the unmodified upstream v0.1 ``show_result.py`` on the peer_check judgments
(shared/data/arena_hard/v0.1/peer_check/README.md): point estimates exact, intervals exact in
upstream-compatible mode and within the README's +/-1.5 tolerance in the fast default mode."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest
from _shared import shared_path

from benchmarks.arena_hard.upstream import load_answer_metadata, load_judgments
from harness.stats.arena_scores import ArenaScore, Bootstrap, score_v01, score_v2

PEER = ("arena_hard", "v0.1", "peer_check")


def read_csv(path: Path) -> dict[str, dict[str, float]]:
    with path.open() as handle:
        return {
            row["model"]: {k: float(v) for k, v in row.items() if k not in ("model", "CI", "date")}
            for row in csv.DictReader(handle)
        }


def glob_order() -> list[str]:
    """The judgment-file order upstream's glob() returned, as logged in logs/commands.txt."""
    for line in shared_path(*PEER, "logs", "commands.txt").read_text().splitlines():
        if line.startswith("# judgment glob order seen by show_result:"):
            return [name.removesuffix(".jsonl") for name in line.split(":", 1)[1].split()]
    raise AssertionError("glob order line missing from commands.txt")


def load(order: list[str]) -> pd.DataFrame:
    folder = shared_path(*PEER, "model_judgment", "gpt-4-1106-preview")
    return load_judgments([folder / f"{model}.jsonl.gz" for model in order])


@pytest.fixture(scope="module")
def judgments() -> pd.DataFrame:
    return load(glob_order())


@pytest.fixture(scope="module")
def metadata() -> pd.DataFrame:
    return load_answer_metadata(sorted(shared_path("arena_hard", "v0.1", "model_answer").glob("*.jsonl")))


def by_model(rows: list[ArenaScore]) -> dict[str, ArenaScore]:
    return {row.model: row for row in rows}


def assert_exact(
    ours: dict[str, ArenaScore], expected: dict[str, dict[str, float]], lower: str, upper: str
) -> None:
    assert set(ours) == set(expected)
    for model, want in expected.items():
        got = ours[model]
        assert round(got.score, 2) == want["score"], model
        assert round(got.ci_lower, 2) == want[lower], model
        assert round(got.ci_upper, 2) == want[upper], model
        assert got.avg_tokens == int(want["avg_tokens"]), model


def test_default_upstream_compatible_is_exact(judgments: pd.DataFrame, metadata: pd.DataFrame) -> None:
    ours = by_model(score_v01(judgments, metadata=metadata, bootstrap=Bootstrap(upstream_compatible=True)))
    assert_exact(ours, read_csv(shared_path(*PEER, "expected_default.csv")), "ci_lower", "ci_upper")
    stats = read_csv(shared_path(*PEER, "judgment_stats.csv"))
    for model, row in stats.items():
        assert ours[model].score == pytest.approx(row["mean_outcome_v01_pct"], abs=5e-5)
        assert ours[model].n_unscored == row["games_null"]
        assert ours[model].n_scored == 1000 - row["games_null"]


def test_sorted_glob_order_reproduces_upstream_sorted_run(metadata: pd.DataFrame) -> None:
    sorted_judgments = load(sorted(glob_order()))
    ours = by_model(
        score_v01(sorted_judgments, metadata=metadata, bootstrap=Bootstrap(upstream_compatible=True))
    )
    expected = read_csv(shared_path(*PEER, "logs", "upstream_leaderboard_default_sortedglob.csv"))
    assert_exact(ours, expected, "rating_q025", "rating_q975")


def test_default_fast_bootstrap_within_readme_tolerance(judgments: pd.DataFrame) -> None:
    expected = read_csv(shared_path(*PEER, "expected_default.csv"))
    for spec in (Bootstrap(), Bootstrap(seed=1)):
        ours = by_model(score_v01(judgments, bootstrap=spec))
        for model, want in expected.items():
            got = ours[model]
            assert round(got.score, 2) == want["score"]
            assert got.ci_lower <= got.score <= got.ci_upper
            assert abs(got.ci_lower - want["ci_lower"]) <= 1.5, model
            assert abs(got.ci_upper - want["ci_upper"]) <= 1.5, model


def test_style_control_upstream_compatible_is_exact(judgments: pd.DataFrame, metadata: pd.DataFrame) -> None:
    ours = by_model(
        score_v01(judgments, style="style", metadata=metadata, bootstrap=Bootstrap(upstream_compatible=True))
    )
    assert_exact(ours, read_csv(shared_path(*PEER, "expected_style_control.csv")), "ci_lower", "ci_upper")


def test_style_control_exact_optimum_within_readme_tolerance(
    judgments: pd.DataFrame, metadata: pd.DataFrame
) -> None:
    expected = read_csv(shared_path(*PEER, "expected_style_control.csv"))
    ours = by_model(score_v01(judgments, style="style", metadata=metadata))
    for model, want in expected.items():
        got = ours[model]
        assert abs(got.score - want["score"]) <= 0.05, model
        assert got.ci_lower <= got.score <= got.ci_upper
        assert abs(got.ci_lower - want["ci_lower"]) <= 1.5, model
        assert abs(got.ci_upper - want["ci_upper"]) <= 1.5, model


def test_v2_pair_policy_matches_generator_droppair_means(judgments: pd.DataFrame) -> None:
    stats = read_csv(shared_path(*PEER, "judgment_stats.csv"))
    ours = by_model(score_v2(judgments, baseline="gpt-4-0314"))
    for model, row in stats.items():
        assert ours[model].score == pytest.approx(row["mean_outcome_droppair_pct"], abs=5e-5)
        assert ours[model].ci_lower < ours[model].score < ours[model].ci_upper
