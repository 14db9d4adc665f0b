"""The score pipeline: generate -> judge -> statistics -> report, each stage resumable over a run directory.

``execute`` runs (or resumes) a whole run; ``score_run(run_dir)`` recomputes its Scores from the stored
records alone (what ``harness leaderboard`` uses); ``report_for`` rewrites its report files.
"""

from harness.pipeline.judging import JudgeSummary, JudgeTask, judge_tasks, plan_tasks
from harness.pipeline.runner import RunOptions, RunOutcome, execute, report_for
from harness.run.config import JudgeSet, RunConfig, variant_name
from harness.scoring.evaluate import RunResult, evaluate, load_run, score_run

__all__ = [
    "JudgeSet",
    "JudgeSummary",
    "JudgeTask",
    "RunConfig",
    "RunOptions",
    "RunOutcome",
    "RunResult",
    "evaluate",
    "execute",
    "judge_tasks",
    "load_run",
    "plan_tasks",
    "report_for",
    "score_run",
    "variant_name",
]
