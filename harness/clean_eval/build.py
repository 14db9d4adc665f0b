"""The Clean-Eval build: candidates for every item (resumable), then filter and selection, then the variant.

Per item (``rewrite_item``): generate the candidates (``candidates``). The item's :class:`RewriteRecord`
is appended to the run directory (kind ``rewrites``) as soon as it is complete, so an interrupted build
loses nothing: the next run with the same ``--run-dir`` skips finished items, and the response cache
makes the rewriter calls already answered free. A record with an API error is stored but not final: it
is retried next time, and no variant is written until every item has a final record (an item is never
silently left as the original because of a fault).

Then (``finalize``, pure apart from the embedding model): score and filter each item's candidates
(``filters``) and pick one (``select``). This step is re-run on every build, so a new threshold or
selector costs no rewriter call and the run directory's config names the generation settings only.

An item with no accepted candidate keeps its original turns and is counted (``kept_original``); so are
empty and refused replies, per candidate and per item (``variant_counts``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from harness._writer import StoreWriter, write_all
from harness.clean_eval.candidates import ChatClient, RewriteConfig, generate_candidates
from harness.clean_eval.filters import FilterConfig, SimilarityScorer, score_and_filter
from harness.clean_eval.records import Candidate, RewriteRecord, VariantRow
from harness.clean_eval.select import get_selector
from harness.records import Item
from harness.store import RunStore, is_final

KIND = "rewrites"


@dataclass(frozen=True)
class BuildSummary:
    total: int
    skipped: int  # finished in the run directory before this call
    rewritten: int  # finished by this call (any outcome)
    errors: int  # left incomplete by API errors (retried next time)


def decide(item_id: str, candidates: list[Candidate], selector: str) -> RewriteRecord:
    """The record of one item from its scored candidates (pure): the chosen one and the outcome."""
    chosen = get_selector(selector)(candidates)
    return RewriteRecord(
        item_id=item_id,
        candidates=candidates,
        chosen=chosen.name if chosen else None,
        outcome="rewritten" if chosen else "kept_original",
        selector=selector,
    )


def variant_row(item: Item, record: RewriteRecord) -> VariantRow:
    """The item as the variant holds it: rewritten turns, everything the judge needs unchanged (pure)."""
    chosen = record.chosen_candidate()
    turns = list(chosen.turns) if chosen is not None else list(item.turns)
    provenance = {"outcome": record.outcome, "chosen": record.chosen}
    rewritten = item.model_copy(
        deep=True, update={"turns": turns, "metadata": {**item.metadata, "clean_eval": provenance}}
    )
    return VariantRow(item=rewritten, original_turns=list(item.turns), rewrite=record)


async def rewrite_item(client: ChatClient, item: Item, rewrite: RewriteConfig) -> RewriteRecord:
    """The candidates of one item, as generated; an API error leaves the record not final."""
    candidates = await generate_candidates(client, item.turns, rewrite)
    failed = [c for c in candidates if c.status == "api_error"]
    error = f"{len(failed)} candidate(s) without a reply: {failed[0].detail}" if failed else None
    return RewriteRecord(item_id=item.item_id, candidates=candidates, error=error)


def finished_records(store: RunStore) -> dict[str, RewriteRecord]:
    records = store.load(KIND, RewriteRecord, key=lambda r: r.item_id)
    return {r.item_id: r for r in records if is_final(r)}


async def build_records(
    items: Sequence[Item],
    client: ChatClient,
    store: RunStore,
    *,
    rewrite: RewriteConfig,
    max_in_flight: int = 4,
    on_item_done: Callable[[RewriteRecord], None] | None = None,
) -> BuildSummary:
    """Append a record for every item not finished in ``store``; returns what was done."""
    done = finished_records(store)
    todo = [item for item in items if item.item_id not in done]
    limit = asyncio.Semaphore(max(1, max_in_flight))
    counts = {"rewritten": 0, "errors": 0}

    async def run(writer: StoreWriter, item: Item) -> None:
        async with limit:
            record = await rewrite_item(client, item, rewrite)
        await writer.append([record])  # fsync'ed off the event loop (harness/_writer.py)
        counts["errors" if record.error else "rewritten"] += 1
        if on_item_done is not None:
            on_item_done(record)

    await write_all(store, KIND, todo, run)  # a fatal API error (bad model name) raises its first cause
    return BuildSummary(
        total=len(items),
        skipped=len(items) - len(todo),
        rewritten=counts["rewritten"],
        errors=counts["errors"],
    )


def finalize(
    items: Sequence[Item],
    records: dict[str, RewriteRecord],
    scorer: SimilarityScorer,
    filter_config: FilterConfig,
    selector: str,
) -> list[VariantRow]:
    """Variant rows in item order: each item's stored candidates scored, filtered and one selected.

    Every item must have a final record. Scores are recomputed from the candidate texts, so a record
    stored under other thresholds is decided under the current ones.
    """
    missing = [item.item_id for item in items if item.item_id not in records]
    if missing:
        raise ValueError(f"{len(missing)} item(s) without a finished rewrite, first {missing[0]!r}")
    rows = []
    for item in items:
        scored = score_and_filter(item.turns, records[item.item_id].candidates, scorer, filter_config)
        rows.append(variant_row(item, decide(item.item_id, scored, selector)))
    return rows
