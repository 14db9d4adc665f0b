"""Judges: protocols (pairwise, single, checklist), position strategies, strict parsers, upstream templates.

Public entry points: :func:`load_judge` (by config name, see ``judges/configs``), :func:`judge_names`, the
protocol classes (a protocol is a :class:`Judge` subclass registered in :data:`JUDGE_PROTOCOLS`), and
:data:`PARSERS`. The LLM call is injected: every ``judge`` coroutine takes a
``caller(ChatRequest) -> Completion`` (``harness.client``'s ``chat``).

The names are imported on first use (PEP 562), so that importing one light module of the package, say
``judges.hardening`` for the command line's choices, does not pull in the HTTP client and numpy.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from judges._call import Caller
    from judges.checklist import ChecklistJudge, ChecklistResult, GeneratedChecklist
    from judges.config import judge_names, load_judge
    from judges.pairwise import PairOutcome, PairwiseJudge
    from judges.parsers import PARSERS, Parsed
    from judges.position import PositionSpec, consistency_rate
    from judges.protocol import JUDGE_PROTOCOLS, Judge, JudgeConfig, JudgeOptions
    from judges.single import SingleJudge
    from judges.templates import JudgeTemplate

_LAZY = {
    "Caller": "judges._call",
    "ChecklistJudge": "judges.checklist",
    "ChecklistResult": "judges.checklist",
    "GeneratedChecklist": "judges.checklist",
    "Judge": "judges.protocol",
    "JUDGE_PROTOCOLS": "judges.protocol",
    "JudgeConfig": "judges.protocol",
    "JudgeOptions": "judges.protocol",
    "judge_names": "judges.config",
    "load_judge": "judges.config",
    "PairOutcome": "judges.pairwise",
    "PairwiseJudge": "judges.pairwise",
    "PARSERS": "judges.parsers",
    "Parsed": "judges.parsers",
    "PositionSpec": "judges.position",
    "consistency_rate": "judges.position",
    "SingleJudge": "judges.single",
    "JudgeTemplate": "judges.templates",
}

__all__ = [
    "JUDGE_PROTOCOLS",
    "PARSERS",
    "Caller",
    "ChecklistJudge",
    "ChecklistResult",
    "GeneratedChecklist",
    "Judge",
    "JudgeConfig",
    "JudgeOptions",
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


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'judges' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
