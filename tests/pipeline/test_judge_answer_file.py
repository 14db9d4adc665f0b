"""``harness judge --outputs FILE``: a model's answers as upstream publishes them, judged without a run
directory of generations (issue 11: the verb refused anything but a run directory)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from _shared import shared_path

from harness.cli import main


def _judge(tmp_path: Path, *args: str) -> tuple[int, dict[str, Any]]:
    run_dir = tmp_path / "judged"
    code = main(
        ["judge", *args, "--run-dir", str(run_dir), "--cache", str(tmp_path / "cache.db"), "--format", "json"]
    )
    return code, json.loads((run_dir / "report.json").read_text())


def _headline(report: dict[str, Any]) -> dict[str, Any]:
    return next(s for s in report["scores"] if s["extra"].get("headline"))


def test_mt_bench_model_answer_file(tmp_path: Path, fake_server: Any) -> None:
    judge = fake_server("Rating: [[6]]", name="j")
    answers = shared_path("mt_bench", "model_answer", "koala-13b.jsonl")
    code, report = _judge(tmp_path, "--outputs", str(answers), "--benchmark", "mt_bench", "--data",
                          str(shared_path("mt_bench")), "--limit", "2", "--judge", judge.spec)  # fmt: skip
    assert code == 0 and report["model"] == "koala-13b"
    head = _headline(report)
    assert (head["metric"], head["value"], head["n_scored"]) == ("mt_bench_score", 6.0, 4)
    upstream = [json.loads(line) for line in answers.read_text().splitlines()][:2]
    judged = "".join(json.dumps(r) for r in judge.requests)
    assert all(json.dumps(row["choices"][0]["turns"][0])[1:40] in judged for row in upstream)
    out = tmp_path / "board"
    assert main(["leaderboard", "mt_bench", "--from", str(tmp_path / "judged"), "--out", str(out)]) == 0


def test_arena_hard_answer_file_against_the_baseline(tmp_path: Path, fake_server: Any) -> None:
    verdicts = iter(["[[B>A]]", "[[A>B]]", "[[B>>A]]"] * 4)
    judge = fake_server(lambda _body: next(verdicts), name="j")
    data = shared_path("arena_hard", "v0.1")
    code, report = _judge(tmp_path, "--outputs", str(data / "model_answer" / "gpt-4-0613.jsonl"), "--benchmark",
                          "arena_hard", "--data", str(data), "--subset", "--limit", "3", "--judge", judge.spec)  # fmt: skip
    assert code == 0 and report["model"] == "gpt-4-0613"
    assert report["coverage"]["outputs"] == 3 and report["coverage"]["judgments"] == 6  # both orders
    assert _headline(report)["value"] is not None


def test_an_answer_file_needs_its_benchmark(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    answers = shared_path("mt_bench", "model_answer", "koala-13b.jsonl")
    assert main(["judge", "--outputs", str(answers), "--judge", "openai:j@http://127.0.0.1:9/v1"]) == 2
    assert "--benchmark" in capsys.readouterr().err


def test_alpaca_eval_model_outputs_json(tmp_path: Path, fake_server: Any) -> None:
    """The issue's scenario: `harness judge --outputs model_outputs.json` (outputs paired by instruction)."""
    verdicts = iter(["[[B>A]]", "[[A>B]]", "[[B>>A]]", "[[A=B]]"] * 4)
    judge = fake_server(lambda _body: next(verdicts), name="j")
    results = shared_path("alpaca_eval", "results")
    outputs = next(
        p for p in sorted(results.glob("*/model_outputs.json")) if p.parent.name != "gpt4_1106_preview"
    )
    code, report = _judge(tmp_path, "--outputs", str(outputs), "--benchmark", "alpaca_eval", "--data",
                          str(results / "gpt4_1106_preview"), "--limit", "4", "--judge", judge.spec,
                          "--judge-config", "arena_hard_v0.1", "--position", "fixed")  # fmt: skip
    assert code in (0, 1)  # 1: LC is not fittable on 4 instructions (the guard says so)
    assert report["coverage"]["outputs"] == 4 and report["coverage"]["judgments_scored"] == 4
    win = next(s for s in report["scores"] if s["metric"] == "win_rate")
    assert win["value"] is not None and win["n_scored"] == 4
