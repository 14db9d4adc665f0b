"""A worker process for CPU work that overlaps the judge calls (the audit: :mod:`harness.pipeline.audit_job`).

Why a process: the work is Python (the GIL would serialise it with the event loop in a thread) and a
second core is there while the event loop waits on the judge. Why a fresh interpreter (``python -c``, not
``fork`` nor ``multiprocessing``): a fork would copy this process's threads and descriptors, and
``multiprocessing``'s ``spawn`` runs the caller's main script again in the child (a script that calls
the harness without an ``if __name__ == "__main__"`` guard would start a second run). The worker inherits
no descriptor but its pipes (the run directory's lock and the stores stay this process's), gets this
process's import path, and ignores Ctrl-C (this process stops it, :meth:`Worker.close`).

A worker is spawned early (``warm``: modules to import and functions to call, such as loading the
sentence encoder, while this process still reads its inputs and imports its stages) and handed its jobs
later (:meth:`Worker.submit`): picklable objects with a ``run()`` method, run in order, each result
pickled back. A job that fails in the worker, or a worker that cannot start or dies, yields None: the
caller then does the job itself, where its error surfaces as usual.
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib
import os
import pickle
import signal
import subprocess
import sys
import threading
from collections.abc import Sequence
from typing import Any, Protocol

# Below this many outputs the work is cheaper than the worker's start (~0.6 s of imports on the other
# core), so the small runs of tests and quick checks stay in one process.
MIN_OUTPUTS = 100

PR_SET_PDEATHSIG = 1  # <sys/prctl.h>
_BOOT = (
    "import signal, sys, pickle; signal.signal(signal.SIGINT, signal.SIG_IGN); "
    "sys.path[:] = pickle.load(sys.stdin.buffer); "
    "from harness.pipeline.worker import serve; serve()"
)


class Job(Protocol):
    def run(self) -> Any: ...


def worthwhile(n_outputs: int) -> bool:
    """Whether workers pay: enough outputs, and a second core to run them on."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    return n_outputs >= MIN_OUTPUTS and cores >= 2


def _call(spec: str) -> None:
    """Import ``module`` or call ``module:function``."""
    module, _, name = spec.partition(":")
    loaded = importlib.import_module(module)
    if name:
        getattr(loaded, name)()


def _die_with_parent() -> None:
    """On Linux, the kernel ends this worker when its parent dies: a ``kill -9`` of the command leaves no
    worker computing for nobody (elsewhere it finishes its job into a closed pipe and exits)."""
    with contextlib.suppress(Exception):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() == 1:  # the parent died before that: nobody will read anything
        sys.exit(0)


def serve() -> None:
    """The worker's side: warm up, then run each job handed over and write its result (None when it
    failed) to stdout, in order. Whatever else writes to stdout here (a library's print) goes to stderr,
    so the results' stream stays whole."""
    _die_with_parent()
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    stdin = sys.stdin.buffer
    try:
        for spec in pickle.load(stdin):
            with contextlib.suppress(Exception):  # a job that needs it fails alone, and is redone there
                _call(spec)
        jobs: list[Job | None] = pickle.load(stdin)
        for i, job in enumerate(jobs):
            try:
                result = None if job is None else job.run()
            except Exception:
                result = None
            pickle.dump((i, result), out, protocol=pickle.HIGHEST_PROTOCOL)
            out.flush()
    except (EOFError, BrokenPipeError, OSError):  # the parent is gone or closed us: nobody is waiting
        pass
    finally:
        with contextlib.suppress(OSError):  # a closed pipe: nothing to flush to
            out.close()


class Worker:
    """``w = Worker.spawn(warm)`` ... ``w.submit(jobs)`` ... ``w.result(i)`` ... ``w.close()``."""

    def __init__(self, process: subprocess.Popen[bytes] | None) -> None:
        self._process = process
        self._results: dict[int, Any] = {}
        self._submitted = False

    @classmethod
    def spawn(cls, warm: Sequence[str] = ()) -> Worker:
        """Start the interpreter and hand it ``warm`` (without waiting for it)."""
        if not sys.executable:  # an embedded interpreter: no Python to start
            return cls(None)
        try:
            process = subprocess.Popen([sys.executable, "-c", _BOOT], stdin=subprocess.PIPE,
                                       stdout=subprocess.PIPE)  # fmt: skip
        except OSError:  # no process to spare: every job is done by the caller
            return cls(None)
        worker = cls(process)
        worker._feed(pickle.dumps(sys.path) + pickle.dumps(list(warm)), close=False)
        return worker

    def submit(self, jobs: Sequence[Job | None]) -> None:
        """Hand the jobs over (once), from a thread: pickling is quick, the pipe may be full. A None job
        is skipped (its result is None)."""
        if self._submitted:
            raise RuntimeError("a worker takes one list of jobs")
        self._submitted = True
        self._feed(pickle.dumps(list(jobs), protocol=pickle.HIGHEST_PROTOCOL), close=True)

    def _feed(self, payload: bytes, close: bool) -> None:
        process = self._process
        if process is None or process.stdin is None:
            return
        stdin = process.stdin

        def write() -> None:
            with contextlib.suppress(OSError, ValueError):  # it died, or was closed: result() sees EOF
                stdin.write(payload)
                stdin.flush()
                if close:
                    stdin.close()

        if not close:
            write()  # a few hundred bytes: the pipe holds them
            return
        threading.Thread(target=write, name="worker-feed", daemon=True).start()

    def result(self, i: int) -> Any | None:
        """Job ``i``'s result (blocks), or None when the worker could not deliver it."""
        while i not in self._results and self._process is not None:
            assert self._process.stdout is not None
            try:
                j, result = pickle.load(self._process.stdout)
            except Exception:  # EOF (it died or failed to start), a broken stream
                self.close()
                break
            self._results[j] = result
        return self._results.pop(i, None)

    def close(self) -> None:
        """Stop the worker (work nobody will read is not finished); idempotent."""
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            process.terminate()
        with contextlib.suppress(Exception):
            process.wait(5)
        for stream in (process.stdin, process.stdout):
            with contextlib.suppress(OSError, ValueError):
                if stream is not None:
                    stream.close()
