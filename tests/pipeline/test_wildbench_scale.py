"""WB-Score on the official leaderboard's WB_score scale, (mean - 5) * 2 * 10, in the report and the board.

Regression of issue 11: the WildBench leaderboard printed WB-Score on a 0-10 scale while the official
board's WB_score is the same figure x10.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from harness.cli import main

FIXTURE = Path(__file__).parents[1] / "fixtures" / "wildbench_mini.jsonl"


def test_wb_score_is_on_the_official_scale_in_score_and_leaderboard(tmp_path: Path, fake_server: Any) -> None:
    model = fake_server("A plan: day 1 acids, day 2 bases, day 3 redox.", name="m")
    judge = fake_server('{"strengths": "ok", "weaknesses": "none", "score": "7"}', name="j")
    run_dir = tmp_path / "run"
    code = main(["score", "--benchmark", "wildbench", "--data", str(FIXTURE), "--subset", "--limit", "3",
                 "--model", model.spec, "--judge", judge.spec, "--run-dir", str(run_dir),
                 "--cache", str(tmp_path / "cache.db"), "--format", "json", "--on-flag", "keep"])  # fmt: skip
    assert code == 0
    scores = {s["metric"]: s for s in json.loads((run_dir / "report.json").read_text())["scores"]}
    assert scores["wb_score_raw"]["value"] == 7.0
    assert scores["wb_score"]["value"] == (7.0 - 5) * 2 * 10 and scores["wb_score"]["extra"]["headline"]
    out = tmp_path / "board"
    assert main(["leaderboard", "wildbench", "--from", str(run_dir), "--out", str(out)]) == 0
    with open(out / "results" / "wildbench" / "leaderboard.csv", newline="") as fh:
        (row,) = list(csv.DictReader(fh))
    assert float(row["wb_score"]) == 40.0
