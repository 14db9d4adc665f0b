"""``audit.json`` written from an audit's report, and the audit's inputs taken from a run's records.

Apart from the audit itself (:mod:`harness.pipeline.flags`, every detector) so that a run whose findings
come from the cache (a cached re-run into a new run directory) loads no detector and starts no audit
worker: it still needs the audit's inputs (for the findings' key) and writes their flags.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from harness import atomic
from harness.audit.findings import AuditReport
from harness.audit.inputs import AuditItem
from harness.cache import Cache
from harness.pipeline.derived import audit_key
from harness.records import Item, Output
from harness.run.config import JudgeSet, RunConfig
from harness.run.on_flag import AUDIT_FILE
from harness.store import RunStore, is_final


def audit_items(items: Iterable[Item], outputs: dict[str, Output]) -> tuple[AuditItem, ...]:
    """The items with a finished output as the audit reads them (instruction turns, output turns, history)."""
    return tuple(
        AuditItem(
            item.item_id,
            tuple(item.turns),
            tuple(outputs[item.item_id].turns),
            "\n".join(m.get("content", "") for m in item.history),
        )
        for item in items
        if item.item_id in outputs
    )


def stored_audit_key(
    store: RunStore, items: Iterable[Item], config: RunConfig, embeddings: bool
) -> tuple[str, list[str]]:
    """The key the static audit of the run's finished outputs is cached under
    (:func:`harness.pipeline.derived.audit_key`), and the judge's template texts it covers."""
    outputs = {
        o.item_id: o for o in store.load("outputs", Output) if o.model == config.model_name and is_final(o)
    }
    texts = JudgeSet(config).base.prompt_texts()
    key = audit_key(audit_items(items, outputs), config.judge_config, texts, config.benchmark, embeddings)
    return key, texts


def audit_cached(key: str, cache_path: Path | None) -> bool:
    """Whether the cache at ``cache_path`` holds the audit of ``key`` (a cached re-run into a new run
    directory): then no worker is spawned for it."""
    cache = Cache.at(cache_path)
    try:
        return cache.get_derived(key) is not None
    finally:
        cache.close()


def write_flags(run_dir: Path, report: AuditReport) -> None:
    """``audit.json``: the flagged item ids, the submission-level failures that disqualify the whole
    submission (near-constant, templated, mass irrelevance, length cap...), the audit's summary and its
    findings, each with the span of the output that triggered it (what ``harness view`` shows per item);
    atomic write."""
    doc = report.to_dict()
    keys = ("verdict", "n_items", "counts", "findings", "submission")
    doc = {
        "flagged": report.flagged_item_ids(),
        "disqualified": [s.message for s in report.submission if s.severity == "fail"],
        **{k: doc[k] for k in keys},
    }
    path = run_dir / AUDIT_FILE
    atomic.write_text(path, json.dumps(doc, indent=2) + "\n")
