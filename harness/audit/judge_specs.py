"""Which judge grammars are active: each benchmark's own, found through the benchmark registry.

A benchmark package owns its audit grammar (``benchmarks/<name>/audit.py``, a
:class:`~harness.audit.grammar.BenchmarkAudit` named by ``BenchmarkSpec.audit``); this module only looks it
up by the benchmark's registry name, so a benchmark of another installed package brings its own grammar
and nothing here names a benchmark.
"""

from __future__ import annotations

from benchmarks import BENCHMARKS, Benchmark, benchmark_names
from harness.audit.grammar import BenchmarkAudit, JudgeSpec
from harness.errors import BadInput
from harness.registry import Lazy, Registry

__all__ = [
    "JudgeSpec",
    "active_judges",
    "all_judges",
    "benchmark_audit",
    "benchmark_judges",
    "benchmark_questions",
    "for_judge_config",
    "judge_registry",
]


def _audit_of(adapter: type[Benchmark]) -> BenchmarkAudit | None:
    ref = adapter.spec.audit
    if not ref:
        return None
    try:
        grammar = Lazy(ref).load()
    except (ImportError, AttributeError) as exc:
        raise BadInput(f"benchmark {adapter.spec.name!r}", f"cannot load its audit {ref}: {exc}") from None
    if not isinstance(grammar, BenchmarkAudit):
        raise BadInput(f"benchmark {adapter.spec.name!r}", f"its audit {ref} is not a BenchmarkAudit")
    return grammar


def benchmark_audit(benchmark: str) -> BenchmarkAudit | None:
    """The audit grammar of the benchmark registered as ``benchmark`` (None: it has none)."""
    return _audit_of(BENCHMARKS.get(benchmark))


def all_judges() -> tuple[JudgeSpec, ...]:
    """Every registered benchmark's judge grammars, in registry order."""
    found: dict[str, JudgeSpec] = {}
    for name in benchmark_names():
        grammar = benchmark_audit(name)
        for judge in grammar.judges if grammar is not None else ():
            found.setdefault(judge.name, judge)
    return tuple(found.values())


def judge_registry() -> Registry[JudgeSpec]:
    """The judge grammars by name (``--judge``; unknown names get suggestions)."""
    registry: Registry[JudgeSpec] = Registry("judge")
    for judge in all_judges():
        registry.register(judge.name)(judge)
    return registry


def for_judge_config(judge_config: str) -> tuple[JudgeSpec, ...]:
    """The grammar that parses ``judge_config``'s verdicts; a config none claims: every grammar."""
    judges = all_judges()
    return tuple(j for j in judges if judge_config in j.judge_configs) or judges


def benchmark_judges(benchmark: str, version: str | None = None) -> tuple[JudgeSpec, ...]:
    """A benchmark's default judges for ``version`` (None: its default): those of its own grammar, else
    the grammar of its default judge config (BadInput with suggestions for an unknown name or version)."""
    adapter = BENCHMARKS.get(benchmark)
    spec = adapter.spec.version(version)
    grammar = _audit_of(adapter)
    if grammar is not None:
        return tuple(j for j in grammar.judges if not j.versions or spec.name in j.versions)
    return for_judge_config(spec.default_judge)


def benchmark_questions(benchmark: str, version: str | None = None) -> str | None:
    """The question file (relative to the upstream data root) for answers of ``benchmark`` without prompts."""
    adapter = BENCHMARKS.get(benchmark)
    grammar = _audit_of(adapter)
    return grammar.questions.get(adapter.spec.version(version).name) if grammar is not None else None


def active_judges(
    benchmark: str | None, judges: list[str] | None, version: str | None = None
) -> tuple[JudgeSpec, ...]:
    """``--judge`` wins, then the benchmark's default judges, then every supported judge."""
    if benchmark is not None:
        defaults = benchmark_judges(benchmark, version)  # unknown benchmark: BadInput with suggestions
    if judges:
        registry = judge_registry()
        return tuple(registry.get(j) for j in judges)
    if benchmark is not None:
        return defaults
    return all_judges()
