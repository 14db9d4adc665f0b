"""The static audit of a run's outputs in a second process, started before the first judge call.

Why: on the cold path of ``harness judge`` the audit is the largest CPU cost of the command (the sentence
encoder's load and its sentences, a dozen detectors over every output: seconds for AlpacaEval's 805
outputs), while the judge calls are I/O (the event loop mostly waits on the judge). Everything the audit
reads (the items, the model's finished outputs, the judge config and its template) is known before the
first judge call, so a worker process audits on the other core while the judge answers; the effect check,
which needs the audit's findings, waits for it after the judge calls. Run one after the other, the two
added up (805 pairs: ~5 s of audit after ~1.5 s of judging on a quiet 2-core machine).

The worker computes exactly what :func:`harness.pipeline.flags.audit_outputs` computes in this process
(the same function, on the same inputs, pickled both ways), so the report is the same; a worker that cannot
be started, dies or fails hands the audit back to this process (same result, same errors, only later).
One process audits every run of a command in turn (a sweep loads the encoder once). It is a fresh
interpreter on this one's import path: it inherits no descriptor but its pipes (the run directory's lock
and the stores stay this process's), it reads nothing but its inputs and writes nothing but its reports
(the response cache stays this process's too), and it ignores Ctrl-C (this process stops it on the way
out, :meth:`AuditWorker.close`; a ``kill -9`` of this process leaves it to finish its audit into a closed
pipe and exit).
"""

from __future__ import annotations

import contextlib
import os
import pickle
import subprocess
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass

from harness.audit.findings import AuditReport
from harness.pipeline.flags import audit_outputs
from harness.records import Item, Output

# Below this many outputs the audit in this process costs less than the worker's start (~0.6 s of imports
# on the other core) would save: the small runs of tests and quick checks stay in one process.
MIN_OUTPUTS = 100


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
        return audit_outputs(self.items, self.outputs, self.judge_config, self.template_texts,
                             self.benchmark, self.embeddings)  # fmt: skip


def worthwhile(n_outputs: int) -> bool:
    """Whether a worker pays: enough outputs, and a second core to run it on."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    return n_outputs >= MIN_OUTPUTS and cores >= 2


# The worker's first lines: Ctrl-C is the parent's to handle, the parent's import path, then the loop.
_BOOT = (
    "import signal, sys, pickle; signal.signal(signal.SIGINT, signal.SIG_IGN); "
    "sys.path[:] = pickle.load(sys.stdin.buffer); "
    "from harness.pipeline.audit_job import serve; serve()"
)


def serve() -> None:
    """The worker's loop: read the jobs from stdin, write each one's report (None when it failed) to
    stdout, in order. Whatever else writes to stdout in this process (a library's print) goes to stderr,
    so the reports' stream stays whole."""
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    jobs: list[AuditInputs] = pickle.load(sys.stdin.buffer)
    try:
        for i, job in enumerate(jobs):
            try:
                report: AuditReport | None = job.run()
            except Exception:  # the parent redoes it in-process, where its error surfaces as usual
                report = None
            pickle.dump((i, report), out, protocol=pickle.HIGHEST_PROTOCOL)
            out.flush()
    except (BrokenPipeError, OSError):  # the parent is gone: nobody is waiting for the rest
        pass


class AuditWorker:
    """``worker = AuditWorker.start(jobs)`` ... ``worker.result(i)`` (blocks until job ``i`` is audited)."""

    def __init__(self, jobs: list[AuditInputs]) -> None:
        self.jobs = jobs
        self._results: dict[int, AuditReport | None] = {}
        self._process: subprocess.Popen[bytes] | None = None

    @classmethod
    def start(cls, jobs: list[AuditInputs]) -> AuditWorker:
        """Start the worker (a fresh interpreter: not a fork, nor ``multiprocessing``, which would run the
        caller's main script again in it) and hand it the jobs from a thread, without waiting for it."""
        worker = cls(jobs)
        if not jobs:
            return worker
        payload = pickle.dumps(sys.path) + pickle.dumps(jobs, protocol=pickle.HIGHEST_PROTOCOL)
        try:
            process = subprocess.Popen([sys.executable, "-c", _BOOT], stdin=subprocess.PIPE,
                                       stdout=subprocess.PIPE)  # fmt: skip
        except OSError:  # no process to spare: every audit runs in this process
            return worker
        worker._process = process
        threading.Thread(target=_feed, args=(process, payload), name="audit-feed", daemon=True).start()
        return worker

    def result(self, i: int) -> AuditReport:
        """Job ``i``'s report: the worker's, or computed here when the worker could not deliver it."""
        while i not in self._results and self._process is not None:
            assert self._process.stdout is not None
            try:
                j, report = pickle.load(self._process.stdout)
            except Exception:  # EOF (it died or failed to start), a broken stream: redo it here
                self.close()
                break
            self._results[j] = report
        report = self._results.pop(i, None)
        return report if report is not None else self.jobs[i].run()

    def close(self) -> None:
        """Stop the worker (an audit nobody will read is not finished); idempotent."""
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            process.terminate()
        with contextlib.suppress(Exception):
            process.wait(5)
        for stream in (process.stdin, process.stdout):
            with contextlib.suppress(OSError):
                if stream is not None:
                    stream.close()


def _feed(process: subprocess.Popen[bytes], payload: bytes) -> None:
    assert process.stdin is not None
    with contextlib.suppress(OSError):  # the worker died first: result() finds its EOF
        process.stdin.write(payload)
        process.stdin.close()
