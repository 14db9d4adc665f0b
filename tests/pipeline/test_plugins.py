"""A benchmark, a judge protocol and a judge config from a package outside the repository, found through
their entry points only.

``tests/fixtures/toy_plugin`` holds the package ``toy_bench`` and its ``dist-info`` (what ``pip install``
leaves), so putting that folder on PYTHONPATH installs it for a fresh ``harness`` process: its benchmark
must appear in ``harness benchmarks``, score with its own registered statistic and get a leaderboard; its
judge config (``toy_duel``, protocol ``toy_duel``, template shipped in the plugin) must appear in
``harness judges`` and judge a score run; with nothing under harness/, benchmarks/ or judges/ naming them.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
PLUGIN = REPO / "tests" / "fixtures" / "toy_plugin"
ANSWER = "Put the egg in boiling water for eight minutes, then cool it."


def harness(*argv: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(PLUGIN), str(REPO)])}
    return subprocess.run(
        [sys.executable, "-m", "harness", *argv],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_plugin_benchmark_is_listed_scored_and_leaderboarded(tmp_path: Path, fake_server: Any) -> None:
    listed = harness("benchmarks", "--format", "json")
    assert listed.returncode == 0, listed.stderr
    toy = next(row for row in json.loads(listed.stdout) if row["benchmark"] == "toy")
    assert toy["statistic"] == "toy_win_share" and toy["origin"] == "toy-bench"

    model = fake_server(ANSWER, name="plugin-model")
    judge = fake_server("[[B>>A]]", name="plugin-judge")  # the model is shown second: it wins every game
    run_dir = tmp_path / "run"
    scored = harness("score", "--benchmark", "toy", "--model", model.spec, "--judge", judge.spec,
                     "--position", "fixed", "--on-flag", "keep", "--run-dir", str(run_dir),
                     "--cache", str(tmp_path / "cache.db"), "--format", "json")  # fmt: skip
    assert scored.returncode == 0, scored.stderr
    head = next(s for s in json.loads(scored.stdout)["scores"] if s["extra"].get("headline"))
    assert (head["metric"], head["value"], head["n_scored"], head["n_unscored"]) == (
        "toy_win_share",
        100.0,
        3,
        0,
    )

    out = tmp_path / "tables"
    board = harness("leaderboard", "toy", "--from", str(run_dir), "--out", str(out))
    assert board.returncode == 0, board.stderr
    with open(out / "results" / "toy" / "leaderboard.csv", newline="") as fh:
        (row,) = list(csv.DictReader(fh))
    assert row["model"] == "plugin-model" and float(row["toy_win_share"]) == head["value"]


def test_plugin_judge_protocol_and_config_are_listed_and_judge_a_run(
    tmp_path: Path, fake_server: Any
) -> None:
    listed = harness("judges", "--format", "json")
    assert listed.returncode == 0, listed.stderr
    duel = next(row for row in json.loads(listed.stdout) if row["judge_config"] == "toy_duel")
    assert (duel["protocol"], duel["origin"], duel["protocol_origin"]) == (
        "toy_duel",
        "toy-bench",
        "toy-bench",
    )
    assert duel["template"] == "toy_bench.judge_configs/duel.jinja"

    model = fake_server(ANSWER, name="plugin-model")
    judge = fake_server("The first is fuller.\nWINNER: 1", name="plugin-judge")  # the model is answer 1
    run_dir = tmp_path / "run"
    scored = harness("score", "--benchmark", "toy", "--judge-config", "toy_duel", "--model", model.spec,
                     "--judge", judge.spec, "--on-flag", "keep", "--run-dir", str(run_dir),
                     "--cache", str(tmp_path / "cache.db"), "--format", "json")  # fmt: skip
    assert scored.returncode == 0, scored.stderr
    head = next(s for s in json.loads(scored.stdout)["scores"] if s["extra"].get("headline"))
    assert (head["metric"], head["value"], head["n_scored"], head["n_unscored"]) == (
        "toy_win_share",
        100.0,
        3,
        0,
    )
    judgments = [json.loads(line) for line in (run_dir / "judgments.jsonl").read_text().splitlines()]
    assert len(judgments) == 3  # one game per item: the protocol's own plan
    assert {(j["judge"], j["order"], j["verdict"], j["protocol"]) for j in judgments} == {
        ("toy_duel@plugin-judge", "model_first", "1", "pairwise")
    }
    assert "Answer 1: " + ANSWER in judgments[0]["prompt"][-1]["content"]  # the plugin's own template

    again = harness("score", "--benchmark", "toy", "--judge-config", "toy_duel", "--model", model.spec,
                    "--judge", judge.spec, "--on-flag", "keep", "--run-dir", str(run_dir),
                    "--cache", str(tmp_path / "cache.db"), "--format", "json")  # fmt: skip
    assert again.returncode == 0, again.stderr  # resumed: every expected judgment is already stored
    assert len((run_dir / "judgments.jsonl").read_text().splitlines()) == 3


def test_plugin_judge_config_on_the_built_in_pairwise_protocol(tmp_path: Path, fake_server: Any) -> None:
    """A plugin config may use a built-in protocol: its composer and parser come through entry points."""
    model = fake_server(ANSWER, name="plugin-model")
    judge = fake_server("VERDICT: B", name="plugin-judge")  # fixed order: the model is shown second
    run_dir = tmp_path / "run"
    scored = harness("score", "--benchmark", "toy", "--judge-config", "toy_pairwise", "--position", "fixed",
                     "--model", model.spec, "--judge", judge.spec, "--on-flag", "keep", "--run-dir",
                     str(run_dir), "--cache", str(tmp_path / "cache.db"), "--format", "json")  # fmt: skip
    assert scored.returncode == 0, scored.stderr
    head = next(s for s in json.loads(scored.stdout)["scores"] if s["extra"].get("headline"))
    assert (head["metric"], head["value"], head["n_scored"]) == ("toy_win_share", 100.0, 3)
    first = json.loads((run_dir / "judgments.jsonl").read_text().splitlines()[0])
    assert first["parser_version"] == "toy_verdict" and first["order"] == "baseline_first"
    assert "Answer B: " + ANSWER in first["prompt"][-1]["content"]


def test_plugin_may_not_take_a_built_in_name(tmp_path: Path) -> None:
    dist = tmp_path / "clash-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: clash\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text("[harness.benchmarks]\ndemo = toy_bench:Toy\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(PLUGIN), str(REPO)])}
    result = subprocess.run([sys.executable, "-m", "harness", "benchmarks"], cwd=REPO, env=env,
                            capture_output=True, text=True, timeout=120)  # fmt: skip
    assert result.returncode == 2
    assert "clash declares benchmark 'demo', already registered" in result.stderr
    assert "Traceback" not in result.stderr


def test_plugin_judge_config_may_not_take_a_built_in_name(tmp_path: Path) -> None:
    package = tmp_path / "clash_judges"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "tick.yaml").write_text("protocol: single\n")
    dist = tmp_path / "clash-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: clash\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text("[harness.judge_configs]\nclash = clash_judges\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(REPO)])}
    result = subprocess.run([sys.executable, "-m", "harness", "judges"], cwd=REPO, env=env,
                            capture_output=True, text=True, timeout=120)  # fmt: skip
    assert result.returncode == 2
    assert "clash defines judge config 'tick', already defined (built-in" in result.stderr
    assert "Traceback" not in result.stderr
