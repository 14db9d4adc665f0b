"""Derived results keyed by the hash of their inputs (harness/pipeline/derived.py): a complete run directory
answers from its report without re-running a stage, a change to any input rebuilds it, and the audit of
the same outputs is reused from the cache by a run in a new directory."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from harness.cache import Cache
from harness.cli import main
from harness.pipeline.derived import REPORT_KEY, evaluate_key, report_key

ANSWER = "First, boil the water. Second, add the pasta and stir. Third, drain it when it is soft."


def score(tmp_path: Path, model: str, judge: str, run: str, *extra: str) -> int:
    return main(
        ["score", "--benchmark", "demo", "--model", model, "--judge", judge, "--limit", "4",
         "--judge-config", "arena_hard_v0.1", "--run-dir", str(tmp_path / run),
         "--cache", str(tmp_path / "cache.db"), "--format", "json", "--on-flag", "keep", *extra]
    )  # fmt: skip


def report(run_dir: Path) -> dict[str, Any]:
    return dict(json.loads((run_dir / "report.json").read_text()))


def derived(cache_path: Path, kind: str) -> int:
    cache = Cache(cache_path)
    try:
        return int(
            cache._conn().execute("SELECT COUNT(*) FROM derived WHERE kind = ?", (kind,)).fetchone()[0]
        )
    finally:
        cache.close()


@pytest.fixture
def servers(fake_server: Any) -> tuple[Any, Any]:
    return fake_server(ANSWER, name="writer"), fake_server("My verdict: [[A>B]]", name="judge")


def test_a_complete_run_answers_from_its_report_and_a_changed_input_rebuilds_it(
    tmp_path: Path, servers: Any
) -> None:
    model, judge = servers
    assert score(tmp_path, model.spec, judge.spec, "run") == 0
    run_dir = tmp_path / "run"
    first = report(run_dir)
    assert first[REPORT_KEY] and "reused_report" not in first["session"]
    audit_bytes = (run_dir / "audit.json").read_bytes()

    assert score(tmp_path, model.spec, judge.spec, "run") == 0  # nothing changed: no stage runs
    again = report(run_dir)
    assert again["session"]["reused_report"] is True
    assert again["session"]["requests"]["judge"]["requests"] == 0
    assert again["scores"] == first["scores"] and again[REPORT_KEY] == first[REPORT_KEY]
    assert (run_dir / "audit.json").read_bytes() == audit_bytes
    sessions = json.loads((run_dir / "run.json").read_text())["sessions"]
    assert len(sessions) == 2 and sessions[-1]["status"] == "finished"

    # a changed option that moves a figure (the headline check's threshold) rebuilds the report
    assert score(tmp_path, model.spec, judge.spec, "run", "--max-unscored", "0.5") == 0
    rebuilt = report(run_dir)
    assert "reused_report" not in rebuilt["session"] and rebuilt[REPORT_KEY] != first[REPORT_KEY]

    # so does a changed record: a judgment removed is asked again, and the report rebuilt from it
    path = run_dir / "judgments.jsonl"
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(lines[:-1]))
    before = len(judge.requests)
    assert score(tmp_path, model.spec, judge.spec, "run", "--no-cache") == 0
    assert len(judge.requests) > before
    assert "reused_report" not in report(run_dir)["session"]


def test_the_audit_effect_and_statistic_of_the_same_records_are_reused_from_the_cache_in_a_new_run_directory(
    tmp_path: Path, servers: Any
) -> None:
    model, judge = servers
    assert score(tmp_path, model.spec, judge.spec, "one") == 0
    assert derived(tmp_path / "cache.db", "audit") == 1
    assert derived(tmp_path / "cache.db", "evaluate") == 1
    assert derived(tmp_path / "cache.db", "effect") == 1
    requests = (len(model.requests), len(judge.requests))
    assert score(tmp_path, model.spec, judge.spec, "two") == 0  # all answers from the cache
    assert (len(model.requests), len(judge.requests)) == requests
    # the same inputs: the stored findings and figures, not a second audit or fit
    assert derived(tmp_path / "cache.db", "audit") == 1
    assert derived(tmp_path / "cache.db", "evaluate") == 1
    assert derived(tmp_path / "cache.db", "effect") == 1  # the effect check's items not selected again
    one, two = (json.loads((tmp_path / r / "audit.json").read_text()) for r in ("one", "two"))
    assert one == two
    effects = [json.loads((tmp_path / r / "effect.json").read_text()) for r in ("one", "two")]
    assert effects[0] == effects[1]
    assert report(tmp_path / "two")["scores"] == report(tmp_path / "one")["scores"]
    # without the cache nothing derived is read or written: the audit runs and gives the same findings
    assert score(tmp_path, model.spec, judge.spec, "three", "--no-cache") == 0
    assert json.loads((tmp_path / "three" / "audit.json").read_text()) == one


def test_a_file_the_config_names_is_part_of_the_key(tmp_path: Path) -> None:
    """An edited ``--lc-difficulty`` file (any file the config names) gives new keys: no stale figure."""
    table = tmp_path / "difficulty.csv"
    table.write_text("instruction,difficulty\na,0.1\n")
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    config: dict[str, Any] = {"benchmark": "alpaca_eval", "lc_difficulty": str(table), "extra": {"x": [1]}}
    keys = (report_key(run_dir, config, {}, {}), evaluate_key(run_dir, config, {}))
    assert keys == (report_key(run_dir, config, {}, {}), evaluate_key(run_dir, config, {}))
    table.write_text("instruction,difficulty\na,0.25\n")
    assert report_key(run_dir, config, {}, {}) != keys[0]
    assert evaluate_key(run_dir, config, {}) != keys[1]


def test_a_complete_run_directory_is_answered_without_the_scoring_stack(tmp_path: Path, servers: Any) -> None:
    """The re-run of a complete run directory answers from report.json before the stages are loaded: no
    statistics library (pandas, scipy, statsmodels, sklearn), no audit detector or sentence encoder, no
    HTTP stack is imported (each costs a fraction of a second to seconds on a loaded machine)."""
    model, judge = servers
    assert score(tmp_path, model.spec, judge.spec, "run") == 0
    argv = ["score", "--benchmark", "demo", "--model", model.spec, "--judge", judge.spec, "--limit", "4",
            "--judge-config", "arena_hard_v0.1", "--run-dir", str(tmp_path / "run"),
            "--cache", str(tmp_path / "cache.db"), "--format", "json", "--on-flag", "keep"]  # fmt: skip
    heavy = ("pandas", "scipy", "statsmodels", "sklearn", "torch", "sentence_transformers", "aiohttp")
    layers = ("harness.pipeline.stages", "harness.scoring", "harness.run.statistic", "harness.audit.run")
    code = (
        "import sys\nfrom harness.cli import main\n"
        f"assert main({argv!r}) == 0\n"
        f"print(' '.join(m for m in {heavy + layers!r} if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.splitlines()[-1].split() == []
    assert report(tmp_path / "run")["session"]["reused_report"] is True
