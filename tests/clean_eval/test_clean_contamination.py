"""The contamination report: the paired bootstrap on hand numbers, then end to end through the CLI on a
simulated contaminated model (a real HTTP server) and on the plain local SmolLM2."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from _clean_variant import BuiltVariant
from _contaminated_server import (
    WEAK_ANSWER,
    contaminated,
    length_preference_judge,
    serving,
)

from benchmarks import get_benchmark
from harness.clean_eval.contamination import item_scores, paired_bootstrap
from harness.clean_eval.variant import load_variant
from harness.cli import main
from harness.errors import BadInput
from harness.records import Judgment
from harness.serve import ManagedServer


def test_paired_bootstrap_constant_drop_and_no_change() -> None:
    original = {str(i): 8.0 for i in range(10)}
    clean = {str(i): 6.0 for i in range(10)}
    diff, low, high, ids = paired_bootstrap(original, clean)
    assert (diff, low, high, len(ids)) == (-2.0, -2.0, -2.0, 10)
    diff, low, high, _ = paired_bootstrap(original, dict(original))
    assert (diff, low, high) == (0.0, 0.0, 0.0)


def test_paired_bootstrap_is_paired_seeded_and_matches_numpy() -> None:
    rng = np.random.default_rng(1)
    base = rng.normal(5, 3, 40)  # large spread between items, small paired shift
    original = {str(i): float(v) for i, v in enumerate(base)}
    clean = {str(i): float(v) - 0.5 + 0.1 * ((i % 3) - 1) for i, v in enumerate(base)}
    diff, low, high, ids = paired_bootstrap(original, clean, resamples=1000, seed=7)
    assert high < 0 and diff == pytest.approx(-0.5, abs=0.01)  # the pairing removes the item spread
    d = np.array([clean[i] - original[i] for i in ids])
    expected = d[np.random.default_rng(7).integers(0, 40, size=(1000, 40))].mean(axis=1)
    assert (low, high) == pytest.approx(tuple(np.quantile(expected, [0.025, 0.975])))
    assert paired_bootstrap(original, clean, resamples=1000, seed=7) == (diff, low, high, ids)


def test_unscored_judgments_are_counted_not_zeros_and_too_few_pairs_is_bad_input() -> None:
    judgments = [
        Judgment(item_id="a", model="m", judge="j", protocol="single", score=8.0),
        Judgment(item_id="a", model="m", judge="j", protocol="single", score=6.0),
        Judgment(
            item_id="b", model="m", judge="j", protocol="single", status="unscored", reason="parse_failure"
        ),
    ]
    scores, unscored = item_scores(judgments)
    assert scores == {"a": 7.0} and unscored == {"parse_failure": 1}
    with pytest.raises(BadInput, match="at least 2 items"):
        paired_bootstrap({"a": 1.0}, {"a": 2.0, "b": 1.0})


def _harness_score(variant: BuiltVariant, model: str, judge_spec: str, run_dir: Path) -> int:
    return main(
        ["score", "--benchmark", f"demo@clean:{variant.path}", "--contamination", "--model", model,
         "--judge", judge_spec, "--run-dir", str(run_dir), "--cache", str(run_dir.parent / "score-cache.sqlite"),
         "--format", "json"]
    )  # fmt: skip


def test_harness_score_contamination_flags_the_memoriser(
    demo_variant: BuiltVariant, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The issue's command, on demo's default judge (AlpacaEval logprob protocol) served deterministically."""
    references = {i.turns[0]: i.baselines["demo_reference"][0] for i in get_benchmark("demo").load()}
    with (
        serving(contaminated(references), "memoriser") as model,
        serving(length_preference_judge, "judge") as judge,
    ):
        code = _harness_score(demo_variant, model.spec(), judge.spec(), tmp_path / "run")
    out = json.loads(capsys.readouterr().out)
    assert code == 1
    report = out["contamination"]
    assert report["significant_drop"] is True and report["ci_upper"] < 0 and report["scale"] == "preference"
    # identical to the baseline on the original (1.5, no judge call); the longer reference wins on the 14 rewrites
    assert report["original"]["mean"] == pytest.approx(1.5)
    assert report["clean"]["mean"] == pytest.approx((7 * 1.5 + 14 * 1.1) / 21)
    assert report["clean"]["variant"] == load_variant(demo_variant.path)[0].variant_id
    assert {"original", "clean"} <= set(out) and (tmp_path / "run" / "clean" / "report.md").is_file()


def test_harness_score_contamination_needs_a_clean_spec(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["score", "--benchmark", "demo", "--contamination", "--model", "local", "--judge", "local"]) == 2
    )
    assert "needs --benchmark B@clean:PATH" in capsys.readouterr().err


@pytest.mark.slow
def test_plain_local_model_shows_no_significant_drop(
    demo_variant: BuiltVariant,
    llama_server: ManagedServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    model = f"openai:{llama_server.model}@{llama_server.base_url}"
    with serving(length_preference_judge, "judge") as judge:
        code = _harness_score(demo_variant, model, judge.spec(), tmp_path / "run")
    report = json.loads(capsys.readouterr().out)["contamination"]
    assert code == 0, report
    assert report["significant_drop"] is False and report["ci_upper"] >= 0
    assert report["original"]["n_items_scored"] == report["clean"]["n_items_scored"] == 21


def test_resumed_contamination_run_makes_no_call_and_report_rebuilds_from_runs(
    demo_variant: BuiltVariant, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    references = {i.turns[0]: i.baselines["demo_reference"][0] for i in get_benchmark("demo").load()}
    with (
        serving(contaminated(references), "memoriser") as model,
        serving(length_preference_judge, "judge") as judge,
    ):
        assert _harness_score(demo_variant, model.spec(), judge.spec(), tmp_path / "run") == 1
        answers = [json.loads(x)["turns"][0] for x in (tmp_path / "run" / "clean" / "outputs.jsonl").open()]
        assert answers.count(WEAK_ANSWER) == 14  # every rewritten item, and only those
        requests = (model.requests, judge.requests)
        assert _harness_score(demo_variant, model.spec(), judge.spec(), tmp_path / "run") == 1  # resumed
        assert (model.requests, judge.requests) == requests
    capsys.readouterr()
    # the same comparison from the two stored runs
    code = main(["clean-eval", "report", "--original", str(tmp_path / "run" / "original"),
                 "--clean", str(tmp_path / "run" / "clean"), "--format", "json"])  # fmt: skip
    report = json.loads(capsys.readouterr().out)
    assert code == 1 and report["significant_drop"] is True and report["n_paired"] == 21
    assert report["difference"] == pytest.approx(report["clean"]["mean"] - report["original"]["mean"])
