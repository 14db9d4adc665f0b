"""Cheating checks over a model's outputs (issue 5): null-model and judge-template escapes.

Entry points: :func:`load_submission` reads outputs, :func:`audit` runs the detectors (D1-D8 of
docs/audit.md plus degenerate outputs) and returns an :class:`AuditReport`, which
:data:`RENDERERS` turn into text, JSON, JUnit or GitHub annotations. ``harness audit`` wires them up.
"""

from harness.audit.embed import Embedder, MiniLM, default_embedder
from harness.audit.findings import AuditReport, Evidence, Finding, SubmissionFinding
from harness.audit.formats import RENDERERS
from harness.audit.grammar import BenchmarkAudit, JudgeSpec
from harness.audit.inputs import AuditItem, Submission, load_submission
from harness.audit.judge_specs import active_judges, all_judges
from harness.audit.run import AuditConfig, audit
from harness.audit.templates import TemplateIndex, load_templates

__all__ = [
    "RENDERERS",
    "AuditConfig",
    "AuditItem",
    "AuditReport",
    "BenchmarkAudit",
    "Embedder",
    "Evidence",
    "Finding",
    "JudgeSpec",
    "MiniLM",
    "Submission",
    "SubmissionFinding",
    "TemplateIndex",
    "active_judges",
    "all_judges",
    "audit",
    "default_embedder",
    "load_submission",
    "load_templates",
]
