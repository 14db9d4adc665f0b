"""Scoring from records alone: AlpacaEval LC with γ looked up by item id, LC unavailable with a reason on
too few items, MT-Bench turn means, unscored/no_output counting, position consistency."""

from __future__ import annotations

import math
import random
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from _shared import shared_path

from harness.records import Judgment, Output
from harness.run.config import RunConfig
from harness.scoring.evaluate import RunData, evaluate, pair_units, portia_stages, position_consistency

MODEL, BASE = "m", "b"


def config(benchmark: str, **kw: object) -> RunConfig:
    version = {"alpaca_eval": "2.0", "mt_bench": "original", "demo": "1"}[benchmark]
    return RunConfig(benchmark=benchmark, version=version, model="local", model_name=MODEL, judge="local",
                     judge_model="j", judge_config="x", **kw)  # type: ignore[arg-type]  # fmt: skip


def pair(
    item_id: str, score: float | None, order: str = "baseline_first", scale: str = "preference"
) -> Judgment:
    return Judgment(
        item_id=item_id, model=MODEL, opponent=BASE, judge="x@j", protocol="pairwise", order=order,
        score=score, status="scored" if score is not None else "unscored",
        reason=None if score is not None else "parse_failure", metadata={"scale": scale},
    )  # fmt: skip


def alpaca_data(ids: list[str], prefs: list[float | None], gamma: str | None) -> RunData:
    rng = random.Random(0)
    outputs = {i: Output(item_id=i, model=MODEL, turns=["x" * rng.randint(50, 3000)]) for i in ids}
    baselines = {(i, BASE): Output(item_id=i, model=BASE, turns=["y" * rng.randint(50, 3000)]) for i in ids}
    judgments = [pair(i, p) for i, p in zip(ids, prefs, strict=True)]
    return RunData(config("alpaca_eval", lc_difficulty=gamma), ids, outputs, baselines, judgments)


def by_metric(result: object) -> dict[str, object]:
    return {s.metric: s for s in result.scores}  # type: ignore[attr-defined]


def test_alpaca_lc_is_fitted_on_the_items_own_difficulty_rows() -> None:
    gamma = str(shared_path("alpaca_eval", "glm", "instruction_difficulty_recovered.csv"))
    rng = random.Random(1)
    ids = [str(i) for i in range(100, 160)]  # not the first rows: γ must be looked up by item id
    prefs: list[float | None] = [1.0 + rng.random() for _ in ids]
    prefs[3] = None
    scores = by_metric(evaluate(alpaca_data(ids, prefs, gamma)))
    lc, win = scores["length_controlled_winrate"], scores["win_rate"]
    assert math.isfinite(lc.value) and 0 < lc.value < 100  # type: ignore[attr-defined]
    assert lc.ci_lower <= lc.ci_upper  # type: ignore[attr-defined]
    assert lc.extra["headline"] and "unavailable" not in lc.extra  # type: ignore[attr-defined]
    scored = [p for p in prefs if p is not None]
    assert win.value == pytest.approx(100 * (sum(scored) / len(scored) - 1))  # type: ignore[attr-defined]
    assert (win.n_scored, win.n_unscored, win.unscored_reasons) == (59, 1, {"parse_failure": 1})  # type: ignore[attr-defined]


def test_alpaca_lc_with_too_few_items_is_unavailable_with_the_reason() -> None:
    gamma = str(shared_path("alpaca_eval", "glm", "instruction_difficulty_recovered.csv"))
    result = evaluate(alpaca_data(["0", "1", "2"], [1.2, 1.9, None], gamma))
    lc = by_metric(result)["length_controlled_winrate"]
    assert math.isnan(lc.value)  # type: ignore[attr-defined]
    assert "fewer scored rows than the 5 CV folds" in lc.extra["unavailable"]  # type: ignore[attr-defined]
    assert result.notes and by_metric(result)["win_rate"].value == pytest.approx(55.0)  # type: ignore[attr-defined]


def test_alpaca_lc_without_a_difficulty_file_says_how_to_get_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HARNESS_OFFLINE", "1")
    lc = by_metric(evaluate(alpaca_data(["0", "1"], [1.2, 1.9], None)))["length_controlled_winrate"]
    assert "--lc-difficulty" in lc.extra["unavailable"]  # type: ignore[attr-defined]
    assert "HARNESS_OFFLINE" in lc.extra["unavailable"]  # type: ignore[attr-defined]


def test_alpaca_lc_by_default_reads_the_difficulty_file_of_the_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 11: LC was "unavailable" unless --lc-difficulty was passed; offline, the --data directory's
    instruction_difficulty.csv is used (and never the network)."""
    monkeypatch.setenv("HARNESS_OFFLINE", "1")
    shutil.copy(shared_path("alpaca_eval", "glm", "instruction_difficulty_recovered.csv"),
                tmp_path / "instruction_difficulty.csv")  # fmt: skip
    rng = random.Random(1)
    ids = [str(i) for i in range(100, 160)]
    prefs: list[float | None] = [1.0 + rng.random() for _ in ids]
    data = alpaca_data(ids, prefs, None)
    data = replace(data, config=replace(data.config, data=str(tmp_path)))
    lc = by_metric(evaluate(data))["length_controlled_winrate"]
    assert "unavailable" not in lc.extra and 0 < lc.value < 100  # type: ignore[attr-defined]
    assert lc.extra["difficulty"] == str(tmp_path / "instruction_difficulty.csv")  # type: ignore[attr-defined]
    given = evaluate(alpaca_data(ids, prefs, str(tmp_path / "instruction_difficulty.csv")))
    assert by_metric(given)["length_controlled_winrate"].value == lc.value  # type: ignore[attr-defined]


def test_items_without_an_output_are_unscored_as_no_output_not_losses() -> None:
    ids = ["0", "1", "2", "3"]
    outputs = {i: Output(item_id=i, model=MODEL, turns=["a"]) for i in ids[:3]}
    data = RunData(config("demo"), ids, outputs, {}, [pair("0", 2.0), pair("1", 1.0), pair("2", None)])
    win = by_metric(evaluate(data))["win_rate"]
    assert win.value == 50.0 and win.n_scored == 2  # type: ignore[attr-defined]
    assert win.unscored_reasons == {"parse_failure": 1, "no_output": 1}  # type: ignore[attr-defined]


def test_mt_bench_turn_means_leave_unscored_ratings_out() -> None:
    ids = ["81", "82"]
    outputs = {i: Output(item_id=i, model=MODEL, turns=["a", "b"]) for i in ids}
    ratings = {("81", 1): 8.0, ("81", 2): 4.0, ("82", 1): 6.0, ("82", 2): None}
    judgments = [
        Judgment(item_id=i, model=MODEL, judge="x@j", protocol="single", turn=t, score=s,
                 status="scored" if s is not None else "unscored", reason=None if s is not None else "parse_failure")
        for (i, t), s in ratings.items()
    ]  # fmt: skip
    scores = by_metric(evaluate(RunData(config("mt_bench"), ids, outputs, {}, judgments)))
    assert scores["mt_bench_score"].value == pytest.approx(6.0)  # type: ignore[attr-defined]
    assert scores["turn_1"].value == 7.0 and scores["turn_2"].value == 4.0  # type: ignore[attr-defined]
    assert scores["turn_2"].unscored_reasons == {"parse_failure": 1}  # type: ignore[attr-defined]


def test_position_consistency_compares_the_two_orders_in_the_models_frame() -> None:
    judgments = [
        pair("0", 2.0, "baseline_first", "signed"), pair("0", 1.0, "model_first", "signed"),  # agree
        pair("1", -2.0, "baseline_first", "signed"), pair("1", 2.0, "model_first", "signed"),  # first wins both
        pair("2", 1.0, "baseline_first", "signed"), pair("2", None, "model_first", "signed"),  # not comparable
    ]  # fmt: skip
    pc = position_consistency(pair_units(judgments))
    assert pc == {"consistency": 0.5, "n_pairs": 2, "n_pairs_unscored": 1, "first_position_bias": 0.5}


def test_portia_stages_count_semantic_pairs_fixed_ones_and_calls_of_both_stages() -> None:
    def game(item_id: str, score: float, order: str, stage: str, attempts: int = 1) -> Judgment:
        j = pair(item_id, score, order, "signed")
        j.metadata |= {"portia_stage": stage, "attempts": attempts}
        if stage == "semantic":
            j.metadata["portia_length"] = {"attempts": 2}  # a continuation retry in the length stage
        return j

    judgments = [
        game("0", 1.0, "baseline_first", "length"), game("0", 2.0, "model_first", "length"),  # consistent
        game("1", 1.0, "baseline_first", "semantic"), game("1", 1.0, "model_first", "semantic"),  # fixed
        game("2", -1.0, "baseline_first", "semantic"), game("2", 1.0, "model_first", "semantic"),  # still not
        pair("3", 1.0, "baseline_first", "signed"), pair("3", 1.0, "model_first", "signed"),  # too short
    ]  # fmt: skip
    assert portia_stages(judgments) == {
        "n_pairs": 3,
        "n_semantic": 2,
        "n_fixed": 1,
        "judge_calls": 2 + 4 * (1 + 2),
        "semantic_calls": 4,
    }
    assert portia_stages(judgments[6:]) is None


@pytest.mark.parametrize(("version", "level"), [("v0.1", 0.95), ("v2.0", 0.90)])
def test_arena_hard_scores_both_games_with_upstreams_interval(version: str, level: float) -> None:
    ids = [str(i) for i in range(12)]
    outputs = {i: Output(item_id=i, model=MODEL, turns=["a"]) for i in ids}
    labels = {"baseline_first": "B>A", "model_first": "A>B"}  # the model wins both games of items 0-8
    judgments = []
    for n, i in enumerate(ids):
        for order, label in labels.items():
            win = n < 9
            verdict = label if win else label[::-1].replace("<", ">")  # the baseline wins items 9-11
            judgments.append(
                Judgment(item_id=i, model=MODEL, opponent="gpt-4-0314", judge="x@j", protocol="pairwise",
                         order=order, verdict=verdict, score=1.0 if win else -1.0, metadata={"scale": "signed"})
            )  # fmt: skip
    judgments[-1] = judgments[-1].model_copy(
        update={"status": "unscored", "reason": "parse_failure", "verdict": None}
    )
    cfg = RunConfig(benchmark="arena_hard", version=version, model="local", model_name=MODEL, judge="local",
                    judge_model="j", judge_config="arena_hard_v0.1")  # fmt: skip
    score = by_metric(evaluate(RunData(cfg, ids, outputs, {}, judgments)))["score"]
    assert 50 < score.value < 100 and score.ci_lower <= score.value <= score.ci_upper  # type: ignore[attr-defined]
    assert score.extra["level"] == level  # type: ignore[attr-defined]
    assert (score.n_scored, score.n_unscored) == (23, 1)  # type: ignore[attr-defined]
