"""The progress bar on stderr: done/total, requests/s, retries and cache hits.

Retries and cache hits are on the bar because "is it stuck?" is the most common question about judge
runs against rate-limited APIs (inspect_ai #1277 -> PR #1430 shows retries; docs/design.md,
"Model calls"), and cache hits tell a user that a resumed run really is skipping finished work. stdout is
left alone (machine-readable output goes there, docs/design.md "Model calls").
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import TypeVar

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from harness.client import RoleCounters
from harness.errors import PreflightFailed

T = TypeVar("T")


class GenerationProgress:
    """``with GenerationProgress("generate", total, done) as bar: bar.update(done, counters)``."""

    def __init__(self, label: str, total: int, done: int = 0, *, console: Console | None = None) -> None:
        self.console = console or Console(stderr=True)
        self.total = total
        self._t0 = time.monotonic()
        self._progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn(
                "{task.fields[rate]:.2f} req/s · retries {task.fields[retries]} · cache hits {task.fields[hits]}"
            ),
            TimeElapsedColumn(),
            console=self.console,
            transient=False,
            refresh_per_second=4,
        )
        self._task: TaskID = self._progress.add_task(
            label, total=total, completed=done, rate=0.0, retries=0, hits=0
        )

    def update(self, done: int, counters: RoleCounters) -> None:
        elapsed = max(time.monotonic() - self._t0, 1e-6)
        self._progress.update(
            self._task,
            completed=done,
            rate=counters.requests / elapsed,
            retries=counters.retries,
            hits=counters.cache_hits,
        )

    def __enter__(self) -> GenerationProgress:
        self._progress.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if isinstance(exc, PreflightFailed):  # nothing was sent: the error's one line says it all
            self._progress.live.transient = True
        self._progress.stop()


async def run_with_progress(
    label: str,
    total: int,
    done: int,
    counters: RoleCounters,
    work: Callable[[Callable[[int], None]], Awaitable[T]],
) -> T:
    """``await work(on_done)`` under a bar; ``on_done(n)`` reports n finished in total. The bar is also
    refreshed twice a second, so retries and cache hits show while requests are still in flight."""
    with GenerationProgress(label, total=total, done=done) as bar:

        def on_done(n: int) -> None:
            nonlocal done
            done = n
            bar.update(done, counters)

        async def tick() -> None:
            while True:
                bar.update(done, counters)
                await asyncio.sleep(0.5)

        ticker = asyncio.create_task(tick())
        try:
            return await work(on_done)
        finally:
            ticker.cancel()
            bar.update(done, counters)
