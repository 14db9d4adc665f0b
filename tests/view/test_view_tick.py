"""A TICK run (``--judge-config tick``) in ``harness view``: an item's verdict is ``rated`` with its pass
rate as value, its questions and answers are on the page, and an item without a usable checklist is
``unscored``."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from harness.cli import main
from harness.view import collect

QUESTIONS = ["Does it thank the neighbour?", "Is it two sentences?"]


def judge_reply(body: dict[str, Any]) -> str:
    prompt = str(body["messages"][-1]["content"])
    if "You will write a checklist" in prompt:
        if "poem" in prompt:
            return "No questions here."
        return "Analysis: short.\nQUESTIONS:\n" + "".join(f"- {q}\n" for q in QUESTIONS)
    question = re.search(r"<question>\s*(.*?)\s*</question>", prompt, re.S)
    assert question is not None
    return "ANSWER: YES" if "thank" in question.group(1) else "ANSWER: NO"


def test_a_tick_run_shows_pass_rates_and_questions(tmp_path: Path, fake_server: Any) -> None:
    model = fake_server("Dear neighbour, thank you for watering my plants.", name="writer")
    judge = fake_server(judge_reply, name="checker")
    run_dir = tmp_path / "run"
    main(["score", "--benchmark", "demo", "--model", model.spec, "--judge", judge.spec, "--limit", "2",
          "--judge-config", "tick", "--on-flag", "keep", "--run-dir", str(run_dir),
          "--cache", str(tmp_path / "cache.db"), "--format", "json"])  # fmt: skip
    (run,) = collect([run_dir])
    by_id = {it.item_id: it for it in run.items}
    assert (by_id["0"].verdict, by_id["0"].value) == ("rated", 0.5)
    assert [j.metadata["question"] for j in by_id["0"].checklist] == QUESTIONS
    assert by_id["1"].verdict == "unscored" and not by_id["1"].checklist  # the poem: no usable checklist
    assert main(["view", str(run_dir)]) == 0
    page = (run_dir / "view.html").read_text()
    assert "TICK checklist" in page and all(q in page for q in QUESTIONS)
