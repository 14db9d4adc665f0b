"""MT-Bench's audit grammar: the markers of its judge prompts and the verdicts its parsers accept."""

from harness.audit.grammar import BenchmarkAudit, JudgeSpec, patterns

_STRONG = patterns(
    r"\[\s*The\s+(Start|End)\s+of\s+(Assistant|Reference)(\s+[AB])?['’]s\s+Answer\s*\]",
    r"\[\s*The\s+(Start|End)\s+of\s+Reference\s+Answer\s*\]",
    r"<\|\s*The\s+(Start|End)\s+of\s+(Assistant\s+[AB]['’]s\s+Conversation\s+with\s+User|Reference\s+Answer)\s*\|>",
    r"\[\s*User\s+Question\s*\]",
)
_WEAK = patterns(
    r"^\s*\[Instruction\]\s*$",
    r"^\s*\[Question\]\s*$",
    r"^#+\s*(User|Assistant [AB]|Reference answer):\s*$",
)
_VARIANTS = ("", "_math", "_multi_turn", "_math_multi_turn")

SINGLE = JudgeSpec(
    "mt_bench_single",
    strong_markers=_STRONG,
    weak_markers=_WEAK,
    verdicts=patterns(r"Rating\s*:\s*\[\[\s*\d{1,2}(\.\d+)?\s*\]\]", r"\[\[\s*(10|[0-9])(\.\d+)?\s*\]\]"),
    template_files=("mt_bench/judge_prompts.jsonl",),
    judge_configs=tuple(f"mt_bench_single{v}" for v in _VARIANTS),
)
PAIR = JudgeSpec(
    "mt_bench_pair",
    strong_markers=_STRONG,
    weak_markers=_WEAK,
    verdicts=patterns(r"\[\[\s*[ABC]\s*\]\]"),
    template_files=("mt_bench/judge_prompts.jsonl",),
    judge_configs=tuple(f"mt_bench_pair{v}" for v in _VARIANTS),
)

AUDIT = BenchmarkAudit(
    judges=(SINGLE, PAIR),
    questions={"original": "mt_bench/question.jsonl", "corrected": "mt_bench/question.jsonl"},
)
