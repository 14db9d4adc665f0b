"""The verb x benchmark matrix: each cell runs a real command offline (upstream data from ../shared/data,
``--limit 2``) against the real llama.cpp server (SmolLM2 as model and judge, one server per session) and
checks what a user relies on: exit 0, a headline figure with its interval (or the reason it is
unavailable) and its unscored count, and the same figure from ``harness leaderboard --from RUN_DIR`` as
from ``harness score``.

SmolLM2-135M is a weak judge whose verdicts are often unreadable, so every cell passes
``--max-unscored 1``: the cells test the plumbing, the fidelity tests test the numbers. A headline that
no judgment could score is reported unavailable with its reason, and both commands then exit 1 (the
headline check), which the cells expect in that case only.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from _shared import shared_path

from harness.cli import main
from harness.serve import ManagedServer

LIMIT = 2
FIXTURES = Path(__file__).parent / "fixtures"
pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def template_mirror(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    monkeypatch.setenv("HARNESS_JUDGE_TEMPLATE_DIR", str(shared_path()))
    monkeypatch.setenv("HARNESS_TEMPLATE_CACHE", str(tmp_path_factory.mktemp("template-cache")))


@pytest.fixture(scope="session")
def cache_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One response cache for the whole matrix: cells that ask the same question pay for it once."""
    return tmp_path_factory.mktemp("matrix-cache") / "cache.db"


def score(tmp_path: Path, server: ManagedServer, cache: Path, *args: str) -> tuple[Path, dict[str, Any]]:
    spec = f"openai:{server.model}@{server.base_url}"
    run_dir = tmp_path / "run"
    argv = ["score", "--model", spec, "--judge", spec, "--limit", str(LIMIT), "--run-dir", str(run_dir),
            "--cache", str(cache), "--max-tokens", "32", "--judge-max-tokens", "48", "--max-unscored", "1",
            "--format", "json", *args]  # fmt: skip
    code = main(argv)
    report = json.loads((run_dir / "report.json").read_text())
    assert code == expected_code(report)
    return run_dir, report


def expected_code(report: dict[str, Any]) -> int:
    """0 when the headline figure is available (the share check is off), else 1, as the report's
    headline check says."""
    code = 0 if all(s["value"] is not None for s in report["scores"] if s["extra"].get("headline")) else 1
    assert report["gate"]["passed"] == (code == 0)
    return code


def headline(report: dict[str, Any]) -> dict[str, Any]:
    """The report's starred figure, checked: a value with its interval, or unavailable with the reason;
    its unscored count adds up by reason."""
    heads = [s for s in report["scores"] if s["extra"].get("headline")]
    assert len(heads) == 1
    head = heads[0]
    assert head["n_unscored"] == sum(head["unscored_reasons"].values())
    assert head["n_scored"] + head["n_unscored"] > 0
    if head["value"] is None:
        assert head["extra"].get("unavailable")
    else:
        assert math.isfinite(head["value"])
        if head["ci_lower"] is not None:
            assert head["ci_lower"] - 1e-9 <= head["value"] <= head["ci_upper"] + 1e-9
    return head


def leaderboard_agrees(tmp_path: Path, benchmark: str, run_dir: Path, head: dict[str, Any],
                       capsys: pytest.CaptureFixture[str], *extra: str) -> None:  # fmt: skip
    """``harness leaderboard BENCH --from RUN_DIR`` shows the run's headline: same metric, value, counts."""
    capsys.readouterr()
    code = main(["leaderboard", benchmark, "--from", str(run_dir), "--out", str(tmp_path / "board"),
                 "--max-unscored", "1", "--format", "json", *extra])  # fmt: skip
    assert code == (0 if head["value"] is not None else 1)
    board = json.loads(capsys.readouterr().out)
    assert board["metric"] == head["metric"]
    (row,) = board["rows"]
    assert row[head["metric"]] == head["value"]
    assert (row["n_scored"], row["n_unscored"]) == (head["n_scored"], head["n_unscored"])
    assert (row["ci_lower"], row["ci_upper"]) == (head["ci_lower"], head["ci_upper"])


def _data(*parts: str) -> str:
    return str(shared_path(*parts))


def _resolve(arg: str) -> str:
    """``@path``: under ../shared/data; ``%name``: a test fixture; anything else as it is."""
    if arg.startswith("@"):
        return _data(*arg[1:].split("/"))
    if arg.startswith("%"):
        return str(FIXTURES / arg[1:])
    return arg


# benchmark cell -> (leaderboard benchmark, score arguments); data paths resolved inside the test
SCORE_CELLS: dict[str, tuple[str, tuple[str, ...]]] = {
    "demo": ("demo", ("--benchmark", "demo")),
    "alpaca_eval": (
        "alpaca_eval",
        (
            "--benchmark",
            "alpaca_eval",
            "--data",
            "@alpaca_eval/results/gpt4_1106_preview",
            "--lc-difficulty",
            "@alpaca_eval/glm/instruction_difficulty_recovered.csv",
        ),
    ),
    "arena_hard_v0.1": (
        "arena_hard",
        ("--benchmark", "arena_hard", "--version", "v0.1", "--data", "@arena_hard/v0.1"),
    ),
    "arena_hard_v2.0": (
        "arena_hard",
        ("--benchmark", "arena_hard", "--version", "v2.0", "--data", "@arena_hard/v2.0"),
    ),
    "mt_bench_single": ("mt_bench", ("--benchmark", "mt_bench", "--data", "@mt_bench")),
    "wildbench_score": (
        "wildbench",
        ("--benchmark", "wildbench", "--data", "%wildbench_mini.jsonl", "--subset"),
    ),
    "tick_demo": ("demo", ("--benchmark", "demo", "--judge-config", "tick")),
    "tick_mt_bench": (
        "mt_bench",
        ("--benchmark", "mt_bench", "--data", "@mt_bench", "--judge-config", "tick"),
    ),
}


@pytest.mark.parametrize("cell", list(SCORE_CELLS))
def test_score_then_leaderboard(
    cell: str,
    tmp_path: Path,
    llama_server: ManagedServer,
    cache_file: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    benchmark, args = SCORE_CELLS[cell]
    resolved = tuple(_resolve(a) for a in args)
    run_dir, report = score(tmp_path, llama_server, cache_file, *resolved)
    head = headline(report)
    if "tick" in cell:
        assert head["metric"] == "pass_rate"
        assert (run_dir / "checklists.jsonl").exists()
    version = [a for a in args if a in ("v0.1", "v2.0")]
    leaderboard_agrees(
        tmp_path, benchmark, run_dir, head, capsys, *(("--version", *version) if version else ())
    )


def test_tick_with_a_checklists_file_answers_every_question(
    tmp_path: Path, llama_server: ManagedServer, cache_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """TICK on an upstream benchmark (MT-Bench) with its checklists brought in a file: no generation, one
    stored judgment per question, and the leaderboard shows the report's pass rate."""
    questions = ["Does the answer address the question?", "Is the answer in English?"]
    own = tmp_path / "checklists.jsonl"
    own.write_text("".join(json.dumps({"item_id": i, "questions": questions}) + "\n" for i in ("81", "82")))
    run_dir, report = score(tmp_path, llama_server, cache_file, "--benchmark", "mt_bench", "--data",
                            _data("mt_bench"), "--judge-config", "tick", "--checklists", str(own))  # fmt: skip
    head = headline(report)
    assert head["metric"] == "pass_rate"
    lines = [json.loads(x) for x in (run_dir / "judgments.jsonl").read_text().splitlines()]
    assert sorted((j["item_id"], j["metadata"]["question_index"]) for j in lines) == [
        ("81", 0), ("81", 1), ("82", 0), ("82", 1)
    ]  # fmt: skip
    assert (
        report["session"]["requests"]["judge"]["requests"]
        + report["session"]["requests"]["judge"]["cache_hits"]
        == 4
    )  # answers only: the checklists came from the file
    leaderboard_agrees(tmp_path, "mt_bench", run_dir, head, capsys)
