"""The static audit of a run's outputs in two worker processes, running while the judge answers.

Why: on the cold path of ``harness judge`` the audit is the largest CPU cost of the command (the sentence
encoder's load and its sentences, a dozen detectors over every output: seconds for AlpacaEval's 805
outputs), while the judge calls are I/O (the event loop mostly waits on the judge). Run one after the
other, they added up (805 pairs: ~5 s of audit after ~1.5 s of judging on a quiet 2-core machine).
Everything the audit reads (the items, the model's finished outputs, the judge config and its template)
is known before the first judge call, so the audit is split in its two halves of similar cost
(:mod:`harness.audit.run`: the judge-addressed detector with its sentence encoder, and every other
detector), each in a worker (:mod:`harness.pipeline.worker`), and assembled here when the effect check
needs it, after the judge calls. ``harness judge`` spawns the workers before it imports its stages (the
encoder loads meanwhile, :func:`harness.pipeline.audit_workers.spawn_audit`); other runs spawn them after generation.

The report is the one :func:`harness.pipeline.flags.audit_outputs` computes in one process (the same
functions on the same inputs, assembled in the same order); a half the worker cannot deliver is computed
here (same result, same errors, only later).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from harness.audit.addressed import scorer
from harness.audit.embed import default_embedder, default_sentence_encoder
from harness.audit.findings import AuditReport
from harness.audit.inputs import Submission
from harness.audit.run import AuditConfig, AuditPart, addressed_findings, assemble, detector_findings
from harness.pipeline.audit_workers import AUDIT_WARM, spawn_audit
from harness.pipeline.flags import audit_outputs, audit_setup
from harness.pipeline.worker import Worker
from harness.records import Item, Output

PARTS = ("addressed", "detectors")  # the half each worker of AUDIT_WARM does, in its order
assert len(PARTS) == len(AUDIT_WARM)


@dataclass(frozen=True)
class AuditInputs:
    """The arguments of :func:`harness.pipeline.flags.audit_outputs` for one run."""

    items: Sequence[Item]
    outputs: dict[str, Output]
    judge_config: str
    template_texts: list[str]
    benchmark: str
    embeddings: bool

    def run(self) -> AuditReport:
        """The whole audit, in this process."""
        return audit_outputs(self.items, self.outputs, self.judge_config, self.template_texts,
                             self.benchmark, self.embeddings)  # fmt: skip

    def setup(self) -> tuple[Submission, AuditConfig]:
        return audit_setup(self.items, self.outputs, self.judge_config, self.template_texts, self.benchmark)


def warm_encoder() -> None:
    """Load the sentence encoder (its tokenizer and weights load on first use) and embed the detector's
    prototype sentences, as the judge-addressed detector's first call does."""
    scorer(default_sentence_encoder())


@dataclass(frozen=True)
class PartJob:
    """One half of one run's audit, as a worker's job: the submission and the audit's config as this
    process built them (the judge's grammar and template: the encoder's worker loads none of them)."""

    submission: Submission
    config: AuditConfig
    embeddings: bool
    which: str

    def run(self) -> AuditPart:
        if self.which == "addressed":
            return addressed_findings(self.submission, self.config, default_sentence_encoder())
        embedder = default_embedder() if self.embeddings else None
        return detector_findings(self.submission, self.config, embedder)


class Audits:
    """The audits of some runs, handed to the workers at once; :meth:`result` assembles one."""

    def __init__(self, jobs: list[AuditInputs], workers: tuple[Worker, ...] = ()) -> None:
        self.jobs = jobs
        self.workers: tuple[Worker, ...] = ()
        self.parts: list[dict[str, PartJob]] = []
        if not jobs:  # nothing to audit here (the cache has it): workers spawned ahead are not needed
            for worker in workers:
                worker.close()
            return
        for job in jobs:
            try:
                submission, config = job.setup()
            except Exception:  # bad inputs: the audit in this process raises it, where it always did
                self.parts.append({})
                continue
            self.parts.append({w: PartJob(submission, config, job.embeddings, w) for w in PARTS})
        self.workers = workers or spawn_audit()
        for worker, which in zip(self.workers, PARTS, strict=True):
            worker.submit([parts.get(which) for parts in self.parts])

    def result(self, i: int) -> AuditReport:
        """Job ``i``'s report (blocks until both halves are in; a half a worker could not deliver is
        computed here)."""
        jobs = self.parts[i]
        if not jobs:
            return self.jobs[i].run()
        parts = {}
        for worker, which in zip(self.workers, PARTS, strict=True):
            part = worker.result(i)
            parts[which] = part if isinstance(part, AuditPart) else jobs[which].run()
        job = jobs["detectors"]
        return assemble(job.submission, job.config, [parts["detectors"], parts["addressed"]])

    def close(self) -> None:
        for worker in self.workers:
            worker.close()
