"""Character n-gram F-score (chrF), the surface-change measure of Clean-Eval's filter.

chrF (Popović 2015, "chrF: character n-gram F-score for automatic MT evaluation", WMT) with the defaults
of sacrebleu's ``CHRF`` (``sacrebleu/metrics/chrf.py``): character orders 1..6, no word n-grams, beta 2,
whitespace removed before counting; the F-score of each order is averaged over the orders both strings
are long enough to have. Reimplemented here (a few lines) rather than adding ``sacrebleu`` as a
dependency; the value is on a 0..1 scale (sacrebleu reports 0..100).

Why chrF: a rewrite that keeps most character n-grams of the original is a near copy, and a model that
memorised the original wording would still recognise it; Clean-Eval wants the surface to change.
"""

from __future__ import annotations

from collections import Counter

CHAR_ORDER = 6
BETA = 2.0


def _ngrams(text: str, n: int) -> Counter[str]:
    return Counter(text[i : i + n] for i in range(len(text) - n + 1))


def chrf(hypothesis: str, reference: str, *, order: int = CHAR_ORDER, beta: float = BETA) -> float:
    """chrF of ``hypothesis`` against ``reference`` in [0, 1]; 1 for identical non-empty strings.

    Symmetric in the sense that matters here (a copy scores 1, unrelated text near 0). Two empty
    strings score 1 (nothing changed), one empty string 0.
    """
    hyp = "".join(hypothesis.split())
    ref = "".join(reference.split())
    if not hyp or not ref:
        return 1.0 if hyp == ref else 0.0
    factor = beta**2
    total = 0.0
    orders = 0
    for n in range(1, order + 1):
        h, r = _ngrams(hyp, n), _ngrams(ref, n)
        if not h or not r:
            continue
        matches = sum((h & r).values())
        precision = matches / sum(h.values())
        recall = matches / sum(r.values())
        denominator = factor * precision + recall
        total += (1 + factor) * precision * recall / denominator if denominator > 0 else 0.0
        orders += 1
    return total / orders if orders else 0.0
