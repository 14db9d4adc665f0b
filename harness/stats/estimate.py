"""The figure every statistic in this package returns, and the input checks they share.

An ``Estimate`` carries its counts beside the value because the design (docs/design.md,
"Records") never lets an unscored judgment pass silently as a zero or a loss: its rate is printed
beside every figure. The column checks turn a malformed table into ``BadInput`` naming what was
expected, instead of a ``KeyError`` deep inside pandas.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import pandas as pd

from harness.errors import BadInput


@dataclass(frozen=True)
class Estimate:
    """A value with an optional interval, and how many rows it rests on (and why others were left out)."""

    value: float
    ci_lower: float | None = None
    ci_upper: float | None = None
    n_scored: int = 0
    n_unscored: int = 0
    unscored_reasons: Mapping[str, int] = field(default_factory=dict)

    @property
    def unscored_rate(self) -> float:
        total = self.n_scored + self.n_unscored
        return self.n_unscored / total if total else 0.0


def require_columns(df: pd.DataFrame, columns: Iterable[str], where: str) -> None:
    """Raise ``BadInput`` naming every missing column and the full expected set."""
    expected = list(columns)
    missing = [c for c in expected if c not in df.columns]
    if missing:
        raise BadInput(where, f"missing column(s) {missing}; expected columns {expected}")


def count_reasons(reasons: Iterable[str]) -> dict[str, int]:
    """Tally unscored reasons into a plain, sorted dict (stable in reports and tests)."""
    return dict(sorted(Counter(reasons).items()))


def is_missing(value: object) -> bool:
    """True for None and float NaN (pandas' NA included), the two ways a judgment goes missing."""
    if value is None or value is pd.NA:
        return True
    return isinstance(value, float) and math.isnan(value)


def numeric_column(series: pd.Series, where: str) -> pd.Series:
    """Floats from a column; missing stays NaN (to be counted unscored), but text that is no number fails.

    A label such as ``"win"`` where a number was expected is a wrong format, not a missing judgment.
    """
    numbers = pd.to_numeric(series, errors="coerce").astype(float)
    wrong = numbers.isna() & series.notna()
    if wrong.any():
        first = series[wrong].iloc[0]
        raise BadInput(
            where, f"expected numbers (NaN/None = missing), got {first!r} in {int(wrong.sum())} row(s)"
        )
    return numbers
