"""WildBench's statistic: WB-Score ``(mean - 5) * 2 * 10`` (the official board's WB_score) with an item bootstrap interval; judged
pairwise with WildBench's own judge (``wildbench_pairwise``), WB-Reward x100 against each baseline at the
length margin K (``--wb-k``, default 500) and WB-Reward-Mix, their mean over the three upstream baselines,
as the headline. Another pairwise judge gets the plain pairwise win rate."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

import pandas as pd

from benchmarks._registry import get_benchmark
from benchmarks.wildbench.reward import is_wb_reward_judge
from harness.records import Score
from harness.run.data import RunData, make_score, unscored_counts
from harness.run.statistic import (
    FIT_ERRORS,
    Scored,
    Statistic,
    fallback,
    is_pairwise,
    single_frame,
)
from harness.stats.wildbench import wb_score
from harness.stats.wildbench_reward import (
    BASELINE_MODELS,
    DEFAULT_K,
    WB_REWARD_BASELINES,
    WBReward,
    mixture_interval,
    mixture_of_rewards,
    outcome_from_choice,
    wb_reward,
)


def wildbench_scores(data: RunData) -> list[Score]:
    frame, reasons = single_frame(data)
    counts = unscored_counts(len(frame), reasons, data)
    extra: dict[str, Any] = {"headline": True, "level": 0.95}
    if frame.empty:
        return [make_score(data, "wb_score", None, extra=extra, **counts)]
    frame = frame.rename(columns={"question_id": "session_id"})
    frame["output"] = [data.outputs[i].turns[-1] if i in data.outputs else "" for i in frame["session_id"]]
    result = wb_score(frame, model=data.config.model_name)
    adjusted, raw = result.wb_score, result.score
    return [
        make_score(
            data,
            "wb_score",
            adjusted.value,
            ci_lower=adjusted.ci_lower,
            ci_upper=adjusted.ci_upper,
            extra=extra | {"avg_len": result.avg_len},
            **counts,
        ),  # fmt: skip
        make_score(data, "wb_score_raw", raw.value, ci_lower=raw.ci_lower, ci_upper=raw.ci_upper, **counts),
    ]


WB_REWARD_SCALE = 100.0  # upstream's leaderboard shows rewards x100 (``_merge_results.py``)
SIDE_OF_MODEL = {"model_first": "A", "baseline_first": "B"}  # judges.pairwise: model_first = shown as A


def _wb_reward_rows(data: RunData) -> tuple[dict[str, list[dict[str, Any]]], dict[str, list[str]]]:
    """Per opponent: one wb_reward input row per pairwise judgment, and the reasons of those left out."""
    rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
    left_out: dict[str, list[str]] = defaultdict(list)
    for j in data.judgments:
        output = data.outputs.get(j.item_id)
        if j.protocol != "pairwise" or output is None:  # an item without an answer counts as no_output
            continue
        opponent = str(j.opponent)
        base = data.baselines.get((j.item_id, opponent))
        if base is None:
            left_out[opponent].append("no_baseline_output")
            continue
        scored = j.status == "scored" and j.verdict is not None
        rows[opponent].append(
            {
                "session_id": j.item_id,
                "outcome": outcome_from_choice(j.verdict, SIDE_OF_MODEL.get(str(j.order)))
                if scored
                else None,
                "reason": None if scored else str(j.reason or "unscored"),
                "model_output": output.turns[-1] if output.turns else "",
                "baseline_output": base.turns[-1] if base.turns else "",
                "forced_loss": bool(j.metadata.get("flagged")) and j.metadata.get("on_flag") == "loss",
            }
        )
    return rows, left_out


def wildbench_reward_scores(data: RunData) -> tuple[list[Score], list[str]]:
    """WB-Reward against each baseline at the run's length margin K, and WB-Reward-Mix as the headline.

    Upstream: ``_create_tables.py`` (pairwise mode) and ``_merge_results.py`` of allenai/WildBench@d6b8dca,
    computed by :mod:`harness.stats.wildbench_reward`. A Judgment's ``verdict`` is the judge's choice
    (``A++`` .. ``B++``) in the prompt's frame and its ``order`` says where the model was (``model_first``:
    response A), so the model's outcome is :func:`outcome_from_choice` of the two. K compares the
    character lengths of the two stored answers, as upstream's ``len(model_outputs[...])``; a pair with a
    truncated or empty answer counts 0 in the total whatever the verdict. Figures are x100 as on
    upstream's leaderboard. The headline is the mean over gpt-4-turbo, claude-3-haiku and Llama-2-70b-chat
    when the run has all three, else the reward against the run's only baseline. Task macros need the
    task tags, which a run directory does not keep: not reported.
    """
    k = DEFAULT_K if data.config.wb_k is None else float(data.config.wb_k)
    k_label = int(k)
    rows, left_out = _wb_reward_rows(data)
    configured = (
        data.config.baselines
        or get_benchmark(data.config.benchmark).spec.version(data.config.version).baselines
    )
    baselines = list(configured) + sorted((set(rows) | set(left_out)) - set(configured))
    key_of = {model: key for key, model in BASELINE_MODELS.items()}
    columns = ["session_id", "outcome", "reason", "model_output", "baseline_output", "forced_loss"]
    scale, level = WB_REWARD_SCALE, 0.95
    results: dict[str, WBReward] = {}
    per_baseline: list[Score] = []
    counts_of: dict[str, dict[str, Any]] = {}
    for baseline in baselines:
        result = wb_reward(
            pd.DataFrame(rows.get(baseline, []), columns=columns), k=k, model=data.config.model_name
        )
        est = result.reward
        reasons = [r for r, n in est.unscored_reasons.items() for _ in range(n)] + left_out.get(baseline, [])
        counts_of[baseline] = unscored_counts(result.total, reasons, data)
        results[baseline] = result
        extra = {"baseline": baseline, "K": k_label, "level": level, "counts": dict(result.counts),
                 "n_skipped_truncated_or_empty": result.n_skipped, "avg_len": result.avg_len}  # fmt: skip
        per_baseline.append(
            make_score(
                data,
                f"wb_reward_{key_of.get(baseline, baseline)}",
                scale * est.value,
                ci_lower=None if est.ci_lower is None else scale * est.ci_lower,
                ci_upper=None if est.ci_upper is None else scale * est.ci_upper,
                extra=extra,
                **counts_of[baseline],
            )
        )
    penalty = "no length penalty" if k_label < 0 else f"length margin K={k_label} characters"
    notes = [f"WB-Reward: {penalty} (--wb-k); x100"]
    head_extra: dict[str, Any] = {"headline": True, "K": k_label, "level": level}
    mix = [BASELINE_MODELS[key] for key in WB_REWARD_BASELINES]
    if set(mix) <= set(baselines):
        head_extra |= {
            "baselines": mix,
            "interval": "bootstrap over sessions, the three baselines' pairs together",
        }
        counts = {"n_scored": sum(counts_of[b]["n_scored"] for b in mix),
                  "n_unscored": sum(counts_of[b]["n_unscored"] for b in mix),
                  "unscored_reasons": dict(sum((Counter(counts_of[b]["unscored_reasons"]) for b in mix), Counter()))}  # fmt: skip
        value: float | None = None
        low: float | None = None
        high: float | None = None
        try:
            value = mixture_of_rewards(
                {key: scale * results[m].reward.value for key, m in BASELINE_MODELS.items()}
            )
            interval = mixture_interval([results[m] for m in mix])
            low, high = scale * interval[0], scale * interval[1]
        except FIT_ERRORS as exc:
            head_extra["unavailable"] = f"WB-Reward-Mix: {str(exc).splitlines()[0]}"
            notes.append(head_extra["unavailable"])
        headline = make_score(
            data, "wb_reward", value, ci_lower=low, ci_upper=high, extra=head_extra, **counts
        )
    elif len(baselines) == 1:
        only = per_baseline[0]
        headline = only.model_copy(update={"metric": "wb_reward", "extra": only.extra | head_extra})
    else:
        head_extra["unavailable"] = (
            f"WB-Reward-Mix needs the baselines {', '.join(mix)}; see the per-baseline rewards"
        )
        headline = make_score(data, "wb_reward", None, extra=head_extra, **unscored_counts(0, [], data))
        notes.append(head_extra["unavailable"])
    return [headline, *per_baseline], notes


def wildbench(data: RunData) -> Scored:
    wb_reward_judge = is_wb_reward_judge(data.config.judge_config)
    if wb_reward_judge and (is_pairwise(data) or not data.judgments):
        scores, notes = wildbench_reward_scores(data)
        return Scored(scores, notes)
    if is_pairwise(data):
        return fallback(data)
    return Scored(wildbench_scores(data))


WB_SCORE = Statistic(
    wildbench, canary_floor=-80.0, description="WB-Score (single) or WB-Reward-Mix (pairwise)"
)
