"""The statistic registry (``STATISTICS``) and the records a statistic deals in (:class:`Statistic`,
:class:`Scored`), apart from the statistics themselves.

Light on purpose (records and the registry only, no numpy, pandas or run-data code): a benchmark package
registers its statistic here as a lazy ``"module:object"`` entry when it is imported, and importing a
benchmark to read its upstream files must not load the scoring layer. The statistics any benchmark falls
back to live in :mod:`harness.run.statistic`, registered lazily below like every other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from harness.errors import BadInput
from harness.records import Score
from harness.registry import Registry

if TYPE_CHECKING:
    from harness.run.data import RunData


@dataclass
class Scored:
    """A statistic's answer: its Scores (headline first, ``extra["headline"]``) and notes for the report."""

    scores: list[Score]
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Statistic:
    """A registered statistic: ``compute(records) -> Scored``, and the canary's floor for its headline (a
    null model's figure above it means the judge can be gamed, ``harness.audit.canary``)."""

    compute: Callable[[RunData], Scored]
    canary_floor: float
    description: str = ""


def _statistic(name: str, obj: Any) -> Statistic:
    if not isinstance(obj, Statistic):
        raise BadInput(
            f"statistic {name!r}", f"is a {type(obj).__name__}, not a harness.run.statistic.Statistic"
        )
    return obj


STATISTICS: Registry[Statistic] = Registry("statistic", group="harness.statistics", check=_statistic)
STATISTICS.add("win_rate", "harness.run.statistic:WIN_RATE")
