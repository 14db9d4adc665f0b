"""WildBench WB-Reward: pairwise outcomes vs a baseline, the length penalty K, and WB-Reward-Mix.

Source: allenai/WildBench@d6b8dca ``leaderboard/data_dir/_create_tables.py`` (pairwise mode) and
``_merge_results.py``; paper arXiv:2406.04770 §3.2; README "Mitigating Length Bias"
(docs/statistics.md, "WildBench").

- Outcomes from the model's side: much better +1, slightly better +0.5, tie 0, slightly worse -0.5,
  much worse -1; the judge sees one random A/B order (no swap).
- Length penalty K: a slight win (loss) whose winner is longer than the loser by more than K characters
  becomes a tie; ``A++``/``B++`` are never converted; K = -1 (upstream's spelling) or infinity disables
  it. Default 500 (HF-space ``DEFAULT_K``, paper Table 3).
- ``reward = sum(values) / total`` where ``total`` counts the pairs skipped for a truncated or empty side
  (they contribute 0). Task groups and the weighted macro are those of ``harness.stats.wildbench``.
- WB-Reward-Mix: the mean of the rewards against gpt-4-turbo, claude-3-haiku and Llama-2-70b-chat.

Upstream has no unscored state; here a pair without a verdict is unscored: out of ``total``, counted.
Upstream reports no interval either: each reward gets an item bootstrap (:func:`wb_reward`) and the mix a
bootstrap over sessions that resamples the three baselines' pairs together (:func:`mixture_interval`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from harness.errors import BadInput
from harness.stats.bootstrap import (
    DEFAULT_LEVEL,
    DEFAULT_RESAMPLES,
    DEFAULT_SEED,
    percentile_interval,
    ratio_interval,
    resample_counts,
)
from harness.stats.estimate import Estimate, count_reasons, is_missing, require_columns
from harness.stats.wildbench import is_empty, is_truncated, tags_to_groups, weighted_task_macro

OUTCOME_VALUES: Mapping[str, float] = {
    "win_much": 1.0,
    "win": 0.5,
    "tie": 0.0,
    "lose": -0.5,
    "lose_much": -1.0,
}
CHOICES = ("A++", "A+", "A=B", "B+", "B++")
WB_REWARD_BASELINES = ("haiku", "llama", "gpt4t")  # upstream summation order: (H + L + G) / 3
# The baselines' generator names (``_create_tables.py`` ``ref_model`` per ``pairwise-<key>`` action).
BASELINE_MODELS: Mapping[str, str] = {
    "gpt4t": "gpt-4-turbo-2024-04-09",
    "haiku": "claude-3-haiku-20240307",
    "llama": "Llama-2-70b-chat-hf",
}
DEFAULT_K = 500.0


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
    item_values: tuple[tuple[str, float], ...] = ()  # (session_id, value) of each row in ``total``


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
    baseline_output; optional ``tags``, optional ``reason`` (why an outcome is missing, counted in
    ``unscored_reasons``; default "missing"), and optional ``forced_loss``: the pair's outcome was set to
    a loss because the audit flagged the model's answer (``--on-flag loss``). Upstream skips (counts 0)
    a pair whose answer is empty or ends in the truncation mark; the model controls that text, so a
    flagged answer is not skipped for it (else an empty or "truncated" null model would score 0, above
    every real model's negative reward against gpt-4-turbo). The interval is an item-level bootstrap
    over the ``total`` rows.
    """
    require_columns(df, ["session_id", "outcome", "model_output", "baseline_output"], "wildbench pairwise")
    k = _check_k(k)
    has_tags, has_reason, has_forced = (
        "tags" in df.columns,
        "reason" in df.columns,
        "forced_loss" in df.columns,
    )
    name = model or (str(df["model"].iloc[0]) if "model" in df.columns and len(df) else "")
    counts = dict.fromkeys(OUTCOME_VALUES, 0)
    by_group: dict[str, dict[str, int]] = {}
    values: list[float] = []
    sessions: list[str] = []
    lengths: list[int] = []
    reasons: list[str] = []
    n_skipped = 0
    for index, row in enumerate(df.itertuples(index=False)):
        where = f"wildbench pairwise[{index}]"
        mine, theirs = row.model_output, row.baseline_output
        if not (isinstance(mine, str) and isinstance(theirs, str)):
            raise BadInput(where, "model_output and baseline_output must be text")
        groups = tags_to_groups(row.tags, f"{where}.tags") if has_tags else ()
        forced = has_forced and bool(row.forced_loss)
        if (
            ((is_truncated(mine) or is_empty(mine)) and not forced)
            or is_truncated(theirs)
            or is_empty(theirs)
        ):
            n_skipped += 1
            values.append(0.0)
            sessions.append(str(row.session_id))
            continue
        if is_missing(row.outcome):
            reason = row.reason if has_reason else None
            reasons.append(reason if isinstance(reason, str) and reason else "missing")
            continue
        if row.outcome not in OUTCOME_VALUES:
            raise BadInput(f"{where}.outcome", f"got {row.outcome!r}; expected one of {list(OUTCOME_VALUES)}")
        label = apply_length_penalty(str(row.outcome), len(mine), len(theirs), k)
        counts[label] += 1
        values.append(OUTCOME_VALUES[label])
        sessions.append(str(row.session_id))
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
        item_values=tuple(zip(sessions, values, strict=True)),
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


def mixture_interval(
    results: Sequence[WBReward],
    n_resamples: int = DEFAULT_RESAMPLES,
    level: float = DEFAULT_LEVEL,
    seed: int = DEFAULT_SEED,
) -> tuple[float, float]:
    """Percentile interval of the mean of several rewards, resampling sessions (not pairs) with replacement.

    Upstream gives the mix no interval. The rewards against the three baselines share their sessions (and
    the model's answers), so they are correlated: a session drawn in a resample brings its pairs against
    every baseline, and each replicate is the mean of the replicated rewards ``sum(values)/rows``, one per
    baseline (a session judged in both orders brings both rows).
    """
    if not results or any(not r.item_values for r in results):
        raise BadInput("wildbench mixture interval", "every baseline needs at least one counted pair")
    sessions = sorted({s for r in results for s, _ in r.item_values})
    index = {s: i for i, s in enumerate(sessions)}
    counts = resample_counts(len(sessions), n_resamples, seed)
    replicates = np.zeros(n_resamples)
    for result in results:
        num, den = np.zeros(len(sessions)), np.zeros(len(sessions))
        for session, value in result.item_values:
            num[index[session]] += value
            den[index[session]] += 1.0
        with np.errstate(invalid="ignore", divide="ignore"):
            replicates += (counts @ num) / (counts @ den)
    return percentile_interval(replicates / len(results), level)
