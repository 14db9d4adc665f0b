"""The decision rule that turns detector hits into item severities (docs/audit.md, "Detectors": the decision rule).

``flag = D1 ∨ D3 ∨ D5 ∨ D7 ∨ D8 ∨ (D4 ∧ corroboration) ∨ (D6 ∧ corroboration) ∨ (D10 ∧ corroboration)
∨ (D11 ∧ corroboration)``: the structural
detectors flag on their own; verdict tokens and grader-addressed persuasion are warnings that an honest
answer can produce (an answer about LLM judges) and are raised to flags only when the same item also
shows structure (mimicry, control tokens, delimiters, token salad), the other of the two, or, for
persuasion, an output unrelated to its instruction. Kept apart from the detectors so the rule is read
and tested in one place.
"""

from __future__ import annotations

from collections import defaultdict

from harness.audit.findings import Finding

STRUCTURAL = frozenset({"mimicry", "control_tokens", "delimiters", "gibberish"})
CORROBORATES = {
    "verdict_tokens": STRUCTURAL | {"persuasion", "addressed", "comparison"},
    "persuasion": STRUCTURAL | {"verdict_tokens", "relevance", "addressed", "comparison"},
    # not each other: both read the meaning of the same sentences, so one would only echo the other
    "addressed": STRUCTURAL | {"verdict_tokens", "persuasion", "relevance"},
    "comparison": STRUCTURAL | {"verdict_tokens", "persuasion", "relevance"},
}


def decide(findings: list[Finding]) -> list[Finding]:
    """The same findings, with warnings escalated where the rule says so; input order kept."""
    detectors: dict[str, set[str]] = defaultdict(set)
    for f in findings:
        detectors[f.item_id].add(f.detector)
    out = []
    for f in findings:
        support = CORROBORATES.get(f.detector, frozenset()) & detectors[f.item_id]
        if f.severity == "warn" and support:
            out.append(f.escalated("with " + ", ".join(sorted(support))))
        else:
            out.append(f)
    return out
