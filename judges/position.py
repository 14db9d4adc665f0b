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
  token overlap of the paired parts is largest (:func:`semantic_align`) and ask both orders again; a pair
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

import numpy as np

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


# ---- PORTIA: semantic alignment -------------------------------------------------------------------------

SEMANTIC_MAX_CANDIDATES = 40
_WORD = re.compile(r"\w+")
_TIE = 1e-9  # similarity sums closer than this are a tie (float sums of equal fractions may differ)


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


def _candidate_cuts(text: str, cuts: list[int], max_candidates: int) -> list[int]:
    """The sentence boundaries the search may cut at: all of them up to ``max_candidates``; beyond, the
    length-aligned cuts plus boundaries evenly spaced by index (coarser units, the whole text covered)."""
    bounds = sentence_boundaries(text)
    if len(bounds) <= max_candidates:
        return bounds
    keep = max_candidates - len(cuts)
    spaced = {bounds[round(j * (len(bounds) - 1) / max(keep - 1, 1))] for j in range(keep)}
    return sorted(spaced | set(cuts))


def _segment_tokens(text: str, edges: list[int], vocab: dict[str, int]) -> np.ndarray:
    """Token incidence (bool, segments x vocab) of every segment text[edges[s]:edges[e]], s < e, laid out
    by end then start: segment (s, e) is row e(e-1)/2 + s, so the segments ending at e are contiguous."""
    n = len(edges) - 1
    units = np.zeros((n, len(vocab)), dtype=bool)
    for u in range(n):
        for token in word_tokens(text[edges[u] : edges[u + 1]]):
            units[u, vocab[token]] = True
    rows = np.zeros((n * (n + 1) // 2, len(vocab)), dtype=bool)
    for e in range(1, n + 1):  # tokens of units s..e-1 = OR accumulated from unit e-1 backwards
        rows[e * (e - 1) // 2 : e * (e + 1) // 2] = np.logical_or.accumulate(units[e - 1 :: -1], axis=0)[::-1]
    return rows


def semantic_align(
    a: str, b: str, k: int, max_candidates: int = SEMANTIC_MAX_CANDIDATES
) -> tuple[list[str], list[str]] | None:
    """PORTIA's semantic alignment (Li et al., EMNLP 2024, arXiv:2310.01432; docs/judges.md, [2nd]): the
    cuts of both answers, at sentence boundaries, maximising the cumulative similarity Σ_i sim(A_i, B_i) of
    the k index-paired segments, with sim = :func:`token_overlap`. None when either answer has fewer than k
    sentences (as :func:`length_align`).

    Exhaustive enumeration costs C(nA-1, k-1)·C(nB-1, k-1) candidates. The objective decomposes over
    segments instead: segment i spans (cut i-1, cut i) in both texts, so the best sum over the first i
    segments ending at cut pair (x, y) is max over (x' < x, y' < y) of the best over i-1 segments ending at
    (x', y') plus sim(A[x':x], B[y':y]) — a dynamic programme in O(k·nA²·nB²) time and O(nA²·nB²/4) memory
    (n = candidate cuts + 1). Bound: at most ``max_candidates`` candidate cuts per answer (exact search up
    to that many sentence boundaries; beyond, a coarser grid that always contains the length-aligned cuts).

    Ties (sums within 1e-9) go to the cuts nearest the length-aligned ones (Σ |offset - length cut| in
    characters), then to the earliest predecessor: an answer pair with no shared token keeps its length
    alignment, so the semantic stage only changes a split when the tokens say so."""
    a_len, b_len = length_cuts(a, k), length_cuts(b, k)
    if a_len is None or b_len is None:
        return None
    if max_candidates < k - 1:
        raise ValueError(f"max_candidates ({max_candidates}) must allow k - 1 = {k - 1} cuts")
    pa = [0, *_candidate_cuts(a, a_len, max_candidates), len(a)]
    pb = [0, *_candidate_cuts(b, b_len, max_candidates), len(b)]
    na, nb = len(pa) - 1, len(pb) - 1
    vocab = {t: i for i, t in enumerate(sorted(word_tokens(a) | word_tokens(b)))}
    seg_a, seg_b = _segment_tokens(a, pa, vocab), _segment_tokens(b, pb, vocab)
    shared = [vocab[t] for t in sorted(word_tokens(a) & word_tokens(b))]
    inter = seg_a[:, shared].astype(np.float64) @ seg_b[:, shared].astype(np.float64).T
    union = seg_a.sum(axis=1)[:, None] + seg_b.sum(axis=1)[None, :] - inter
    sim = np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)

    best = np.full((na + 1, nb + 1), -np.inf)
    best[0, 0] = 0.0
    dist = np.zeros((na + 1, nb + 1))  # tie-break: distance from the length-aligned cuts so far
    back: list[np.ndarray] = []  # per segment i: predecessor (x', y') of each (x, y)
    for i in range(1, k + 1):
        new_best = np.full_like(best, -np.inf)
        new_dist = np.zeros_like(dist)
        pred = np.zeros((na + 1, nb + 1, 2), dtype=np.int64)
        xs = range(i, na - (k - i) + 1) if i < k else [na]
        ys = range(i, nb - (k - i) + 1) if i < k else [nb]
        for x in xs:
            rows = sim[x * (x - 1) // 2 : x * (x + 1) // 2]
            for y in ys:
                total = best[:x, :y] + rows[:, y * (y - 1) // 2 : y * (y + 1) // 2]
                top = total.max()
                if top == -np.inf:
                    continue
                j = int(np.where(total >= top - _TIE, dist[:x, :y], np.inf).argmin())
                x0, y0 = divmod(j, y)
                off = abs(pa[x] - a_len[i - 1]) + abs(pb[y] - b_len[i - 1]) if i < k else 0
                new_best[x, y], new_dist[x, y] = total[x0, y0], dist[x0, y0] + off
                pred[x, y] = (x0, y0)
        best, dist = new_best, new_dist
        back.append(pred)
    cuts: list[tuple[int, int]] = []
    x, y = na, nb
    for pred in reversed(back[1:]):
        x, y = (int(v) for v in pred[x, y])
        cuts.append((x, y))
    cuts.reverse()
    return cut_at(a, [pa[x] for x, _ in cuts]), cut_at(b, [pb[y] for _, y in cuts])
