"""A leaderboard as data: rows with a headline score, its interval and its counts.

Every benchmark's board (``Benchmark.leaderboard``) is a :class:`Leaderboard`; the writers in
``harness.leaderboard.render`` turn it into CSV/Markdown/HTML/PNG. It sits below the benchmarks so that a
benchmark can build its own board. Sorting and number formatting are fixed here so that the same input
always gives byte-identical tables (alpaca_eval rebuilds its CSVs in CI the same way: the table is data).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Row:
    model: str
    score: float
    ci_lower: float | None
    ci_upper: float | None
    n_scored: int
    n_unscored: int
    extra: dict[str, float | int | str | None] = field(default_factory=dict)


@dataclass(frozen=True)
class Leaderboard:
    """``metric`` names the headline (e.g. ``length_controlled_winrate``); ``extra_columns`` orders extras."""

    benchmark: str
    metric: str
    rows: tuple[Row, ...]
    extra_columns: tuple[str, ...] = ()
    interval: str = ""  # e.g. "95% bootstrap percentile" — printed under the table
    notes: tuple[str, ...] = ()

    def sorted_rows(self) -> list[Row]:
        """Descending score, NaN last, ties broken by model name: a total, input-order-free order."""
        return sorted(
            self.rows,
            key=lambda r: (math.isnan(r.score), -r.score if not math.isnan(r.score) else 0.0, r.model),
        )

    @property
    def columns(self) -> list[str]:
        return [
            "rank",
            "model",
            self.metric,
            "ci_lower",
            "ci_upper",
            "n_scored",
            "n_unscored",
            *self.extra_columns,
        ]

    def records(self) -> list[dict[str, float | int | str | None]]:
        """The rows in rank order as plain dicts; a missing figure (None or NaN) is None, so the rows are
        valid JSON."""
        out: list[dict[str, float | int | str | None]] = []
        for rank, row in enumerate(self.sorted_rows(), start=1):
            rec: dict[str, float | int | str | None] = {
                "rank": rank,
                "model": row.model,
                self.metric: row.score,
                "ci_lower": row.ci_lower,
                "ci_upper": row.ci_upper,
                "n_scored": row.n_scored,
                "n_unscored": row.n_unscored,
            }
            for col in self.extra_columns:
                rec[col] = row.extra.get(col)
            out.append({k: None if isinstance(v, float) and math.isnan(v) else v for k, v in rec.items()})
        return out


def format_value(value: float | int | str | None, digits: int = 6) -> str:
    """Fixed formatting: ints as ints, floats rounded to ``digits`` (never locale- or repr-dependent)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        text = f"{value:.{digits}f}"
        return "0." + "0" * digits if text == "-0." + "0" * digits else text
    return str(value)
