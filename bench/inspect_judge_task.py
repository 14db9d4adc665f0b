"""The peer side of ``bench/judge_peers.py`` for inspect_ai: the same AlpacaEval judge calls as an inspect
eval whose scorer is model-graded. The solver makes no call (the answers already exist, as in an
AlpacaEval judge job); the scorer sends each pair's rendered judge prompt to the judge model and reads
the one-token verdict. Run by judge_peers.py as ``inspect eval bench/inspect_judge_task.py -T
pairs=FILE --model openai/NAME``; the file holds ``[{"id": ..., "prompt": ...}]``.
"""

from __future__ import annotations

import json

from inspect_ai import Task, task
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.model import GenerateConfig, get_model
from inspect_ai.scorer import Score, Target, mean, scorer
from inspect_ai.solver import Generate, TaskState, solver


@solver
def stored_answer():  # type: ignore[no-untyped-def]
    async def solve(state: TaskState, generate: Generate) -> TaskState:
        return state  # the answers are given: nothing to generate

    return solve


@scorer(metrics=[mean()])
def pairwise_verdict():  # type: ignore[no-untyped-def]
    async def score(state: TaskState, target: Target) -> Score:
        judge = get_model()
        config = GenerateConfig(max_tokens=1, temperature=1.0, logprobs=True, top_logprobs=5)
        reply = await judge.generate(state.metadata["prompt"], config=config)
        verdict = reply.completion.strip()
        return Score(value=1.0 if verdict == "M" else 0.0 if verdict == "m" else 0.5, answer=verdict)

    return score


@task
def judge_pairs(pairs: str) -> Task:
    with open(pairs) as fh:
        rows = json.load(fh)
    samples = [Sample(id=row["id"], input=row["id"], metadata={"prompt": row["prompt"]}) for row in rows]
    return Task(dataset=MemoryDataset(samples), solver=stored_answer(), scorer=pairwise_verdict())
