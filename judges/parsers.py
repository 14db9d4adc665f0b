"""Strict, versioned verdict parsers. Whatever they cannot read is unscored with a reason, never a loss or a zero.

Every parser returns a :class:`Parsed` in the PROMPT frame (``A`` = the answer shown first). For pairwise
parsers ``value`` is a signed strength, positive when the first-shown answer wins (``A>>B`` = +2 ... ``B>>A``
= -2); the protocol turns it into the model's frame. The names are versions: Arena-Hard v0.1 and v2 read the
same judge text differently (docs/judges.md, "Verdict parsers are versions"), and a score is only
comparable to the leaderboard computed with the same rule.
"""

from __future__ import annotations

import ast
import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from harness.client._types import TokenLogprob
from harness.records import UnscoredReason
from harness.registry import Registry

GRADED = {"A>>B": 2.0, "A>B": 1.0, "A=B": 0.0, "B>A": -1.0, "B>>A": -2.0}
WILDBENCH_CHOICES = {"A++": 2.0, "A+": 1.0, "A=B": 0.0, "B+": -1.0, "B++": -2.0}
MT_BENCH_PAIR = {"A": 1.0, "B": -1.0, "tie": 0.0}


@dataclass(frozen=True)
class Parsed:
    """A parse result. ``retry`` asks the protocol for one continuation turn (Arena-Hard v0.1 only)."""

    verdict: str | float | None = None
    value: float | None = None
    reason: UnscoredReason | None = None
    detail: str | None = None
    retry: bool = False
    items: tuple[str, ...] = ()

    @property
    def scored(self) -> bool:
        return self.reason is None


def failed(detail: str, retry: bool = False) -> Parsed:
    return Parsed(reason="parse_failure", detail=detail, retry=retry)


ParserFn = Callable[[str, tuple[TokenLogprob, ...] | None], Parsed]
# a package adds a parser through the entry-point group ``harness.judge_parsers`` (docs/plugins.md)
PARSERS: Registry[ParserFn] = Registry("parser", group="harness.judge_parsers")


def labels(table: Mapping[str, float]) -> Callable[[ParserFn], ParserFn]:
    """Declare a pairwise parser's verdict grammar: each label and its signed value in the prompt frame.
    What needs the grammar (the worst outcome a flagged item is given, the 0..1 scale the effect check
    compares) reads it from the parser, so no caller has to know a judge by its name."""

    def mark(fn: ParserFn) -> ParserFn:
        setattr(fn, "verdict_labels", MappingProxyType(dict(table)))  # noqa: B010 (a function attribute)
        return fn

    return mark


def labels_of(parser: str) -> Mapping[str, float] | None:
    """The verdict grammar a pairwise parser declared with :func:`labels` (None: none declared)."""
    found = getattr(PARSERS.get(parser), "verdict_labels", None)
    return found if isinstance(found, Mapping) else None


_AH_DOUBLE = re.compile(r"\[\[([AB<>=]+)\]\]")
_AH_SINGLE = re.compile(r"\[([AB<>=]+)\]")


def _graded(label: str) -> Parsed:
    if label not in GRADED:
        return failed(f"label {label!r} is not one of {list(GRADED)}")
    return Parsed(verdict=label, value=GRADED[label])


@PARSERS.register("arena_hard_v0.1")
@labels(GRADED)
def arena_hard_v01(text: str, logprobs: tuple[TokenLogprob, ...] | None = None) -> Parsed:
    """``gen_judgment.py::get_score`` @5300089: distinct matches of ``[[label]]``; none -> one continuation retry;
    exactly one -> accept; several different labels -> unscored, no retry. Upstream gives labels outside the
    map weight 0 in ``show_result.py``; here they are unscored, which counts the same (the game drops out)."""
    matches = [m for m in _AH_DOUBLE.findall(text) if m != ""]
    distinct = set(matches)
    if not distinct:
        return failed("no [[label]] in the judgment", retry=True)
    if len(distinct) > 1:
        return failed(f"conflicting labels {sorted(distinct)}")
    return _graded(matches[0].strip("\n"))


@PARSERS.register("arena_hard_v2")
@labels(GRADED)
def arena_hard_v2(text: str, logprobs: tuple[TokenLogprob, ...] | None = None) -> Parsed:
    """``gen_judgment.py::get_score`` @196f6b8: on ``text.upper()``, the first pattern (``[[x]]`` then ``[x]``)
    with any match wins and its LAST match is the label; no retry. A label outside the map raises KeyError
    upstream; here it is unscored."""
    upper = text.upper()
    for pattern in (_AH_DOUBLE, _AH_SINGLE):
        matches = [m for m in pattern.findall(upper) if m != ""]
        if matches:
            return _graded(matches[-1].strip("\n"))
    return failed("no [[label]] or [label] in the judgment")


@PARSERS.register("mt_bench_pair")
@labels(MT_BENCH_PAIR)
def mt_bench_pair(text: str, logprobs: tuple[TokenLogprob, ...] | None = None) -> Parsed:
    """FastChat ``common.py::run_judge_pair``: substring test ``[[A]]``, then ``[[B]]``, then ``[[C]]`` (tie);
    anything else is upstream's "error" (its rows are dropped)."""
    for token, label in (("[[A]]", "A"), ("[[B]]", "B"), ("[[C]]", "tie")):
        if token in text:
            return Parsed(verdict=label, value=MT_BENCH_PAIR[label])
    return failed("none of [[A]], [[B]], [[C]] in the judgment")


_RATING = re.compile(r"\[\[(\d+\.?\d*)\]\]")
_RATING_FALLBACK = re.compile(r"\[(\d+\.?\d*)\]")


@PARSERS.register("mt_bench_rating")
def mt_bench_rating(text: str, logprobs: tuple[TokenLogprob, ...] | None = None) -> Parsed:
    """FastChat ``common.py::run_judge_single``: first ``[[x]]``, else first ``[x]``, ``ast.literal_eval``;
    no match is upstream's -1, excluded from the means: here unscored. No 1-10 range check, as upstream."""
    match = _RATING.search(text) or _RATING_FALLBACK.search(text)
    if match is None:
        return failed("no [[rating]] in the judgment")
    rating = float(ast.literal_eval(match.group(1)))
    return Parsed(verdict=rating, value=rating)


def _json_field(text: str, key: str) -> str | None:
    """WildBench ``src/eval.py``: ``json.loads``; fallback a ``"key": "value"`` regex (fenced or chatty JSON)."""
    try:
        obj = json.loads(text.strip())
        if isinstance(obj, dict) and key in obj:
            return str(obj[key]).strip()
    except json.JSONDecodeError:
        pass
    match = re.search(r'"' + re.escape(key) + r'"\s*:\s*"([^"]*)"', text)
    if match is None:
        match = re.search(r'"' + re.escape(key) + r'"\s*:\s*(\d+(?:\.\d+)?)', text)
    return match.group(1).strip() if match else None


@PARSERS.register("wildbench_score_json")
def wildbench_score(text: str, logprobs: tuple[TokenLogprob, ...] | None = None) -> Parsed:
    """WB-Score judgment: the ``score`` field, a number in 1..10 (kept as upstream's string in ``verdict``)."""
    raw = _json_field(text, "score")
    if raw is None:
        return failed('no "score" field in the JSON')
    try:
        value = float(raw)
    except ValueError:
        return failed(f"score {raw!r} is not a number")
    if not 1.0 <= value <= 10.0:
        return failed(f"score {value} outside 1..10")
    return Parsed(verdict=raw, value=value)


@PARSERS.register("wildbench_pairwise_json")
@labels(WILDBENCH_CHOICES)
def wildbench_pairwise(text: str, logprobs: tuple[TokenLogprob, ...] | None = None) -> Parsed:
    """WB-Reward judgment: ``choice`` in A++, A+, A=B, B+, B++ (``batch_results_format.py``)."""
    raw = _json_field(text, "choice")
    if raw is None:
        return failed('no "choice" field in the JSON')
    if raw not in WILDBENCH_CHOICES:
        return failed(f"choice {raw!r} is not one of {list(WILDBENCH_CHOICES)}")
    return Parsed(verdict=raw, value=WILDBENCH_CHOICES[raw])


@PARSERS.register("alpaca_eval_logprob")
def alpaca_eval_logprob(text: str, logprobs: tuple[TokenLogprob, ...] | None = None) -> Parsed:
    """``completion_parsers.py::logprob_parser`` (numerator m, denominators m, M, not binarized): keep 'm' and
    'M' among the first token's top logprobs (missing = -inf), p_m = softmax, preference = 2 - p_m in the
    prompt frame (1 = the first-shown output ``m`` wins). Neither present: upstream NaN, here unscored."""
    if not logprobs:
        return failed("no logprobs in the completion")
    top = logprobs[0].top_logprobs
    kept = {t: lp for t, lp in top.items() if t in ("m", "M")}
    if not kept:
        return failed(f"neither 'm' nor 'M' among the top logprobs {sorted(top)}")
    lp_m = kept.get("m", -math.inf)
    lp_big = kept.get("M", -math.inf)
    peak = max(lp_m, lp_big)
    p_m = math.exp(lp_m - peak) / (math.exp(lp_m - peak) + math.exp(lp_big - peak))
    return Parsed(verdict=text, value=2.0 - p_m)


_ANSWER = re.compile(r"^\s*ANSWER:\s*(YES|NO)\s*\.?\s*$", re.IGNORECASE)


@PARSERS.register("tick_yes_no")
def tick_yes_no(text: str, logprobs: tuple[TokenLogprob, ...] | None = None) -> Parsed:
    """Our TICK answering prompt ends with one line ``ANSWER: YES`` or ``ANSWER: NO``; anchored on that line."""
    lines = [line for line in text.strip().splitlines() if line.strip()]
    match = _ANSWER.match(lines[-1]) if lines else None
    if match is None:
        return failed("the last line is not 'ANSWER: YES' or 'ANSWER: NO'")
    answer = match.group(1).upper()
    return Parsed(verdict=answer, value=1.0 if answer == "YES" else 0.0)


_QUESTION = re.compile(r"^\s*-\s+(.+\?)\s*$")
TICK_MIN_QUESTIONS, TICK_MAX_QUESTIONS = 2, 8


@PARSERS.register("tick_checklist")
def tick_checklist(text: str, logprobs: tuple[TokenLogprob, ...] | None = None) -> Parsed:
    """Questions after the last ``QUESTIONS:`` line, one ``- ...?`` each, 2 to 8 of them (TICK, arXiv:2410.03608;
    the bound as enforced by AutoChecklist). Any other line in that section makes the list unparseable."""
    head, sep, tail = text.rpartition("QUESTIONS:")
    if not sep:
        return failed("no 'QUESTIONS:' section")
    lines = [line for line in tail.splitlines() if line.strip()]
    questions = []
    for line in lines:
        match = _QUESTION.match(line)
        if match is None:
            return failed(f"not a '- question?' line: {line.strip()[:80]!r}")
        questions.append(match.group(1).strip())
    if not TICK_MIN_QUESTIONS <= len(questions) <= TICK_MAX_QUESTIONS:
        return failed(f"{len(questions)} questions, expected {TICK_MIN_QUESTIONS}..{TICK_MAX_QUESTIONS}")
    return Parsed(verdict=float(len(questions)), value=float(len(questions)), items=tuple(questions))
