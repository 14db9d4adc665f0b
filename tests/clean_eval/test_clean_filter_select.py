"""The filter and the selectors on hand-written candidates, with the real all-MiniLM-L6-v2 embeddings."""

from __future__ import annotations

import pytest

from harness.clean_eval.filters import FilterConfig, MiniLMScorer, score_and_filter, verdict
from harness.clean_eval.records import Candidate
from harness.clean_eval.select import get_selector, max_change, max_similarity
from harness.errors import BadInput

ORIGINAL = ["Give me three tips for keeping houseplants alive during a cold winter."]
PARAPHRASE = Candidate(
    source="paraphrase",
    index=0,
    turns=["What are three ways to keep my indoor plants healthy through a cold winter?"],
)
COPY = Candidate(
    source="paraphrase",
    index=1,
    turns=["Give me three tips for keeping house plants alive during a cold winter!"],
)
MEANING_CHANGE = Candidate(
    source="backtranslation",
    pivot="de",
    turns=["Give me three tips for keeping a car engine running during a hot summer."],
)
ANSWERED = Candidate(
    source="paraphrase",
    index=2,
    turns=[
        "Keeping houseplants alive during a cold winter is easy: keep them away from cold windows, water them "
        "less often, and give them as much light as you can."
    ],
)
REFUSED = Candidate(source="backtranslation", pivot="fr", status="refusal", detail="I'm sorry")


@pytest.fixture(scope="module")
def scorer() -> MiniLMScorer:
    return MiniLMScorer()


def test_true_paraphrase_kept_copy_and_meaning_change_rejected(scorer: MiniLMScorer) -> None:
    scored = score_and_filter(
        ORIGINAL, [PARAPHRASE, COPY, MEANING_CHANGE, ANSWERED, REFUSED], scorer, FilterConfig()
    )
    by_name = {c.name: c for c in scored}
    assert by_name["paraphrase#0"].verdict == "accepted"
    assert by_name["paraphrase#1"].verdict == "near_copy"
    assert by_name["backtranslation:de"].verdict == "meaning_changed"
    assert by_name["backtranslation:fr"].verdict == "not_generated"
    assert by_name["paraphrase#2"].verdict == "length_changed"  # an answer, not a rewrite
    assert by_name["paraphrase#1"].chrf is not None and by_name["paraphrase#1"].chrf > 0.6
    assert (
        by_name["backtranslation:de"].similarity is not None
        and by_name["backtranslation:de"].similarity < 0.7
    )
    assert max_similarity(scored) == by_name["paraphrase#0"]


def test_multi_turn_every_turn_must_pass(scorer: MiniLMScorer) -> None:
    original = [ORIGINAL[0], "Now make the tips rhyme."]
    half_copied = Candidate(source="paraphrase", turns=[PARAPHRASE.turns[0], "Now make the tips rhyme."])
    reworded = Candidate(
        source="paraphrase", index=1, turns=[PARAPHRASE.turns[0], "Next, turn the tips into rhymes."]
    )
    scored = score_and_filter(original, [half_copied, reworded], scorer, FilterConfig())
    assert [c.verdict for c in scored] == ["near_copy", "accepted"]
    assert len(scored[1].turn_similarity) == len(scored[1].turn_chrf) == 2
    assert scored[1].similarity == min(scored[1].turn_similarity)


def _scored(name: int, similarity: float, chrf: float) -> Candidate:
    return Candidate(
        source="paraphrase",
        index=name,
        turns=["x"],
        turn_similarity=[similarity],
        turn_chrf=[chrf],
        similarity=similarity,
        chrf=chrf,
        verdict="accepted",
    )


def test_selectors_pick_inside_the_band_only() -> None:
    config = FilterConfig(min_similarity=0.8, min_chrf=0.2, max_chrf=0.6)
    pool = [_scored(0, 0.95, 0.65), _scored(1, 0.90, 0.50), _scored(2, 0.85, 0.25), _scored(3, 0.99, 0.10)]
    pool = [c.model_copy(update={"verdict": verdict(c, config)}) for c in pool]
    assert [c.verdict for c in pool] == ["near_copy", "accepted", "accepted", "too_different"]
    chosen = max_similarity(pool)
    assert chosen is not None and chosen.index == 1
    most_changed = max_change(pool)
    assert most_changed is not None and most_changed.index == 2
    assert get_selector("max_similarity") is max_similarity
    assert max_similarity([pool[0], pool[3]]) is None


def test_bad_filter_config_and_unknown_selector_are_bad_input() -> None:
    with pytest.raises(BadInput, match="chrf-band"):
        FilterConfig(min_chrf=0.7, max_chrf=0.6)
    with pytest.raises(BadInput, match="did you mean 'max_similarity'"):
        get_selector("max_similarty")
