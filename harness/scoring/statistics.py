"""Each benchmark's upstream statistic over a run's records, as Score records (see ``scoring``'s docstring).

Fits that can fail on small or degenerate data (the LC GLM, Bradley-Terry) are caught and reported as
unavailable with the reason: a ``--limit 5`` run must still give a readable report.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from typing import Any

import numpy as np
import pandas as pd

from benchmarks.alpaca_eval.difficulty import resolve_difficulty
from harness.errors import BadInput
from harness.records import Score
from harness.run.data import PairUnit, RunData, make_score, unit_reason, unscored_counts
from harness.stats.bootstrap import ratio_interval

FIT_ERRORS = (BadInput, ValueError, ArithmeticError, np.linalg.LinAlgError)


def win_rate_scores(data: RunData, units: list[PairUnit], headline: str) -> list[Score]:
    """Plain pairwise win rate (ties half) with a 95% item bootstrap interval (demo, any pair judge)."""
    wins = [u.win for u in units if u.win is not None]
    reasons = [unit_reason(u) for u in units if u.win is None]
    counts = unscored_counts(len(wins), reasons, data)
    if not wins:
        return [make_score(data, headline, None, extra={"headline": True}, **counts)]
    y = np.asarray(wins, dtype=float)
    low, high = ratio_interval(y) if y.size > 1 else (None, None)
    discrete = np.where(y == 0.5, 0.5, np.round(y))
    return [
        make_score(
            data,
            headline,
            100 * float(y.mean()),
            ci_lower=None if low is None else 100 * low,
            ci_upper=None if high is None else 100 * high,
            standard_error=100 * float(y.std(ddof=1) / math.sqrt(y.size)) if y.size > 1 else None,
            extra={"headline": True, "level": 0.95},
            **counts,
        ),
        make_score(data, "discrete_win_rate", 100 * float(discrete.mean()), **counts),
    ]


def alpaca_scores(data: RunData, units: list[PairUnit]) -> tuple[list[Score], list[str]]:
    from harness.stats.alpaca_annotations import Difficulty, load_difficulty
    from harness.stats.lc_glm import bootstrap_lc_interval, fit_lc_glm, raw_metrics

    by_item = {u.item_id: u for u in units}
    rows = []
    for item_id in data.item_ids:
        output, unit = data.outputs.get(item_id), by_item.get(item_id)
        if output is None or unit is None:
            continue
        base = data.baselines.get((item_id, unit.opponent))
        rows.append(
            {
                "instruction": item_id,
                "output_1": base.turns[0] if base and base.turns else "",
                "output_2": output.turns[0] if output.turns else "",
                "preference": unit.value if unit.value is not None else math.nan,
                "generator_1": unit.opponent,
                "generator_2": data.config.model_name,
                "unscored_reason": None if unit.value is not None else unit_reason(unit),
            }
        )
    notes: list[str] = []
    if not rows:
        counts = unscored_counts(0, [], data)
        return [
            make_score(data, "length_controlled_winrate", None, extra={"headline": True}, **counts)
        ], notes
    frame = pd.DataFrame(rows)
    raw = raw_metrics(frame)
    reasons = [r for r in frame["unscored_reason"] if isinstance(r, str)]
    counts = unscored_counts(raw.n_total, reasons, data)
    lc_value: float | None = None
    lc_extra: dict[str, Any] = {"headline": True}
    ci: tuple[float | None, float | None] = (None, None)
    lc_se: float | None = None
    gamma_file = resolve_difficulty(data.config.lc_difficulty, data.config.data)
    if gamma_file.path is None:
        lc_extra["unavailable"] = f"no instruction-difficulty file: {gamma_file.reason}"
    else:
        try:
            full = load_difficulty(gamma_file.path)
            lc_extra["difficulty"] = gamma_file.source
            positions = [int(i) for i in frame["instruction"]]
            if max(positions) >= full.gamma.size:
                raise BadInput(
                    gamma_file.source, f"has {full.gamma.size} rows; item id {max(positions)} is beyond"
                )
            difficulty = Difficulty(
                gamma=full.gamma[positions], instructions=tuple(full.instructions[p] for p in positions)
            )
            fit = fit_lc_glm(frame, difficulty)
            lc_value, lc_se = fit.length_controlled_winrate, fit.lc_standard_error
            ci = bootstrap_lc_interval(frame, difficulty, n_boot=200)
            lc_extra |= {"C": fit.C, "theta": fit.coefficients.theta, "phi": fit.coefficients.phi,
                         "beta": fit.coefficients.beta, "level": 0.95, "interval": "bootstrap over instructions (200)"}  # fmt: skip
        except FIT_ERRORS as exc:
            reason = str(exc).split("\n")[0]
            lc_extra["unavailable"] = f"LC GLM not fittable: {reason}"
            notes.append(f"length-controlled win rate unavailable: {reason}")
    lc = make_score(
        data,
        "length_controlled_winrate",
        lc_value,
        ci_lower=ci[0],
        ci_upper=ci[1],
        standard_error=lc_se,
        extra=lc_extra,
        **counts,
    )
    wr = raw.win_rate if raw.n_total else None
    se = raw.standard_error if raw.n_total > 1 else None
    return [
        lc,
        make_score(data, "win_rate", wr, standard_error=se, extra={"avg_length": raw.avg_length}, **counts),
        make_score(data, "discrete_win_rate", raw.discrete_win_rate if raw.n_total else None, **counts),
    ], notes


def arena_scores(data: RunData) -> tuple[list[Score], list[str]]:
    from harness.stats.arena_scores import score_v01, score_v2

    rows = [
        {
            "question_id": j.item_id,
            "model": j.model,
            "baseline": str(j.opponent),
            "game": 1 if j.order == "baseline_first" else 2,
            "label": j.verdict if j.status == "scored" and isinstance(j.verdict, str) else None,
            "reason": j.reason,
        }
        for j in data.judgments
        if j.protocol == "pairwise"
    ]
    reasons = [str(r["reason"] or "unscored") for r in rows if r["label"] is None]
    v2 = data.config.version.startswith("v2")
    level = 0.90 if v2 else 0.95
    counts = unscored_counts(len(rows) - len(reasons), reasons, data)
    extra: dict[str, Any] = {"headline": True, "level": level, "unit": "games"}
    if not rows or len(reasons) == len(rows):
        return [make_score(data, "score", None, extra=extra, **counts)], []
    frame = pd.DataFrame(rows).drop(columns=["reason"])
    baselines = sorted(set(frame["baseline"]))
    try:
        if v2:
            # v2.0's raw score is the mean outcome over all games, whichever category baseline they face
            frame["baseline"] = baselines[0] if len(baselines) == 1 else "+".join(baselines)
            table = score_v2(frame, baseline=str(frame["baseline"].iloc[0]), level=level)
        else:
            if len(baselines) != 1:
                raise BadInput("--baseline", f"Arena-Hard v0.1 scores against one baseline, got {baselines}")
            table = score_v01(frame, baseline=baselines[0], level=level)
    except FIT_ERRORS as exc:
        extra["unavailable"] = f"not fittable: {str(exc).splitlines()[0]}"
        return [make_score(data, "score", None, extra=extra, **counts)], [extra["unavailable"]]
    row = next(r for r in table if r.model == data.config.model_name)
    extra["baseline"] = "+".join(baselines)
    return [
        make_score(
            data, "score", row.score, ci_lower=row.ci_lower, ci_upper=row.ci_upper, extra=extra, **counts
        )
    ], []


def _single_frame(data: RunData) -> tuple[pd.DataFrame, list[str]]:
    rows, reasons = [], []
    for j in data.judgments:
        if j.protocol != "single":
            continue
        if j.status == "scored" and j.score is not None:
            rows.append({"question_id": j.item_id, "model": j.model, "turn": j.turn or 1, "score": j.score})
        else:
            reasons.append(str(j.reason or "unscored"))
    return pd.DataFrame(rows, columns=["question_id", "model", "turn", "score"]), reasons


def mt_bench_scores(data: RunData) -> list[Score]:
    from harness.stats.mt_bench import single_scores

    frame, reasons = _single_frame(data)
    result = single_scores(frame).get(data.config.model_name) if len(frame) else None
    turn_reasons: dict[int, list[str]] = defaultdict(list)
    for j in data.judgments:
        if j.protocol == "single" and j.status != "scored":
            turn_reasons[j.turn or 1].append(str(j.reason or "unscored"))
    overall = unscored_counts(len(frame), reasons, data)
    scores = [
        make_score(
            data,
            "mt_bench_score",
            result.overall.value if result else None,
            ci_lower=result.overall.ci_lower if result else None,
            ci_upper=result.overall.ci_upper if result else None,
            extra={"headline": True, "level": 0.95, "unit": "turn ratings"},
            **overall,
        )
    ]
    for turn in (1, 2):
        estimate = result.turns.get(turn) if result else None
        n = int((frame["turn"] == turn).sum()) if len(frame) else 0
        scores.append(
            make_score(
                data,
                f"turn_{turn}",
                estimate.value if estimate else None,
                **unscored_counts(n, turn_reasons.get(turn, []), data),
            )
        )
    return scores


def wildbench_scores(data: RunData) -> list[Score]:
    from harness.stats.wildbench import wb_score

    frame, reasons = _single_frame(data)
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


def single_mean(data: RunData) -> list[Score]:
    frame, reasons = _single_frame(data)
    counts = unscored_counts(len(frame), reasons, data)
    value = float(frame["score"].mean()) if len(frame) else None
    low, high = ratio_interval(frame["score"].to_numpy(dtype=float)) if len(frame) > 1 else (None, None)
    return [
        make_score(
            data, "mean_rating", value, ci_lower=low, ci_upper=high, extra={"headline": True}, **counts
        )
    ]


WB_REWARD_SCALE = 100.0  # upstream's leaderboard shows rewards x100 (``_merge_results.py``)
SIDE_OF_MODEL = {"model_first": "A", "baseline_first": "B"}  # judges.pairwise: model_first = shown as A


def _wb_reward_rows(data: RunData) -> tuple[dict[str, list[dict[str, Any]]], dict[str, list[str]]]:
    """Per opponent: one wb_reward input row per pairwise judgment, and the reasons of those left out."""
    from harness.stats.wildbench_reward import outcome_from_choice

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
    from benchmarks import get_benchmark
    from harness.stats.wildbench_reward import (
        BASELINE_MODELS,
        DEFAULT_K,
        WB_REWARD_BASELINES,
        WBReward,
        mixture_interval,
        mixture_of_rewards,
        wb_reward,
    )

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
