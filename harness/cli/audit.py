"""`harness audit OUTPUTS`: cheating checks over a model's outputs, for CI.

Exit 0 when nothing is flagged (warnings allowed), 1 when the submission fails, 2 on bad input. The
report goes to stdout in the chosen ``--format``; progress goes to stderr. See docs/audit.md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from harness.cli._command import command
from harness.errors import BadInput

FORMATS = ("text", "json", "junit", "github")


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("outputs", type=Path, help="model_outputs.json, answer .jsonl, or a run directory")
    parser.add_argument("--benchmark", help="alpaca_eval, arena_hard, arena_hard_v2, mt_bench, wildbench")
    parser.add_argument(
        "--judge", action="append", help="active judge (repeatable); default: the benchmark's"
    )
    parser.add_argument(
        "--judge-template",
        action="append",
        type=Path,
        default=[],
        help="active judge template file or directory (repeatable)",
    )
    parser.add_argument("--questions", type=Path, help="question file for answers that carry no prompts")
    parser.add_argument(
        "--data-dir",
        type=Path,
        help="upstream data root for default questions/templates (default ../shared/data)",
    )
    parser.add_argument("--format", choices=FORMATS, default="text")
    parser.add_argument(
        "--no-embeddings",
        action="store_true",
        help="skip the embedding relevance check (no sentence-transformers needed)",
    )


@command(
    "audit", "check model outputs for null-model and template-escape cheating (exit 1 if flagged)", _arguments
)
def run(args: argparse.Namespace) -> int:
    from harness.audit.formats import RENDERERS
    from harness.audit.inputs import BENCHMARK_QUESTIONS, default_data_root, load_submission
    from harness.audit.judge_specs import active_judges
    from harness.audit.run import AuditConfig, audit
    from harness.audit.templates import TemplateIndex, load_templates

    data_root: Path = args.data_dir or default_data_root()
    judges = active_judges(args.benchmark, args.judge)
    questions = args.questions
    if questions is None and args.benchmark and BENCHMARK_QUESTIONS.get(args.benchmark):
        candidate = data_root / str(BENCHMARK_QUESTIONS[args.benchmark])
        questions = candidate if candidate.exists() else None
    for path in args.judge_template:
        if not path.exists():
            raise BadInput(str(path), "judge template not found")
    template_paths = list(args.judge_template)
    if not template_paths:
        files = dict.fromkeys(f for j in judges for f in j.template_files)
        template_paths = [data_root / f for f in files if (data_root / f).exists()]
    templates = load_templates(template_paths)
    if args.judge_template and not templates:
        raise BadInput(",".join(map(str, args.judge_template)), "no template text found")
    submission = load_submission(args.outputs, questions)
    embedder = None
    if not args.no_embeddings:
        from harness.audit.embed import default_embedder

        print("harness audit: loading the embedding model", file=sys.stderr)
        embedder = default_embedder()
    config = AuditConfig(judges=judges, templates=TemplateIndex.build(templates), benchmark=args.benchmark)
    report = audit(submission, config, embedder)
    print(RENDERERS[args.format](report))
    return 1 if report.verdict == "fail" else 0
