"""``harness judges``: the verb ``score --help`` points to lists every judge config --judge-config takes."""

from __future__ import annotations

import json

import pytest

from harness.cli import main
from judges.config import judge_names


def test_score_help_points_to_a_judges_verb_that_lists_every_config(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["score", "--help"]) == 0
    assert "harness judges" in capsys.readouterr().out
    assert main(["judges", "--format", "json"]) == 0
    rows = {r["judge_config"]: r for r in json.loads(capsys.readouterr().out)}
    assert sorted(rows) == sorted(judge_names()) and "tick" in rows
    single = rows["mt_bench_single"]
    assert (single["protocol"], single["model"]) == ("single", "gpt-4")
    assert "mt_bench@original" in single["default_for"]
    assert single["template"] == "lm-sys/FastChat@0e6d3e4:fastchat/llm_judge/data/judge_prompts.jsonl"
    assert rows["tick"]["protocol"] == "checklist" and "judges/tick_templates/" in rows["tick"]["template"]


def test_table_and_unknown_name(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["judges", "wildbench_score"]) == 0
    out = capsys.readouterr().out
    assert "wildbench_score" in out and "gpt-4o-2024-05-13" in out and "mt_bench_single" not in out
    assert main(["judges", "mt_bench_sngle"]) == 2
    assert "did you mean 'mt_bench_single'" in capsys.readouterr().err
