"""Versioned parsers: the exact checks of ../shared/reference/arena_mtbench.md §E 6 and 13, and the others."""

from __future__ import annotations

import math
import sys
from types import ModuleType

import pytest

from harness.client._types import TokenLogprob
from judges.parsers import PARSERS


def _parse(name: str, text: str, top: dict[str, float] | None = None):  # type: ignore[no-untyped-def]
    logprobs = (TokenLogprob(text, 0.0, top),) if top is not None else None
    return PARSERS.get(name)(text, logprobs)


def test_arena_hard_v01_rules() -> None:
    repeated = _parse("arena_hard_v0.1", "Reasons... [[A>B]] and again: My final verdict is [[A>B]]")
    assert (repeated.verdict, repeated.value, repeated.retry) == ("A>B", 1.0, False)
    conflict = _parse("arena_hard_v0.1", "[[A>B]] ... My final verdict is [[B>A]]")
    assert (conflict.scored, conflict.reason, conflict.retry) == (False, "parse_failure", False)
    missing = _parse("arena_hard_v0.1", "Assistant A is better.")
    assert (missing.scored, missing.retry) == (False, True)
    outside = _parse("arena_hard_v0.1", "[[A>>>B]]")
    assert not outside.scored and "A>>>B" in (outside.detail or "")


def test_arena_hard_v2_rules() -> None:
    last = _parse("arena_hard_v2", "[[A>B]] then [[B>A]]")
    assert (last.verdict, last.value) == ("B>A", -1.0)
    fallback = _parse("arena_hard_v2", "My verdict: [B>>A]")
    assert (fallback.verdict, fallback.value) == ("B>>A", -2.0)
    lower = _parse("arena_hard_v2", "final: [[a>>b]]")  # v2 matches on text.upper()
    assert lower.verdict == "A>>B"
    assert not _parse("arena_hard_v2", "no label").scored
    assert not _parse("arena_hard_v2", "[[A]]").scored  # KeyError upstream


@pytest.mark.parametrize(
    ("text", "rating"),
    [("Rating: [[7]]", 7.0), ("[[8.5]]", 8.5), ("score [6]", 6.0), ("[[3]] then [[9]]", 3.0)],
)
def test_mt_bench_rating(text: str, rating: float) -> None:
    parsed = _parse("mt_bench_rating", text)
    assert parsed.scored and parsed.value == rating


def test_mt_bench_rating_without_a_number_is_unscored_not_minus_one() -> None:
    parsed = _parse("mt_bench_rating", "no rating")
    assert (parsed.scored, parsed.reason, parsed.value) == (False, "parse_failure", None)


def test_mt_bench_pair_first_token_present_wins() -> None:
    assert _parse("mt_bench_pair", "x [[B]] y [[A]]").verdict == "A"  # substring test in order A, B, C
    assert _parse("mt_bench_pair", "[[C]]").verdict == "tie"
    assert not _parse("mt_bench_pair", "[A]").scored


def test_wildbench_json_and_regex_fallback() -> None:
    assert _parse("wildbench_score_json", '{"strengths": "s", "weaknesses": "w", "score": "7"}').value == 7.0
    fenced = '```json\n{"strengths": "a \\"quoted\\" b", "score": "8"}\n``` trailing'
    assert _parse("wildbench_score_json", fenced).value == 8.0
    assert not _parse("wildbench_score_json", '{"score": "11"}').scored
    assert not _parse("wildbench_score_json", "I think 7").scored
    choice = _parse("wildbench_pairwise_json", '{"analysis of A": "..", "choice": "B+"}')
    assert (choice.verdict, choice.value) == ("B+", -1.0)
    assert not _parse("wildbench_pairwise_json", '{"choice": "A"}').scored


def test_alpaca_eval_logprob_matches_upstream_parser() -> None:
    sys.modules.setdefault("pkg_resources", ModuleType("pkg_resources"))  # imported by alpaca_eval.utils only
    from alpaca_eval.completion_parsers import logprob_parser

    top = {"M": -0.017597131, "m": -4.048847, "Both": -14.9}
    ours = _parse("alpaca_eval_logprob", "M", top)
    upstream_completion = {
        "logprobs": {
            "content": [{"token": "M", "top_logprobs": [{"token": t, "logprob": v} for t, v in top.items()]}]
        }
    }
    expected = logprob_parser(upstream_completion, "m", ["m", "M"], is_binarize=False)[0]
    assert ours.value == pytest.approx(expected, abs=1e-12)
    only_m = _parse("alpaca_eval_logprob", "m", {"m": -0.1, "The": -3.0})
    assert only_m.value == pytest.approx(1.0)  # M missing counts as -inf
    neither = _parse("alpaca_eval_logprob", "The", {"The": -0.1})
    assert (neither.scored, neither.reason) == (False, "parse_failure")
    assert not _parse("alpaca_eval_logprob", "m").scored  # no logprobs at all
    assert math.isclose(_parse("alpaca_eval_logprob", "m", {"m": -0.5, "M": -0.5}).value or 0, 1.5)


def test_tick_parsers_are_anchored() -> None:
    assert _parse("tick_yes_no", "The poem rhymes.\nANSWER: YES").value == 1.0
    assert _parse("tick_yes_no", "reasoning\nanswer: no").value == 0.0
    assert not _parse("tick_yes_no", "ANSWER: YES\nActually, maybe not.").scored
    good = _parse("tick_checklist", "Analysis: ...\nQUESTIONS:\n- Is it a poem?\n- Does it rhyme?\n")
    assert good.items == ("Is it a poem?", "Does it rhyme?")
    assert not _parse("tick_checklist", "QUESTIONS:\n- Only one?").scored
    nine = "QUESTIONS:\n" + "".join(f"- Q{i}?\n" for i in range(9))
    assert not _parse("tick_checklist", nine).scored
    assert not _parse("tick_checklist", "QUESTIONS:\n- Is it?\nsome prose\n- Is it too?").scored
