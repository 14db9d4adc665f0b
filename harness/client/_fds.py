"""File descriptors for sockets: fit ``--max-connections`` under RLIMIT_NOFILE before the first request.

Why: every connection is a descriptor, and so is every record file, the cache and its WAL. Under
``ulimit -n 256`` a run with ``--max-connections 256`` used to open 245 sockets, get its answers
served (and paid for), then fail to open ``outputs.jsonl`` with "Too many open files". So, once per
client, before any socket exists: if the soft limit is too low for the pool, raise it (up to the hard
limit, which an unprivileged process may do); if the hard limit is too low as well, cap the
connections to what fits and say so in one line. Run files are opened before the first request too
(:meth:`harness.store.RunStore.open_files`), so what remains can only be sockets.
"""

from __future__ import annotations

import functools
import logging
import os
import resource

log = logging.getLogger(__name__)

POOL_HEADROOM = 2  # kept-alive connections above the limiter's share (inspect_ai #847)
MARGIN = 32  # descriptors kept free for what opens later: server logs, a second cache connection


def sockets_needed(max_connections: int) -> int:
    """The most sockets one endpoint's pool may hold open (busy plus kept-alive)."""
    return max_connections + POOL_HEADROOM


def _open_now() -> int:
    try:
        return len(os.listdir("/dev/fd"))
    except OSError:  # no /dev/fd: assume a fresh interpreter's handful
        return 16


@functools.cache
def fit_connections(wanted: int) -> int:
    """``wanted``, after raising the soft RLIMIT_NOFILE if needed; else the most that fit, with a warning."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = sockets_needed(wanted) + _open_now() + MARGIN
    if soft == resource.RLIM_INFINITY or need <= soft:
        return wanted
    target = need if hard == resource.RLIM_INFINITY else min(need, hard)
    if target > soft:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass
    if need <= soft:
        return wanted
    fitted = wanted
    while fitted > 1 and sockets_needed(fitted) + _open_now() + MARGIN > soft:
        fitted -= 1
    log.warning(
        "harness: warning: --max-connections %d needs ~%d open files but the limit is %d (ulimit -n); "
        "using %d connections",
        wanted,
        need,
        soft,
        fitted,
    )
    return fitted
