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
    """An instance of the adapter registered as ``name`` (BadInput with suggestions if unknown).

    ``NAME@clean:PATH`` is the adapter ``NAME`` reading its items from a Clean-Eval variant file
    (``harness.clean_eval.variant``): everything but the items (sampling, judges, answers) is NAME's.
    """
    from harness.clean_eval.variant import clean_variant_benchmark, split_spec

    base, variant = split_spec(name)
    if variant is not None:
        return clean_variant_benchmark(BENCHMARKS.get(base), variant)
    return BENCHMARKS.get(name)()


def benchmark_names() -> list[str]:
    return list(BENCHMARKS)
