"""`harness leaderboard` over our own run directories: the rows are the runs' report headlines."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from harness.cli import main

ANSWER = "First, boil the water. Second, add the pasta and stir. Third, drain it when it is soft."


def _run(tmp_path: Path, model: Any, judge: Any, name: str) -> Path:
    run_dir = tmp_path / name
    code = main(
        ["score", "--benchmark", "demo", "--model", model.spec, "--judge", judge.spec, "--limit", "4",
         "--judge-config", "arena_hard_v0.1", "--position", "fixed", "--on-flag", "keep", "--run-dir", str(run_dir),
         "--cache", str(tmp_path / "cache.db"), "--format", "json"]
    )  # fmt: skip
    assert code == 0
    return run_dir


def test_demo_leaderboard_rows_equal_each_runs_report(tmp_path: Path, fake_server: Any, capsys: Any) -> None:
    loser = _run(tmp_path, fake_server(ANSWER, name="writer-a"), fake_server("[[A>>B]]", name="j1"), "a")
    winner = _run(tmp_path, fake_server(ANSWER, name="writer-b"), fake_server("[[B>>A]]", name="j2"), "b")
    capsys.readouterr()
    out = tmp_path / "tables"
    assert main(["leaderboard", "demo", "--from", str(loser), str(winner), "--out", str(out)]) == 0
    with open(out / "results" / "demo" / "leaderboard.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["model"] for r in rows] == ["writer-b", "writer-a"]
    for row, run_dir in zip(rows, (winner, loser), strict=True):
        headline = next(
            s
            for s in json.loads((run_dir / "report.json").read_text())["scores"]
            if s["metric"] == "win_rate"
        )
        assert float(row["win_rate"]) == headline["value"]
        assert int(row["n_scored"]) == headline["n_scored"] == 4
    assert float(rows[0]["win_rate"]) == 100.0 and float(rows[1]["win_rate"]) == 0.0


def test_scores_do_not_depend_on_the_order_judgments_were_stored(tmp_path: Path, fake_server: Any) -> None:
    """Concurrency stores judgments in completion order; the bootstrap must see one canonical order."""
    from harness.scoring.evaluate import score_run

    texts = iter(["[[B>>A]]", "[[A>B]]", "[[B>A]]", "[[A=B]]"] * 4)
    run_dir = _run(
        tmp_path, fake_server(ANSWER, name="writer"), fake_server(lambda _b: next(texts), name="j"), "r"
    )
    before = [s.model_dump() for s in score_run(run_dir)]
    path = run_dir / "judgments.jsonl"
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(reversed(lines)))
    assert [s.model_dump() for s in score_run(run_dir)] == before
    win = next(s for s in before if s["metric"] == "win_rate")
    assert win["ci_lower"] < win["value"] < win["ci_upper"]
