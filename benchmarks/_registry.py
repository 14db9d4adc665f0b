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
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from benchmarks._base import Benchmark
from harness.answers import AnswerFormat, detect_answer_format, read_answers
from harness.errors import BadInput
from harness.records import Output
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

# ``NAME@KIND:PATH``: the adapter NAME reading its items from a file of a registered variant KIND. A variant
# kind is a function (adapter class, path) -> adapter instance; Clean-Eval's paraphrased variants are the
# built-in one, and a package may add a kind through the ``harness.benchmark_variants`` entry-point group.
VariantLoader = Callable[[type[Benchmark], Path], Benchmark]
VARIANTS: Registry[VariantLoader] = Registry("benchmark variant", group="harness.benchmark_variants")
VARIANTS.add("clean", "harness.clean_eval.variant:clean_variant_benchmark")
_VARIANT_SPEC = re.compile(r"^(?P<base>[^@]+)@(?P<kind>[A-Za-z_][\w-]*):(?P<path>.*)$", re.DOTALL)

B = TypeVar("B", bound=type[Benchmark])


def register_benchmark(cls: B) -> B:
    """Class decorator for a benchmark defined in a script or notebook: register ``cls`` under
    ``cls.spec.name`` for this process (an installed package declares an entry point instead)."""
    BENCHMARKS.register(cls.spec.name)(cls)
    return cls


def get_benchmark(name: str) -> Benchmark:
    """An instance of the adapter registered as ``name`` (BadInput with suggestions if unknown).

    ``NAME@KIND:PATH`` is the adapter ``NAME`` reading its items from a variant file of a registered
    kind (:data:`VARIANTS`; ``NAME@clean:PATH`` is a Clean-Eval variant): everything but the items
    (sampling, judges, answers) is NAME's.
    """
    spec = _VARIANT_SPEC.match(name)
    if spec is not None and spec["kind"] in VARIANTS:
        if not spec["path"]:
            raise BadInput("--benchmark", f"{name!r}: give the variant file after '@{spec['kind']}:'")
        return VARIANTS.get(spec["kind"])(BENCHMARKS.get(spec["base"]), Path(spec["path"]))
    return BENCHMARKS.get(name)()


def benchmark_names() -> list[str]:
    return list(BENCHMARKS)


def answer_formats() -> tuple[AnswerFormat, ...]:
    """The upstream answer layouts of every registered benchmark, in registry order."""
    return tuple(fmt for name in BENCHMARKS for fmt in BENCHMARKS.get(name).answer_formats)


def answer_format_of(path: Path) -> str:
    """The benchmark whose upstream answer layout ``path`` holds (from the fields of its first row)."""
    return detect_answer_format(path, answer_formats()).name


def load_answers(path: Path, fmt: str | None = None) -> list[Output]:
    """Any benchmark's upstream answer file; ``fmt`` (a benchmark's name) skips detection."""
    return read_answers(path, answer_formats(), fmt)
