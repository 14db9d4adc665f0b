"""A stage's work as *units*: one coroutine per item (generation) or per judge task (judging).

Why: a backend that computes requests in bulk (:mod:`harness.backends.ray_data`) learns which requests
a stage makes by running these units against a recording client, instead of re-implementing how
prompts, turns and judge games are built. The units are the very calls the stage itself makes, so the
requests it precomputes are exactly the ones the stage will ask for.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, cast

from harness.client import SamplingParams
from harness.generate import ChatClient, finished_ids, generate_one
from harness.pipeline.judging import JudgeTask, _run_task, pending
from harness.records import Item
from harness.store import RunStore

if TYPE_CHECKING:
    from harness.backends.ray_data import ChatSource, Unit


def generation_units(
    items: Sequence[Item], store: RunStore, *, model: str, params: Callable[[Item], SamplingParams]
) -> list[Unit]:
    """One unit per item without a final Output in ``store`` (what ``generate_outputs`` will run)."""
    done = finished_ids(store, model)

    def unit(item: Item) -> Unit:
        async def run(chat: ChatSource) -> object:
            return await generate_one(cast(ChatClient, chat), item, model=model, params=params(item))

        return run

    return [unit(item) for item in items if item.item_id not in done]


def judge_units(tasks: Sequence[JudgeTask], store: RunStore) -> list[Unit]:
    """One unit per judge task still pending in ``store`` (what ``judge_tasks`` will run)."""

    def unit(task: JudgeTask) -> Unit:
        async def run(chat: ChatSource) -> object:
            return await _run_task(task, chat.chat)

        return run

    return [unit(task) for task in pending(tasks, store)]
