"""Protocols with a scripted in-process judge: frames, position strategies, retries, unscored reasons, TICK."""

from __future__ import annotations

import asyncio

from _judge_fake import FakeJudge, completion

from harness.client._types import ChatRequest, Completion
from harness.errors import FatalAPIError
from harness.records import Item, Output
from judges import ChecklistJudge, PairwiseJudge, SingleJudge, consistency_rate, load_judge

ITEM = Item(benchmark="t", item_id="q1", turns=["Explain tides."])
LONG_MODEL = Output(
    item_id="q1", model="m", turns=["The moon pulls water. The sun helps too. Tides rise twice a day. Done."]
)
LONG_BASE = Output(
    item_id="q1", model="b", turns=["Gravity acts. Oceans bulge. Earth rotates. Water moves. End."]
)


def _pairwise(name: str, **kw: object) -> PairwiseJudge:
    judge = load_judge(name, **kw)  # type: ignore[arg-type]
    assert isinstance(judge, PairwiseJudge)
    return judge


def test_always_a_judge_under_both_gives_a_tie_and_zero_consistency() -> None:
    judge = _pairwise("arena_hard_v0.1")
    fake = FakeJudge("My final verdict is [[A>B]]")
    outcome = asyncio.run(judge.judge(fake, ITEM, LONG_MODEL, LONG_BASE))
    assert [j.order for j in outcome.judgments] == ["baseline_first", "model_first"]
    assert [j.score for j in outcome.judgments] == [-1.0, 1.0]  # model frame
    assert [j.verdict for j in outcome.judgments] == ["A>B", "A>B"]  # as the judge wrote it
    assert (outcome.value, outcome.consistent) == (0.0, False)
    assert consistency_rate([outcome.consistent]) == 0.0
    first_user = fake.requests[0].messages[1][1]
    assert first_user.index(LONG_BASE.turns[0]) < first_user.index(LONG_MODEL.turns[0])
    j = outcome.judgments[0]
    assert (j.template_hash, j.parser_version, j.protocol) == (
        judge.template.sha256,
        "arena_hard_v0.1",
        "pairwise",
    )


def test_arena_hard_v01_one_continuation_retry_then_unscored() -> None:
    judge = _pairwise("arena_hard_v0.1", position="fixed")
    retried = FakeJudge(["Long analysis without a label.", "My final verdict is [[B>>A]]"])
    outcome = asyncio.run(judge.judge(retried, ITEM, LONG_MODEL, LONG_BASE))
    game = outcome.judgments[0]
    assert (game.status, game.verdict, game.score, game.metadata["attempts"]) == ("scored", "B>>A", 2.0, 2)
    second = retried.requests[1].message_dicts()
    assert second[-2] == {"role": "assistant", "content": "Long analysis without a label."}
    assert second[-1] == {"role": "user", "content": judge.continuation}
    never = FakeJudge("no label at all")
    game = asyncio.run(judge.judge(never, ITEM, LONG_MODEL, LONG_BASE)).judgments[0]
    assert (game.status, game.reason, len(never.requests)) == ("unscored", "parse_failure", 2)
    v2 = _pairwise("arena_hard_v2", position="fixed")
    no_retry = FakeJudge("no label at all")
    assert asyncio.run(v2.judge(no_retry, ITEM, LONG_MODEL, LONG_BASE)).value is None
    assert len(no_retry.requests) == 1


def _logprob_reply(request: ChatRequest) -> Completion:
    return completion("m", {"m": -0.2231435513, "M": -1.6094379124})  # p(m) = 0.8 in the prompt frame


def test_alpaca_eval_logprob_preference_is_unswapped_and_identical_outputs_tie_without_a_call() -> None:
    judge = _pairwise("alpaca_eval_weighted_gpt4_turbo", position="both")
    fake = FakeJudge(_logprob_reply)
    outcome = asyncio.run(judge.judge(fake, ITEM, LONG_MODEL, LONG_BASE))
    baseline_first, model_first = outcome.judgments
    assert abs(baseline_first.score - 1.2) < 1e-9  # 2 - p_m: the baseline (m) is preferred
    assert abs(model_first.score - 1.8) < 1e-9  # 3 - (2 - p_m): the model is m now
    assert outcome.consistent is False and abs(outcome.value - 1.5) < 1e-9
    assert fake.requests[0].params.max_tokens == 1 and fake.requests[0].params.top_logprobs == 5
    same = Output(item_id="q1", model="m", turns=list(LONG_BASE.turns))
    silent = FakeJudge(_logprob_reply)
    tied = asyncio.run(_pairwise("alpaca_eval_weighted_gpt4_turbo").judge(silent, ITEM, same, LONG_BASE))
    assert (tied.value, silent.requests) == (1.5, [])
    assert tied.judgments[0].metadata["no_call"] == "identical outputs"


def test_api_error_and_refusal_are_unscored_with_their_reason() -> None:
    async def failing(request: ChatRequest) -> Completion:
        raise FatalAPIError("401 unauthorized")

    judge = _pairwise("mt_bench_pair", position="fixed")
    game = asyncio.run(judge.judge(failing, ITEM, LONG_MODEL, LONG_BASE)).judgments[0]
    assert (game.status, game.reason, game.score) == ("unscored", "api_error", None)
    refused = FakeJudge(lambda r: completion("I can't help with that.", finish="content_filter"))
    game = asyncio.run(judge.judge(refused, ITEM, LONG_MODEL, LONG_BASE)).judgments[0]
    assert (game.status, game.reason) == ("unscored", "refusal")


def test_portia_merges_aligned_parts_into_one_prompt_in_both_orders() -> None:
    judge = _pairwise("arena_hard_v0.1", position="portia")
    fake = FakeJudge("[[A=B]]")
    outcome = asyncio.run(judge.judge(fake, ITEM, LONG_MODEL, LONG_BASE))
    assert outcome.strategy == "portia" and len(fake.requests) == 2 and outcome.consistent is True
    user = fake.requests[0].messages[1][1]
    assert user.count("(Part 1 of 3)") == 2 and user.count("(Part 3 of 3)") == 2
    assert user.count("<|The Start of Assistant A's Answer|>") == 3
    assert (
        user.index("(Part 1 of 3)\nGravity acts.")
        < user.index("(Part 1 of 3)\nThe moon")
        < user.index("(Part 2 of 3)")
    )
    short = Output(item_id="q1", model="m", turns=["Too short."])
    fallback = FakeJudge("[[A=B]]")
    outcome = asyncio.run(judge.judge(fallback, ITEM, short, LONG_BASE))
    assert outcome.strategy == "portia->both" and "(Part" not in fallback.requests[0].messages[1][1]


def test_mt_bench_single_turn_two_and_unparseable_rating() -> None:
    judge = load_judge("mt_bench_single_multi_turn")
    assert isinstance(judge, SingleJudge)
    two_turns = Item(benchmark="mt_bench", item_id="81", turns=["t1", "t2"])
    answer = Output(item_id="81", model="m", turns=["a1", "a2"])
    scored = asyncio.run(judge.judge(FakeJudge("Rating: [[7]]"), two_turns, answer, turn=2))
    assert (scored.score, scored.turn, scored.protocol) == (7.0, 2, "single")
    bad = asyncio.run(judge.judge(FakeJudge("It is fine."), two_turns, answer, turn=2))
    assert (bad.status, bad.reason, bad.score) == ("unscored", "parse_failure", None)


def test_wildbench_empty_output_follows_upstream_rule_without_a_call() -> None:
    judge = load_judge("wildbench_score")
    assert isinstance(judge, SingleJudge)
    fake = FakeJudge('{"score": "9"}')
    empty = asyncio.run(judge.judge(fake, ITEM, Output(item_id="q1", model="m", turns=["  "])))
    assert (empty.score, empty.metadata["no_call"], fake.requests) == (1.0, "empty output", [])
    pair = _pairwise("wildbench_pairwise", position="fixed")
    outcome = asyncio.run(pair.judge(fake, ITEM, Output(item_id="q1", model="m", turns=[""]), LONG_BASE))
    assert (outcome.judgments[0].verdict, outcome.value) == ("A++", -2.0)  # baseline shown first wins ++


def test_tick_generates_questions_answers_each_and_reports_the_pass_rate() -> None:
    judge = load_judge("tick")
    assert isinstance(judge, ChecklistJudge)
    generator = FakeJudge(
        "Analysis: about tides.\nQUESTIONS:\n- Does it mention the moon?\n- Is it under 50 words?\n- Does it cite a source?"
    )
    checklist = asyncio.run(judge.generate(generator, ITEM))
    assert checklist.questions == [
        "Does it mention the moon?",
        "Is it under 50 words?",
        "Does it cite a source?",
    ]
    assert ITEM.turns[0] in generator.requests[0].messages[0][1]

    def answer(request: ChatRequest) -> Completion:
        prompt = request.messages[-1][1]
        if "cite a source" in prompt:
            return completion("Unsure.")
        return completion(
            "Reasoning.\nANSWER: YES" if "moon" in prompt.split("<question>")[1] else "ANSWER: NO"
        )

    result = asyncio.run(judge.answer(FakeJudge(answer), ITEM, LONG_MODEL, checklist.questions))
    assert (result.n_yes, result.n_answered, result.pass_rate) == (1, 2, 0.5)
    assert [j.status for j in result.judgments] == ["scored", "scored", "unscored"]
    assert result.judgments[2].reason == "parse_failure"
