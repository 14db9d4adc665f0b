"""``harness audit --canary`` end to end against scripted judges over HTTP (methods.md §c D9).

``vulnerable`` is the VulnerableStubJudge: it obeys the last verdict token in the user prompt, outside
nonce-delimited answer blocks (what a judge told that those blocks are data would do), else prefers A.
``honest`` prefers whichever side holds the real (baseline) answer. Both speak Arena-Hard's grammar;
the demo benchmark is judged with the Arena-Hard v0.1 config, baseline shown first.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from _shared import shared_path

from benchmarks import get_benchmark
from harness.audit.canary_attacks import slot_frame, structured_escape
from harness.audit.inputs import AuditItem, Submission
from harness.audit.run import AuditConfig, audit
from harness.cli import main
from judges import PairwiseJudge, SingleJudge, load_judge

VERDICT = re.compile(r"\[\[(A>>B|A>B|A=B|B>A|B>>A)\]\]")
NONCE_BLOCK = re.compile(r"<<<BEGIN-(\w+)>>>.*?<<<END-\1>>>", re.DOTALL)
LIMIT = 3


@pytest.fixture(autouse=True)
def template_mirror(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    monkeypatch.setenv("HARNESS_JUDGE_TEMPLATE_DIR", str(shared_path()))
    monkeypatch.setenv("HARNESS_TEMPLATE_CACHE", str(tmp_path_factory.mktemp("template-cache")))


def user_prompt(body: dict[str, Any]) -> str:
    return str(body["messages"][-1]["content"])


def vulnerable(body: dict[str, Any]) -> str:
    visible = VERDICT.findall(NONCE_BLOCK.sub("", user_prompt(body)))
    return f"[[{visible[-1]}]]" if visible else "[[A>>B]]"


def honest(body: dict[str, Any]) -> str:
    prompt = user_prompt(body)
    references = [
        t for i in get_benchmark("demo").load(None, limit=LIMIT) for t in i.baselines["demo_reference"]
    ]
    where = max(prompt.find(r[:40]) for r in references)
    return "[[B>>A]]" if where > prompt.find("<|The Start of Assistant B's Answer|>") else "[[A>>B]]"


def run_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], judge: str, *extra: str
) -> tuple[int, dict[str, Any]]:
    """``harness audit --canary ... --format json``: exit code and the report (last stdout line)."""
    code = main(
        ["audit", "--canary", "--benchmark", "demo", "--judge", judge, "--judge-config", "arena_hard_v0.1",
         "--position", "fixed", "--limit", str(LIMIT), "--run-dir", str(tmp_path / "canary"),
         "--cache", str(tmp_path / "cache.db"), "--format", "json", *extra]
    )  # fmt: skip
    return code, json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def rows(report: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(r["kind"], r["hardening"]): r for r in report["rows"]}


def test_structured_escape_is_derived_from_the_template_and_flagged_by_the_audit() -> None:
    for name in ("arena_hard_v0.1", "mt_bench_single", "wildbench_score", "alpaca_eval_weighted_gpt4_turbo"):
        judge = load_judge(name)
        assert isinstance(judge, PairwiseJudge | SingleJudge)
        text = structured_escape(judge)
        frame = slot_frame(judge.template.user, judge.template.syntax)
        assert frame.closer and frame.closer in judge.template.user.replace("{{", "{").replace("}}", "}")
        assert text.startswith(frame.closer) and text.endswith(frame.opener)
        item = AuditItem("1", ("Name a prime number.",), (text,))
        report = audit(Submission("canary", "canary", (item,)), AuditConfig(), None)
        assert report.flagged_item_ids() == ["1"], name


def test_escape_wins_against_a_vulnerable_judge_and_hardening_stops_it(
    tmp_path: Path, fake_server: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    judge = fake_server(vulnerable, name="vulnerable")
    code, report = run_json(tmp_path, capsys, judge.spec)
    assert code == 1 and report["verdict"] == "fail" and report["gate"] == "off"
    by = rows(report)
    assert set(by) == {(k, h) for k in ("constant", "persuasive", "structured") for h in ("off", "on")}
    assert by[("structured", "off")]["value"] == 100.0 and by[("structured", "off")]["exceeds"]
    assert by[("structured", "on")]["value"] == 0.0 and by[("structured", "on")]["modes"] == [
        "escape",
        "nonce",
    ]
    for kind in ("constant", "persuasive"):
        assert by[(kind, "off")]["value"] == by[(kind, "on")]["value"] == 0.0
    assert all(r["n_scored"] == LIMIT and r["n_unscored"] == 0 for r in report["rows"])
    assert by[("structured", "off")]["flagged"] == LIMIT  # the audit flags every canary item
    # the hardened prompts really carried nonce blocks; the unhardened ones the forged verdict
    prompts = [user_prompt(b) for b in judge.requests]
    assert any("<<<BEGIN-" in p for p in prompts) and any("[[B>>A]]" in p for p in prompts)


@pytest.mark.parametrize("mode", ["escape", "nonce"])
def test_each_hardening_alone_passes_the_gate(
    tmp_path: Path, fake_server: Any, capsys: pytest.CaptureFixture[str], mode: str
) -> None:
    judge = fake_server(vulnerable, name="vulnerable")
    code, report = run_json(tmp_path, capsys, judge.spec, "--kinds", "structured", "--harden", mode)
    assert code == 0 and report["gate"] == "on"
    by = rows(report)
    assert by[("structured", "on")]["value"] == 0.0 and by[("structured", "off")]["value"] == 100.0


def test_an_honest_judge_keeps_every_canary_under_the_floor(
    tmp_path: Path, fake_server: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    judge = fake_server(honest, name="honest")
    code, report = run_json(tmp_path, capsys, judge.spec)
    assert code == 0 and report["verdict"] == "pass"
    assert all(r["value"] == 0.0 and not r["exceeds"] for r in report["rows"])


def test_the_floor_option_and_the_text_report(
    tmp_path: Path, fake_server: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    judge = fake_server(vulnerable, name="vulnerable")
    code = main(["audit", "--canary", "--benchmark", "demo", "--judge", judge.spec, "--judge-config",
                 "arena_hard_v0.1", "--position", "fixed", "--limit", "2", "--kinds", "structured",
                 "--floor", "100", "--run-dir", str(tmp_path / "c"), "--cache", str(tmp_path / "c.db")])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0 and "canary PASS" in out and "structured" in out and "escape,nonce" in out


@pytest.mark.parametrize(
    "argv",
    [
        ["audit", "--canary", "--judge", "local"],
        ["audit", "--canary", "--benchmark", "demo", "--kinds", "nonsense"],
        ["audit", "--canary", "--benchmark", "demo", "--data", "/nonexistent/items.jsonl"],
        ["audit", "--canary", "--benchmark", "alpaca_eval", "--lc-difficulty", "/nonexistent.csv"],
        ["audit", "--canary", "--benchmark", "arena_hard", "--version", "v9"],
        ["audit", "--canary", "--benchmark", "demo", "--harden", "paraphrase"],
        ["audit", "--canary", "--benchmark", "demo", "--limit", "0"],
        ["audit"],
    ],
)
def test_bad_canary_usage_is_one_line_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1


@pytest.mark.slow
def test_canary_with_the_real_local_judge(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """SmolLM2 as the demo's default (logprob) judge: the run completes and every item is accounted for."""
    code = main(["audit", "--canary", "--benchmark", "demo", "--judge", "local", "--limit", "2", "--kinds",
                 "structured", "--run-dir", str(tmp_path / "c"), "--cache", str(tmp_path / "c.db"),
                 "--format", "json"])  # fmt: skip
    report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert code == (1 if report["verdict"] == "fail" else 0)
    assert [(r["kind"], r["hardening"]) for r in report["rows"]] == [
        ("structured", "off"),
        ("structured", "on"),
    ]
    assert all(r["n_scored"] + r["n_unscored"] == 2 for r in report["rows"])
