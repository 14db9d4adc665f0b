"""Cheating checks over a model's outputs (issue 5): null-model and judge-template escapes.

Entry points: :func:`harness.audit.inputs.load_submission` reads outputs, :func:`harness.audit.run.audit`
runs the detectors (D1-D8 of docs/audit.md plus degenerate outputs) and returns an
:class:`harness.audit.findings.AuditReport`, which :data:`harness.audit.formats.RENDERERS` turn into text,
JSON, JUnit or GitHub annotations. ``harness audit`` wires them up.

The package itself imports nothing: its modules are imported where they are used, so that reading a stored
report (:mod:`harness.audit.findings`) does not load the detectors or the sentence encoder.
"""
