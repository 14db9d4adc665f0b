"""Arena-Hard-Auto's statistic: v0.1's Bradley-Terry win rate against the baseline with a 95% bootstrap
interval, v2.0's mean outcome with a 90% one (``harness.stats.arena_scores``), over the run's games."""

from __future__ import annotations

from typing import Any

import pandas as pd

from harness.errors import BadInput
from harness.records import Score
from harness.run.data import RunData, make_score, unscored_counts
from harness.run.statistic import FIT_ERRORS, Scored, Statistic, is_pairwise, single_mean
from harness.stats.arena_scores import score_v01, score_v2


def arena_scores(data: RunData) -> tuple[list[Score], list[str]]:
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


def bradley_terry(data: RunData) -> Scored:
    """Arena-Hard's score when judged pairwise (or not judged yet); a single-answer judge's mean rating."""
    if data.judgments and not is_pairwise(data):
        return Scored(single_mean(data))
    scores, notes = arena_scores(data)
    return Scored(scores, notes)


BRADLEY_TERRY = Statistic(
    bradley_terry,
    canary_floor=5.0,
    description="Bradley-Terry win rate vs the baseline (v0.1), mean outcome (v2.0)",
)
