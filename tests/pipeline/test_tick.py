"""TICK from the CLI (``--judge-config tick``) with a scripted judge over HTTP: checklists written once per
item and reused, one stored judgment per question, the pass rate with its interval and unscored count, and
``--checklists FILE``."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from harness.cli import main
from harness.records import Checklist, Judgment
from harness.store import RunStore

ANSWER = "Dear neighbour, thank you for watering my plants. They look wonderful."
GENERATED = ["Does it thank the neighbour?", "Is it two sentences?", "Does it mention a date?"]


def _prompt(body: dict[str, Any]) -> str:
    return str(body["messages"][-1]["content"])


def judge_reply(body: dict[str, Any]) -> str:
    """Checklist prompt: three questions, none for the poem item; answer prompt: YES only for 'thank'."""
    prompt = _prompt(body)
    if "You will write a checklist" in prompt:
        if "poem" in prompt:
            return "Analysis: a poem.\nI cannot write questions for this."
        return "Analysis: short.\nQUESTIONS:\n" + "".join(f"- {q}\n" for q in GENERATED)
    question = re.search(r"<question>\s*(.*?)\s*</question>", prompt, re.S)
    assert question is not None, prompt[:200]
    if "date" in question.group(1):
        return "Hard to say."  # unparseable: unscored, never a NO
    return "Reasoning.\nANSWER: YES" if "thank" in question.group(1).lower() else "Reasoning.\nANSWER: NO"


def _score(tmp_path: Path, model: Any, judge: Any, run: str, *extra: str) -> tuple[int, dict[str, Any]]:
    run_dir = tmp_path / run
    code = main(["score", "--benchmark", "demo", "--model", model.spec, "--judge", judge.spec, "--limit", "3",
                 "--judge-config", "tick", "--on-flag", "keep", "--max-unscored", "1", "--run-dir", str(run_dir), "--cache", str(tmp_path / "cache.db"),
                 "--format", "json", *extra])  # fmt: skip
    report = json.loads((run_dir / "report.json").read_text()) if (run_dir / "report.json").exists() else {}
    return code, report


def _headline(report: dict[str, Any]) -> dict[str, Any]:
    return next(s for s in report["scores"] if s["extra"].get("headline"))


def test_tick_scores_any_benchmark_and_resumes_without_a_request(tmp_path: Path, fake_server: Any) -> None:
    model, judge = fake_server(ANSWER, name="writer"), fake_server(judge_reply, name="checker")
    code, report = _score(tmp_path, model, judge, "run")
    assert code == 0
    store = RunStore(tmp_path / "run")
    checklists = {c.item_id: c for c in store.load("checklists", Checklist)}
    assert len(checklists) == 3
    unusable = [c for c in checklists.values() if c.status == "unscored"]
    assert len(unusable) == 1 and unusable[0].reason == "parse_failure"  # demo item 1 asks for a poem
    judgments = store.load("judgments", Judgment)
    assert len(judgments) == 2 * 3  # one per question of the two usable checklists: none collides
    assert sorted(j.metadata["question_index"] for j in judgments) == [0, 0, 1, 1, 2, 2]
    head = _headline(report)
    assert head["metric"] == "pass_rate"
    assert head["value"] == pytest.approx(50.0)  # YES, NO, unscored per item: 1 of 2 answered
    assert (head["n_scored"], head["n_unscored"], head["unscored_reasons"]) == (2, 1, {"no_checklist": 1})
    assert head["ci_lower"] == pytest.approx(50.0) and head["ci_upper"] == pytest.approx(50.0)
    drfr = next(s for s in report["scores"] if s["metric"] == "drfr")
    assert (drfr["value"], drfr["n_scored"], drfr["unscored_reasons"]) == (50.0, 4, {"parse_failure": 2})
    asked = len(judge.requests)
    assert asked == 3 + 6  # three checklists, six answers
    code, again = _score(tmp_path, model, judge, "run")
    assert code == 0 and len(judge.requests) == asked  # everything stored: no request
    assert _headline(again)["value"] == head["value"]


def test_checklists_file_replaces_generation_for_the_items_it_covers(
    tmp_path: Path, fake_server: Any
) -> None:
    model, judge = fake_server(ANSWER, name="writer"), fake_server(judge_reply, name="checker")
    own = tmp_path / "own.jsonl"
    own.write_text(
        json.dumps({"item_id": "1", "questions": ["Does it thank anyone?", "Is it rhymed?"]}) + "\n"
    )
    code, report = _score(tmp_path, model, judge, "run", "--checklists", str(own))
    assert code == 0
    generated = [b for b in judge.requests if "You will write a checklist" in _prompt(b)]
    assert len(generated) == 2  # items 0 and 2; item 1's questions come from the file
    stored = {c.item_id: c for c in RunStore(tmp_path / "run").load("checklists", Checklist)}
    assert (stored["1"].source, stored["1"].questions) == ("file", ["Does it thank anyone?", "Is it rhymed?"])
    head = _headline(report)
    assert (head["n_scored"], head["n_unscored"]) == (3, 0)
    assert head["value"] == pytest.approx(50.0)
    # the run's own checklists.jsonl is a valid --checklists file for another run: nothing is generated
    before = len(judge.requests)
    code, _ = _score(
        tmp_path, model, judge, "reuse", "--checklists", str(tmp_path / "run" / "checklists.jsonl")
    )
    assert code == 0
    assert not [b for b in judge.requests[before:] if "You will write a checklist" in _prompt(b)]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"item_id": "0"}\n', "missing field 'questions'"),
        ('{"item_id": "0", "questions": []}\n', "at least 1"),
        (
            '{"item_id": "0", "questions": ["A?"]}\n{"item_id": "0", "questions": ["B?"]}\n',
            "second checklist",
        ),
    ],
)
def test_a_bad_checklists_file_is_refused_before_any_request(
    tmp_path: Path, fake_server: Any, capsys: Any, content: str, message: str
) -> None:
    model, judge = fake_server(ANSWER, name="writer"), fake_server(judge_reply, name="checker")
    bad = tmp_path / "bad.jsonl"
    bad.write_text(content)
    code, _ = _score(tmp_path, model, judge, "run", "--checklists", str(bad))
    assert code == 2 and message in capsys.readouterr().err
    assert not model.requests and not judge.requests


def test_checklists_need_the_tick_judge(tmp_path: Path, fake_server: Any, capsys: Any) -> None:
    own = tmp_path / "own.jsonl"
    own.write_text(json.dumps({"item_id": "0", "questions": ["A?"]}) + "\n")
    code = main(["score", "--benchmark", "demo", "--model", "openai:m@http://127.0.0.1:9/v1", "--judge",
                 "openai:j@http://127.0.0.1:9/v1", "--checklists", str(own), "--run-dir", str(tmp_path / "r")])  # fmt: skip
    assert code == 2 and "does not use checklists" in capsys.readouterr().err
