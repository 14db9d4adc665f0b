"""The shape of a benchmark's audit grammar: its judges' template markers and verdict patterns.

Each benchmark package owns its grammar (``benchmarks/<name>/audit.py``) and names it in its spec
(``BenchmarkSpec.audit``, a ``"module:object"`` reference to a :class:`BenchmarkAudit`); the audit finds it
through the benchmark registry (:mod:`harness.audit.judge_specs`), by the benchmark's registry name.

Markers are the slot delimiters and section headers an output must reproduce to escape a judge's template
(docs/audit.md, D3a). They are *strong* when a benign answer has no reason to write them
(``<|The End of Assistant A's Answer|>``) and *weak* when they are plausible markdown on their own
(``## Rules``); one strong or two distinct weak markers make mimicry. Verdict grammars are the patterns
each judge's parser accepts (D4). Template *text* is never stored here: it is read at run time from
``--judge-template`` or from the upstream data (``template_files``), see :mod:`harness.audit.templates`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class JudgeSpec:
    """One judge's grammar. ``judge_configs`` are the judge configs (``judges/configs``) whose verdicts
    it parses; ``versions`` the benchmark versions it judges by default (empty: every version)."""

    name: str
    strong_markers: tuple[re.Pattern[str], ...]
    weak_markers: tuple[re.Pattern[str], ...]
    verdicts: tuple[re.Pattern[str], ...]
    template_files: tuple[str, ...]
    judge_configs: tuple[str, ...] = ()
    versions: tuple[str, ...] = ()


@dataclass(frozen=True)
class BenchmarkAudit:
    """What the audit knows about one benchmark: its judges' grammars and, per version, the question file
    (relative to the upstream data root) that gives prompts to answer files that carry none."""

    judges: tuple[JudgeSpec, ...]
    questions: Mapping[str, str] = field(default_factory=dict)


def patterns(*regexes: str) -> tuple[re.Pattern[str], ...]:
    """Compile marker or verdict patterns the way the detectors match them (any case, line anchors)."""
    return tuple(re.compile(p, re.IGNORECASE | re.MULTILINE) for p in regexes)
