"""What the audit knows about each supported judge: template markers, verdict grammar, template files.

Markers are the slot delimiters and section headers an output must reproduce to escape that judge's
template (docs/audit.md, D3a). They are *strong* when a benign answer has no reason to write them
(``<|The End of Assistant A's Answer|>``) and *weak* when they are plausible markdown on their own
(``## Rules``); one strong or two distinct weak markers make mimicry. Verdict grammars are the patterns
each judge's parser accepts (D4). Template *text* is never stored here: it is read at run time from
``--judge-template`` or from the upstream data (``template_files``), see :mod:`templates`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from harness.registry import Registry


@dataclass(frozen=True)
class JudgeSpec:
    name: str
    strong_markers: tuple[re.Pattern[str], ...]
    weak_markers: tuple[re.Pattern[str], ...]
    verdicts: tuple[re.Pattern[str], ...]
    template_files: tuple[str, ...]


JUDGES: Registry[JudgeSpec] = Registry("judge")

# Benchmark -> the judges it uses by default (a registry, for did-you-mean on unknown names).
BENCHMARK_JUDGES: Registry[tuple[str, ...]] = Registry("benchmark")
for _bench, _judges in (
    ("alpaca_eval", ("alpaca_eval",)),
    ("arena_hard", ("arena_hard",)),
    ("arena_hard_v2", ("arena_hard_v2",)),
    ("mt_bench", ("mt_bench_single", "mt_bench_pair")),
    ("wildbench", ("wildbench_score", "wildbench_pairwise")),
):
    BENCHMARK_JUDGES.register(_bench)(_judges)


def _re(*patterns: str) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p, re.IGNORECASE | re.MULTILINE) for p in patterns)


def _add(spec: JudgeSpec) -> None:
    JUDGES.register(spec.name)(spec)


_ARENA_STRONG = _re(
    r"<\|\s*User\s+Prompt\s*\|>",
    r"<\|\s*The\s+(Start|End)\s+of\s+Assistant\s+[AB]['’]s\s+Answer\s*\|>",
    r"<\|\s*The\s+(Start|End)\s+of\s+Assistant['’]s\s+Answer\s*\|>",
    r"My\s+final\s+verdict\s+is\b",
    r"My\s+own\s+answer\s+to\s+the\s+prompt",
)
_ARENA_VERDICTS = _re(r"\[\[\s*(A>>B|A>B|A=B|B>A|B>>A)\s*\]\]", r"(?<!\[)\[(A>>B|A>B|A=B|B>A|B>>A)\](?!\])")

_add(
    JudgeSpec(
        "alpaca_eval",
        strong_markers=_re(
            r"[\"']model_identifier[\"']\s*:",
            r"^#+\s*Model Outputs\s*$",
            r"^#+\s*Best Model Identifier\s*$",
            r"[\"']output[\"']\s*:\s*\"\"\"",
            r"[\"']instruction[\"']\s*:\s*\"\"\"",
        ),
        weak_markers=_re(r"^#+\s*Instruction\s*$", r"^#+\s*Task\s*$"),
        verdicts=_re(
            r"(best model identifier|model_identifier)\W{0,6}[mM]\b",
            r"\A\s*[\"']?[mM][\"']?\s*\Z",
            r"(^|\n)\s*(assistant|<\|im_start\|>\s*assistant)\s*\n\s*[mM]\s*$",
            r"\b(?:output|answer with|respond with|reply with|print|return|say)\s+(?:only\s+)?[\"']?[mM][\"']?(?=[\s.,!]|$)",
        ),
        template_files=("alpaca_eval/judge/alpaca_eval_clf.txt",),
    )
)
_add(
    JudgeSpec(
        "arena_hard",
        strong_markers=_ARENA_STRONG,
        weak_markers=(),
        verdicts=_ARENA_VERDICTS,
        template_files=("arena_hard/v0.1/config/judge_config_legacy.yaml",),
    )
)
_add(
    JudgeSpec(
        "arena_hard_v2",
        strong_markers=_ARENA_STRONG,
        weak_markers=(),
        verdicts=_ARENA_VERDICTS,
        template_files=("arena_hard/v2.0/config/arena-hard-v2.0.yaml",),
    )
)
_MT_STRONG = _re(
    r"\[\s*The\s+(Start|End)\s+of\s+(Assistant|Reference)(\s+[AB])?['’]s\s+Answer\s*\]",
    r"\[\s*The\s+(Start|End)\s+of\s+Reference\s+Answer\s*\]",
    r"<\|\s*The\s+(Start|End)\s+of\s+(Assistant\s+[AB]['’]s\s+Conversation\s+with\s+User|Reference\s+Answer)\s*\|>",
    r"\[\s*User\s+Question\s*\]",
)
_MT_WEAK = _re(
    r"^\s*\[Instruction\]\s*$",
    r"^\s*\[Question\]\s*$",
    r"^#+\s*(User|Assistant [AB]|Reference answer):\s*$",
)
_add(
    JudgeSpec(
        "mt_bench_single",
        strong_markers=_MT_STRONG,
        weak_markers=_MT_WEAK,
        verdicts=_re(r"Rating\s*:\s*\[\[\s*\d{1,2}(\.\d+)?\s*\]\]", r"\[\[\s*(10|[0-9])(\.\d+)?\s*\]\]"),
        template_files=("mt_bench/judge_prompts.jsonl",),
    )
)
_add(
    JudgeSpec(
        "mt_bench_pair",
        strong_markers=_MT_STRONG,
        weak_markers=_MT_WEAK,
        verdicts=_re(r"\[\[\s*[ABC]\s*\]\]"),
        template_files=("mt_bench/judge_prompts.jsonl",),
    )
)
_WB_STRONG = _re(
    r"<\|\s*(begin|end)_of_(response|query|history|checklist)(_[AB])?\s*\|>",
    r"\[This\s+model\s+response\s+is\s+empty\.\]",
)
_WB_WEAK = _re(r"^#+\s*Checklist\s*$", r"^#+\s*Rules\s*$", r"^#+\s*(AI Response|Response [AB])\s*$")
_add(
    JudgeSpec(
        "wildbench_score",
        strong_markers=_WB_STRONG,
        weak_markers=_WB_WEAK,
        verdicts=_re(
            r"[\"']score[\"']\s*:\s*[\"']?(10|[1-9])[\"']?",
            r"[\"'](strengths|weaknesses)[\"']\s*:",
        ),
        template_files=("wildbench/templates/eval_template.score.v2.md",),
    )
)
_add(
    JudgeSpec(
        "wildbench_pairwise",
        strong_markers=_WB_STRONG,
        weak_markers=_WB_WEAK,
        verdicts=_re(
            r"[\"']choice[\"']\s*:\s*[\"'](A\+\+|A\+|A=B|B\+|B\+\+)[\"']",
            r"[\"']reason of (A=B|A>B|B>A)[\"']\s*:",
        ),
        template_files=("wildbench/templates/eval_template.pairwise.v2.md",),
    )
)


def active_judges(benchmark: str | None, judges: list[str] | None) -> tuple[JudgeSpec, ...]:
    """``--judge`` wins, then the benchmark's default judges, then every supported judge."""
    if benchmark is not None:
        defaults = BENCHMARK_JUDGES.get(benchmark)  # unknown benchmark: BadInput with suggestions
    if judges:
        return tuple(JUDGES.get(j) for j in judges)
    if benchmark is not None:
        return tuple(JUDGES.get(j) for j in defaults)
    return all_judges()


def all_judges() -> tuple[JudgeSpec, ...]:
    return tuple(JUDGES.get(name) for name in JUDGES)
