"""Judges: protocols (pairwise, single, checklist), position strategies, strict parsers, upstream templates.

Public entry points: :func:`load_judge` (by config name, see ``judges/configs``), :func:`judge_names`, the
protocol classes, and :data:`PARSERS`. The LLM call is injected: every ``judge`` coroutine takes a
``caller(ChatRequest) -> Completion`` (``harness.client``'s ``chat``).
"""

from judges._call import Caller
from judges.checklist import ChecklistJudge, ChecklistResult, GeneratedChecklist
from judges.config import Judge, judge_names, load_judge
from judges.pairwise import PairOutcome, PairwiseJudge
from judges.parsers import PARSERS, Parsed
from judges.position import PositionSpec, consistency_rate
from judges.single import SingleJudge
from judges.templates import JudgeTemplate

__all__ = [
    "PARSERS",
    "Caller",
    "ChecklistJudge",
    "ChecklistResult",
    "GeneratedChecklist",
    "Judge",
    "JudgeTemplate",
    "PairOutcome",
    "PairwiseJudge",
    "Parsed",
    "PositionSpec",
    "SingleJudge",
    "consistency_rate",
    "judge_names",
    "load_judge",
]
