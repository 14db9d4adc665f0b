"""PORTIA's semantic alignment (Li et al., EMNLP 2024, arXiv:2310.01432; docs/judges.md): the cuts of both
answers that maximise the summed token overlap of the paired parts, found by a dynamic programme over
numpy arrays.

Its own module because it is the one numpy user among the judges: :mod:`judges.pairwise` imports it at
its one point of use (a PORTIA pair whose length stage was inconsistent), so that every other judge run
(and every re-run answered from its records) loads no numpy.
"""

from __future__ import annotations

import numpy as np

from judges.position import cut_at, length_cuts, sentence_boundaries, word_tokens

SEMANTIC_MAX_CANDIDATES = 40
_TIE = 1e-9  # similarity sums closer than this are a tie (float sums of equal fractions may differ)


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
    the k index-paired segments, with sim = :func:`judges.position.token_overlap`. None when either answer has fewer than k
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
