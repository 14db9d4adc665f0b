"""Stored judgments -> the benchmark's statistic -> :class:`~harness.records.Score` records.

Pure over the run directory (``run.json`` config, ``outputs.jsonl``, ``judgments.jsonl``):
:func:`score_run` recomputes every figure from the records alone, which is what ``harness leaderboard``
calls and what makes a report reproducible. The figures are the benchmark's own statistic (the one its
version names, ``VersionSpec.statistic``, looked up in the statistic registry
``harness.run.registry.STATISTICS``; each benchmark package registers its own), applied after the
``--on-flag`` policy; beside them, the judge's position consistency when pairs were judged in both orders.

The checklist judge (``--judge-config tick``) on any benchmark gets TICK's pass rate and DRFR
(:mod:`harness.scoring.tick`) instead: a protocol of its own, whatever the benchmark.

Unscored judgments are counted by reason beside every figure, and an item the model has no finished
answer for is unscored as ``no_output`` (a generation failure is not a loss either).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from benchmarks import get_benchmark
from harness.records import Judgment, Score
from harness.registry import Lazy
from harness.run.config import RunConfig, is_checklist_judge
from harness.run.data import MIDPOINT, PairUnit, RunData, is_pairwise, load_run, make_score, pair_units
from harness.run.on_flag import apply_on_flag
from harness.run.registry import STATISTICS, Scored, Statistic
from judges.position import side

# TICK's pass rates (pandas), loaded only for a checklist run, like every statistic (STATISTICS' lazy entries)
CHECKLIST_SCORES = Lazy("harness.scoring.tick:checklist_scores")

__all__ = [
    "RunData",
    "RunResult",
    "evaluate",
    "load_run",
    "pair_units",
    "portia_stages",
    "position_consistency",
    "score_run",
]


@dataclass
class RunResult:
    scores: list[Score]
    consistency: dict[str, Any] | None
    coverage: dict[str, int]
    notes: list[str] = field(default_factory=list)


def score_run(run_dir: str | Path) -> list[Score]:
    """Every Score of a run directory, recomputed from its records (the leaderboard's entry point)."""
    return evaluate(load_run(run_dir)).scores


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


def portia_stages(judgments: list[Judgment]) -> dict[str, Any] | None:
    """PORTIA's two stages over its merged pairs (``metadata["portia_stage"]``, ``judges/pairwise.py``):
    how many pairs went on to the semantic stage, how many of those it made position-consistent (the
    "fixed coverage" of docs/judges.md, "PORTIA") and the judge calls both stages took (a continuation retry is a
    call). None when no pair was merged."""
    pairs: dict[tuple[str, str, int | None], list[Judgment]] = defaultdict(list)
    for j in judgments:
        if j.protocol == "pairwise" and "portia_stage" in j.metadata:
            pairs[(j.item_id, str(j.opponent), j.turn)].append(j)
    if not pairs:
        return None
    semantic = [g for g in pairs.values() if any(j.metadata["portia_stage"] == "semantic" for j in g)]
    fixed = 0
    for games in semantic:
        scored = [g for g in games if g.status == "scored" and g.score is not None]
        mid = MIDPOINT.get(str(games[0].metadata.get("scale", "signed")), 0.0)
        fixed += len(scored) == 2 and len({side(float(g.score or 0.0), mid) for g in scored}) == 1
    length_calls = sum(
        int(j.metadata.get("portia_length", {}).get("attempts", 0)) for g in semantic for j in g
    )
    calls = sum(int(j.metadata.get("attempts", 0)) for g in pairs.values() for j in g) + length_calls
    return {
        "n_pairs": len(pairs),
        "n_semantic": len(semantic),
        "n_fixed": fixed,
        "judge_calls": calls,
        "semantic_calls": sum(int(j.metadata.get("attempts", 0)) for g in semantic for j in g),
    }


def statistic_of(config: RunConfig) -> Statistic:
    """The registered statistic of a run's benchmark version (the same for score, sweep, leaderboard,
    canary and Clean-Eval)."""
    return STATISTICS.get(get_benchmark(config.benchmark).spec.version(config.version).statistic)


def evaluate(data: RunData) -> RunResult:
    """The Scores, position consistency and coverage of one run's records, after the ``--on-flag``
    policy has been applied to the judgments of flagged items."""
    flagged = data.flagged & set(data.outputs)
    if data.disqualified and data.config.on_flag != "keep":
        flagged = frozenset(data.outputs)  # a disqualified submission: every item takes the policy
    portia = portia_stages(data.judgments)
    judge_units = pair_units(data.judgments)  # position consistency measures the judge, before the policy
    data = replace(data, judgments=apply_on_flag(data.judgments, frozenset(flagged), data.config.on_flag))
    if is_checklist_judge(data.config.judge_config) or any(j.protocol == "checklist" for j in data.judgments):
        scored = Scored(CHECKLIST_SCORES.load()(data))  # TICK: a protocol of its own, on any benchmark
    else:
        scored = statistic_of(data.config).compute(data)
    scores, notes = list(scored.scores), list(scored.notes)
    pairwise = is_pairwise(data)
    consistency = position_consistency(judge_units) if pairwise else None
    if consistency is not None and portia is not None:
        consistency["portia"] = portia
    if consistency is not None and consistency["consistency"] is not None:
        scores.append(
            make_score(
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
        "flagged": len(flagged),
        "disqualified": int(bool(data.disqualified)),
    }
    if data.disqualified:
        policy = data.config.on_flag
        effect = (
            "scored as it is (--on-flag keep)" if policy == "keep" else f"every item under on-flag {policy}"
        )
        notes.append(f"DISQUALIFIED by the audit: {'; '.join(data.disqualified)}; {effect}")
    if flagged:
        notes.append(
            f"{len(flagged)} item(s) flagged by the audit (audit.json), on-flag policy {data.config.on_flag}"
        )
    return RunResult(scores, consistency, coverage, notes)
