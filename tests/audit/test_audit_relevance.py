"""The relevance detector's two promises: the lexical cascade changes no decision, and the embedding
cache makes a text cost one forward pass however often it appears."""

from __future__ import annotations

import numpy as np
from _shared import shared_path

from harness.audit.inputs import AuditItem, load_submission
from harness.audit.relevance import RelevanceConfig, is_low, lexical_recall, relevance_scores


def test_cascade_gives_the_same_low_items_as_embedding_everything(embedder):
    sub = load_submission(shared_path("alpaca_eval", "results", "falcon-7b-instruct", "model_outputs.json"))
    real = sub.items[:: len(sub.items) // 60][:60]
    # Half of them answered with another item's output, so that some are low.
    items = tuple(
        AuditItem(it.item_id, it.prompts, real[(i + 7) % 60].outputs if i % 2 else it.outputs)
        for i, it in enumerate(real)
    )
    config = RelevanceConfig()
    cascade = relevance_scores(items, embedder, config)
    full = relevance_scores(items, embedder, config, embed_all=True)
    low_cascade = [is_low(c, lex, config) for c, lex, _ in cascade]
    low_full = [is_low(c, lex, config) for c, lex, _ in full]
    assert low_cascade == low_full
    assert 3 <= sum(low_full) <= 30
    assert sum(np.isnan(c) for c, _, _ in cascade) > 10  # the cascade really skipped work


def test_embedding_cache_returns_identical_vectors(embedder):
    texts = ["a cached sentence about rivers", "another one about mountains"]
    first = embedder.encode(texts)
    size = len(embedder._cache)
    again = embedder.encode(list(reversed(texts)) * 3)
    assert len(embedder._cache) == size
    assert np.array_equal(again[0], first[1]) and np.array_equal(again[1], first[0])
    assert np.allclose(np.linalg.norm(first, axis=1), 1.0, atol=1e-5)


def test_lexical_recall_counts_instruction_content_words():
    assert lexical_recall("Explain photosynthesis in plants", "Plants use photosynthesis.") == 1.0
    assert lexical_recall("Explain photosynthesis in plants", "Cats sleep a lot.") == 0.0
    assert np.isnan(lexical_recall("Hi!", "Hello"))
