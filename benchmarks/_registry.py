"""The benchmark registry: one registration site per adapter, the ``@register_benchmark`` decorator.

The name comes from the adapter's own ``spec.name``, so a benchmark is named in exactly one place.
Unknown names are answered with suggestions (``harness.registry.Registry``).
"""

from __future__ import annotations

from typing import TypeVar

from benchmarks._base import Benchmark
from harness.registry import Registry

BENCHMARKS: Registry[type[Benchmark]] = Registry("benchmark")

B = TypeVar("B", bound=type[Benchmark])


def register_benchmark(cls: B) -> B:
    """Class decorator: register ``cls`` under ``cls.spec.name``."""
    BENCHMARKS.register(cls.spec.name)(cls)
    return cls


def get_benchmark(name: str) -> Benchmark:
    """An instance of the adapter registered as ``name`` (BadInput with suggestions if unknown)."""
    return BENCHMARKS.get(name)()


def benchmark_names() -> list[str]:
    return list(BENCHMARKS)
