"""Appending records to a :class:`~harness.store.RunStore` from async code without blocking the loop.

Why a thread: :meth:`RunStore.append` fsyncs every record (durability, see ``harness/store.py``), and
an fsync takes from a fraction of a millisecond (a local SSD) to ~5 ms or more (a network or busy
disk). On the event loop that time is taken from every request in flight. Why *one* thread: the
records reach the file in the order their appends were awaited (completion order), and the store's
file descriptors are never used by two threads at once.

Both the generation stage (``harness/generate.py``) and the judge stage
(``harness/pipeline/judging.py``) append through this one writer, so the guarantees are the same for
both: ``await writer.append(...)`` returns only once every record is written and fsync'ed (a record
counts as done only after that), and an error in the writer (disk full, a closed store) is raised at
that ``await``, in the task that appended, never lost in the thread.

Group commit: appends that arrive while the thread is writing wait for the next batch, and a batch is
one ``write`` and one ``fsync`` (:meth:`RunStore.append_many`). With 256 requests in flight, answers
finish in bursts, so one fsync serves many records instead of one each, and no record counts as done
before the fsync that covers it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from harness.records import Record
from harness.store import RunStore

T = TypeVar("T")


class StoreWriter:
    """``async with StoreWriter(store, "outputs") as writer: await writer.append([record])``.

    Leaving the block waits for appends already handed to the thread (an append whose awaiting task
    was cancelled may still complete: the record is then on disk, just not counted, and the next run
    skips it as finished).
    """

    def __init__(self, store: RunStore, kind: str) -> None:
        self.store = store
        self.kind = kind
        self._pool: ThreadPoolExecutor | None = None
        self._pending: list[tuple[list[Record], asyncio.Future[None]]] = []
        self._flushing = False

    async def __aenter__(self) -> StoreWriter:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"{self.kind}-writer")
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Wait for the appends in the thread's queue, then stop it (idempotent)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None

    async def append(self, records: Sequence[Record]) -> None:
        """Append ``records`` in order in the writer thread; return once they are durable (fsync'ed)."""
        if self._pool is None:
            raise RuntimeError(f"the {self.kind} writer is not open (use 'async with StoreWriter(...)')")
        if not records:
            return
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.append((list(records), done))
        if not self._flushing:
            self._flushing = True
            self._flush_next()
        await asyncio.shield(done)

    def _flush_next(self) -> None:
        """Hand every pending append to the thread as one batch; called on the loop only."""
        batch, self._pending = self._pending, []
        if not batch:
            self._flushing = False
            return
        assert self._pool is not None
        job = asyncio.get_running_loop().run_in_executor(self._pool, self._write, batch)
        job.add_done_callback(lambda finished: self._settle(batch, finished))

    def _write(self, batch: list[tuple[list[Record], asyncio.Future[None]]]) -> None:
        self.store.append_many(self.kind, [record for records, _ in batch for record in records])

    def _settle(
        self, batch: list[tuple[list[Record], asyncio.Future[None]]], finished: asyncio.Future[None]
    ) -> None:
        error = finished.exception()
        for _, done in batch:
            if not done.done():
                if error is None:
                    done.set_result(None)
                else:
                    done.set_exception(error)
        if self._pool is None:  # closed meanwhile: nothing more may be written
            for _, done in self._pending:
                if not done.done():
                    done.set_exception(RuntimeError(f"the {self.kind} writer was closed"))
            self._pending = []
            self._flushing = False
            return
        self._flush_next()


async def write_all(
    store: RunStore,
    kind: str,
    todo: Iterable[T],
    work: Callable[[StoreWriter, T], Coroutine[object, object, None]],
) -> None:
    """``work(writer, x)`` for every ``x`` at once, appending through one :class:`StoreWriter`. A
    TaskGroup, so that a fatal error (bad key, unknown model, template error) cancels the rest at once;
    the first cause is raised as itself, not as an exception group."""
    try:
        async with StoreWriter(store, kind) as writer, asyncio.TaskGroup() as group:
            for x in todo:
                group.create_task(work(writer, x))
    except BaseExceptionGroup as failed:
        raise failed.exceptions[0] from None
