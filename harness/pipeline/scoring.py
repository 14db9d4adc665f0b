"""Stored judgments -> the benchmark's statistic -> :class:`~harness.records.Score` records.

Pure over the run directory (``run.json`` config, ``outputs.jsonl``, ``judgments.jsonl``):
:func:`score_run` recomputes every figure from the records alone, which is what ``harness leaderboard``
calls and what makes a report reproducible. Each benchmark keeps its upstream statistic:

- ``alpaca_eval``: raw win rate (+SE), discrete win rate and the length-controlled win rate
  (``harness.stats.lc_glm``; γ looked up by the item id, which is the eval-set row position, so a
  ``--limit`` run uses the right instructions' difficulty). With few items the GLM may not be fittable:
  LC is then reported as unavailable with the reason, never a crash or a made-up number.
- ``demo``: the win rate with a 95% item bootstrap interval (no LC: γ exists only for AlpacaEval).
- ``arena_hard``: v0.1 Bradley-Terry win rate vs the baseline, 95% bootstrap; v2.0 mean outcome, 90%.
- ``mt_bench``: pooled mean rating with a question bootstrap interval, and the turn-1 / turn-2 means.
- ``wildbench``: WB-Score adjusted ``(mean - 5) * 2`` with an item bootstrap interval.

Any other judge on a benchmark (a pairwise judge on MT-Bench, say) gets the plain pairwise win rate.
Unscored judgments are counted by reason beside every figure, and an item the model has no finished
answer for is unscored as ``no_output`` (a generation failure is not a loss either).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from harness.errors import BadInput
from harness.pipeline.config import RunConfig
from harness.records import Judgment, Output, Score
from harness.stats.bootstrap import ratio_interval
from harness.store import RunStore, is_final
from judges.position import side

MIDPOINT = {"signed": 0.0, "preference": 1.5}
FIT_ERRORS = (BadInput, ValueError, ArithmeticError, np.linalg.LinAlgError)


@dataclass
class RunData:
    """What scoring reads: the config, the expected item ids and the final records."""

    config: RunConfig
    item_ids: list[str]
    outputs: dict[str, Output]  # the model's finished outputs by item id
    baselines: dict[tuple[str, str], Output]  # (item_id, baseline) -> its answer
    judgments: list[Judgment]
    output_errors: int = 0


@dataclass
class RunResult:
    scores: list[Score]
    consistency: dict[str, Any] | None
    coverage: dict[str, int]
    notes: list[str] = field(default_factory=list)


def load_run(run_dir: str | Path) -> RunData:
    store = RunStore(run_dir)
    info = store.read_run_json()
    if info is None:
        raise BadInput(str(run_dir), "no run.json: not a harness run directory")
    config = RunConfig.from_json(info.config, str(store.run_json))
    item_ids = [str(i) for i in info.dataset.get("item_ids", [])]
    outputs: dict[str, Output] = {}
    baselines: dict[tuple[str, str], Output] = {}
    errors = 0
    for output in store.load("outputs", Output):
        if output.model == config.model_name:
            if is_final(output):
                outputs[output.item_id] = output
            else:
                errors += 1
        else:
            baselines[(output.item_id, output.model)] = output
    judgments = [j for j in store.load("judgments", Judgment) if j.model == config.model_name]
    if not item_ids:
        item_ids = list(outputs)
    return RunData(config, item_ids, outputs, baselines, judgments, errors)


def score_run(run_dir: str | Path) -> list[Score]:
    """Every Score of a run directory, recomputed from its records (the leaderboard's entry point)."""
    return evaluate(load_run(run_dir)).scores


# ---- per-unit aggregation ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PairUnit:
    """All games of one (item, opponent, turn): the model-frame values of the scored ones."""

    item_id: str
    opponent: str
    turn: int | None
    scale: str
    values: tuple[float, ...]
    by_order: dict[str, float]
    reasons: tuple[str, ...]

    @property
    def value(self) -> float | None:
        return sum(self.values) / len(self.values) if self.values else None

    @property
    def win(self) -> float | None:
        """Win probability of the model in [0, 1]: a preference minus 1, or win/tie/loss by side."""
        value = self.value
        if value is None:
            return None
        if self.scale == "preference":
            return value - 1.0
        return (side(value, 0.0) + 1) / 2


def pair_units(judgments: list[Judgment]) -> list[PairUnit]:
    groups: dict[tuple[str, str, int | None], list[Judgment]] = defaultdict(list)
    for j in judgments:
        if j.protocol == "pairwise":
            groups[(j.item_id, str(j.opponent), j.turn)].append(j)
    units = []
    for (item_id, opponent, turn), games in groups.items():
        scored = [g for g in games if g.status == "scored" and g.score is not None]
        scale = str(games[0].metadata.get("scale", "signed"))
        units.append(
            PairUnit(
                item_id,
                opponent,
                turn,
                scale,
                tuple(float(g.score) for g in scored if g.score is not None),
                {str(g.order): float(g.score) for g in scored if g.score is not None},
                tuple(str(g.reason or "unscored") for g in games if g not in scored),
            )
        )
    return units


def unit_reason(unit: PairUnit) -> str:
    return unit.reasons[0] if unit.reasons else "unscored"


def position_consistency(units: list[PairUnit]) -> dict[str, Any] | None:
    """Share of pairs judged in both orders whose two verdicts put the same side ahead (or both tie);
    ``first_position_bias`` = (first-shown won both - second-shown won both) / pairs, as in
    ``harness.stats.agreement``. None when no pair was judged in both orders."""
    both = [u for u in units if len(u.by_order) == 2]
    attempted = [u for u in units if len(u.by_order) + len(u.reasons) >= 2]
    if not attempted:
        return None
    agree = first = second = 0
    for unit in both:
        mid = MIDPOINT.get(unit.scale, 0.0)
        s_bf = side(unit.by_order["baseline_first"], mid)  # +1: the model (shown second) is ahead
        s_mf = side(unit.by_order["model_first"], mid)  # +1: the model (shown first) is ahead
        agree += s_bf == s_mf
        first += (s_bf, s_mf) == (-1, 1)
        second += (s_bf, s_mf) == (1, -1)
    n = len(both)
    return {
        "consistency": agree / n if n else None,
        "n_pairs": n,
        "n_pairs_unscored": len(attempted) - n,
        "first_position_bias": (first - second) / n if n else None,
    }


# ---- the statistics ----------------------------------------------------------------------------------


def _score(data: RunData, metric: str, value: float | None, **kw: Any) -> Score:
    extra = dict(kw.pop("extra", {}))
    if value is None or (isinstance(value, float) and math.isnan(value)):
        extra.setdefault("unavailable", "no scored judgment")
        value = math.nan
    return Score(
        benchmark=data.config.benchmark,
        model=data.config.model_name,
        metric=metric,
        value=float(value),
        judge=data.config.judge_config + "@" + data.config.judge_model,
        extra=extra,
        **kw,
    )


def _counts(n_scored: int, reasons: list[str], data: RunData) -> dict[str, Any]:
    """n_scored, n_unscored and reasons, with items the model has no answer for as ``no_output``."""
    missing = [i for i in data.item_ids if i not in data.outputs]
    all_reasons = reasons + ["no_output"] * len(missing)
    return {
        "n_scored": n_scored,
        "n_unscored": len(all_reasons),
        "unscored_reasons": dict(Counter(all_reasons)),
    }


def _win_rate_scores(data: RunData, units: list[PairUnit], headline: str) -> list[Score]:
    """Plain pairwise win rate (ties half) with a 95% item bootstrap interval (demo, any pair judge)."""
    wins = [u.win for u in units if u.win is not None]
    reasons = [unit_reason(u) for u in units if u.win is None]
    counts = _counts(len(wins), reasons, data)
    if not wins:
        return [_score(data, headline, None, extra={"headline": True}, **counts)]
    y = np.asarray(wins, dtype=float)
    low, high = ratio_interval(y) if y.size > 1 else (None, None)
    discrete = np.where(y == 0.5, 0.5, np.round(y))
    return [
        _score(
            data,
            headline,
            100 * float(y.mean()),
            ci_lower=None if low is None else 100 * low,
            ci_upper=None if high is None else 100 * high,
            standard_error=100 * float(y.std(ddof=1) / math.sqrt(y.size)) if y.size > 1 else None,
            extra={"headline": True, "level": 0.95},
            **counts,
        ),
        _score(data, "discrete_win_rate", 100 * float(discrete.mean()), **counts),
    ]


def _alpaca_scores(data: RunData, units: list[PairUnit]) -> tuple[list[Score], list[str]]:
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
        counts = _counts(0, [], data)
        return [_score(data, "length_controlled_winrate", None, extra={"headline": True}, **counts)], notes
    frame = pd.DataFrame(rows)
    raw = raw_metrics(frame)
    reasons = [r for r in frame["unscored_reason"] if isinstance(r, str)]
    counts = _counts(raw.n_total, reasons, data)
    lc_value: float | None = None
    lc_extra: dict[str, Any] = {"headline": True}
    ci: tuple[float | None, float | None] = (None, None)
    lc_se: float | None = None
    if data.config.lc_difficulty is None:
        lc_extra["unavailable"] = "no instruction-difficulty file (pass --lc-difficulty CSV)"
    else:
        try:
            full = load_difficulty(data.config.lc_difficulty)
            positions = [int(i) for i in frame["instruction"]]
            if max(positions) >= full.gamma.size:
                raise BadInput(
                    "--lc-difficulty", f"has {full.gamma.size} rows; item id {max(positions)} is beyond"
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
    lc = _score(
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
        _score(data, "win_rate", wr, standard_error=se, extra={"avg_length": raw.avg_length}, **counts),
        _score(data, "discrete_win_rate", raw.discrete_win_rate if raw.n_total else None, **counts),
    ], notes


def _arena_scores(data: RunData) -> tuple[list[Score], list[str]]:
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
    counts = _counts(len(rows) - len(reasons), reasons, data)
    extra: dict[str, Any] = {"headline": True, "level": level, "unit": "games"}
    if not rows or len(reasons) == len(rows):
        return [_score(data, "score", None, extra=extra, **counts)], []
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
        return [_score(data, "score", None, extra=extra, **counts)], [extra["unavailable"]]
    row = next(r for r in table if r.model == data.config.model_name)
    extra["baseline"] = "+".join(baselines)
    return [
        _score(data, "score", row.score, ci_lower=row.ci_lower, ci_upper=row.ci_upper, extra=extra, **counts)
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


def _mt_bench_scores(data: RunData) -> list[Score]:
    from harness.stats.mt_bench import single_scores

    frame, reasons = _single_frame(data)
    result = single_scores(frame).get(data.config.model_name) if len(frame) else None
    turn_reasons: dict[int, list[str]] = defaultdict(list)
    for j in data.judgments:
        if j.protocol == "single" and j.status != "scored":
            turn_reasons[j.turn or 1].append(str(j.reason or "unscored"))
    overall = _counts(len(frame), reasons, data)
    scores = [
        _score(
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
            _score(
                data,
                f"turn_{turn}",
                estimate.value if estimate else None,
                **_counts(n, turn_reasons.get(turn, []), data),
            )
        )
    return scores


def _wildbench_scores(data: RunData) -> list[Score]:
    from harness.stats.wildbench import wb_score

    frame, reasons = _single_frame(data)
    counts = _counts(len(frame), reasons, data)
    extra: dict[str, Any] = {"headline": True, "level": 0.95}
    if frame.empty:
        return [_score(data, "wb_score", None, extra=extra, **counts)]
    frame = frame.rename(columns={"question_id": "session_id"})
    frame["output"] = [data.outputs[i].turns[-1] if i in data.outputs else "" for i in frame["session_id"]]
    result = wb_score(frame, model=data.config.model_name)
    adjusted, raw = result.adjusted_score, result.score
    return [
        _score(
            data,
            "wb_score",
            adjusted.value,
            ci_lower=adjusted.ci_lower,
            ci_upper=adjusted.ci_upper,
            extra=extra | {"avg_len": result.avg_len},
            **counts,
        ),  # fmt: skip
        _score(data, "wb_score_raw", raw.value, ci_lower=raw.ci_lower, ci_upper=raw.ci_upper, **counts),
    ]


def _single_mean(data: RunData) -> list[Score]:
    frame, reasons = _single_frame(data)
    counts = _counts(len(frame), reasons, data)
    value = float(frame["score"].mean()) if len(frame) else None
    low, high = ratio_interval(frame["score"].to_numpy(dtype=float)) if len(frame) > 1 else (None, None)
    return [
        _score(data, "mean_rating", value, ci_lower=low, ci_upper=high, extra={"headline": True}, **counts)
    ]


def statistic_of(config: RunConfig) -> str:
    from benchmarks import get_benchmark

    return get_benchmark(config.benchmark).spec.version(config.version).statistic


def evaluate(data: RunData) -> RunResult:
    """The Scores, position consistency and coverage of one run's records."""
    statistic = statistic_of(data.config)
    units = pair_units(data.judgments)
    pairwise = any(j.protocol == "pairwise" for j in data.judgments) or (
        not data.judgments and statistic in ("lc_win_rate", "win_rate", "bradley_terry")
    )
    notes: list[str] = []
    if pairwise and statistic == "lc_win_rate":
        scores, notes = _alpaca_scores(data, units)
    elif pairwise and statistic == "bradley_terry":
        scores, notes = _arena_scores(data)
    elif pairwise:
        scores = _win_rate_scores(data, units, "win_rate")
    elif statistic == "mt_bench_mean":
        scores = _mt_bench_scores(data)
    elif statistic == "wb_score":
        scores = _wildbench_scores(data)
    else:
        scores = _single_mean(data)
    consistency = position_consistency(units) if pairwise else None
    if consistency is not None and consistency["consistency"] is not None:
        scores.append(
            _score(
                data,
                "position_consistency",
                consistency["consistency"],
                n_scored=consistency["n_pairs"],
                n_unscored=consistency["n_pairs_unscored"],
                extra={"first_position_bias": consistency["first_position_bias"]},
            )
        )
    coverage = {
        "items": len(data.item_ids),
        "outputs": len(data.outputs),
        "output_errors": data.output_errors,
        "judgments": len(data.judgments),
        "judgments_scored": sum(j.status == "scored" for j in data.judgments),
    }
    return RunResult(scores, consistency, coverage, notes)
