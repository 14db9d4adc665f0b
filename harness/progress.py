"""The progress bar on stderr: done/total, requests/s, retries and cache hits.

Retries and cache hits are on the bar because "is it stuck?" is the most common question about judge
runs against rate-limited APIs (inspect_ai #1277 -> PR #1430 shows retries; docs/design.md,
"Model calls"), and cache hits tell a user that a resumed run really is skipping finished work. stdout is
left alone (machine-readable output goes there, docs/design.md "Model calls").

The bar is drawn once the work has had :data:`FIRST_DRAW_S` to send its first requests: loading rich
and starting its refresh thread (~30 ms) then happens while those requests are in flight, not before
them, and a run that fails its preflight (nothing sent) draws no bar at all.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import TYPE_CHECKING, TypeVar

from harness.client import RoleCounters
from harness.errors import PreflightFailed

if TYPE_CHECKING:
    from rich.console import Console

T = TypeVar("T")
FIRST_DRAW_S = 0.1  # the bar appears this long after the work starts (or when it ends, if sooner)


class GenerationProgress:
    """``with GenerationProgress("generate", total, done) as bar: bar.update(done, counters)``."""

    def __init__(self, label: str, total: int, done: int = 0, *, console: Console | None = None) -> None:
        # rich loads with the first bar, not with the modules that may draw one (see the module docstring)
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

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
        self._task = self._progress.add_task(label, total=total, completed=done, rate=0.0, retries=0, hits=0)

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
    refreshed twice a second, so retries and cache hits show while requests are still in flight. It is
    first drawn :data:`FIRST_DRAW_S` after the work starts, or when the work ends if that is sooner (a
    preflight failure draws none: nothing was sent, the error's one line says it all)."""
    bar: GenerationProgress | None = None

    def on_done(n: int) -> None:
        nonlocal done
        done = n
        if bar is not None:
            bar.update(done, counters)

    async def tick() -> None:
        nonlocal bar
        await asyncio.sleep(FIRST_DRAW_S)
        bar = GenerationProgress(label, total=total, done=done).__enter__()
        while True:
            bar.update(done, counters)
            await asyncio.sleep(0.5)

    ticker = asyncio.create_task(tick())
    try:
        result = await work(on_done)
    except BaseException as exc:
        ticker.cancel()
        if bar is not None:
            bar.update(done, counters)
            bar.__exit__(type(exc), exc, exc.__traceback__)
        raise
    ticker.cancel()
    if bar is None:
        bar = GenerationProgress(label, total=total, done=done).__enter__()
    bar.update(done, counters)
    bar.__exit__(None, None, None)
    return result
