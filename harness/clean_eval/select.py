"""Choosing one candidate among those the filter accepted; pluggable, registered by name.

The paper selects by BLEURT against the original (v1: the best; v3: a moderate band). BLEURT's weights
are not available offline (docs/clean_eval.md), so the default, ``max_similarity``, takes the
accepted candidate closest in meaning (highest embedding similarity) among those already inside the
chrF surface-change band, the band playing the role of "moderate BLEURT". ``max_change`` prefers the most
reworded accepted candidate instead. Selectors are pure functions of the scored candidates.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from harness.clean_eval.records import Candidate
from harness.registry import Registry

Selector = Callable[[Sequence[Candidate]], Candidate | None]

SELECTORS: Registry[Selector] = Registry("selector")
DEFAULT_SELECTOR = "max_similarity"


def accepted(candidates: Sequence[Candidate]) -> list[Candidate]:
    return [c for c in candidates if c.verdict == "accepted"]


@SELECTORS.register("max_similarity")
def max_similarity(candidates: Sequence[Candidate]) -> Candidate | None:
    """Highest similarity; ties go to the larger surface change, then to the name (deterministic)."""
    pool = accepted(candidates)
    if not pool:
        return None
    return min(pool, key=lambda c: (-(c.similarity or 0.0), c.chrf or 0.0, c.name))


@SELECTORS.register("max_change")
def max_change(candidates: Sequence[Candidate]) -> Candidate | None:
    """Lowest chrF (most reworded); ties go to the higher similarity, then to the name."""
    pool = accepted(candidates)
    if not pool:
        return None
    return min(pool, key=lambda c: (c.chrf or 0.0, -(c.similarity or 0.0), c.name))


def get_selector(name: str) -> Selector:
    return SELECTORS.get(name)
