"""``harness audit RUN_DIR`` of a ``harness score`` run: the run's model's answers with their prompts.

Regression of issue 11: the audit of a score run exited 2 ("no prompt for item"), and it audited whichever
model came first in outputs.jsonl (the baseline's answers are stored there too).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from _shared import shared_path

from harness.cli import main


@pytest.fixture()
def score_run(tmp_path: Path, fake_server: Any, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HARNESS_JUDGE_TEMPLATE_DIR", str(shared_path()))
    model = fake_server(lambda body: "About: " + body["messages"][-1]["content"][:60], name="mine")
    verdicts = iter(["[[B>A]]", "[[A>B]]", "[[A=B]]"] * 4)  # mixed: the Bradley-Terry fit needs both sides
    judge = fake_server(lambda _body: next(verdicts), name="j")
    run = tmp_path / "run"
    code = main(["score", "--benchmark", "arena_hard", "--data", str(shared_path("arena_hard", "v0.1")), "--subset",
                 "--limit", "3", "--model", model.spec, "--judge", judge.spec, "--run-dir", str(run),
                 "--cache", str(tmp_path / "cache.db"), "--on-flag", "keep"])  # fmt: skip
    assert code == 0
    return run


def _audit(run: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    capsys.readouterr()
    assert main(["audit", str(run), "--format", "json"]) in (0, 1)  # 1: a detector flagged an answer
    return json.loads(capsys.readouterr().out)


def _summary(report: dict[str, Any]) -> tuple[str, int]:
    return report["model"], report["n_items"]


def test_audit_of_a_score_run_reads_the_runs_model_and_prompts(
    score_run: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _summary(_audit(score_run, capsys)) == ("mine", 3)


def test_a_run_without_items_jsonl_takes_its_items_from_its_config(
    score_run: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (score_run / "items.jsonl").unlink()
    assert _summary(_audit(score_run, capsys)) == ("mine", 3)
