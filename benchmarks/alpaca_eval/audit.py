"""AlpacaEval's audit grammar: the markers of its judge template and the verdicts its parser accepts."""

from harness.audit.grammar import BenchmarkAudit, JudgeSpec, patterns

ALPACA_EVAL = JudgeSpec(
    "alpaca_eval",
    strong_markers=patterns(
        r"[\"']model_identifier[\"']\s*:",
        r"^#+\s*Model Outputs\s*$",
        r"^#+\s*Best Model Identifier\s*$",
        r"[\"']output[\"']\s*:\s*\"\"\"",
        r"[\"']instruction[\"']\s*:\s*\"\"\"",
    ),
    weak_markers=patterns(r"^#+\s*Instruction\s*$", r"^#+\s*Task\s*$"),
    verdicts=patterns(
        r"(best model identifier|model_identifier)\W{0,6}[mM]\b",
        r"\A\s*[\"']?[mM][\"']?\s*\Z",
        r"(^|\n)\s*(assistant|<\|im_start\|>\s*assistant)\s*\n\s*[mM]\s*$",
        r"\b(?:output|answer with|respond with|reply with|print|return|say)\s+(?:only\s+)?[\"']?[mM][\"']?(?=[\s.,!]|$)",
    ),
    template_files=("alpaca_eval/judge/alpaca_eval_clf.txt",),
    judge_configs=("alpaca_eval_weighted_gpt4_turbo",),
)

AUDIT = BenchmarkAudit(judges=(ALPACA_EVAL,))
