"""Each position strategy on a judge that always answers "A", and a judge that returns garbage, end to end
through ``harness score`` (real HTTP client against a scripted server)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from harness.cli import main
from harness.records import Judgment
from harness.scoring.evaluate import score_run
from harness.store import RunStore

ANSWER = "First, boil the water. Second, add the pasta and stir. Third, drain it when it is soft."


def score(tmp_path: Path, model: str, judge: str, *extra: str, run: str = "run") -> tuple[int, Path]:
    run_dir = tmp_path / run
    code = main(
        ["score", "--benchmark", "demo", "--model", model, "--judge", judge, "--limit", "4",
         "--run-dir", str(run_dir), "--cache", str(tmp_path / "cache.db"), "--format", "json",
         "--on-flag", "keep", *extra]  # the same answer to every item is a null model the audit flags
    )  # fmt: skip
    return code, run_dir


def judgments(run_dir: Path) -> list[Judgment]:
    return RunStore(run_dir).load("judgments", Judgment)


def report(run_dir: Path) -> dict[str, Any]:
    return json.loads((run_dir / "report.json").read_text())


def metric(run_dir: Path, name: str) -> dict[str, Any]:
    return next(s for s in report(run_dir)["scores"] if s["metric"] == name)


@pytest.fixture
def servers(fake_server: Any) -> tuple[Any, Any]:
    return fake_server(ANSWER, name="writer"), fake_server("My verdict: [[A>>B]]", name="always-a")


def test_both_orders_on_an_always_a_judge_is_inconsistent_and_a_tie(tmp_path: Path, servers: Any) -> None:
    model, judge = servers
    code, run_dir = score(
        tmp_path, model.spec, judge.spec, "--judge-config", "arena_hard_v0.1", "--position", "both"
    )
    assert code == 0
    stored = judgments(run_dir)
    assert len(stored) == 8 and {j.order for j in stored} == {"baseline_first", "model_first"}
    assert {j.verdict for j in stored} == {"A>>B"}
    assert metric(run_dir, "position_consistency")["value"] == 0.0
    win = metric(run_dir, "win_rate")
    assert win["value"] == 50.0 and win["n_scored"] == 4  # +2 and -2 average to a tie on every item
    assert report(run_dir)["position_consistency"]["first_position_bias"] == 1.0


def test_fixed_order_shows_the_baseline_first_so_always_a_is_a_loss(tmp_path: Path, servers: Any) -> None:
    model, judge = servers
    code, run_dir = score(
        tmp_path, model.spec, judge.spec, "--judge-config", "arena_hard_v0.1", "--position", "fixed"
    )
    assert code == 0
    stored = judgments(run_dir)
    assert [j.order for j in stored] == ["baseline_first"] * 4 and {j.score for j in stored} == {-2.0}
    assert metric(run_dir, "win_rate")["value"] == 0.0
    assert report(run_dir)["position_consistency"] is None


def test_random_order_wins_exactly_where_the_model_was_shown_first(tmp_path: Path, servers: Any) -> None:
    model, judge = servers
    code, run_dir = score(
        tmp_path, model.spec, judge.spec, "--judge-config", "arena_hard_v0.1", "--position", "random"
    )
    assert code == 0
    stored = judgments(run_dir)
    assert len(stored) == 4
    for j in stored:
        assert j.score == (2.0 if j.order == "model_first" else -2.0)
    firsts = sum(j.order == "model_first" for j in stored)
    assert metric(run_dir, "win_rate")["value"] == pytest.approx(100 * firsts / 4)


def test_portia_merges_segments_into_one_prompt_per_order(tmp_path: Path, servers: Any) -> None:
    model, judge = servers
    code, run_dir = score(
        tmp_path, model.spec, judge.spec, "--judge-config", "arena_hard_v0.1", "--position", "portia"
    )
    assert code == 0
    stored = judgments(run_dir)
    merged = [j for j in stored if j.metadata.get("portia_merged")]
    assert merged, "no item was long enough to split"
    assert all(j.judge.endswith("+portia3") for j in stored)
    prompts = [m["content"] for body in judge.requests for m in body["messages"] if m["role"] == "user"]
    merged_prompts = [p for p in prompts if "(Part 1 of 3)" in p]
    # always-A is inconsistent on every merged pair, so each is asked again on its semantic alignment,
    # unless that alignment is the length one (nothing new to ask)
    semantic = {j.item_id for j in merged if j.metadata["portia_stage"] == "semantic"}
    assert semantic and all(j.item_id in semantic or "portia_semantic" in j.metadata for j in merged)
    assert len(merged_prompts) == 2 * len({j.item_id for j in merged}) + 2 * len(semantic)
    stages = report(run_dir)["position_consistency"]["portia"]
    assert stages == {
        "n_pairs": len({j.item_id for j in merged}),
        "n_semantic": len(semantic),
        "n_fixed": 0,  # always-A stays inconsistent
        "judge_calls": len(merged_prompts),
        "semantic_calls": 2 * len(semantic),
    }
    assert f"PORTIA: semantic stage on {len(semantic)} of" in (run_dir / "report.md").read_text()
    prompt = merged_prompts[0]
    # parts interleave A1, B1, A2, B2, A3, B3 in the template's own answer delimiters
    assert prompt.index("(Part 1 of 3)") < prompt.index("(Part 2 of 3)") < prompt.index("(Part 3 of 3)")
    assert prompt.count("(Part 2 of 3)") == 2 and "Second, add the pasta and stir." in prompt


def test_a_garbage_judge_is_unscored_with_reasons_and_the_run_completes(
    tmp_path: Path, fake_server: Any
) -> None:
    model = fake_server(ANSWER, name="writer")
    judge = fake_server("I like both of them, really.", name="garbage")
    # demo's default: the logprob judge; --max-unscored 1: no early stop (tests/pipeline/test_guard_e2e.py)
    code, run_dir = score(tmp_path, model.spec, judge.spec, "--max-unscored", "1")
    assert code == 1 and len(judge.requests) == 4  # judged to the end; the unavailable headline fails
    assert not report(run_dir)["gate"]["passed"]
    stored = judgments(run_dir)
    assert len(stored) == 4 and all(j.status == "unscored" for j in stored)
    assert {j.reason for j in stored} == {"parse_failure"}
    head = metric(run_dir, "win_rate")
    assert head["value"] is None and head["n_unscored"] == 4
    assert head["unscored_reasons"] == {"parse_failure": 4}
    assert "unavailable" in (run_dir / "report.md").read_text()
    assert [s.metric for s in score_run(run_dir)] == ["win_rate"]


def test_rerun_makes_no_request_and_harness_judge_rejudges_without_generating(
    tmp_path: Path, servers: Any
) -> None:
    model, judge = servers
    code, run_dir = score(
        tmp_path, model.spec, judge.spec, "--judge-config", "arena_hard_v0.1", "--position", "both"
    )
    assert code == 0 and (len(model.requests), len(judge.requests)) == (4, 8)
    code, _ = score(
        tmp_path,
        model.spec,
        judge.spec,
        "--judge-config",
        "arena_hard_v0.1",
        "--position",
        "both",
        "--no-cache",
    )
    assert code == 0 and (len(model.requests), len(judge.requests)) == (4, 8)
    session = report(run_dir)["session"]["requests"]
    assert session["model"]["requests"] == 0 and session["judge"]["requests"] == 0
    rejudge = tmp_path / "rejudged"
    code = main(["judge", "--outputs", str(run_dir), "--judge", judge.spec, "--judge-config", "arena_hard_v0.1",
                 "--position", "fixed", "--run-dir", str(rejudge), "--no-cache", "--format", "json",
                 "--on-flag", "keep"])  # fmt: skip
    assert code == 0
    assert len(model.requests) == 4 and len(judge.requests) == 12
    assert metric(rejudge, "win_rate")["value"] == 0.0


def test_a_changed_config_on_the_same_run_dir_is_refused(tmp_path: Path, servers: Any, capsys: Any) -> None:
    model, judge = servers
    assert score(tmp_path, model.spec, judge.spec, "--judge-config", "arena_hard_v0.1")[0] == 0
    code, _ = score(
        tmp_path, model.spec, judge.spec, "--judge-config", "arena_hard_v0.1", "--position", "fixed"
    )
    assert code == 2
    assert "different run (changed: position)" in capsys.readouterr().err


def test_api_errors_are_unscored_exit_1_and_retried_by_the_next_run(tmp_path: Path, fake_server: Any) -> None:
    model = fake_server(ANSWER, name="writer")
    healthy = {"up": False}
    judge = fake_server(lambda _body: "[[A>B]]" if healthy["up"] else None, name="flaky")
    args = ("--judge-config", "arena_hard_v0.1", "--position", "fixed", "--max-retries", "0")
    code, run_dir = score(tmp_path, model.spec, judge.spec, *args)
    assert code == 1
    stored = judgments(run_dir)
    assert len(stored) == 4 and {j.reason for j in stored} == {"api_error"}
    assert metric(run_dir, "win_rate")["unscored_reasons"] == {"api_error": 4}
    healthy["up"] = True
    code, _ = score(tmp_path, model.spec, judge.spec, *args)
    assert code == 0
    assert {(j.status, j.verdict) for j in judgments(run_dir)} == {("scored", "A>B")}
    assert metric(run_dir, "win_rate")["value"] == 0.0  # A = the baseline, shown first
