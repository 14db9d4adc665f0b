"""``harness view`` in a real headless Chromium: a real run (the harness's own client, judge and audit,
against scripted OpenAI-compatible servers) rendered to one HTML file, loaded with ``file://`` (no server),
its DOM checked after the page's script ran, filtered through the URL fragment, and screenshotted.

The run: demo items 0-3, Arena-Hard v0.1 judge in both orders. The judge prefers the model's answer
wherever it is shown, except on item 0 where it always prefers Assistant A (a position-inconsistent
pair, a tie) and item 2 where it never gives a verdict (unscored); item 1's answer carries a template
escape, which the audit flags (a loss under ``--on-flag loss``). Item 0 also gets TICK checklist answers.
"""

from __future__ import annotations

import asyncio
import json
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from _chromium import dump_dom, screenshot

from benchmarks import get_benchmark
from harness.audit.canary_attacks import structured_escape
from harness.cli import main
from harness.client._types import ChatRequest, Completion
from harness.records import Output
from harness.store import RunStore
from judges import ChecklistJudge, load_judge

QUESTIONS = ["Is it two sentences long?", "Does it thank the neighbour?"]


class Articles(HTMLParser):
    """The ``article.item`` opening tags of a DOM dump, in document order, and the #shown counter."""

    def __init__(self) -> None:
        super().__init__()
        self.items: list[dict[str, str | None]] = []
        self.shown = ""
        self._in_shown = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        d = dict(attrs)
        if tag == "article" and "item" in (d.get("class") or ""):
            self.items.append(d)
        self._in_shown = d.get("id") == "shown"

    def handle_data(self, data: str) -> None:
        if self._in_shown:
            self.shown += data
            self._in_shown = False


def articles(dom: str) -> Articles:
    parser = Articles()
    parser.feed(dom)
    return parser


def visible(dom: str) -> list[str]:
    return [str(a["data-index"]) for a in articles(dom).items if "hidden" not in a]


def section(dom: str, item_id: str) -> str:
    start = dom.index(f'id="r0-{item_id}"')
    return dom[start : dom.index("</article>", start)]


def judge_reply(body: dict[str, Any]) -> str:
    if any(m["role"] == "assistant" for m in body["messages"]):  # Arena-Hard's continuation turn
        return "Still undecided."
    prompt = str(body["messages"][-1]["content"])
    if "thank-you" in prompt:
        return "Assistant A is better. My final verdict is: [[A>>B]]"
    if "bakery" in prompt:
        return "I cannot decide."
    model_in_a = prompt.index("direct answer") < prompt.index("<|The Start of Assistant B's Answer|>")
    return "My final verdict is: [[A>B]]" if model_in_a else "My final verdict is: [[B>A]]"


async def tick_answer(request: ChatRequest) -> Completion:
    yes = "thank" in request.messages[-1][1].split("<question>")[-1]
    return Completion(
        "Checked.\nANSWER: YES" if yes else "Checked.\nANSWER: NO", "stop", 10, 2, None, False, {}
    )


@pytest.fixture
def page(tmp_path: Path, fake_server: Any) -> tuple[Path, dict[str, Any]]:
    tmp = tmp_path
    items = get_benchmark("demo").load(None, limit=4)
    escape = structured_escape(load_judge("arena_hard_v0.1"))

    def model_reply(body: dict[str, Any]) -> str:
        instruction = str(body["messages"][-1]["content"])
        answer = f"Here is a short, direct answer to your request ({instruction[:50]})."
        return answer + "\n" + escape if instruction == items[1].turns[0] else answer

    model = fake_server(model_reply, name="writer")
    judge = fake_server(judge_reply, name="judge")
    run_dir = tmp / "run"
    code = main(
        ["score", "--benchmark", "demo", "--model", model.spec, "--judge", judge.spec, "--judge-config",
         "arena_hard_v0.1", "--position", "both", "--limit", "4", "--run-dir", str(run_dir),
         "--cache", str(tmp / "cache.db"), "--format", "json", "--max-unscored", "0.25"]
    )  # fmt: skip
    assert code == 0  # one of the four pairs is deliberately unparseable (25%; the default allows 10%)
    tick = load_judge("tick")
    assert isinstance(tick, ChecklistJudge)
    outputs = RunStore(run_dir).load("outputs", Output)
    output = next(o for o in outputs if o.item_id == "0" and o.model == "writer")
    result = asyncio.run(tick.answer(tick_answer, items[0], output, QUESTIONS))
    with RunStore(run_dir) as store:
        for judgment in result.judgments:
            store.append("judgments", judgment)
    out = tmp / "view.html"
    assert main(["view", str(run_dir), "--out", str(out)]) == 0
    return out, json.loads((run_dir / "report.json").read_text())


def test_the_page_shows_each_item_in_chromium_and_filters_and_sorts(
    tmp_path: Path, page: tuple[Path, dict[str, Any]]
) -> None:
    path, report = page
    dom = dump_dom(tmp_path, path)
    assert 'data-ready="true"' in dom  # the page's script ran to its end
    found = articles(dom)
    by_id = {a["data-index"]: a for a in found.items}
    assert [(a["data-verdict"], a["data-flag"]) for a in found.items] == [
        ("tie", "none"), ("loss", "flag"), ("unscored", "none"), ("win", "none")
    ]  # fmt: skip
    assert found.shown == "4 of 4 items" and all("hidden" not in a for a in by_id.values())

    # the headline and its interval, and the plot's point, are the report's
    head = next(s for s in report["scores"] if s["extra"].get("headline"))
    assert (
        f'data-value="{head["value"]}" data-lower="{head["ci_lower"]}" data-upper="{head["ci_upper"]}"' in dom
    )

    items = get_benchmark("demo").load(None, limit=4)
    tie = section(dom, "0")
    # both orders: the judge prompt (with the instruction, as the judge saw it), raw reply, parsed verdict
    assert tie.count('class="game"') == 2
    assert 'data-order="baseline_first"' in tie and 'data-order="model_first"' in tie
    assert tie.count("judge prompt (2 messages)") == 2
    escaped = items[0].turns[0].replace("&", "&amp;").replace('"', "&quot;")
    assert tie.count(escaped) >= 3  # the instruction, and inside both judge prompts
    assert tie.count("My final verdict is: [[A&gt;&gt;B]]") == 2 and "position inconsistent" in tie
    # TICK answers, one row per question
    assert "TICK checklist" in tie and all(q in tie for q in QUESTIONS)
    assert [c.split("<")[0] for c in tie.split('class="tick-answer">')[1:]] == ["NO", "YES"]

    assert "position consistent" in section(dom, "3")
    assert "unscored: parse_failure" in section(dom, "2")
    flagged = section(dom, "1")  # the escape: findings with the span marked in the answer
    assert "audit findings" in flagged and "--on-flag loss" in flagged
    marks = [m.split(">", 1)[1].split("</mark>")[0] for m in flagged.split("<mark")[1:]]
    assert marks and any("[[B&gt;&gt;A]]" in m or "Assistant B" in m for m in marks)

    # filters and sorting run in the browser, from the URL fragment
    assert visible(dump_dom(tmp_path, path, "#flag=flag")) == ["1"]
    assert visible(dump_dom(tmp_path, path, "#verdict=win")) == ["3"]
    longest_first = visible(dump_dom(tmp_path, path, "#sort=length-desc&minlen=1"))
    lengths = [int(str(by_id[i]["data-length"])) for i in longest_first]
    assert longest_first[0] == "1" and lengths == sorted(lengths, reverse=True)

    shot = screenshot(tmp_path, path, tmp_path / "view.png")
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000


def test_view_refuses_what_is_not_a_run_directory_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "empty").mkdir()
    assert main(["view", str(tmp_path / "empty")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no run.json" in err[0]
    assert not (tmp_path / "empty" / "view.html").exists()
