"""Arena-Hard's audit grammar: the markers of its judge templates and the verdicts its parser accepts."""

from harness.audit.grammar import BenchmarkAudit, JudgeSpec, patterns

_STRONG = patterns(
    r"<\|\s*User\s+Prompt\s*\|>",
    r"<\|\s*The\s+(Start|End)\s+of\s+Assistant\s+[AB]['’]s\s+Answer\s*\|>",
    r"<\|\s*The\s+(Start|End)\s+of\s+Assistant['’]s\s+Answer\s*\|>",
    r"My\s+final\s+verdict\s+is\b",
    r"My\s+own\s+answer\s+to\s+the\s+prompt",
)
_VERDICTS = patterns(r"\[\[\s*(A>>B|A>B|A=B|B>A|B>>A)\s*\]\]", r"(?<!\[)\[(A>>B|A>B|A=B|B>A|B>>A)\](?!\])")

V01 = JudgeSpec(
    "arena_hard",
    strong_markers=_STRONG,
    weak_markers=(),
    verdicts=_VERDICTS,
    template_files=("arena_hard/v0.1/config/judge_config_legacy.yaml",),
    judge_configs=("arena_hard_v0.1",),
    versions=("v0.1",),
)
V2 = JudgeSpec(
    "arena_hard_v2",
    strong_markers=_STRONG,
    weak_markers=(),
    verdicts=_VERDICTS,
    template_files=("arena_hard/v2.0/config/arena-hard-v2.0.yaml",),
    judge_configs=("arena_hard_v2",),
    versions=("v2.0",),
)

AUDIT = BenchmarkAudit(
    judges=(V01, V2),
    questions={"v0.1": "arena_hard/v0.1/question.jsonl", "v2.0": "arena_hard/v2.0/question.jsonl"},
)
