"""`harness audit OUTPUTS`: cheating checks over a model's outputs, for CI.

Exit 0 when nothing is flagged (warnings allowed), 1 when the submission fails, 2 on bad input. The
report goes to stdout in the chosen ``--format``; progress goes to stderr. See docs/audit.md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from harness.cli._command import command
from harness.errors import BadInput

if TYPE_CHECKING:
    from harness.run.config import RunConfig

KINDS = ("constant", "persuasive", "structured")  # harness.audit.canary_attacks.KINDS (light import)

FORMATS = ("text", "json", "junit", "github")


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "outputs", type=Path, nargs="?", help="model_outputs.json, answer .jsonl, or a run directory"
    )
    parser.add_argument(
        "--benchmark", help="its judges and question file are the defaults (harness benchmarks)"
    )
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
        help="upstream data root for default questions/templates (default $HARNESS_SHARED_DIR/data)",
    )
    parser.add_argument("--format", choices=FORMATS, default="text")
    parser.add_argument(
        "--no-embeddings",
        action="store_true",
        help="skip the embedding checks (relevance and judge-addressed text; no models loaded)",
    )
    canary = parser.add_argument_group("null-model canary (--canary; --judge is then the judge endpoint)")
    canary.add_argument(
        "--canary", action="store_true", help="judge null-model submissions; exit 1 above the floor"
    )
    canary.add_argument("--judge-config", metavar="NAME", help="judge config (default: the benchmark's)")
    canary.add_argument(
        "--data",
        type=Path,
        metavar="PATH",
        help="local benchmark data, as for `harness score --data` (default: the pinned source; "
        "--questions is taken as --data when this is absent)",
    )
    canary.add_argument(
        "--version", dest="bench_version", metavar="V", help="benchmark version (default: latest)"
    )
    canary.add_argument(
        "--lc-difficulty",
        type=Path,
        metavar="CSV",
        help="AlpacaEval instruction difficulty for the LC figure",
    )
    canary.add_argument("--limit", type=int, default=10, metavar="N", help="canary items (default 10)")
    canary.add_argument("--kinds", default=",".join(KINDS), help=f"canary kinds (default {','.join(KINDS)})")
    canary.add_argument(
        "--harden",
        action="append",
        default=[],
        metavar="escape,nonce",
        help="the hardening under test (default: off; the report also shows the other setting)",
    )
    canary.add_argument("--floor", type=float, help="fail above this headline score (default by statistic)")
    canary.add_argument("--position", choices=("both", "random", "fixed"), help="position strategy")
    canary.add_argument("--judge-max-tokens", type=int, metavar="N", help="cap on the judge's new tokens")
    canary.add_argument("--run-dir", type=Path, metavar="DIR", help="where the canary runs are kept")
    canary.add_argument("--cache", type=Path, metavar="PATH", help="response cache (default: the user cache)")
    canary.add_argument("--no-cache", action="store_true", help="do not use the response cache")


@command(
    "audit", "check model outputs for null-model and template-escape cheating (exit 1 if flagged)", _arguments
)
def run(args: argparse.Namespace) -> int:
    if args.canary:
        return run_canary_command(args)
    if args.outputs is None:
        raise BadInput("harness audit", "give OUTPUTS to audit, or --canary")
    from harness.audit.formats import RENDERERS
    from harness.audit.inputs import default_data_root, load_submission
    from harness.audit.judge_specs import active_judges, benchmark_questions
    from harness.audit.run import AuditConfig, audit
    from harness.audit.templates import TemplateIndex, load_templates

    data_root: Path = args.data_dir or default_data_root()
    if args.bench_version and not args.benchmark:
        raise BadInput("--version", "needs --benchmark")
    judges = active_judges(args.benchmark, args.judge, args.bench_version)
    questions = args.questions
    relative = benchmark_questions(args.benchmark, args.bench_version) if args.benchmark else None
    if questions is None and relative:
        candidate = data_root / relative
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
    embedder = encoder = None
    if not args.no_embeddings:
        from harness.audit.embed import default_embedder, default_sentence_encoder

        print("harness audit: loading the embedding models", file=sys.stderr)
        embedder = default_embedder()
        encoder = default_sentence_encoder()
    config = AuditConfig(judges=judges, templates=TemplateIndex.build(templates), benchmark=args.benchmark)
    report = audit(submission, config, embedder, encoder)
    print(RENDERERS[args.format](report))
    return 1 if report.verdict == "fail" else 0


def _canary_config(args: argparse.Namespace) -> RunConfig:
    """The judge part of the canary's run config, checked before anything runs."""
    from benchmarks import get_benchmark
    from harness.endpoints import parse_endpoint_spec
    from harness.pipeline.runner import model_name_of
    from harness.run.config import RunConfig, judge_model_of
    from judges.hardening import Hardening

    if not args.benchmark:
        raise BadInput("--canary", "needs --benchmark")
    if args.outputs is not None:
        raise BadInput(str(args.outputs), "--canary builds its own submissions; give no OUTPUTS")
    if args.judge and len(args.judge) > 1:
        raise BadInput("--judge", "--canary takes one judge endpoint")
    for option in ("limit", "judge_max_tokens"):
        value = getattr(args, option)
        if value is not None and value < 1:
            raise BadInput("--" + option.replace("_", "-"), "must be at least 1")
    Hardening.parse(args.harden)  # unknown modes: BadInput now
    bench = get_benchmark(args.benchmark)
    version = bench.spec.version(args.bench_version)
    data = _canary_data(args)
    if args.lc_difficulty is not None and not args.lc_difficulty.is_file():
        raise BadInput(str(args.lc_difficulty), "no such difficulty file")
    judge_config = args.judge_config or version.default_judge
    spec = parse_endpoint_spec(
        args.judge[0] if args.judge else f"openai:{judge_model_of(judge_config)}", option="--judge"
    )
    return RunConfig(
        benchmark=bench.spec.name, version=version.name, model="local", model_name="canary",
        judge=str(spec), judge_model=model_name_of(spec), judge_config=judge_config, limit=args.limit,
        data=None if data is None else str(data.resolve()),
        lc_difficulty=str(args.lc_difficulty.resolve()) if args.lc_difficulty else None,
        position=args.position, judge_max_tokens=args.judge_max_tokens,
        judge_top_logprobs=20 if spec.kind == "local" else None,
    )  # fmt: skip


def _canary_data(args: argparse.Namespace) -> Path | None:
    """The benchmark's items for the canary: ``--data`` (read by the benchmark's adapter, as ``harness
    score --data`` reads it), else ``--questions``, else None (the pinned source)."""
    if args.data is not None and args.questions is not None and args.data != args.questions:
        raise BadInput("--questions", "--canary reads its items from --data; give one of them")
    data: Path | None = args.data if args.data is not None else args.questions
    if data is not None and not data.exists():
        raise BadInput(str(data), "no such file or directory")
    return data


def run_canary_command(args: argparse.Namespace) -> int:
    from datetime import datetime

    from harness.audit.canary import CANARY_RENDERERS, run_canary
    from harness.pipeline.runner import RunOptions
    from judges.hardening import MODES, Hardening

    if args.format not in CANARY_RENDERERS:
        raise BadInput("--format", f"--canary reports as {' or '.join(CANARY_RENDERERS)}")
    kinds = tuple(k.strip() for k in args.kinds.split(",") if k.strip())
    unknown = sorted(set(kinds) - set(KINDS))
    if unknown or not kinds:
        raise BadInput("--kinds", f"unknown canary kind(s) {', '.join(unknown)} (known: {', '.join(KINDS)})")
    config = _canary_config(args)
    hardening = Hardening.parse(args.harden)
    modes = tuple(m for m in MODES if getattr(hardening, m)) or MODES
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    work_dir = args.run_dir or Path("runs") / f"canary-{args.benchmark}-{stamp}"
    options = RunOptions(cache_path=args.cache, no_cache=args.no_cache, subset=True)
    report = run_canary(
        config, kinds, modes, "on" if hardening.active else "off", args.floor, work_dir, options
    )
    print(CANARY_RENDERERS[args.format](report))
    return 1 if report.verdict == "fail" else 0
