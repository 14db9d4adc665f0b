"""``harness benchmarks``: the table and the JSON document users and scripts read."""

from __future__ import annotations

import json

from harness.cli import main


def test_table_lists_every_benchmark_with_size_source_and_judge(capsys):
    assert main(["benchmarks"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split() == [
        "benchmark",
        "version",
        "items",
        "source",
        "default_judge",
        "statistic",
        "baselines",
    ]
    rows = {tuple(line.split()[:3]) for line in lines[2:] if line and not line.startswith("*")}
    assert rows == {
        ("alpaca_eval", "2.0*", "805"),
        ("arena_hard", "v0.1*", "500"),
        ("arena_hard", "v2.0", "750"),
        ("demo", "1*", "21"),
        ("mt_bench", "original*", "80"),
        ("mt_bench", "corrected", "80"),
        ("wildbench", "v2*", "1024"),
    }
    assert "hf:tatsu-lab/alpaca_eval:alpaca_eval_gpt4_baseline@2edc6fa" in out
    assert "github:lmarena/arena-hard-auto@196f6b8" in out


def test_json_format_and_name_filter(capsys):
    assert main(["benchmarks", "arena_hard", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["version"], r["items"], r["default"]) for r in rows] == [
        ("v0.1", 500, True),
        ("v2.0", 750, False),
    ]
    assert rows[1]["baselines"] == ["o3-mini-2025-01-31", "gemini-2.0-flash-001"]
    assert rows[0]["default_judge"] == "arena_hard_v0.1"
    assert rows[0]["generation"] == "temperature 0, max_tokens 4096"


def test_unknown_name_exits_2_with_a_suggestion(capsys):
    assert main(["benchmarks", "mtbench"]) == 2
    assert "did you mean 'mt_bench'" in capsys.readouterr().err
