"""Scoring one model on the original and on the clean variant with the same judge, into two run directories.

This is the part of ``harness score`` the contamination report needs (answers, then judgments), kept
minimal and resumable the same way: outputs and judgments are appended per item, and a re-run judges only
what is missing. Supported judges: single-answer ratings, and pairwise judges against the item's first
baseline (AlpacaEval style); every item is judged on its first turn's template (pick a ``*_multi_turn``
judge config to judge MT-Bench's second turn).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from benchmarks._base import Benchmark
from harness.client import ChatRequest, Completion, SamplingParams
from harness.errors import BadInput
from harness.generate import ChatClient, generate_outputs
from harness.records import Item, Judgment, Output
from harness.store import RunStore, is_final
from judges import Judge, PairwiseJudge, SingleJudge


@dataclass(frozen=True)
class ScoreSummary:
    items: int
    answered: int
    judged: int  # items with at least one stored judgment (scored or not)
    answer_errors: int


def _opponent(item: Item, baselines: Sequence[str]) -> Output:
    for name in baselines:
        if name in item.baselines:
            return Output(item_id=item.item_id, model=name, turns=item.baselines[name])
    raise BadInput(f"item {item.item_id}.baselines", "this pairwise judge needs a baseline answer")


def _judged(store: RunStore, judge: str, model: str) -> set[str]:
    return {
        j.item_id
        for j in store.load("judgments", Judgment)
        if is_final(j) and j.judge == judge and j.model == model
    }


async def score_items(
    items: Sequence[Item],
    bench: Benchmark,
    model_client: ChatClient,
    model: str,
    judge: Judge,
    judge_client: ChatClient,
    store: RunStore,
    *,
    max_in_flight: int = 4,
) -> ScoreSummary:
    """Answer the missing items, then judge the answered items not yet judged; returns the counts."""
    if not isinstance(judge, SingleJudge | PairwiseJudge):
        raise BadInput("--judge", "contamination scoring supports single and pairwise judges")

    def params(item: Item) -> SamplingParams:
        return bench.sampling(item)

    await generate_outputs(
        items, model_client, store, model=model, params=params, max_in_flight=max_in_flight
    )
    by_id = {item.item_id: item for item in items}
    outputs = {
        o.item_id: o
        for o in store.load("outputs", Output)
        if o.model == model and is_final(o) and o.item_id in by_id
    }
    done = _judged(store, judge.name, model)
    limit = asyncio.Semaphore(max(1, max_in_flight))

    async def caller(request: ChatRequest) -> Completion:
        return await judge_client.chat(request)

    async def run(output: Output) -> None:
        item = by_id[output.item_id]
        async with limit:
            if isinstance(judge, SingleJudge):
                judgments = [await judge.judge(caller, item, output)]
            else:
                outcome = await judge.judge(caller, item, output, _opponent(item, bench.baselines_for(item)))
                judgments = outcome.judgments
        for judgment in judgments:
            store.append("judgments", judgment)

    async with asyncio.TaskGroup() as group:
        for output in outputs.values():
            if output.item_id not in done:
                group.create_task(run(output))
    return ScoreSummary(
        items=len(items),
        answered=len(outputs),
        judged=len(_judged(store, judge.name, model)),
        answer_errors=len(items) - len(outputs),
    )
