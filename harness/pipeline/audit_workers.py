"""The audit's two worker processes (:mod:`harness.pipeline.worker`), spawned before anything heavy is
imported: what each loads while it waits for its job. Kept apart from :mod:`harness.pipeline.audit_job`
(which imports every detector) so that ``harness judge`` can spawn them first, and from the generic
worker so that it knows nothing of the audit."""

from __future__ import annotations

from harness.pipeline.worker import Worker

# What the audit's two workers load before their jobs come (harness.pipeline.audit_job: one per half of
# the audit): the sentence encoder (the slowest load); the other detectors and every benchmark's judge
# grammar (the registry loads each benchmark's adapter, pandas with some). Here, not there, so that
# ``harness judge`` spawns them before it imports its stages.
AUDIT_WARM = (
    ("harness.pipeline.audit_job:warm_encoder",),
    ("harness.pipeline.audit_job", "harness.audit.judge_specs:all_judges"),  # every benchmark's grammar
)


def spawn_audit() -> tuple[Worker, ...]:
    """The audit's two workers, warming up; their jobs come later (:class:`harness.pipeline.audit_job.Audits`)."""
    return tuple(Worker.spawn(warm) for warm in AUDIT_WARM)
