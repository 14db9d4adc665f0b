"""``harness score`` on WildBench judged pairwise: WB-Reward per baseline at K, and WB-Reward-Mix.

The official per-item pairwise files are not in the upstream snapshot (``shared/data/wildbench``
PROVENANCE), so the real-data check rebuilds a run directory from the official count tables: for one
model, each baseline's 1024 pairs get its official outcomes, a random A/B side, and answer lengths whose
differences put every slight win/loss in the K band that the four tables (K = -1, 500, 1000, 1500) say it
is in. Scoring that directory must give upstream's rewards and mix at every K.
"""

from __future__ import annotations

import dataclasses
import json
import math
import random
from pathlib import Path
from typing import Any

import pytest
from _shared import shared_path

from harness.cli import main
from harness.errors import BadInput
from harness.leaderboard.builders import Options, build
from harness.records import Judgment, Output
from harness.run.config import RunConfig
from harness.scoring.evaluate import RunData, evaluate, load_run
from harness.store import RunStore

GPT4T, HAIKU, LLAMA = "gpt-4-turbo-2024-04-09", "claude-3-haiku-20240307", "Llama-2-70b-chat-hf"
KEYS = {"gpt4t": GPT4T, "haiku": HAIKU, "llama": LLAMA}
MODEL = "gpt-3.5-turbo-0125"
MARGINS = ("500", "1000", "1500")  # increasing K: fewer slight outcomes become ties
# a slight win/loss whose winner is longer by this much survives K=500 / becomes a tie up to K=1000 / ...
BAND_DIFF = {"500": 100, "1000": 750, "1500": 1250, "-1": 2000}
CHOICE = {  # (model's outcome, model's side) -> the judge's choice in the prompt frame
    ("win_much", "A"): "A++", ("win", "A"): "A+", ("tie", "A"): "A=B", ("lose", "A"): "B+", ("lose_much", "A"): "B++",
    ("win_much", "B"): "B++", ("win", "B"): "B+", ("tie", "B"): "A=B", ("lose", "B"): "A+", ("lose_much", "B"): "A++",
}  # fmt: skip
VALUE = {"A++": 2.0, "A+": 1.0, "A=B": 0.0, "B+": -1.0, "B++": -2.0}


def config(**kw: Any) -> RunConfig:
    base: dict[str, Any] = {"benchmark": "wildbench", "version": "v2", "model": "local", "model_name": MODEL,
                            "judge": f"openai:{GPT4T}", "judge_model": GPT4T, "judge_config": "wildbench_pairwise"}  # fmt: skip
    return RunConfig(**(base | kw))


def judgment(item_id: str, opponent: str, outcome: str | None, side: str = "A", **kw: Any) -> Judgment:
    order = "model_first" if side == "A" else "baseline_first"
    if outcome is None:
        return Judgment(item_id=item_id, model=MODEL, opponent=opponent, judge="wildbench_pairwise@j",
                        protocol="pairwise", order=order, status="unscored", reason=kw.get("reason", "parse_failure"),
                        metadata={"scale": "signed"})  # fmt: skip
    choice = CHOICE[(outcome, side)]
    score = VALUE[choice] if side == "A" else -VALUE[choice]
    return Judgment(item_id=item_id, model=MODEL, opponent=opponent, judge="wildbench_pairwise@j",
                    protocol="pairwise", order=order, verdict=choice, score=score, metadata={"scale": "signed"})  # fmt: skip


def official(baseline: str, k: str) -> dict[str, Any]:
    table = json.loads(shared_path("wildbench", "leaderboard", f"pairwise-{baseline}-K={k}.json").read_text())
    return dict(table[MODEL])


def plan(key: str, n_items: int, rng: random.Random) -> list[tuple[str, int]]:
    """(outcome without penalty or "skip", length difference) for each of the baseline's pairs."""
    tables = {k: official(key, k) for k in ("-1", *MARGINS)}
    plain = tables["-1"]
    assert plain["total"] == n_items
    cells: list[tuple[str, int]] = []
    for outcome in ("win", "lose"):  # slight ones, by the K band in which they become ties
        kept = 0
        for k in (*MARGINS, "-1"):
            cells += [(outcome, BAND_DIFF[k])] * (tables[k][outcome] - kept)
            kept = tables[k][outcome]
    cells += [(o, 0) for o in ("win_much", "tie", "lose_much") for _ in range(plain[o])]
    cells += [("skip", 0)] * (n_items - len(cells))
    rng.shuffle(cells)
    return cells


def rebuild_run(run_dir: Path, n_items: int = 1024) -> None:
    """A run directory whose judgments reproduce the official pairwise tables of MODEL (see the docstring)."""
    rng = random.Random(20240801)
    ids = [f"s{i:04d}" for i in range(n_items)]
    lengths = {i: 2100 + rng.randrange(400) for i in ids}  # longer than any band difference
    outputs = [Output(item_id=i, model=MODEL, turns=["m" * lengths[i]]) for i in ids]
    judgments = []
    for key, baseline in KEYS.items():
        for item_id, (outcome, diff) in zip(ids, plan(key, n_items, rng), strict=True):
            side = rng.choice("AB")
            mine = lengths[item_id]
            theirs = mine + diff if outcome == "lose" else mine - diff
            text = "b" * theirs
            if outcome == "skip":  # a truncated baseline answer: upstream skips the pair whatever the verdict
                text, outcome = text + "... (truncated)", "win_much"
            outputs.append(Output(item_id=item_id, model=baseline, turns=[text]))
            judgments.append(judgment(item_id, baseline, outcome, side))
    store = RunStore(run_dir)
    store.write_run_json(command="score", config=config().to_json(), dataset={"item_ids": ids})
    for kind, records in (("outputs", outputs), ("judgments", judgments)):
        store.path(kind).write_text("".join(r.model_dump_json() + "\n" for r in records), encoding="utf-8")


def scores_of(data: RunData, wb_k: int | None) -> dict[str, Any]:
    result = evaluate(dataclasses.replace(data, config=dataclasses.replace(data.config, wb_k=wb_k)))
    return {s.metric: s for s in result.scores}


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory: pytest.TempPathFactory) -> Path:
    run_dir = tmp_path_factory.mktemp("wb-reward") / "run"
    rebuild_run(run_dir)
    return run_dir


@pytest.mark.parametrize("k", ["-1", "500", "1000", "1500"])
def test_rebuilt_upstream_run_scores_the_official_rewards_and_mix(rebuilt: Path, k: str) -> None:
    scores = scores_of(load_run(rebuilt), None if k == "500" else int(k))  # None: the default K, 500
    merged = json.loads(shared_path("wildbench", "leaderboard", f"all_stat_wildbench.{k}.json").read_text())[
        MODEL
    ]
    for key, baseline in KEYS.items():
        mine, theirs = scores[f"wb_reward_{key}"], official(key, k)
        assert mine.value == merged[f"{key}_reward.K={k}"] == 100 * theirs["reward"], (key, k)
        assert mine.extra["counts"] == {o: theirs[o] for o in ("win_much", "win", "tie", "lose", "lose_much")}
        assert (
            mine.n_scored == theirs["total"] and mine.n_unscored == 0 and mine.extra["baseline"] == baseline
        )
        assert mine.ci_lower < mine.value < mine.ci_upper
    head = scores["wb_reward"]
    assert head.extra["headline"] and head.extra["K"] == int(k)
    assert head.value == merged[f"mixture_of_rewards.K={k}"]
    assert head.ci_lower < head.value < head.ci_upper and head.n_scored == 3 * 1024


def test_leaderboard_of_a_pairwise_run_is_a_wb_reward_row(rebuilt: Path) -> None:
    board = build("wildbench", [rebuilt], Options())
    merged = json.loads(shared_path("wildbench", "leaderboard", "all_stat_wildbench.500.json").read_text())[
        MODEL
    ]
    (row,) = board.rows
    assert board.metric == "wb_reward" and row.model == MODEL
    assert row.score == merged["mixture_of_rewards.K=500"] and row.extra["K"] == 500
    assert row.extra["wb_reward_llama"] == merged["llama_reward.K=500"]


def test_leaderboard_refuses_to_mix_wb_score_and_wb_reward_inputs(rebuilt: Path) -> None:
    score_file = shared_path("wildbench", "eval_results", "v2.0625", "score.v2", "eval=gpt-4o-2024-05-13", "gemma-2b-it.json")  # fmt: skip
    with pytest.raises(BadInput, match="mix of WB-Score and WB-Reward"):
        build("wildbench", [score_file, rebuilt], Options())


# ---- hand-made runs ----------------------------------------------------------------------------------


def small_run(outcomes: list[tuple[str, str | None, str, int, int]], **kw: Any) -> RunData:
    """One baseline (gpt-4-turbo): rows of (item, outcome, model side, model length, baseline length)."""
    outputs = {i: Output(item_id=i, model=MODEL, turns=["m" * n]) for i, _, _, n, _ in outcomes}
    baselines = {(i, GPT4T): Output(item_id=i, model=GPT4T, turns=["b" * n]) for i, _, _, _, n in outcomes}
    judgments = [judgment(i, GPT4T, o, side) for i, o, side, _, _ in outcomes]
    ids = kw.pop("item_ids", list(outputs))
    return RunData(config(baselines=(GPT4T,), **kw), ids, outputs, baselines, judgments)


def test_length_margin_k_turns_a_long_slight_win_into_a_tie_unless_disabled() -> None:
    data = small_run([("s1", "win", "B", 1700, 1000), ("s2", "tie", "A", 10, 10)])
    at_500, off = scores_of(data, 500), scores_of(data, -1)
    assert at_500["wb_reward_gpt4t"].value == 0.0 and at_500["wb_reward_gpt4t"].extra["counts"]["tie"] == 2
    assert (
        off["wb_reward_gpt4t"].value == 100 * 0.5 / 2 and off["wb_reward_gpt4t"].extra["counts"]["win"] == 1
    )
    assert off["wb_reward"].value == off["wb_reward_gpt4t"].value  # one baseline: it is the headline
    assert off["wb_reward"].extra["headline"] and off["wb_reward"].extra["K"] == -1
    assert scores_of(data, 700)["wb_reward_gpt4t"].value == 25.0  # 700 chars longer: kept at K=700


def test_unscored_verdicts_and_missing_answers_are_counted_not_scored() -> None:
    rows: list[tuple[str, str | None, str, int, int]] = [
        ("s1", "lose_much", "A", 50, 50), ("s2", None, "B", 50, 50), ("s3", "win", "B", 50, 40),
    ]  # fmt: skip
    data = small_run(rows, item_ids=["s1", "s2", "s3", "s4"])
    data.baselines[("s3", GPT4T)] = Output(item_id="s3", model=GPT4T, turns=["x... (truncated)"])
    reward = scores_of(data, None)["wb_reward_gpt4t"]
    assert reward.value == 100 * (-1 + 0) / 2  # s3 skipped (truncated baseline): 0, in the total
    assert (reward.n_scored, reward.n_unscored) == (2, 2)
    assert reward.unscored_reasons == {"parse_failure": 1, "no_output": 1}
    assert reward.extra["n_skipped_truncated_or_empty"] == 1


def test_a_flagged_item_scored_as_a_loss_is_a_much_worse_outcome() -> None:
    data = small_run([("s1", "win_much", "A", 50, 50), ("s2", "win_much", "B", 50, 50)])
    data = dataclasses.replace(data, flagged=frozenset({"s2"}))
    counts = scores_of(data, None)["wb_reward_gpt4t"].extra["counts"]
    assert counts["win_much"] == 1 and counts["lose_much"] == 1


def test_a_flagged_empty_or_truncated_answer_cannot_escape_its_loss() -> None:
    """Upstream counts a pair with an empty or "... (truncated)" answer as 0; the model writes that text,
    so under --on-flag loss a flagged one is a heavy loss (else an empty null model scores 0, above every
    real model's negative reward). Unflagged (keep), upstream's 0 stands."""
    data = small_run([("s1", "win", "A", 0, 50), ("s2", "win", "B", 50, 50)])
    data.outputs["s2"] = Output(item_id="s2", model=MODEL, turns=["m... (truncated)"])
    flagged = dataclasses.replace(data, flagged=frozenset({"s1", "s2"}))
    assert scores_of(flagged, None)["wb_reward_gpt4t"].value == -100.0
    kept = dataclasses.replace(flagged, config=dataclasses.replace(data.config, on_flag="keep"))
    assert scores_of(kept, None)["wb_reward_gpt4t"].value == 0.0


def test_two_of_three_baselines_give_no_mix_but_both_rewards() -> None:
    data = small_run([("s1", "win", "A", 50, 50)])
    data = dataclasses.replace(data, config=dataclasses.replace(data.config, baselines=(GPT4T, HAIKU)))
    data.baselines[("s1", HAIKU)] = Output(item_id="s1", model=HAIKU, turns=["h"])
    data.judgments.append(judgment("s1", HAIKU, "lose", "B"))
    scores = scores_of(data, None)
    assert (
        math.isnan(scores["wb_reward"].value)
        and "WB-Reward-Mix needs" in scores["wb_reward"].extra["unavailable"]
    )
    assert (scores["wb_reward_gpt4t"].value, scores["wb_reward_haiku"].value) == (50.0, -50.0)


def test_routing_pairwise_judge_gives_wb_reward_single_judge_keeps_wb_score() -> None:
    pairwise = small_run([("s1", "win", "A", 50, 50)])
    assert [s.metric for s in evaluate(pairwise).scores] == ["wb_reward", "wb_reward_gpt4t"]
    single = RunData(
        config(judge_config="wildbench_score"), ["s1"], {"s1": Output(item_id="s1", model=MODEL, turns=["m"])}, {},
        [Judgment(item_id="s1", model=MODEL, judge="wildbench_score@j", protocol="single", verdict="7", score=7.0)],
    )  # fmt: skip
    assert [s.metric for s in evaluate(single).scores] == ["wb_score", "wb_score_raw"]
    assert evaluate(single).scores[0].value == (7 - 5) * 2 * 10  # the official board's WB_score scale


# ---- config and CLI ----------------------------------------------------------------------------------


def test_wb_k_is_persisted_only_when_set_and_checked_when_read() -> None:
    assert "wb_k" not in config().to_json()  # run.json of runs before --wb-k still resume
    assert RunConfig.from_json(config(wb_k=-1).to_json(), "run.json").wb_k == -1
    with pytest.raises(BadInput, match="wb_k"):
        RunConfig.from_json(config().to_json() | {"wb_k": -3}, "run.json")


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--judge-config", "wildbench_pairwise", "--wb-k", "-2"], "--wb-k: must be -1"),
        (["--wb-k", "500"], "--wb-k: applies to WildBench's pairwise judge only"),  # default judge: WB-Score
        (["--benchmark", "demo", "--wb-k", "500"], "--wb-k: applies to WildBench"),
    ],
)
def test_bad_wb_k_is_a_one_line_usage_error(
    extra: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["score", "--benchmark", "wildbench", "--model", "openai:m@http://127.0.0.1:9/v1",
            "--run-dir", str(tmp_path / "run"), *extra]  # fmt: skip
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1
    assert not (tmp_path / "run").exists()


def test_the_report_names_the_length_margin() -> None:
    data = small_run([("s1", "win", "A", 50, 50)])
    assert "length margin K=500" in " ".join(evaluate(data).notes)
    off = dataclasses.replace(data, config=dataclasses.replace(data.config, wb_k=-1))
    assert "no length penalty" in " ".join(evaluate(off).notes)


# ---- end to end: harness score with a scripted model and judge ----------------------------------------


def test_score_command_judges_against_the_three_baselines_and_reports_wb_reward(
    tmp_path: Path, fake_server: Any
) -> None:
    """The judge always answers "A+" (response A slightly better); the model's answer is 700 characters
    longer than every baseline's, so at K=500 its slight wins (shown as A) become ties while its slight
    losses (shown as B) stay, and with ``--wb-k -1`` the wins count."""
    fixture = Path(__file__).parents[1] / "fixtures" / "wildbench_mini.jsonl"
    data = tmp_path / "data"
    (data / "model_outputs").mkdir(parents=True)
    (data / "tasks.jsonl").write_text(fixture.read_text())
    ids = [json.loads(line)["session_id"] for line in fixture.read_text().splitlines() if line.strip()]
    for baseline in KEYS.values():
        rows = [json.dumps({"session_id": i, "output": "b" * 300}) for i in ids]
        (data / "model_outputs" / f"{baseline}.jsonl").write_text("\n".join(rows) + "\n")
    model = fake_server("m" * 1000, name="writer")
    judge = fake_server('{"analysis of A": "..", "choice": "A+"}', name="a-plus")

    def score(name: str, *extra: str) -> dict[str, Any]:
        argv = ["score", "--benchmark", "wildbench", "--data", str(data), "--subset", "--model", model.spec,
                "--judge", judge.spec, "--judge-config", "wildbench_pairwise", "--on-flag", "keep",
                "--run-dir", str(tmp_path / name), "--cache", str(tmp_path / "cache.db"), "--format", "json", *extra]  # fmt: skip
        assert main(argv) == 0
        return json.loads((tmp_path / name / "report.json").read_text())

    at_500, off = score("k500"), score("off", "--wb-k", "-1")
    assert len(judge.requests) == 3 * len(ids)  # the second run is answered from the cache
    assert "wb_k" not in at_500["config"] and off["config"]["wb_k"] == -1
    stored = RunStore(tmp_path / "k500").load("judgments", Judgment)
    assert {j.verdict for j in stored} == {"A+"} and {j.order for j in stored} == {
        "model_first",
        "baseline_first",
    }
    expected_500, expected_off = [], []
    for key, baseline in KEYS.items():
        orders = [j.order for j in stored if j.opponent == baseline]
        first, second = orders.count("model_first"), orders.count("baseline_first")
        expected_500.append(100 * -0.5 * second / len(ids))
        expected_off.append(100 * 0.5 * (first - second) / len(ids))
        mine = {s["metric"]: s for s in at_500["scores"]}[f"wb_reward_{key}"]
        assert mine["value"] == pytest.approx(expected_500[-1]) and mine["n_scored"] == len(ids)
        assert mine["extra"]["counts"]["tie"] == first
    head_500, head_off = at_500["scores"][0], off["scores"][0]
    assert head_500["metric"] == head_off["metric"] == "wb_reward" and head_500["extra"]["headline"]
    assert head_500["value"] == pytest.approx(sum(expected_500) / 3)
    assert head_off["value"] == pytest.approx(sum(expected_off) / 3)
