"""The score pipeline: generate -> judge -> statistics -> report, each stage resumable over a run directory.

``harness.pipeline.runner.execute`` runs (or resumes) a whole run and ``figures.report_for`` rewrites its report
files; ``harness.scoring.evaluate.score_run(run_dir)`` recomputes its Scores from the stored records alone
(what ``harness leaderboard`` uses). The package itself imports nothing, so that a light module of it
(``guard``, the headline checks) loads without the judging and generation stages.
"""
