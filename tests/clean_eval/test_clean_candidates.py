"""Candidate generation: reply cleaning and classification, prompts, and unusable replies never used."""

from __future__ import annotations

import asyncio

import jinja2
import pytest

from harness.clean_eval.build import rewrite_item
from harness.clean_eval.candidates import (
    RewriteConfig,
    _environment,
    clean_reply,
    generate_candidates,
    paraphrase_prompt,
    reply_status,
    translate_prompt,
)
from harness.client import ChatRequest, Completion, RetriesExhausted
from harness.errors import BadInput
from harness.records import Item


def test_clean_reply_strips_wrappers_only() -> None:
    assert clean_reply("<request>\nName three rivers.\n</request>") == "Name three rivers."
    assert clean_reply("Here is the reworded request:\n'Name three rivers.'") == "Name three rivers."
    assert clean_reply('"Name three rivers."') == "Name three rivers."
    assert clean_reply("Name three rivers: Nile, Rhine, Po.") == "Name three rivers: Nile, Rhine, Po."


@pytest.mark.parametrize(
    ("text", "finish", "status"),
    [
        ("", "stop", "empty"),
        ("   ", "stop", "empty"),
        ("I'm sorry, I can't help with that.", "stop", "refusal"),
        ("As an AI, I cannot rewrite this.", "stop", "refusal"),
        ("Name three rivers.", "content_filter", "refusal"),
        ("Name three rivers and", "length", "truncated"),
        ("Name three rivers.", "stop", "ok"),
        ("List rivers; sorry is not needed.", "stop", "ok"),
    ],
)
def test_reply_status(text: str, finish: str, status: str) -> None:
    assert reply_status(text, finish) == status


def test_prompts_carry_the_text_and_the_language() -> None:
    assert "<request>\nName three rivers.\n</request>" in paraphrase_prompt("Name three rivers.")
    assert "into German" in translate_prompt("Name three rivers.", "German")
    with pytest.raises(jinja2.UndefinedError):
        _environment().get_template("translate.jinja").render(text="x")


class Scripted:
    """An in-process rewriter: replies by the start of the prompt; raises for API failures."""

    def __init__(self, replies: dict[str, str | Exception]) -> None:
        self.replies = replies
        self.seen: list[ChatRequest] = []

    async def chat(self, request: ChatRequest) -> Completion:
        self.seen.append(request)
        prompt = request.messages[-1][1]
        for start, reply in self.replies.items():
            if prompt.startswith(start):
                if isinstance(reply, Exception):
                    raise reply
                return Completion(reply, "stop", 1, 1, None, False, {})
        raise AssertionError(f"unexpected prompt {prompt[:40]!r}")


def test_empty_and_refused_replies_are_recorded_not_used() -> None:
    client = Scripted(
        {"Reword": "", "Translate the request between the <request> tags into German": "I'm sorry."}
    )
    config = RewriteConfig(n_paraphrases=1, pivots=("de",))
    candidates = asyncio.run(generate_candidates(client, ["Name three rivers.", "Now two."], config))
    assert [(c.name, c.status, c.turns) for c in candidates] == [
        ("paraphrase#0", "empty", []),
        ("backtranslation:de", "refusal", []),
    ]
    # the first turn failed: the second is not asked for (a candidate is usable only as a whole)
    assert sum(r.messages[-1][1].startswith("Reword") for r in client.seen) == 1


def test_api_failure_leaves_the_item_unfinished() -> None:
    client = Scripted(
        {"Reword": RetriesExhausted("503 after 8 retries"), "Translate": "Nennen Sie drei Flüsse."}
    )
    item = Item(benchmark="demo", item_id="1", turns=["Name three rivers."])
    record = asyncio.run(rewrite_item(client, item, RewriteConfig(n_paraphrases=1, pivots=("de",))))
    assert record.error is not None and "503" in record.error
    assert record.candidates[0].status == "api_error" and record.candidates[1].status == "ok"


def test_bad_rewrite_config_is_bad_input() -> None:
    with pytest.raises(BadInput, match="unknown language 'xx'"):
        RewriteConfig(pivots=("xx",))
    with pytest.raises(BadInput, match="no candidates"):
        RewriteConfig(n_paraphrases=0, pivots=())
