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
        """Append ``records`` in order, each fsync'ed, in the writer thread; return once all are durable."""
        if self._pool is None:
            raise RuntimeError(f"the {self.kind} writer is not open (use 'async with StoreWriter(...)')")
        if not records:
            return
        await asyncio.get_running_loop().run_in_executor(self._pool, self._append_all, list(records))

    def _append_all(self, records: list[Record]) -> None:
        for record in records:
            self.store.append(self.kind, record)


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
