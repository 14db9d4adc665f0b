"""WildBench statistics: WB-Score and WB-Reward (with the length penalty K), task groups, weighted macro.

Source of every rule: allenai/WildBench@d6b8dca ``leaderboard/data_dir/_create_tables.py`` and
``_merge_results.py``; paper arXiv:2406.04770 §3.2-3.3 (../shared/reference/methods.md §a).

- Task groups: an item maps to the groups of its primary and secondary tags, deduplicated
  (``TAG_TO_GROUP``); group scores/rewards are over the items of that group.
- Task macro: ``sum(group_value * weight) / sum(ALL weights)`` with ``GROUP_WEIGHTS`` (sum 4.75) —
  the denominator is the sum of all five weights even if a group is absent (upstream behaviour).
- WB-Score: raw score = mean judge score (1-10) over all items; ``adjusted = (mean - 5) * 2``; per group
  ``(mean - 5) * 2`` over items whose output is neither truncated (ends with ``... (truncated)``) nor
  empty; ``avg_len`` = mean character length over those same items. An empty output is scored 1 without
  calling the judge (``src/eval.py``), so a missing score on an empty output becomes 1.
- WB-Reward: model-perspective outcomes +1/+0.5/0/-0.5/-1; a slight win (loss) whose winner is longer than
  the loser by more than K characters becomes a tie, ``++`` never; K = -1 or infinity disables the rule.
  Pairs with a truncated or empty side are skipped but stay in ``total`` (they count as 0). WB-Reward-Mix
  is the mean over the three baselines.

Upstream has no unscored state (a missing score crashes it); here a judgment without a parseable
verdict is unscored: left out of every mean and of ``total``, and counted with its reason.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
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
OUTCOME_VALUES: Mapping[str, float] = {
    "win_much": 1.0,
    "win": 0.5,
    "tie": 0.0,
    "lose": -0.5,
    "lose_much": -1.0,
}
CHOICES = ("A++", "A+", "A=B", "B+", "B++")
WB_REWARD_BASELINES = ("gpt4t", "haiku", "llama")
DEFAULT_K = 500.0


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


def _tags_of(row_tags: object, where: str) -> tuple[str, ...]:
    if is_missing(row_tags) or not isinstance(row_tags, list | tuple | np.ndarray):
        raise BadInput(where, f"expected a list of task tags, got {row_tags!r}")
    return task_groups([str(t) for t in row_tags])


# -------------------------------------------------------------------------------------------- WB-Score


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


def _parse_score(value: object) -> float:
    """A judge score as stored upstream (string "1".."10" or a number); NaN when it cannot be read."""
    if is_missing(value) or isinstance(value, bool):
        return float("nan")
    try:
        number = float(str(value).strip())
    except ValueError:
        return float("nan")
    return number if math.isfinite(number) else float("nan")


def load_score_judgments(path: str | Path, model: str | None = None) -> pd.DataFrame:
    """Upstream ``eval_results/<version>/score.v2/eval=<judge>/<model>.json`` -> session_id, model, score, output.

    ``model`` defaults to the file stem (as upstream names leaderboard rows). A score missing from both
    ``score`` and ``parsed_result.score`` or unreadable stays NaN (unscored later, with its raw value kept
    in ``raw_score``); a missing ``session_id``/``model_output`` is bad input.
    """
    path = Path(path)
    try:
        items = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise BadInput(str(path), f"not JSON ({exc.msg})") from exc
    if not isinstance(items, list):
        raise BadInput(str(path), "expected a JSON list of per-task judgments")
    name = model or path.stem
    records = []
    for index, item in enumerate(items):
        where = f"{path}[{index}]"
        if not isinstance(item, dict):
            raise BadInput(where, "expected a JSON object")
        for key in ("session_id", "model_output"):
            if key not in item:
                raise BadInput(where, f"missing field {key!r}")
        raw = item.get("score")
        if raw is None and isinstance(item.get("parsed_result"), dict):
            raw = item["parsed_result"].get("score")
        output = item["model_output"]
        if isinstance(output, list):
            output = output[0] if output else ""
        if not isinstance(output, str):
            raise BadInput(f"{where}.model_output", f"expected text, got {type(output).__name__}")
        records.append(
            {
                "session_id": str(item["session_id"]),
                "model": name,
                "score": _parse_score(raw),
                "raw_score": raw,
                "output": output,
            }
        )
    return pd.DataFrame.from_records(records, columns=["session_id", "model", "score", "raw_score", "output"])


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
        score = _parse_score(row.score)
        truncated, empty = is_truncated(output), is_empty(output)
        if empty and math.isnan(score):
            score = EMPTY_OUTPUT_SCORE
        n_truncated += truncated
        n_empty += empty
        if not (truncated or empty):
            lengths.append(len(output))
        groups = _tags_of(row.tags, f"wildbench score judgments[{index}].tags") if has_tags else ()
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


# ------------------------------------------------------------------------------------------- WB-Reward


def outcome_from_choice(choice: object, model_side: object) -> str:
    """Model-perspective outcome of a pairwise verdict (``A++`` .. ``B++``) given the model's side A/B."""
    if choice not in CHOICES:
        raise BadInput("wildbench pairwise.choice", f"got {choice!r}; expected one of {list(CHOICES)}")
    if model_side not in ("A", "B"):
        raise BadInput("wildbench pairwise.model_side", f"got {model_side!r}; expected 'A' or 'B'")
    if choice == "A=B":
        return "tie"
    winner_side, much = str(choice)[0], str(choice).endswith("++")
    if winner_side == model_side:
        return "win_much" if much else "win"
    return "lose_much" if much else "lose"


def _check_k(k: float) -> float:
    if k is None or (isinstance(k, float) and math.isnan(k)):
        raise BadInput("wildbench.K", "expected K >= 0, -1 or inf; got NaN")
    if k < 0 and k != -1:
        raise BadInput("wildbench.K", f"expected K >= 0, -1 (no penalty) or inf; got {k}")
    return float(k)


def apply_length_penalty(outcome: str, model_len: int, baseline_len: int, k: float = DEFAULT_K) -> str:
    """Turn a slight win/loss into a tie when its winner is longer than the loser by more than K chars."""
    k = _check_k(k)
    if k < 0 or math.isinf(k):
        return outcome
    if outcome == "win" and model_len > baseline_len + k:
        return "tie"
    if outcome == "lose" and baseline_len > model_len + k:
        return "tie"
    return outcome


def reward_from_counts(counts: Mapping[str, int], total: int | None = None) -> float:
    """``(win_much - lose_much + 0.5 (win - lose)) / total``; ``total`` defaults to the sum of counts."""
    missing = [k for k in OUTCOME_VALUES if k not in counts]
    if missing:
        raise BadInput("wildbench reward counts", f"missing {missing}; expected keys {list(OUTCOME_VALUES)}")
    denominator = sum(counts[k] for k in OUTCOME_VALUES) if total is None else total
    if denominator <= 0:
        raise BadInput("wildbench reward counts", "total must be positive")
    value = (
        counts["win"] * 0.5
        + counts["win_much"] * 1
        + counts["tie"] * 0
        - counts["lose"] * 0.5
        - counts["lose_much"] * 1
    )
    return value / denominator


@dataclass(frozen=True)
class WBReward:
    """One model's WB-Reward against one baseline at length margin K (reward in [-1, 1])."""

    model: str
    k: float
    reward: Estimate
    counts: Mapping[str, int]
    total: int
    n_skipped: int
    avg_len: float
    task_categorized_results: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    task_categorized_rewards: Mapping[str, float] = field(default_factory=dict)
    task_macro_reward: float | None = None


def wb_reward(
    df: pd.DataFrame,
    k: float = DEFAULT_K,
    model: str | None = None,
    n_resamples: int = DEFAULT_RESAMPLES,
    level: float = DEFAULT_LEVEL,
    seed: int = DEFAULT_SEED,
) -> WBReward:
    """WB-Reward of one model vs one baseline from per-item outcomes.

    ``df`` columns: session_id, outcome (one of ``OUTCOME_VALUES`` or missing), model_output,
    baseline_output; optional ``tags``. The interval is an item-level bootstrap over the ``total`` rows.
    """
    require_columns(df, ["session_id", "outcome", "model_output", "baseline_output"], "wildbench pairwise")
    k = _check_k(k)
    has_tags = "tags" in df.columns
    name = model or (str(df["model"].iloc[0]) if "model" in df.columns and len(df) else "")
    counts = dict.fromkeys(OUTCOME_VALUES, 0)
    by_group: dict[str, dict[str, int]] = {}
    values: list[float] = []
    lengths: list[int] = []
    reasons: list[str] = []
    n_skipped = 0
    for index, row in enumerate(df.itertuples(index=False)):
        where = f"wildbench pairwise[{index}]"
        mine, theirs = row.model_output, row.baseline_output
        if not (isinstance(mine, str) and isinstance(theirs, str)):
            raise BadInput(where, "model_output and baseline_output must be text")
        groups = _tags_of(row.tags, f"{where}.tags") if has_tags else ()
        if is_truncated(mine) or is_truncated(theirs) or is_empty(mine) or is_empty(theirs):
            n_skipped += 1
            values.append(0.0)
            continue
        if is_missing(row.outcome):
            reasons.append("missing")
            continue
        if row.outcome not in OUTCOME_VALUES:
            raise BadInput(f"{where}.outcome", f"got {row.outcome!r}; expected one of {list(OUTCOME_VALUES)}")
        label = apply_length_penalty(str(row.outcome), len(mine), len(theirs), k)
        counts[label] += 1
        values.append(OUTCOME_VALUES[label])
        lengths.append(len(mine))
        for group in groups:
            by_group.setdefault(group, dict.fromkeys(OUTCOME_VALUES, 0))[label] += 1
    total = len(values)
    reason_counts = count_reasons(reasons)
    if total == 0:
        nan = Estimate(float("nan"), None, None, 0, len(reasons), reason_counts)
        return WBReward(name, k, nan, counts, 0, n_skipped, float("nan"))
    low = high = None
    if n_resamples > 0:
        low, high = ratio_interval(np.asarray(values), None, n_resamples, level, seed)
    reward = Estimate(reward_from_counts(counts, total), low, high, total, len(reasons), reason_counts)
    group_rewards = {g: reward_from_counts(c) for g, c in by_group.items()}
    return WBReward(
        model=name,
        k=k,
        reward=reward,
        counts=counts,
        total=total,
        n_skipped=n_skipped,
        avg_len=sum(lengths) / len(lengths) if lengths else float("nan"),
        task_categorized_results=by_group,
        task_categorized_rewards=group_rewards,
        task_macro_reward=weighted_task_macro(group_rewards) if has_tags else None,
    )


def mixture_of_rewards(
    rewards: Mapping[str, float],
    baselines: Iterable[str] = WB_REWARD_BASELINES,
    missing_as_zero: bool = False,
) -> float:
    """WB-Reward-Mix: the mean over the baselines (``_merge_results.py mixture_of_rewards``).

    Upstream counts a baseline with no result as 0; that only happens with ``missing_as_zero=True``,
    otherwise a missing or NaN baseline reward is bad input.
    """
    names = list(baselines)
    values: list[float] = []
    for name in names:
        value = rewards.get(name)
        if value is None or math.isnan(value):
            if not missing_as_zero:
                raise BadInput(f"wildbench mixture.{name}", f"no reward; expected one for each of {names}")
            value = 0.0
        values.append(value)
    return sum(values) / len(values)


def load_pairwise_judgments(path: str | Path, baseline: str, model: str | None = None) -> pd.DataFrame:
    """Upstream ``eval_results/<v>/pairwise.v2/eval=<judge>/ref=<baseline>/<model>.json`` -> wb_reward input.

    Each item holds ``model_outputs`` {generator: text}, ``winner`` (a generator id or "tie") and
    ``extent`` (2 = much better, 1 = slightly). A missing winner leaves the outcome missing (unscored).
    """
    path = Path(path)
    try:
        items = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise BadInput(str(path), f"not JSON ({exc.msg})") from exc
    if not isinstance(items, list):
        raise BadInput(str(path), "expected a JSON list of pairwise judgments")
    records = []
    for index, item in enumerate(items):
        where = f"{path}[{index}]"
        outputs = item.get("model_outputs") if isinstance(item, dict) else None
        if not isinstance(outputs, dict) or len(outputs) != 2 or "session_id" not in item:
            raise BadInput(where, "expected session_id and model_outputs with exactly two generators")
        refs = [g for g in outputs if baseline in g]
        if len(refs) != 1:
            raise BadInput(f"{where}.model_outputs", f"expected one generator matching baseline {baseline!r}")
        ref = refs[0]
        test = next(g for g in outputs if g != ref)
        winner, extent = item.get("winner"), item.get("extent")
        outcome: str | None
        if is_missing(winner):
            outcome = None
        elif winner == "tie":
            outcome = "tie"
        elif winner in (test, ref) and extent in (1, 2):
            better = "win" if winner == test else "lose"
            outcome = f"{better}_much" if extent == 2 else better
        else:
            raise BadInput(
                where, f"winner {winner!r} extent {extent!r}; expected {test!r}/{ref!r}/'tie', extent 1|2"
            )
        records.append(
            {
                "session_id": str(item["session_id"]),
                "model": model or path.stem,
                "outcome": outcome,
                "model_output": outputs[test],
                "baseline_output": outputs[ref],
            }
        )
    columns = ["session_id", "model", "outcome", "model_output", "baseline_output"]
    return pd.DataFrame.from_records(records, columns=columns)
