"""The judge stage: (item, output, opponent) -> Judgment records, resumable from ``judgments.jsonl``.

A *task* is one judge question about one item: a pairwise comparison of the model's output with one
baseline's (all games of its position strategy), or one single-answer rating, per turn where the
benchmark judges turns separately (MT-Bench). Resume contract, as for generation
(docs/design.md, "Resume contract"): a task whose every expected judgment (each order of its strategy) is
already stored as a *final* record is skipped with no request; unscored judgments are final too (a
parse failure is the judge's answer, re-asking would only hit the cache) except ``api_error``, which is
retried by the next run. Each judgment is appended and fsync'ed as soon as its task finishes. A PORTIA
task stores the two judgments of its last stage (2 or 4 judge calls); when either order failed with an API
error both are stored as ``api_error``, so the pair is asked again whole (``judges/pairwise.py``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass

from harness._writer import StoreWriter, write_all
from harness.client import RoleCounters
from harness.errors import BadInput
from harness.pipeline.guard import ProtocolProbe
from harness.progress import run_with_progress
from harness.records import Item, Judgment, Output
from harness.run.config import JudgeSet
from harness.store import RunStore, default_key, is_final
from judges.protocol import Caller, Judge


@dataclass(frozen=True)
class JudgeTask:
    item: Item
    output: Output
    opponent: Output | None  # None for a single-answer judge
    turn: int | None
    judge: Judge
    judge_id: str
    question: tuple[int, str] | None = None  # TICK: (index, text) of the one checklist question asked

    def expected_keys(self) -> list[Hashable]:
        """The store keys of the judgments this task writes (one per order for a pairwise judge)."""
        protocol = self.judge.record_kind
        opponent = self.opponent.model if self.opponent is not None else None
        tail = () if self.question is None else (self.question[0],)  # harness.store.default_key
        return [
            (self.item.item_id, self.output.model, opponent, self.judge_id, protocol, order, self.turn, *tail)
            for order in self.judge.orders(self.item)
        ]


@dataclass(frozen=True)
class JudgeSummary:
    tasks: int
    skipped: int  # every judgment already final in the run directory
    judged: int  # tasks run by this call
    judgments: int  # judgment records written by this call
    api_errors: int  # of those, unscored for an API error (retried by the next run)


def baseline_output(item: Item, baseline: str) -> Output:
    """A baseline's answer to ``item`` as an Output (what the judge compares the model against)."""
    turns = item.baselines.get(baseline)
    if not turns:
        raise BadInput(f"item {item.item_id}", f"no answer of baseline {baseline!r} to compare against")
    return Output(item_id=item.item_id, model=baseline, turns=list(turns))


def judge_turns(item: Item, multi_turn: bool) -> list[int | None]:
    """MT-Bench-style benchmarks judge each turn (1-based); others judge the whole answer once."""
    if multi_turn and len(item.turns) > 1:
        return list(range(1, len(item.turns) + 1))
    return [1] if multi_turn else [None]


def plan_tasks(
    items: Sequence[Item],
    outputs: dict[str, Output],
    judges: JudgeSet,
    baselines_for: Callable[[Item], Sequence[str]],
    *,
    multi_turn: bool,
    checklists: dict[str, list[str]] | None = None,
) -> list[JudgeTask]:
    """Every task of the run, in item order; items without a finished output are left out (reported).
    The judge's protocol says which tasks one (item, turn) asks (:meth:`judges.protocol.Judge.tasks`): a
    pairwise judge one per baseline, a checklist judge (TICK) one per question of the item's stored
    checklist (``checklists``; an item without a usable checklist has no task, scoring counts it as
    unscored), others one."""
    tasks: list[JudgeTask] = []
    for item in items:
        output = outputs.get(item.item_id)
        if output is None:
            continue
        for turn in judge_turns(item, multi_turn):
            judge = judges.for_task(item, turn)
            ident = judges.judge_id(judge)
            opponents: list[Output] = []
            if judge.pairwise:
                names = list(baselines_for(item))
                if not names:
                    raise BadInput(f"item {item.item_id}", "a pairwise judge needs a baseline (--baseline)")
                opponents = [baseline_output(item, name) for name in names]
            questions = (checklists or {}).get(item.item_id, []) if judge.asks_checklists else []
            for opponent, question in judge.tasks(opponents, questions):
                tasks.append(JudgeTask(item, output, opponent, turn, judge, ident, question))
    return tasks


async def _run_task(task: JudgeTask, caller: Caller) -> list[Judgment]:
    judgments = await task.judge.run(caller, task.item, task.output, task.opponent, task.turn, task.question)
    for judgment in judgments:
        judgment.judge = task.judge_id
        if task.item.category is not None:
            judgment.metadata.setdefault("category", task.item.category)
    return judgments


def final_keys(store: RunStore) -> set[Hashable]:
    return {default_key(j) for j in store.load("judgments", Judgment) if is_final(j)}


def pending(tasks: Sequence[JudgeTask], store: RunStore) -> list[JudgeTask]:
    """The tasks with an expected judgment not yet final in ``store`` (what a run still has to do)."""
    final = final_keys(store)
    return [t for t in tasks if not all(k in final for k in t.expected_keys())]


def probe_for(tasks: Sequence[JudgeTask], max_unscored: float) -> ProtocolProbe | None:
    """The early stop on a judge that cannot answer the protocol (off with ``--max-unscored 1``)."""
    if max_unscored >= 1.0 or not tasks:
        return None
    return ProtocolProbe(needs_logprobs=tasks[0].judge.needs_logprobs, total_tasks=len(tasks))


async def judge_tasks(
    tasks: Sequence[JudgeTask],
    caller: Caller,
    store: RunStore,
    *,
    max_in_flight: int = 64,
    on_task_done: Callable[[int], None] | None = None,
    probe: ProtocolProbe | None = None,
) -> JudgeSummary:
    """Run the tasks not yet final in ``store``; append each task's judgments when it finishes. With a
    ``probe``, its first tasks are judged (and stored) before the others start, and the probe may stop the
    run there (:class:`~harness.pipeline.guard.ProtocolProbe`)."""
    final = final_keys(store)
    todo = [t for t in tasks if not all(k in final for k in t.expected_keys())]
    skipped = len(tasks) - len(todo)
    done, written, api_errors = skipped, 0, 0
    limit = asyncio.Semaphore(max(1, max_in_flight))
    probed: list[Judgment] = []

    async def run(writer: StoreWriter, task: JudgeTask) -> None:
        nonlocal done, written, api_errors
        async with limit:
            judgments = await _run_task(task, caller)
        # an order already final stays as it is (e.g. a strategy widened from random to both)
        new = [j for j in judgments if default_key(j) not in final]
        await writer.append(new)  # fsync'ed off the event loop (harness/_writer.py)
        probed.extend(new)
        written += len(new)
        api_errors += sum(j.reason == "api_error" for j in new)
        done += 1
        if on_task_done is not None:
            on_task_done(done)

    rest = todo
    if probe is not None:
        await write_all(store, "judgments", todo[: probe.tasks], run)
        probe.check(probed)
        rest = todo[probe.tasks :]
    await write_all(store, "judgments", rest, run)
    return JudgeSummary(len(tasks), skipped, len(todo), written, api_errors)


async def judge_with_progress(
    tasks: Sequence[JudgeTask],
    caller: Caller,
    counters: RoleCounters,
    store: RunStore,
    *,
    max_in_flight: int = 64,
    label: str = "judge",
    probe: ProtocolProbe | None = None,
) -> JudgeSummary:
    """:func:`judge_tasks` with the progress bar (tasks done, judge requests, retries, cache hits) on stderr."""

    final = final_keys(store)
    done = sum(all(k in final for k in t.expected_keys()) for t in tasks)
    return await run_with_progress(
        label, len(tasks), done, counters,
        lambda on_done: judge_tasks(
            tasks, caller, store, max_in_flight=max_in_flight, on_task_done=on_done, probe=probe
        ),
    )  # fmt: skip
