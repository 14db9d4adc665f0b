"""Records -> scores, shared by the pipeline (``harness score``) and the leaderboard: :func:`score_run`
recomputes every figure of a run directory from its records alone."""

from harness.scoring.evaluate import RunResult, evaluate, score_run

__all__ = ["RunResult", "evaluate", "score_run"]
