"""Position strategies for pairwise judges: fixed, random, both, portia. Pure and deterministic.

- ``fixed``: one order for every item (``baseline_first`` is AlpacaEval's output_1 = baseline and Arena-Hard's
  game 1).
- ``random``: one order per item, seeded per item. The ``alpaca_eval`` rule is upstream's
  (``processors.py::RandomSwitchTwoColumnsProcessor``): switched iff
  ``random.Random("is_switched_outputs" + instruction + str(seed)).choices([False, True])[0]`` with seed 0, the
  same for every model (docs/judges.md). The ``item`` rule seeds on the item id.
- ``both``: both orders; the two model-frame values are aggregated (``mean``: Arena-Hard counts both games;
  ``agree``: FastChat MT-Bench, a win only when both orders agree, otherwise a tie) and the pair is
  position-consistent when both orders put the same side ahead (or both call a tie).
- ``portia``: PORTIA (Li et al., EMNLP 2024, arXiv:2310.01432; docs/judges.md), two
  stages. Length alignment: split both answers at sentence boundaries into k parts of comparable length and
  merge them into one prompt (:func:`length_align`, :func:`merge_interleaved`), asked in both orders.
  Semantic alignment, only when those two verdicts are inconsistent: re-split both answers where the summed
  token overlap of the paired parts is largest (:func:`judges.semantic_align.semantic_align`) and ask both orders again; a pair
  still inconsistent stays inconsistent. Answers with fewer than k sentences fall back to ``both``.
  Verified in the paper's abstract: split both answers, align them "taking into account both length and
  semantics", merge into a single prompt for the unchanged judge. From secondary summaries only ([2nd]):
  sentence-boundary splits, the length stage first, the semantic stage only for inconsistent pairs, the
  Σ sim(A_i, B_i) objective and sim = token overlap. Our choices ([recall] or none in the source): k = 3,
  the nearest boundary to len·i/k, code blocks kept whole, Jaccard as the token overlap, the labelled
  interleaved merge, no re-query when the semantic split equals the length split.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Literal

Strategy = Literal["fixed", "random", "both", "portia"]
Order = Literal["baseline_first", "model_first"]
RandomRule = Literal["alpaca_eval", "item"]
Aggregate = Literal["mean", "agree"]


@dataclass(frozen=True)
class PositionSpec:
    strategy: Strategy = "fixed"
    fixed_order: Order = "baseline_first"
    random_rule: RandomRule = "item"
    seed: int = 0
    aggregate: Aggregate = "mean"
    portia_k: int = 3


def alpaca_eval_is_switched(instruction: str, seed: int = 0) -> bool:
    """Upstream's per-instruction swap: about 50.4% of the 805 AlpacaEval instructions are switched."""
    return random.Random("is_switched_outputs" + instruction + str(seed)).choices([False, True])[0]


def item_is_switched(item_id: str, seed: int = 0) -> bool:
    return random.Random(f"harness-position:{seed}:{item_id}").random() < 0.5


def orders_for(spec: PositionSpec, item_id: str, instruction: str) -> list[Order]:
    """The order(s) in which one item is shown. ``switched`` = model first, as in AlpacaEval."""
    if spec.strategy == "fixed":
        return [spec.fixed_order]
    if spec.strategy == "random":
        if spec.random_rule == "alpaca_eval":
            switched = alpaca_eval_is_switched(instruction, spec.seed)
        else:
            switched = item_is_switched(item_id, spec.seed)
        return ["model_first" if switched else "baseline_first"]
    return ["baseline_first", "model_first"]


def side(value: float, midpoint: float) -> int:
    """+1 model ahead, -1 opponent ahead, 0 tie (model-frame value against the scale's midpoint)."""
    return (value > midpoint) - (value < midpoint)


def aggregate_pair(values: list[float], midpoint: float, rule: Aggregate) -> tuple[float, bool]:
    """(aggregated model-frame value, position consistent) for the two orders of one pair."""
    sides = {side(v, midpoint) for v in values}
    consistent = len(sides) == 1
    if rule == "agree":
        return (values[0] if consistent else midpoint), consistent
    return sum(values) / len(values), consistent


def consistency_rate(flags: list[bool | None]) -> float | None:
    """Share of pairs judged in both orders whose verdicts agree; None when no pair was judged twice."""
    known = [f for f in flags if f is not None]
    return sum(known) / len(known) if known else None


# ---- PORTIA: split, length-align, merge -------------------------------------------------------------------

_FENCE = re.compile(r"```.*?(?:```|\Z)", re.DOTALL)
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+|\n\s*")


def sentence_boundaries(text: str) -> list[int]:
    """Interior offsets where a part may start: after a sentence end or a line break, never inside a
    fenced code block (a block is one unit). Joining the pieces gives the text back exactly."""
    fences = [(m.start(), m.end()) for m in _FENCE.finditer(text)]

    def inside_fence(pos: int) -> bool:
        return any(start < pos < end for start, end in fences)

    cuts = {m.end() for m in _SENTENCE_END.finditer(text)}
    cuts |= {start for start, _ in fences}
    return sorted(p for p in cuts if 0 < p < len(text) and not inside_fence(p))


def split_sentences(text: str) -> list[str]:
    bounds = [0, *sentence_boundaries(text), len(text)]
    return [text[a:b] for a, b in zip(bounds, bounds[1:], strict=False)]


def length_cuts(text: str, k: int) -> list[int] | None:
    """The k-1 cut offsets of :func:`length_align`; None when the text has fewer than k sentences."""
    bounds = sentence_boundaries(text)
    if k < 1 or len(bounds) + 1 < k:
        return None
    chosen: list[int] = []
    low = 0  # first admissible index into bounds
    for i in range(1, k):
        high = len(bounds) - (k - 1 - i)  # leave a boundary for each remaining cut
        target = len(text) * i / k
        j = min(range(low, high), key=lambda idx: (abs(bounds[idx] - target), idx))
        chosen.append(bounds[j])
        low = j + 1
    return chosen


def cut_at(text: str, cuts: list[int]) -> list[str]:
    edges = [0, *cuts, len(text)]
    return [text[a:b] for a, b in zip(edges, edges[1:], strict=False)]


def length_align(text: str, k: int) -> list[str] | None:
    """k parts of comparable length: each cut is the sentence boundary nearest to len*i/k (earlier on a tie),
    keeping at least one sentence per part. None when the text has fewer than k sentences."""
    cuts = length_cuts(text, k)
    return None if cuts is None else cut_at(text, cuts)


def label_part(part: str, index: int, k: int) -> str:
    return f"(Part {index} of {k})\n{part.strip()}"


def merge_interleaved(
    user_prompt: str, sentinel_a: str, sentinel_b: str, a_parts: list[str], b_parts: list[str]
) -> str | None:
    """One prompt with the parts interleaved (A1, B1, A2, B2, ...), each labelled, in the template's own
    delimiters: the text around the two answer slots gives A's and B's opening and closing delimiters
    (``<|The Start of Assistant A's Answer|>`` ... in Arena-Hard, ``[The Start of ...]`` in MT-Bench).

    When the template does not separate its answer blocks by a blank line (AlpacaEval's JSON-like layout),
    each slot instead receives its own parts in order, labelled, so part i of A faces part i of B. None when
    the answer slots are not each present exactly once."""
    if (
        len(a_parts) != len(b_parts)
        or user_prompt.count(sentinel_a) != 1
        or user_prompt.count(sentinel_b) != 1
    ):
        return None
    before, _, rest = user_prompt.partition(sentinel_a)
    glue, _, after = rest.partition(sentinel_b)
    k = len(a_parts)
    a_text = [label_part(p, i + 1, k) for i, p in enumerate(a_parts)]
    b_text = [label_part(p, i + 1, k) for i, p in enumerate(b_parts)]
    if "\n\n" not in glue or "\n\n" not in before:
        return before + "\n\n".join(a_text) + glue + "\n\n".join(b_text) + after
    a_end, sep, b_start = glue.partition("\n\n")
    a_start = before[before.rfind("\n\n") + 2 :]
    b_end = after.split("\n\n", 1)[0]
    blocks = [a_text[i] + a_end + sep + b_start + b_text[i] for i in range(k)]
    middle = (b_end + sep + a_start).join(blocks)
    return before + middle + after


# ---- PORTIA: token overlap (the semantic stage's similarity; its search: judges/semantic_align.py) ----

_WORD = re.compile(r"\w+")


def word_tokens(text: str) -> frozenset[str]:
    """The set of lowercase word tokens (``\\w+``, Unicode-aware) of a text."""
    return frozenset(_WORD.findall(text.lower()))


def token_overlap(a: str, b: str) -> float:
    """Jaccard similarity |Ta ∩ Tb| / |Ta ∪ Tb| of the two texts' lowercase word-token sets (0 when neither
    has a token). PORTIA's sim is "token overlap" ([2nd], one summary only; docs/judges.md); Jaccard is
    our reading: unlike the overlap coefficient |Ta ∩ Tb| / min(|Ta|, |Tb|), a one-word segment contained
    in its partner does not score a perfect 1, so the search does not favour tiny segments."""
    ta, tb = word_tokens(a), word_tokens(b)
    union = len(ta | tb)
    return len(ta & tb) / union if union else 0.0
