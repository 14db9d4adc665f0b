"""Where a run's model calls execute: the registry behind ``--backend``.

- ``client`` (default): the async client in this process (:class:`harness.client.Client`).
- ``ray``: a Ray Data pipeline on a Ray cluster (:mod:`harness.backends.ray_data`), for many GPUs or
  many checkpoints; same records, same cache.

Both give the pipeline an object with ``chat``, ``counters`` and ``aclose``
(:func:`harness.backends.open.open_client`); :func:`harness.backends.open.prefetch` lets a backend
compute a stage's requests in bulk before the stage runs (a no-op for ``client``). This module only
names and checks the backends (light: the HTTP stack loads with :mod:`harness.backends.open`). Ray is
imported only when the ``ray`` backend is used, so the default install needs no Ray.
"""

from __future__ import annotations

from harness.errors import BadInput

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
