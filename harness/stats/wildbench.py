"""WildBench WB-Score, the task-group taxonomy and the weighted task macro shared with WB-Reward.

Source of every rule: allenai/WildBench@d6b8dca ``leaderboard/data_dir/_create_tables.py`` and
``_merge_results.py``; paper arXiv:2406.04770 §3.2-3.3 (docs/statistics.md, "WildBench").

- Task groups: an item maps to the groups of its primary and secondary tags, deduplicated
  (``TAG_TO_GROUP``); group scores/rewards are over the items of that group.
  Tags come from the HF dataset ``allenai/WildBench`` v2 (``primary_tag`` + ``secondary_tags``): the
  per-task judgment files do not carry them, so callers pass them in a ``tags`` column.
- Task macro: ``sum(group_value * weight) / sum(ALL weights)`` with ``GROUP_WEIGHTS`` (sum 4.75) —
  the denominator is the sum of all five weights even if a group is absent (upstream behaviour).
- WB-Score: raw score = mean judge score (1-10) over all items; ``adjusted = (mean - 5) * 2``; per group
  ``(mean - 5) * 2`` over items whose output is neither truncated (ends with ``... (truncated)``) nor
  empty; ``avg_len`` = mean character length over those same items. An empty output is scored 1 without
  calling the judge (``src/eval.py``), so a missing score on an empty output becomes 1.
- WB-Reward (pairwise, length penalty K, mixture) lives in ``harness.stats.wildbench_reward``.

The per-task judgment files are read by ``benchmarks.wildbench.upstream``; this module reads no file.
Upstream has no unscored state (a missing score crashes it); here a judgment without a parseable
score is unscored: left out of every mean and counted with its reason (``total`` still counts rows).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from harness.errors import BadInput
from harness.stats.bootstrap import DEFAULT_LEVEL, DEFAULT_RESAMPLES, DEFAULT_SEED, ratio_interval
from harness.stats.estimate import Estimate, count_reasons, is_missing, require_columns

TAG_TO_GROUP: Mapping[str, str] = {
    "Information seeking": "Information/Advice seeking",
    "Advice seeking": "Information/Advice seeking",
    "Reasoning": "Planning & Reasoning",
    "Planning": "Planning & Reasoning",
    "Math": "Math & Data Analysis",
    "Data Analysis": "Math & Data Analysis",
    "Coding & Debugging": "Coding & Debugging",
    "Creative Writing": "Creative Tasks",
    "Editing": "Creative Tasks",
    "Brainstorming": "Creative Tasks",
    "Role playing": "Creative Tasks",
    "Others": "Creative Tasks",
}
GROUP_WEIGHTS: Mapping[str, float] = {
    "Creative Tasks": 0.5,
    "Planning & Reasoning": 1.25,
    "Math & Data Analysis": 1.0,
    "Information/Advice seeking": 0.75,
    "Coding & Debugging": 1.25,
}
TRUNCATION_MARK = "... (truncated)"
EMPTY_PLACEHOLDER = "[This model response is empty.]"
EMPTY_OUTPUT_SCORE = 1.0


def task_groups(tags: Sequence[str]) -> tuple[str, ...]:
    """Groups of one task from its tags (primary first), deduplicated in order of first appearance."""
    groups: list[str] = []
    for tag in tags:
        if tag not in TAG_TO_GROUP:
            raise BadInput(
                "wildbench.tags", f"unknown task tag {tag!r}; expected one of {sorted(TAG_TO_GROUP)}"
            )
        group = TAG_TO_GROUP[tag]
        if group not in groups:
            groups.append(group)
    return tuple(groups)


def weighted_task_macro(values: Mapping[str, float]) -> float:
    """Weighted task macro over groups, divided by the sum of all weights (``_create_tables.py``)."""
    unknown = sorted(set(values) - set(GROUP_WEIGHTS))
    if unknown:
        raise BadInput("wildbench.task_groups", f"unknown groups {unknown}; expected {list(GROUP_WEIGHTS)}")
    return sum(values[g] * GROUP_WEIGHTS[g] for g in values) / sum(GROUP_WEIGHTS.values())


def is_truncated(output: str) -> bool:
    return output.endswith(TRUNCATION_MARK)


def is_empty(output: str) -> bool:
    return len(output) == 0 or output == EMPTY_PLACEHOLDER


def tags_to_groups(row_tags: object, where: str) -> tuple[str, ...]:
    if is_missing(row_tags) or not isinstance(row_tags, list | tuple | np.ndarray):
        raise BadInput(where, f"expected a list of task tags, got {row_tags!r}")
    return task_groups([str(t) for t in row_tags])


# -------------------------------------------------------------------------------------------- WB-Score


LEADERBOARD_SCALE = 10.0  # the official board's WB_score = (mean - 5) * 2 * 10 (_merge_results.py)


@dataclass(frozen=True)
class WBScore:
    """One model's WB-Score figures; ``task_*`` are empty/None when no tags were given."""

    model: str
    score: Estimate
    adjusted_score: Estimate
    task_categorized_scores: Mapping[str, float]
    task_macro_score: float | None
    total: int
    avg_len: float
    n_truncated: int
    n_empty: int

    @property
    def wb_score(self) -> Estimate:
        """WB_score as the official leaderboard shows it: the adjusted score x ``LEADERBOARD_SCALE``
        (``_merge_results.py``: ``WB_score = adjusted_score * 10``; range -80..100), interval scaled alike."""
        a, k = self.adjusted_score, LEADERBOARD_SCALE
        return Estimate(
            a.value * k,
            None if a.ci_lower is None else a.ci_lower * k,
            None if a.ci_upper is None else a.ci_upper * k,
            a.n_scored,
            a.n_unscored,
            a.unscored_reasons,
        )

    def to_leaderboard_row(self) -> dict[str, Any]:
        """The row as upstream ``leaderboard/data_dir/score.json`` writes it."""
        return {
            "model": self.model,
            "score": self.score.value,
            "adjusted_score": self.adjusted_score.value,
            "task_macro_score": self.task_macro_score,
            "adjusted_task_macro_score": self.task_macro_score,
            "task_categorized_scores": dict(self.task_categorized_scores),
            "total": self.total,
            "avg_len": self.avg_len,
        }


def parse_score(value: object) -> float:
    """A judge score as stored upstream (string "1".."10" or a number); NaN when it cannot be read."""
    if is_missing(value) or isinstance(value, bool):
        return float("nan")
    try:
        number = float(str(value).strip())
    except ValueError:
        return float("nan")
    return number if math.isfinite(number) else float("nan")


def wb_score(
    df: pd.DataFrame,
    model: str | None = None,
    n_resamples: int = DEFAULT_RESAMPLES,
    level: float = DEFAULT_LEVEL,
    seed: int = DEFAULT_SEED,
) -> WBScore:
    """WB-Score of one model from per-task judgments (columns session_id, score, output; optional tags).

    The interval is an item-level percentile bootstrap of the raw mean (and its adjusted transform).
    """
    require_columns(df, ["session_id", "score", "output"], "wildbench score judgments")
    has_tags = "tags" in df.columns
    name = model or (str(df["model"].iloc[0]) if "model" in df.columns and len(df) else "")
    scores: list[float] = []
    reasons: list[str] = []
    lengths: list[int] = []
    by_group: dict[str, list[float]] = {}
    n_truncated = n_empty = 0
    for index, row in enumerate(df.itertuples(index=False)):
        output = row.output
        if not isinstance(output, str):
            raise BadInput(f"wildbench score judgments[{index}].output", "expected text")
        score = parse_score(row.score)
        truncated, empty = is_truncated(output), is_empty(output)
        if empty and math.isnan(score):
            score = EMPTY_OUTPUT_SCORE
        n_truncated += truncated
        n_empty += empty
        if not (truncated or empty):
            lengths.append(len(output))
        groups = tags_to_groups(row.tags, f"wildbench score judgments[{index}].tags") if has_tags else ()
        if math.isnan(score):
            reasons.append("parse_failure")
            continue
        scores.append(score)
        if not (truncated or empty):
            for group in groups:
                by_group.setdefault(group, []).append(score)
    reason_counts = count_reasons(reasons)
    if not scores:
        nan = Estimate(float("nan"), None, None, 0, len(reasons), reason_counts)
        return WBScore(name, nan, nan, {}, None, len(df), float("nan"), n_truncated, n_empty)
    mean = sum(scores) / len(scores)
    low = high = None
    if n_resamples > 0:
        low, high = ratio_interval(np.asarray(scores), None, n_resamples, level, seed)
    raw = Estimate(mean, low, high, len(scores), len(reasons), reason_counts)
    adjusted = Estimate(
        (mean - 5) * 2,
        None if low is None else (low - 5) * 2,
        None if high is None else (high - 5) * 2,
        len(scores),
        len(reasons),
        reason_counts,
    )
    categorized = {g: (sum(v) / len(v) - 5) * 2 for g, v in by_group.items()}
    macro = weighted_task_macro(categorized) if has_tags else None
    avg_len = sum(lengths) / len(lengths) if lengths else float("nan")
    return WBScore(name, raw, adjusted, categorized, macro, len(df), avg_len, n_truncated, n_empty)
