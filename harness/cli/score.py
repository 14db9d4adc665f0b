"""``harness score --benchmark B --model SPEC [--judge SPEC]``: generate, judge, score, report (resumable).

Defaults are upstream's: the benchmark's default judge config (template, parser, position strategy) on
its upstream judge model through the OPENAI_* variables; ``--judge local`` judges offline with SmolLM2.
Prints the table (or, with ``--format json``, one JSON document) on stdout; progress goes to stderr.
Exit 0 when every output and judgment is final and every headline figure is available with at most
``--max-unscored`` of its units unscored; 1 when some failed (re-run to retry), a headline is unavailable
or too much of it is unscored, or the judge's first replies cannot be read at all (the run stops early);
2 on bad input.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.cli._command import command
from harness.errors import BadInput
from judges.hardening import MODES, Hardening

POSITIONS = ("both", "random", "fixed", "portia")
ON_FLAG = (
    "loss",
    "exclude",
    "keep",
)  # harness.run.config.ON_FLAG (not imported: CLI start-up stays light)


def judge_arguments(parser: argparse.ArgumentParser) -> None:
    """Options shared by ``score`` and ``judge``: the judge, how it is run, and the output."""
    parser.add_argument("--judge", metavar="SPEC", help="judge endpoint: local | vllm:MODEL | openai:MODEL[@URL] "
                        "(default: the benchmark's upstream judge model via OPENAI_BASE_URL/OPENAI_API_KEY)")  # fmt: skip
    parser.add_argument("--judge-base-url", metavar="URL",
                        help="base URL of an openai judge given as openai/NAME or openai:NAME (default: OPENAI_BASE_URL)")  # fmt: skip
    parser.add_argument("--judge-config", metavar="NAME", help="judge config (template, parser, strategy); "
                        "default: the benchmark's (see `harness judges`)")  # fmt: skip
    parser.add_argument(
        "--judge-template", type=Path, metavar="PATH", help="replace the judge's prompt template file"
    )
    parser.add_argument(
        "--position",
        choices=POSITIONS,
        help="position strategy (default: the judge config's); portia: "
        "length-aligned merged prompts in both orders, re-aligned by content where the verdicts disagree",
    )
    parser.add_argument("--portia-k", type=int, metavar="K", help="PORTIA segments per answer (default 3)")
    parser.add_argument(
        "--baseline", action="append", metavar="NAME", help="baseline model(s) to compare against"
    )
    parser.add_argument("--judge-max-tokens", type=int, metavar="N", help="cap on the judge's new tokens")
    parser.add_argument("--judge-top-logprobs", type=int, metavar="N",
                        help="top logprobs for a logprob judge (default: 20 for a local judge, else the config's)")  # fmt: skip
    parser.add_argument("--lc-difficulty", type=Path, metavar="CSV",
                        help="AlpacaEval instruction difficulty (index, instruction_difficulty, instruction) for LC; default: "
                             "instruction_difficulty.csv in --data, else the pinned upstream file (not with HARNESS_OFFLINE=1)")  # fmt: skip
    parser.add_argument("--wb-k", type=int, metavar="K",
                        help="WildBench pairwise (WB-Reward): a slight win whose winner is longer by more than K "
                        "characters counts as a tie (default 500, upstream's; -1: no length penalty)")  # fmt: skip
    parser.add_argument("--checklists", type=Path, metavar="FILE",
                        help="--judge-config tick: your own checklists, JSONL of {item_id, questions} (a run's "
                        "checklists.jsonl works); items it lacks are written by the judge")  # fmt: skip
    parser.add_argument("--run-dir", type=Path, metavar="DIR", help="run directory; re-use it to resume")
    parser.add_argument(
        "--max-connections", type=int, default=64, metavar="N", help="in-flight requests per endpoint"
    )
    parser.add_argument("--price-per-mtok", action="append", default=[], metavar="ROLE=IN[,OUT]",
                        help="USD per 1M tokens for a role (model, judge), overriding the built-in table")  # fmt: skip
    parser.add_argument("--format", choices=("table", "json"), default="table", help="stdout format")
    parser.add_argument(
        "--cache", type=Path, metavar="PATH", help="response cache file (default: the user cache)"
    )
    parser.add_argument("--no-cache", action="store_true", help="do not read or write the response cache")
    parser.add_argument("--max-retries", type=int, default=8, help="retries per request")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per request")
    parser.add_argument("--backend", choices=("client", "ray"), default="client",
                        help="where model calls run: this process's async client, or a Ray Data pipeline")  # fmt: skip
    parser.add_argument("--ray-address", metavar="ADDR",
                        help="--backend ray: the Ray cluster (ray://HOST:10001 or auto; default: a local instance)")  # fmt: skip
    parser.add_argument("--ray-processor", choices=("http", "client", "vllm"),
                        help="--backend ray: ray.data.llm HTTP processor against the endpoint (default), this "
                        "harness's client in Ray actors, or vLLM engines on the cluster (its GPUs, else its CPUs)")  # fmt: skip
    parser.add_argument("--ray-concurrency", type=int, metavar="N",
                        help="--backend ray: Ray actors per stage (HTTP workers, client actors or vLLM engines; default 1)")  # fmt: skip
    parser.add_argument("--harden", action="append", default=[], metavar="escape,nonce",
                        help="judge prompt hardening: escape template delimiters in answers, per-call nonce "
                        "delimiters around them (default: off, upstream's prompt)")  # fmt: skip
    parser.add_argument("--on-flag", choices=ON_FLAG, default="loss",
                        help="items the audit flags: score as a loss (default), exclude, or keep")  # fmt: skip
    parser.add_argument("--audit-embeddings", action="store_true",
                        help="include the audit's embedding relevance check (loads MiniLM)")  # fmt: skip
    parser.add_argument("--effect-check-budget", type=int, metavar="N",
                        help="judge calls the effect check may spend re-judging suspicious and sampled items "
                        "without their non-answer text (default: 10%% of the run's judge calls, at least 4)")  # fmt: skip
    parser.add_argument("--no-effect-check", action="store_true",
                        help="do not re-judge items without their non-answer text (the effect check)")  # fmt: skip
    max_unscored_argument(parser)


def max_unscored_argument(parser: argparse.ArgumentParser) -> None:
    """``--max-unscored``: shared by score, judge and leaderboard (``harness.pipeline.guard``)."""
    parser.add_argument("--max-unscored", type=float, metavar="SHARE",
                        help="exit 1 when more than this share of any headline figure's units is unscored "
                        "(default 0.10; 1 turns the check and the early stop on an unreadable judge off)")  # fmt: skip


def max_unscored_of(args: argparse.Namespace) -> float:
    from harness.pipeline.guard import DEFAULT_MAX_UNSCORED, check_max_unscored

    return DEFAULT_MAX_UNSCORED if args.max_unscored is None else check_max_unscored(args.max_unscored)


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--benchmark", required=True, action="append", metavar="NAME[,NAME]",
                        help="see `harness benchmarks`; several (commas or repeated) run one after the other, "
                        "one run directory each (under --run-dir), and print one summary table")  # fmt: skip
    parser.add_argument("--version", dest="bench_version", action="append", metavar="[NAME=]V",
                        help="benchmark version (default: latest); NAME=V with several benchmarks")  # fmt: skip
    parser.add_argument("--model", required=True, action="append", metavar="SPEC",
                        help="local | vllm:MODEL | openai:MODEL[@URL] | openai/MODEL; repeat it to sweep several "
                        "checkpoints (one run each under --run-dir, one judge, one leaderboard)")  # fmt: skip
    parser.add_argument("--model-base-url", metavar="URL",
                        help="base URL of openai models given as openai/NAME or openai:NAME (default: OPENAI_BASE_URL)")  # fmt: skip
    parser.add_argument("--name", action="append",
                        help="model name stored in each output (default: from the spec); one per --model")  # fmt: skip
    parser.add_argument("--data", action="append", metavar="[NAME=]PATH",
                        help="local benchmark data (default: pinned source); NAME=PATH with several benchmarks")  # fmt: skip
    parser.add_argument("--subset", action="store_true", help="accept data with fewer items than upstream")
    parser.add_argument("--limit", type=int, metavar="N", help="only the first N items")
    parser.add_argument("--max-tokens", type=int, metavar="N", help="cap on the model's new tokens")
    parser.add_argument("--compare", metavar="upstream|CSV",
                        help="print where the run ranks inside the published board (results/, regenerated from "
                        "upstream judgments) or inside a leaderboard CSV")  # fmt: skip
    parser.add_argument("--contamination", action="store_true",
                        help="with --benchmark B@clean:PATH: also score B on the same items, report the paired "
                        "difference; exit 1 on a significant drop (docs/clean_eval.md)")  # fmt: skip
    judge_arguments(parser)


def options_from(args: argparse.Namespace) -> Any:
    from harness.backends import check_backend
    from harness.pipeline.costs import parse_price_overrides
    from harness.pipeline.effect_file import EffectOptions
    from harness.pipeline.runner import RunOptions

    if args.max_connections < 1:
        raise BadInput("--max-connections", "must be at least 1")
    check_backend(args.backend, args.ray_address or args.ray_concurrency, args.ray_processor)
    if args.ray_concurrency is not None and args.ray_concurrency < 1:
        raise BadInput("--ray-concurrency", "must be at least 1")
    if args.effect_check_budget is not None and args.effect_check_budget < 0:
        raise BadInput("--effect-check-budget", "must be 0 or more judge calls")
    return RunOptions(
        effect=EffectOptions(enabled=not args.no_effect_check, budget=args.effect_check_budget),
        max_connections=args.max_connections,
        cache_path=args.cache,
        no_cache=args.no_cache,
        max_retries=args.max_retries,
        timeout=args.timeout,
        prices=parse_price_overrides(args.price_per_mtok),
        subset=getattr(args, "subset", False),
        backend=args.backend,
        ray_address=args.ray_address,
        ray_processor=args.ray_processor or "http",
        ray_concurrency=args.ray_concurrency or 1,
        audit_embeddings=args.audit_embeddings,
        max_unscored=max_unscored_of(args),
    )


def judge_fields(args: argparse.Namespace, benchmark: str, version: str) -> dict[str, Any]:
    """The judge part of the run config from the options (defaults: the benchmark's upstream judge)."""
    from benchmarks import get_benchmark
    from harness.endpoints import parse_endpoint_spec
    from harness.pipeline.runner import model_name_of
    from harness.run.config import is_checklist_judge, judge_model_of

    judge_config = args.judge_config or get_benchmark(benchmark).spec.version(version).default_judge
    if args.judge is None and not judge_model_of(judge_config):
        raise BadInput(
            "--judge", f"judge config {judge_config!r} has no upstream judge model; name one with --judge"
        )
    judge = args.judge or f"openai:{judge_model_of(judge_config)}"
    spec = parse_endpoint_spec(judge, option="--judge", base_url=getattr(args, "judge_base_url", None))
    for name in ("judge_max_tokens", "judge_top_logprobs", "portia_k"):
        value = getattr(args, name)
        if value is not None and value < 1:
            raise BadInput("--" + name.replace("_", "-"), "must be at least 1")
    if args.judge_template is not None and not args.judge_template.is_file():
        raise BadInput(str(args.judge_template), "no such judge template file")
    if args.lc_difficulty is not None and not args.lc_difficulty.is_file():
        raise BadInput(str(args.lc_difficulty), "no such difficulty file")
    # the file's content is read by the stages before any server or request (harness.pipeline.stages)
    if args.checklists is not None:
        if not args.checklists.is_file():
            raise BadInput(str(args.checklists), "no such checklists file")
        if not is_checklist_judge(judge_config):
            raise BadInput(
                "--checklists", f"judge config {judge_config!r} does not use checklists (use tick)"
            )
    if args.wb_k is not None:
        if args.wb_k < -1:
            raise BadInput("--wb-k", f"must be -1 (no length penalty) or at least 0, got {args.wb_k}")
        if not get_benchmark(benchmark).uses_length_margin(judge_config):
            raise BadInput(
                "--wb-k", "applies to WildBench's pairwise judge only (--judge-config wildbench_pairwise)"
            )
    top = args.judge_top_logprobs or (20 if spec.kind == "local" else None)
    hardening = Hardening.parse(args.harden)
    return {
        "judge": str(spec),
        "judge_model": model_name_of(spec),
        "judge_config": judge_config,
        "position": args.position,
        "portia_k": args.portia_k,
        "judge_template": str(args.judge_template.resolve()) if args.judge_template else None,
        "judge_max_tokens": args.judge_max_tokens,
        "judge_top_logprobs": top,
        "lc_difficulty": str(args.lc_difficulty.resolve()) if args.lc_difficulty else None,
        "hardening": tuple(m for m in MODES if getattr(hardening, m)),
        "on_flag": args.on_flag,
        "wb_k": args.wb_k,
        "checklists": str(args.checklists.resolve()) if args.checklists else None,
    }


def emit(outcome: Any, run_dir: Path, fmt: str) -> int:
    """Print the report (table or JSON on stdout) and the closing lines on stderr."""
    from rich.console import Console

    from harness.pipeline.report import render_table

    if fmt == "json":
        print(json.dumps(outcome.report, ensure_ascii=False, allow_nan=False))
    elif fmt == "table":
        render_table(outcome.report, Console(file=sys.stdout, width=140))
    print(f"harness: report -> {run_dir / 'report.md'}", file=sys.stderr)
    for message in outcome.messages:
        print(f"harness: {message}", file=sys.stderr)
    return int(outcome.exit_code)


@command("score", "generate, judge and score a model on a benchmark (resumable)", _arguments)
def run(args: argparse.Namespace) -> int:
    from harness.cli._several import benchmark_names, per_benchmark, score_several

    names = benchmark_names(args.benchmark)
    data = per_benchmark(args.data, names, "--data")
    versions = per_benchmark(args.bench_version, names, "--version")
    if len(names) > 1:
        return score_several(args, names, data, versions)
    planned = plan(args, names[0], data[names[0]], versions[names[0]])
    code, _ = score_planned(args, planned, args.run_dir, args.format)
    return code


@dataclass(frozen=True)
class Planned:
    """One benchmark's checked run plan: everything validated before any model call."""

    config: Any
    models: list[tuple[str, str]]
    options: Any
    name: str
    data: str | None
    board: Any


def plan(
    args: argparse.Namespace,
    spec: str,
    data_arg: str | None,
    version_arg: str | None,
    compare_required: bool = True,
) -> Planned:
    """Check the options for one benchmark and build its run config (bad input raises here, before any run).
    With several benchmarks (``compare_required`` false) one without a published board is said to have none."""
    from benchmarks import get_benchmark
    from harness.run.config import RunConfig

    bench = get_benchmark(spec)
    version = bench.spec.version(version_arg).name
    models = _models(args.model, args.name, args.model_base_url)
    if args.max_tokens is not None and args.max_tokens < 1:
        raise BadInput("--max-tokens", "must be at least 1")
    if len(models) > 1 and args.contamination:
        raise BadInput("--contamination", "takes one --model")
    benchmark, variant = _benchmark_of(spec, bench.spec.name)
    data = str(Path(data_arg).resolve()) if data_arg else None
    config = RunConfig(
        benchmark=benchmark,
        version=version,
        model=models[0][0],
        model_name=models[0][1],
        data=None if args.contamination else data,
        limit=args.limit,
        baselines=tuple(args.baseline or ()),
        max_tokens=args.max_tokens,
        **judge_fields(args, bench.spec.name, version),
    )
    options = options_from(args)
    board = None
    if args.compare:
        from harness.leaderboard.compare import board_path, load_board

        try:
            board = load_board(board_path(args.compare, bench.spec.name, version))
        except BadInput as exc:
            if compare_required:
                raise
            print(f"harness: {bench.spec.name}: not compared: {exc}", file=sys.stderr)
    name = bench.spec.name + ("-clean" if variant else "")
    return Planned(config, models, options, name, data, board)


def score_planned(
    args: argparse.Namespace, planned: Planned, run_dir_arg: Path | None, fmt: str
) -> tuple[int, list[tuple[Path, dict[str, Any]]]]:
    """Run a plan (one model, a sweep, or a contamination pair); print unless ``fmt`` is "none".
    Returns the exit code and each run's (directory, report)."""
    p = planned
    code, runs = _score_runs(args, p.config, p.models, p.options, p.name, run_dir_arg, p.data, fmt)
    if p.board is not None:
        _print_compare(p.board, runs, fmt)
    return code, runs


def _score_runs(
    args: argparse.Namespace,
    config: Any,
    models: list[tuple[str, str]],
    options: Any,
    name: str,
    run_dir_arg: Path | None,
    data: str | None,
    fmt: str,
) -> tuple[int, list[tuple[Path, dict[str, Any]]]]:
    from harness.pipeline.runner import default_run_dir, execute, load_items

    if len(models) > 1:
        sweep_dir = run_dir_arg or default_run_dir(name, "sweep")
        return _sweep(config, models, options, sweep_dir, fmt)
    run_dir: Path = run_dir_arg or default_run_dir(name, config.model_name)
    if args.contamination:
        return _contamination(config, options, run_dir, data, fmt), []
    items = load_items(config, options)
    outcome = execute("score", config, items, run_dir, options)
    return emit(outcome, run_dir, fmt), [(run_dir, outcome.report)]


def _print_compare(board: Any, runs: list[tuple[Path, dict[str, Any]]], fmt: str) -> None:
    from harness.leaderboard.compare import describe

    for _, report in runs:
        head = next((s for s in report["scores"] if s.get("extra", {}).get("headline")), None)
        if head is None:
            continue
        line = describe(board, str(report.get("model")), head["metric"], head.get("value"))
        print(
            line if fmt == "table" else f"harness: {line}", file=sys.stdout if fmt == "table" else sys.stderr
        )


def _models(specs: list[str], names: list[str] | None, base_url: str | None = None) -> list[tuple[str, str]]:
    """(spec, name) per ``--model``: names from ``--name`` in order, else from the spec."""
    from harness.endpoints import parse_endpoint_spec
    from harness.pipeline.runner import model_name_of

    parsed = [parse_endpoint_spec(spec, base_url=base_url) for spec in specs]
    if names is not None and len(names) != len(parsed):
        raise BadInput("--name", f"give one --name per --model ({len(parsed)}), or none; got {len(names)}")
    return [(str(spec), names[i] if names else model_name_of(spec)) for i, spec in enumerate(parsed)]


def _sweep(
    config: Any, models: list[tuple[str, str]], options: Any, sweep_dir: Path, fmt: str
) -> tuple[int, list[tuple[Path, dict[str, Any]]]]:
    """Score several checkpoints with one judge; print the sweep's leaderboard (harness.pipeline.sweep)."""
    from harness.leaderboard.render import to_markdown
    from harness.pipeline.runner import load_items
    from harness.pipeline.sweep import sweep, sweep_configs

    configs = sweep_configs(config, models)
    outcome = sweep("score", configs, load_items(config, options), sweep_dir, options)
    if fmt == "json":
        doc = {"benchmark": outcome.leaderboard.benchmark, "metric": outcome.leaderboard.metric,
               "leaderboard": outcome.leaderboard.records(),
               "runs": {name: {"run_dir": str(d), "report": o.report} for name, (d, o) in outcome.runs.items()}}  # fmt: skip
        print(json.dumps(doc, ensure_ascii=False, allow_nan=False))
    elif fmt == "table":
        print(to_markdown(outcome.leaderboard), end="")
    print(
        f"harness: runs -> {sweep_dir}/<model>/report.md; leaderboard -> {outcome.files['md']}",
        file=sys.stderr,
    )
    for name, (_, run) in outcome.runs.items():
        for message in run.messages:
            print(f"harness: {name}: {message}", file=sys.stderr)
    return outcome.exit_code, [(d, o.report) for d, o in outcome.runs.values()]


def _benchmark_of(spec: str, name: str) -> tuple[str, Path | None]:
    """The run config's benchmark: the adapter's name, or ``NAME@clean:ABSPATH`` for a clean variant."""
    from harness.clean_eval.variant import split_spec

    _, variant = split_spec(spec)
    if variant is None:
        return name, None
    return f"{name}@clean:{variant.resolve()}", variant


def _contamination(config: Any, options: Any, run_dir: Path, data: str | None, fmt: str) -> int:
    """Score the original and the clean variant, print the paired report (docs/clean_eval.md)."""
    from harness.clean_eval.contamination import render_markdown
    from harness.clean_eval.score_mode import score_contamination

    outcome = score_contamination(config, options, run_dir, data=data)
    if fmt == "json":
        print(json.dumps(outcome.as_json(), ensure_ascii=False))
    else:
        print(render_markdown(outcome.report))
    print(
        f"harness: reports -> {run_dir}/{{original,clean}}/report.md, {run_dir / 'contamination.md'}",
        file=sys.stderr,
    )
    for message in outcome.original.messages + outcome.clean.messages:
        print(f"harness: {message}", file=sys.stderr)
    if outcome.report.significant_drop:
        print("harness: significant drop on the clean variant (possible contamination)", file=sys.stderr)
    if outcome.report.unavailable is not None:
        print(f"harness: contamination: the difference is unavailable ({outcome.report.unavailable})",
              file=sys.stderr)  # fmt: skip
    return outcome.exit_code
