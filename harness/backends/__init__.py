"""Where a run's model calls execute: the registry behind ``--backend``.

- ``client`` (default): the async client in this process (:class:`harness.client.Client`).
- ``ray``: a Ray Data pipeline on a Ray cluster (:mod:`harness.backends.ray_data`), for many GPUs or
  many checkpoints; same records, same cache.

Both give the pipeline an object with ``chat``, ``counters`` and ``aclose``; :func:`prefetch` lets a
backend compute a stage's requests in bulk before the stage runs (a no-op for ``client``). Ray is
imported only when the ``ray`` backend is used, so the default install needs no Ray.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, cast

from harness.cache import Cache
from harness.client import Client
from harness.endpoints import Endpoint
from harness.errors import BadInput

if TYPE_CHECKING:
    from harness.backends.ray_data import RayClient, RayOptions, Unit

BACKENDS = ("client", "ray")


def check_backend(name: str, ray_option: object, ray_processor: str | None = None) -> None:
    """Bad combinations fail before anything starts (one line, exit 2); ``ray_option`` is any other
    ``--ray-*`` option given (address, concurrency)."""
    if name not in BACKENDS:
        raise BadInput("--backend", f"unknown backend {name!r}; expected one of {', '.join(BACKENDS)}")
    if name != "ray" and (ray_option or ray_processor):
        raise BadInput("--ray-*", "only with --backend ray")
    if name == "ray":
        import importlib.util

        from harness.backends.ray_data import INSTALL_HINT, PROCESSORS

        if importlib.util.find_spec("ray") is None:
            raise BadInput("--backend ray", f"Ray is not installed; run: {INSTALL_HINT}")
        if ray_processor is not None and ray_processor not in PROCESSORS:
            raise BadInput("--ray-processor", f"expected one of {', '.join(PROCESSORS)}")


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
