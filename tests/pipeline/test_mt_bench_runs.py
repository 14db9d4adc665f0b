"""MT-Bench pairwise against the shipped baseline answers, and MT-Bench sweeps and leaderboards of runs.

Regressions of issue 11: a pairwise judge refused every item ("no answer of baseline 'gpt-3.5-turbo'")
although ``model_answer/gpt-3.5-turbo.jsonl`` is in the data directory, and a sweep or ``harness leaderboard
mt_bench --from RUN_DIR`` exited 2 ("run has no 'score' score") because the leaderboard looked for another
benchmark's metric instead of the run's own headline.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from _shared import shared_path

from harness.cli import main


def _headline(run_dir: Path) -> dict[str, Any]:
    report = json.loads((run_dir / "report.json").read_text())
    return next(s for s in report["scores"] if s["extra"].get("headline"))


def _board(out: Path) -> list[dict[str, str]]:
    with open(out / "results" / "mt_bench" / "leaderboard.csv", newline="") as fh:
        return list(csv.DictReader(fh))


def _model_is_b(body: dict[str, Any]) -> bool:
    prompt = body["messages"][-1]["content"]
    return prompt.index("My answer.") > prompt.index("Assistant B")


def _score(tmp_path: Path, *args: str) -> int:
    return main(["score", "--benchmark", "mt_bench", "--data", str(shared_path("mt_bench")), "--limit", "2",
                 "--cache", str(tmp_path / "cache.db"), "--format", "json", *args])  # fmt: skip


def test_pairwise_compares_with_the_baseline_answers_of_the_data_dir(
    tmp_path: Path, fake_server: Any
) -> None:
    model = fake_server("My answer.", name="m")
    judge = fake_server(lambda body: "[[B]]" if _model_is_b(body) else "[[A]]")
    run_dir = tmp_path / "run"
    code = _score(tmp_path, "--model", model.spec, "--judge", judge.spec, "--judge-config", "mt_bench_pair",
                  "--baseline", "gpt-3.5-turbo", "--run-dir", str(run_dir))  # fmt: skip
    assert code == 0
    baseline = [json.loads(line) for line in (run_dir / "outputs.jsonl").read_text().splitlines()]
    upstream = {json.loads(line)["question_id"]: json.loads(line) for line in
                (shared_path("mt_bench", "model_answer", "gpt-3.5-turbo.jsonl")).read_text().splitlines()}  # fmt: skip
    stored = [o for o in baseline if o["model"] == "gpt-3.5-turbo"]
    assert [o["turns"] for o in stored] == [
        upstream[81]["choices"][0]["turns"],
        upstream[82]["choices"][0]["turns"],
    ]
    head = _headline(run_dir)
    assert head["value"] == 100.0  # the judge always prefers the model's answer, in both orders
    out = tmp_path / "board"
    assert main(["leaderboard", "mt_bench", "--from", str(run_dir), "--out", str(out)]) == 0
    (row,) = _board(out)
    assert float(row[head["metric"]]) == head["value"] and int(row["n_scored"]) == head["n_scored"]


def test_pairwise_without_the_baseline_answers_is_refused_before_generating(
    tmp_path: Path, fake_server: Any, capsys: Any
) -> None:
    model = fake_server("My answer.", name="m")
    code = _score(tmp_path, "--model", model.spec, "--judge", model.spec, "--judge-config", "mt_bench_pair",
                  "--baseline", "gpt-4", "--run-dir", str(tmp_path / "run"))  # fmt: skip
    assert code == 2 and not model.requests
    assert "no answer of baseline 'gpt-4'" in capsys.readouterr().err


def test_sweep_and_leaderboard_of_runs_use_the_runs_headline(tmp_path: Path, fake_server: Any) -> None:
    a, b = fake_server("Short.", name="a"), fake_server("Longer answer.", name="b")
    judge = fake_server(lambda body: "Rating: [[8]]" if "Longer answer." in str(body) else "Rating: [[3]]")
    sweep_dir = tmp_path / "sweep"
    code = _score(
        tmp_path, "--model", a.spec, "--model", b.spec, "--judge", judge.spec, "--run-dir", str(sweep_dir)
    )
    assert code == 0
    rows = _board(sweep_dir)
    assert [r["model"] for r in rows] == ["b", "a"]
    for row in rows:
        head = _headline(sweep_dir / row["model"])
        assert head["metric"] == "mt_bench_score"
        assert float(row["mt_bench_score"]) == head["value"] and float(row["ci_lower"]) == head["ci_lower"]
    assert [float(r["mt_bench_score"]) for r in rows] == [8.0, 3.0]
    out = tmp_path / "board"
    assert main(["leaderboard", "mt_bench", "--from", str(sweep_dir / "a"), "--out", str(out)]) == 0
    assert float(_board(out)[0]["mt_bench_score"]) == 3.0
    whole = tmp_path / "whole"  # the sweep directory itself: its run directories, its own tables skipped
    assert main(["leaderboard", "mt_bench", "--from", str(sweep_dir), "--out", str(whole)]) == 0
    assert _board(whole) == rows
