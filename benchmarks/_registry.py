"""The benchmark registry: every package under ``benchmarks/`` and every ``harness.benchmarks`` entry point.

A benchmark is one package, ``benchmarks/<name>/``, whose ``__init__`` exposes its adapter class as
``BENCHMARK`` (and registers what else it owns, e.g. its statistic). The packages are found by listing this
folder, without importing them; a package is imported when its benchmark is first asked for. A benchmark
defined in another installed package is declared by an entry point of the group ``harness.benchmarks``
(``name = "module:AdapterClass"``, ``docs/plugins.md``). Either way the registered name must be the
adapter's own ``spec.name``, so a benchmark is named in exactly one place. Unknown names are answered with
suggestions (``harness.registry.Registry``).
"""

from __future__ import annotations

import pkgutil
from pathlib import Path
from typing import Any, TypeVar

from benchmarks._base import Benchmark
from harness.clean_eval.variant import clean_variant_benchmark, split_spec
from harness.errors import BadInput
from harness.registry import Registry


def _adapter(name: str, obj: Any) -> type[Benchmark]:
    if not (isinstance(obj, type) and issubclass(obj, Benchmark)):
        raise BadInput(f"benchmark {name!r}", f"{obj!r} is not a benchmarks.Benchmark subclass")
    if obj.spec.name != name:
        raise BadInput(f"benchmark {name!r}", f"its adapter is named {obj.spec.name!r} (spec.name)")
    return obj


BENCHMARKS: Registry[type[Benchmark]] = Registry("benchmark", group="harness.benchmarks", check=_adapter)
for _module in pkgutil.iter_modules([str(Path(__file__).parent)]):
    if _module.ispkg and not _module.name.startswith("_"):
        BENCHMARKS.add(_module.name, f"benchmarks.{_module.name}:BENCHMARK")

B = TypeVar("B", bound=type[Benchmark])


def register_benchmark(cls: B) -> B:
    """Class decorator for a benchmark defined in a script or notebook: register ``cls`` under
    ``cls.spec.name`` for this process (an installed package declares an entry point instead)."""
    BENCHMARKS.register(cls.spec.name)(cls)
    return cls


def get_benchmark(name: str) -> Benchmark:
    """An instance of the adapter registered as ``name`` (BadInput with suggestions if unknown).

    ``NAME@clean:PATH`` is the adapter ``NAME`` reading its items from a Clean-Eval variant file
    (``harness.clean_eval.variant``): everything but the items (sampling, judges, answers) is NAME's.
    """
    base, variant = split_spec(name)
    if variant is not None:
        return clean_variant_benchmark(BENCHMARKS.get(base), variant)
    return BENCHMARKS.get(name)()


def benchmark_names() -> list[str]:
    return list(BENCHMARKS)
