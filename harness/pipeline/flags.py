"""``harness score --on-flag loss|exclude|keep``: audit the model's outputs and apply the policy in scoring.

Why in the score pipeline and not only in ``harness audit``: a template-escape output wins its judgment
(docs/audit.md), so a leaderboard figure computed over it is wrong whatever a separate audit says. The
audit (``harness.audit``, deterministic; embeddings only with ``--audit-embeddings``) runs over the
finished outputs after generation and its flagged item ids are stored in ``audit.json`` in the run
directory (:mod:`harness.pipeline.audit_file`); scoring reads them back (:mod:`harness.run.on_flag`, which
applies the policy), so the report stays a pure function of the run directory.
"""

from __future__ import annotations

from collections.abc import Iterable

from harness.audit.embed import default_embedder, default_sentence_encoder
from harness.audit.findings import AuditReport
from harness.audit.inputs import Submission
from harness.audit.judge_specs import for_judge_config
from harness.audit.run import AuditConfig, audit
from harness.audit.templates import Template, TemplateIndex
from harness.pipeline.audit_file import audit_items
from harness.records import Item, Output


def audit_outputs(
    items: Iterable[Item], outputs: dict[str, Output], judge_config: str, template_texts: list[str],
    benchmark: str, embeddings: bool = False,
) -> AuditReport:  # fmt: skip
    """Run :func:`harness.audit.audit` over the model's finished outputs; returns the AuditReport."""
    submission, config = audit_setup(items, outputs, judge_config, template_texts, benchmark)
    embedder = None
    if embeddings:
        embedder = default_embedder()
    # the judge-addressed detector is cheap (numpy, candidate sentences only): always on
    return audit(submission, config, embedder, default_sentence_encoder())


def audit_setup(
    items: Iterable[Item],
    outputs: dict[str, Output],
    judge_config: str,
    template_texts: list[str],
    benchmark: str,
) -> tuple[Submission, AuditConfig]:
    """What the audit of the model's outputs reads: the submission and the judge's grammar and template."""
    audited = audit_items(items, outputs)
    model = next(iter(outputs.values())).model if outputs else ""
    templates = [Template(f"{judge_config}#{i}", t) for i, t in enumerate(template_texts) if t.strip()]
    config = AuditConfig(
        judges=for_judge_config(judge_config), templates=TemplateIndex.build(templates), benchmark=None
    )
    return Submission(benchmark, model, audited), config
