"""The object a stage sends its model calls through, for the chosen backend (:mod:`harness.backends`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, cast

from harness.cache import Cache
from harness.client import Client
from harness.endpoints import Endpoint

if TYPE_CHECKING:
    from harness.backends.ray_data import RayClient, RayOptions, Unit


def open_client(
    endpoint: Endpoint,
    *,
    role: str,
    cache: Cache | None,
    backend: str = "client",
    ray: RayOptions | None = None,
    max_connections: int = 64,
    timeout: float = 600.0,
    max_retries: int = 8,
    probe: tuple[Endpoint, ...] = (),
) -> Client | RayClient:
    """The client a stage uses under ``backend`` (``probe``: the endpoints the plain client probes before
    its first request, :mod:`harness.client._preflight`)."""
    if backend == "ray":
        from harness.backends.ray_data import RayClient, RayOptions

        options = ray or RayOptions(max_connections=max_connections, timeout=timeout, max_retries=max_retries)
        return RayClient(endpoint, role=role, cache=cache, options=options)
    return Client(endpoint, role=role, cache=cache, max_connections=max_connections, timeout=timeout,
                  max_retries=max_retries, probe=probe)  # fmt: skip


async def prefetch(jobs: Sequence[tuple[Client | RayClient, Callable[[], Sequence[Unit]]]]) -> None:
    """Let the backend answer the requests of one stage of one or several runs in bulk before the stage
    runs its units one by one: ``jobs`` pairs each run's client with its units (called only by a backend
    that does this: the plain client skips the work). The Ray backend puts every run's requests into
    one pipeline per round, so a sweep of checkpoints is one Ray Data job per stage and round."""
    ray_jobs = [(client, units()) for client, units in jobs if not isinstance(client, Client)]
    if not ray_jobs:
        return
    from harness.backends.ray_data import RayClient, prefetch_together

    await prefetch_together([(cast(RayClient, client), units) for client, units in ray_jobs])
