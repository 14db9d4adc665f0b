"""Arena-Hard bootstrap speed: 100 rounds for 30 synthetic models x 500 questions x 2 games (target >= 20 rounds/s).

Called by ``bench/stats_speed.py`` as ``run(...)``; ``python bench/bt_bootstrap_speed.py`` prints the result.
Times the v0.1 leaderboard (full-data BT fit + the vectorised bootstrap), with row and question resampling,
and, for comparison, the upstream-compatible draws (global-RNG ``randint`` per round, same batched fit).
"""

from __future__ import annotations

import json
import time
from typing import Any

import numpy as np
import pandas as pd

from harness.stats.arena_scores import Bootstrap, score_v01

LABELS = ["A>>B", "A>B", "A=B", "B>A", "B>>A"]


def synthetic_judgments(n_models: int, n_questions: int, seed: int = 0) -> pd.DataFrame:
    """Canonical judgment frame: model m beats the baseline with a per-model verdict distribution."""
    rng = np.random.default_rng(seed)
    frames = []
    for m in range(n_models):
        skill = rng.normal(0.0, 1.0)
        # game-1 verdict probabilities (A = baseline): shift mass towards B>>A for stronger models
        logits = np.array([-1.0, 0.0, 0.3, 0.0, -1.0]) + skill * np.array([-2.0, -1.0, 0.0, 1.0, 2.0])
        p = np.exp(logits) / np.exp(logits).sum()
        g1 = rng.choice(5, size=n_questions, p=p)
        g2 = 4 - rng.choice(5, size=n_questions, p=p)  # game 2 mirrored: model is A
        labels = np.array(LABELS, dtype=object)
        frames.append(
            pd.DataFrame(
                {
                    "question_id": np.tile([f"q{q}" for q in range(n_questions)], 2),
                    "model": f"model-{m:02d}",
                    "baseline": "baseline",
                    "game": np.repeat([1, 2], n_questions),
                    "label": np.concatenate([labels[g1], labels[g2]]),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def _time(judgments: pd.DataFrame, spec: Bootstrap) -> float:
    start = time.perf_counter()
    score_v01(judgments, baseline="baseline", bootstrap=spec)
    return time.perf_counter() - start


def run(n_models: int = 30, n_questions: int = 500, rounds: int = 100) -> dict[str, Any]:
    """Seconds and rounds/s of the v0.1 leaderboard with ``rounds`` bootstrap rounds (best of 3 runs)."""
    judgments = synthetic_judgments(n_models, n_questions)
    score_v01(judgments, baseline="baseline", bootstrap=Bootstrap(rounds=2))  # warm-up
    result: dict[str, Any] = {
        "n_models": n_models,
        "n_questions": n_questions,
        "games": 2,
        "rounds": rounds,
    }
    modes = {
        "rows": Bootstrap(rounds=rounds),
        "questions": Bootstrap(rounds=rounds, resample="questions"),
        "upstream_compatible": Bootstrap(rounds=rounds, upstream_compatible=True),
    }
    for name, spec in modes.items():
        seconds = min(_time(judgments, spec) for _ in range(3))
        result[f"{name}_seconds"] = round(seconds, 4)
        result[f"{name}_rounds_per_s"] = round(rounds / seconds, 1)
    result["seconds"] = result["rows_seconds"]
    result["rounds_per_s"] = result["rows_rounds_per_s"]
    result["target_rounds_per_s"] = 20
    result["meets_target"] = result["rounds_per_s"] >= 20
    return result


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
