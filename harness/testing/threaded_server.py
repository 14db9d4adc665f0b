"""An asyncio server's event loop in a daemon thread: a loopback server that synchronous code can start.

Why a thread with its own loop: the code under test runs its own event loop (``asyncio.run`` in the
client, the CLI in a test), and a server on that loop would be starved by it, or could not be started
from a synchronous test at all. Used by the latency server (``bench/latency_server.py``) and the
fault-injecting proxy (``tests/_proxy.py``), which differ only in what they open and close.

An error while opening (say, a port in use) is raised by :meth:`ServerThread.start` in the caller,
not left in the thread behind a "did not start" timeout.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine
from typing import Any

Step = Callable[[], Coroutine[Any, Any, None]]


class ServerThread:
    """``runner.start(server.open)`` ... ``runner.stop(server.close)``; both wait at most ``timeout_s``.

    The waits are on events (the loop has opened the server, the close coroutine has finished), so the
    limit is only how long a stuck loop may hang the caller: generous, because a busy machine can
    delay a thread's first run by seconds and a passing start never waits for it.
    """

    def __init__(self, name: str, *, timeout_s: float = 120.0) -> None:
        self.name = name
        self.timeout_s = timeout_s
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._loop is not None

    def start(self, open_server: Step) -> None:
        """Start the thread, run ``open_server()`` on its loop, and return once it has (then serve on)."""
        if self._loop is not None:
            raise RuntimeError(f"{self.name} is already running")
        loop = asyncio.new_event_loop()
        ready = threading.Event()
        failed: list[BaseException] = []

        def run() -> None:
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(open_server())
            except BaseException as exc:  # handed to the caller of start(), which raises it
                failed.append(exc)
                return
            finally:
                ready.set()
            loop.run_forever()

        thread = threading.Thread(target=run, name=self.name, daemon=True)
        thread.start()
        if not ready.wait(self.timeout_s):
            raise RuntimeError(f"{self.name} did not start within {self.timeout_s:g} s")
        if failed:
            thread.join(self.timeout_s)
            loop.close()
            raise failed[0]
        self._loop, self._thread = loop, thread

    def stop(self, close_server: Step) -> None:
        """Run ``close_server()`` on the loop, then stop the loop and join the thread (no-op if stopped)."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        self._loop = self._thread = None
        try:
            asyncio.run_coroutine_threadsafe(close_server(), loop).result(self.timeout_s)
        finally:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(self.timeout_s)
            if not thread.is_alive():
                loop.close()
