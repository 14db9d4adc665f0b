"""WildBench's audit grammar: the markers of its judge templates and the verdicts its parsers accept."""

from harness.audit.grammar import BenchmarkAudit, JudgeSpec, patterns

_STRONG = patterns(
    r"<\|\s*(begin|end)_of_(response|query|history|checklist)(_[AB])?\s*\|>",
    r"\[This\s+model\s+response\s+is\s+empty\.\]",
)
_WEAK = patterns(r"^#+\s*Checklist\s*$", r"^#+\s*Rules\s*$", r"^#+\s*(AI Response|Response [AB])\s*$")

SCORE = JudgeSpec(
    "wildbench_score",
    strong_markers=_STRONG,
    weak_markers=_WEAK,
    verdicts=patterns(
        r"[\"']score[\"']\s*:\s*[\"']?(10|[1-9])[\"']?",
        r"[\"'](strengths|weaknesses)[\"']\s*:",
    ),
    template_files=("wildbench/templates/eval_template.score.v2.md",),
    judge_configs=("wildbench_score",),
)
PAIRWISE = JudgeSpec(
    "wildbench_pairwise",
    strong_markers=_STRONG,
    weak_markers=_WEAK,
    verdicts=patterns(
        r"[\"']choice[\"']\s*:\s*[\"'](A\+\+|A\+|A=B|B\+|B\+\+)[\"']",
        r"[\"']reason of (A=B|A>B|B>A)[\"']\s*:",
    ),
    template_files=("wildbench/templates/eval_template.pairwise.v2.md",),
    judge_configs=("wildbench_pairwise",),
)

AUDIT = BenchmarkAudit(judges=(SCORE, PAIRWISE))
