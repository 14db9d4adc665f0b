"""What Clean-Eval persists: each rewrite candidate with its scores, and one record per rewritten item.

Kept apart from ``harness.records`` because only this transform reads them; they are stored in the build's
run directory (kind ``rewrites``) and, per item, in the variant file, so that every candidate the rewriter
produced, its scores and the reason it was kept or rejected stay inspectable (the provenance the issue asks
for), not only the chosen text.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from harness.records import Item, Record

Source = Literal["paraphrase", "backtranslation"]
# How the rewriter answered: a usable text, nothing, a refusal, a reply cut at max_tokens, or no reply.
CandidateStatus = Literal["ok", "empty", "refusal", "truncated", "api_error"]
# The filter's verdict: accepted, or why not.
Verdict = Literal[
    "accepted", "not_generated", "meaning_changed", "length_changed", "near_copy", "too_different"
]
Outcome = Literal["rewritten", "kept_original"]


class Candidate(BaseModel):
    """One rewrite of all the turns of an item (turn structure kept: one rewritten text per user turn)."""

    model_config = ConfigDict(extra="forbid")
    source: Source
    pivot: str | None = None  # language code of a back-translation
    index: int = 0  # sample number of a paraphrase
    turns: list[str] = Field(default_factory=list)  # empty unless status == "ok"
    pivot_turns: list[str] = Field(default_factory=list)  # the intermediate translation, for inspection
    status: CandidateStatus = "ok"
    detail: str | None = None
    turn_similarity: list[float] = Field(default_factory=list)  # cosine vs the original, per turn
    turn_chrf: list[float] = Field(default_factory=list)  # chrF vs the original, per turn
    similarity: float | None = None  # the weakest turn's similarity (every turn must keep its meaning)
    chrf: float | None = None  # the closest turn's chrF (every turn must change its surface)
    length_ratio: float | None = None  # the turn furthest from the original's length in words (>= 1)
    verdict: Verdict | None = None

    @property
    def name(self) -> str:
        return (
            f"backtranslation:{self.pivot}"
            if self.source == "backtranslation"
            else f"paraphrase#{self.index}"
        )


class RewriteRecord(Record):
    """One item's candidates and, once decided, the chosen one (if any) and the outcome.

    The run directory stores the records as generated (``outcome`` None): generating is the expensive,
    side-effecting part; scoring, filtering and selecting are pure and re-applied when the variant is
    assembled, so changing a threshold or the selector re-uses every stored candidate. ``error`` marks a
    record left incomplete by API failures: the store treats it as not final, so the next run retries
    the item (the response cache makes the calls already answered free).
    """

    item_id: str
    candidates: list[Candidate]
    chosen: str | None = None  # Candidate.name
    outcome: Outcome | None = None
    selector: str = ""
    error: str | None = None

    def chosen_candidate(self) -> Candidate | None:
        return next((c for c in self.candidates if c.name == self.chosen), None)


class VariantRow(BaseModel):
    """One item of a clean variant: the item as evaluated, the original turns, and its rewrite record."""

    model_config = ConfigDict(extra="forbid")
    item: Item
    original_turns: list[str]
    rewrite: RewriteRecord
