"""MT-Bench's statistic: the pooled mean rating over turns with a question bootstrap interval, and the
turn-1 / turn-2 means (``harness.stats.mt_bench``); judged pairwise, the plain pairwise win rate."""

from __future__ import annotations

from collections import defaultdict

from harness.records import Score
from harness.run.data import RunData, make_score, unscored_counts
from harness.run.statistic import Scored, Statistic, fallback, is_pairwise, single_frame
from harness.stats.mt_bench import single_scores


def mt_bench_scores(data: RunData) -> list[Score]:
    frame, reasons = single_frame(data)
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


def mt_bench_mean(data: RunData) -> Scored:
    if is_pairwise(data):
        return fallback(data)
    return Scored(mt_bench_scores(data))


MT_BENCH_MEAN = Statistic(mt_bench_mean, canary_floor=2.0, description="mean 1-10 rating over both turns")
