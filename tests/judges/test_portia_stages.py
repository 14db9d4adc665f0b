"""PORTIA's two stages with a scripted judge: length alignment, then semantic alignment only when the two
length-aligned verdicts disagree; what is stored, what a resumed run asks again."""

from __future__ import annotations

import asyncio
from pathlib import Path

from _judge_fake import FakeJudge, completion

from harness.client._types import ChatRequest, Completion
from harness.errors import FatalAPIError
from harness.pipeline.judging import JudgeTask, judge_tasks
from harness.records import Item, Judgment, Output, TokenUsage
from harness.store import RunStore
from judges import PairwiseJudge, load_judge

ITEM = Item(benchmark="t", item_id="q1", turns=["Describe some pets."])
# The same three topics; A spends its length on cats, B on dogs, so length alignment mispairs them.
MODEL = Output(
    item_id="q1",
    model="m",
    turns=["Cats purr. Cats nap. Cats hunt mice. Dogs bark, fetch sticks and guard houses. Birds sing."],
)
BASE = Output(
    item_id="q1",
    model="b",
    turns=["Cats purr, nap and hunt mice. Dogs bark. Dogs fetch sticks. Dogs guard houses. Birds sing."],
)
SEMANTIC_DOGS = (
    "Dogs bark, fetch sticks and guard houses.",
    "Dogs bark. Dogs fetch sticks. Dogs guard houses.",
)


def portia() -> PairwiseJudge:
    judge = load_judge("arena_hard_v0.1", position="portia")
    assert isinstance(judge, PairwiseJudge)
    return judge


def user_prompt(request: ChatRequest) -> str:
    return request.messages[1][1]


def test_consistent_length_stage_is_final_after_two_calls() -> None:
    fake = FakeJudge("[[A=B]]")
    outcome = asyncio.run(portia().judge(fake, ITEM, MODEL, BASE))
    assert len(fake.requests) == 2 and outcome.consistent is True and outcome.strategy == "portia"
    assert [j.metadata["portia_stage"] for j in outcome.judgments] == ["length", "length"]
    assert not any("portia_length" in j.metadata for j in outcome.judgments)
    assert "(Part 3 of 3)\nDogs guard houses. Birds sing." in user_prompt(fake.requests[0])


def test_inconsistent_length_stage_is_asked_again_on_the_semantic_alignment() -> None:
    # an always-"A" judge on the length-aligned prompts; on the semantic ones it prefers the model (shown as
    # B in baseline_first, as A in model_first): a verdict the semantic stage fixes
    fake = FakeJudge(["[[A>B]]", "[[A>B]]", "[[B>A]]", "[[A>B]]"])
    outcome = asyncio.run(portia().judge(fake, ITEM, MODEL, BASE))
    assert len(fake.requests) == 4
    length_prompt, semantic_prompt = user_prompt(fake.requests[0]), user_prompt(fake.requests[2])
    assert "(Part 3 of 3)\nDogs guard houses. Birds sing." in length_prompt  # mispaired with A's birds
    for dogs in SEMANTIC_DOGS:  # baseline first: B's dogs, then the model's, both part 2
        assert f"(Part 2 of 3)\n{dogs}" in semantic_prompt
    assert semantic_prompt.index(SEMANTIC_DOGS[1]) < semantic_prompt.index(SEMANTIC_DOGS[0])
    assert user_prompt(fake.requests[3]).index(SEMANTIC_DOGS[0]) < user_prompt(fake.requests[3]).index(
        SEMANTIC_DOGS[1]
    )
    judgments = outcome.judgments
    assert [j.order for j in judgments] == ["baseline_first", "model_first"]
    assert [j.metadata["portia_stage"] for j in judgments] == ["semantic", "semantic"]
    assert [j.score for j in judgments] == [1.0, 1.0] and (outcome.value, outcome.consistent) == (1.0, True)
    before = [j.metadata["portia_length"] for j in judgments]
    assert [(b["verdict"], b["score"], b["raw_completion"]) for b in before] == [
        ("A>B", -1.0, "[[A>B]]"),
        ("A>B", 1.0, "[[A>B]]"),
    ]
    assert [j.raw_completion for j in judgments] == ["[[B>A]]", "[[A>B]]"]
    # each stored judgment carries the tokens of its order's two calls (the fake reports 10 + 1 per call)
    assert all(j.usage == TokenUsage(prompt_tokens=20, completion_tokens=2) for j in judgments)


def test_still_inconsistent_after_the_semantic_stage_is_an_inconsistent_pair() -> None:
    fake = FakeJudge("[[A>>B]]")
    outcome = asyncio.run(portia().judge(fake, ITEM, MODEL, BASE))
    assert len(fake.requests) == 4 and (outcome.value, outcome.consistent) == (0.0, False)
    assert [j.metadata["portia_stage"] for j in outcome.judgments] == ["semantic", "semantic"]


def test_no_second_stage_when_the_semantic_split_is_the_length_split() -> None:
    model = Output(item_id="q1", model="m", turns=["Alpha one. Beta two. Gamma three. Delta four."])
    base = Output(item_id="q1", model="b", turns=["Zeta five. Eta six. Theta seven. Iota eight."])
    fake = FakeJudge("[[A>B]]")
    outcome = asyncio.run(portia().judge(fake, ITEM, model, base))
    assert len(fake.requests) == 2 and outcome.consistent is False
    assert all(
        j.metadata["portia_stage"] == "length" and "portia_semantic" in j.metadata for j in outcome.judgments
    )


def failing_on(numbers: set[int]) -> FakeJudge:
    """A judge that raises an API error on the given request numbers (1-based), else the always-A verdict
    on length prompts and a model-preferring one on semantic prompts."""

    def reply(request: ChatRequest) -> Completion:
        if len(fake.requests) in numbers:
            raise FatalAPIError("boom")
        user = user_prompt(request)
        semantic = all(f"(Part 2 of 3)\n{d}" in user for d in SEMANTIC_DOGS)
        if not semantic:
            return completion("[[A>B]]")
        model_first = user.index(SEMANTIC_DOGS[0]) < user.index(SEMANTIC_DOGS[1])
        return completion("[[A>B]]" if model_first else "[[B>A]]")

    fake = FakeJudge(reply)
    return fake


def run(tmp_path: Path, caller: FakeJudge) -> list[Judgment]:
    judge = portia()
    task = JudgeTask(ITEM, MODEL, BASE, None, judge, "arena_hard_v0.1@fake+portia3")
    store = RunStore(tmp_path)
    asyncio.run(judge_tasks([task], caller, store))
    return sorted(store.load("judgments", Judgment), key=lambda j: str(j.order))


def test_an_api_error_in_either_stage_leaves_the_whole_pair_to_the_next_run(tmp_path: Path) -> None:
    first = run(tmp_path, failing_on({4}))  # length stage inconsistent, semantic model_first fails
    assert [(j.reason, j.metadata["portia_stage"]) for j in first] == [("api_error", "semantic")] * 2
    assert first[0].metadata["portia_withheld"]["score"] == 1.0
    resumed = failing_on(set())
    second = run(tmp_path, resumed)
    assert len(resumed.requests) == 4  # the pair again, from the length stage
    assert [(j.status, j.score, j.metadata["portia_stage"]) for j in second] == [
        ("scored", 1.0, "semantic")
    ] * 2
    again = failing_on(set())
    assert run(tmp_path, again) == second and again.requests == []  # final: nothing asked, nothing added
    assert len(list(RunStore(tmp_path).iter_raw("judgments", Judgment))) == 4


def test_an_api_error_in_the_length_stage_withholds_the_other_order(tmp_path: Path) -> None:
    stored = run(tmp_path, failing_on({1}))
    assert len(stored) == 2 and all(j.reason == "api_error" for j in stored)
    assert [j.metadata["portia_stage"] for j in stored] == ["length", "length"]
