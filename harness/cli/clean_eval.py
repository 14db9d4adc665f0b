"""``harness clean-eval build|report``: paraphrased benchmark variants and the contamination report.

``build`` rewrites every item of a benchmark with a rewriter model (paraphrases and back-translations),
keeps candidates that mean the same but read differently, and writes a versioned variant (JSONL + Parquet)
loadable as ``--benchmark B@clean:PATH``. It is resumable like every run: the same command on the same
``--run-dir`` continues where it stopped. Exit 0 when the variant is written, 1 when some items are still
missing after API errors (re-run to retry), 2 on bad input (checked before any server starts).

``score`` answers and judges a model on the original and on the clean variant (same judge, same items)
and reports; ``report`` does the same comparison over two existing run directories (same judge): paired
bootstrap interval of the difference, exit 1 on a significant drop (a check failed).
"""

from __future__ import annotations

import argparse
import re
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from harness.cli._command import command
from harness.errors import BadInput

if TYPE_CHECKING:
    from harness.clean_eval.contamination import ContaminationReport


def _float_pair(text: str) -> tuple[float, float]:
    try:
        low, high = (float(x) for x in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected LOW,HIGH, got {text!r}") from None
    return low, high


def _build_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--benchmark", required=True, help="benchmark to rewrite (harness benchmarks lists them)")
    p.add_argument(
        "--rewriter", required=True, metavar="SPEC", help="local | vllm:MODEL | openai:MODEL[@URL]"
    )
    p.add_argument(
        "--data", type=Path, metavar="PATH", help="local copy of the benchmark (default: pinned source)"
    )
    p.add_argument("--version", help="benchmark version (default: the benchmark's default)")
    p.add_argument("--limit", type=int, metavar="N", help="rewrite the first N items only")
    p.add_argument(
        "--allow-subset", action="store_true", help="accept a --data file with fewer items than upstream"
    )
    p.add_argument(
        "--run-dir", type=Path, metavar="DIR", help="default runs/clean-eval-<benchmark>-<timestamp>"
    )
    p.add_argument(
        "--out",
        type=Path,
        metavar="PATH",
        help="variant file (default DIR/variant.jsonl; .parquet beside it)",
    )
    p.add_argument(
        "--paraphrases", type=int, default=2, metavar="N", help="paraphrase candidates per item (2)"
    )
    p.add_argument(
        "--pivots", default="de,zh,fr", help="back-translation pivot languages (de,zh,fr; '' for none)"
    )
    p.add_argument("--temperature", type=float, default=0.7, help="paraphrase sampling temperature (0.7)")
    p.add_argument(
        "--rewrite-max-tokens", type=int, default=256, metavar="N", help="per rewriter reply (256)"
    )
    p.add_argument("--seed", type=int, default=0)
    p.add_argument(
        "--min-similarity", type=float, default=0.70, help="semantic filter: cosine >= this (0.70)"
    )
    p.add_argument(
        "--chrf-band",
        type=_float_pair,
        default=(0.20, 0.60),
        metavar="LOW,HIGH",
        help="surface change: chrF in band (0.20,0.60)",
    )
    p.add_argument(
        "--max-length-ratio", type=float, default=2.0, help="length in words within this factor (2.0)"
    )
    p.add_argument("--selector", default="max_similarity", help="max_similarity (default) | max_change")
    p.add_argument("--max-connections", type=int, default=4, metavar="N", help="items rewritten at once (4)")
    p.add_argument("--cache", type=Path, metavar="PATH", help="response cache file (default: the user cache)")
    p.add_argument("--no-cache", action="store_true", help="do not read or write the response cache")
    p.add_argument("--timeout", type=float, default=600.0, help="seconds per request")


def _report_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--original", required=True, type=Path, metavar="RUN_DIR", help="run scored on the original"
    )
    p.add_argument(
        "--clean", required=True, type=Path, metavar="RUN_DIR", help="run scored on the clean variant"
    )
    p.add_argument("--out", type=Path, metavar="DIR", help="also write contamination.json/.md here")
    _bootstrap_arguments(p)


def _bootstrap_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--resamples", type=int, default=2000, help="bootstrap resamples (2000)")
    p.add_argument("--confidence", type=float, default=0.95, help="interval level (0.95)")
    p.add_argument("--seed", type=int, default=0, help="bootstrap seed (0)")
    p.add_argument("--format", choices=("text", "json"), default="text")


def _arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    _build_arguments(sub.add_parser("build", help="build a clean (paraphrased) variant of a benchmark"))
    _report_arguments(sub.add_parser("report", help="contamination report from an original and a clean run"))


@command("clean-eval", "Clean-Eval: paraphrased benchmark variants and the contamination report", _arguments)
def run(args: argparse.Namespace) -> int:
    if args.action == "build":
        return _build(args)
    return _report(args)


def _default_run_dir(benchmark: str) -> Path:
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", benchmark).strip("_")[-40:]
    return Path("runs") / f"clean-eval-{slug}-{datetime.now().strftime('%Y%m%d-%H%M%S')}"


def _build(args: argparse.Namespace) -> int:
    from harness.clean_eval.candidates import RewriteConfig
    from harness.clean_eval.filters import FilterConfig
    from harness.clean_eval.pipeline import BuildRequest, run_build
    from harness.clean_eval.select import get_selector
    from harness.endpoints import parse_endpoint_spec

    if args.max_connections < 1:
        raise BadInput("--max-connections", "must be at least 1")
    get_selector(args.selector)
    request = BuildRequest(
        benchmark=args.benchmark,
        version=args.version,
        data=args.data,
        limit=args.limit,
        check_count=not args.allow_subset,
        rewriter=parse_endpoint_spec(args.rewriter, option="--rewriter"),
        rewrite=RewriteConfig(
            n_paraphrases=args.paraphrases,
            pivots=tuple(p.strip() for p in args.pivots.split(",") if p.strip()),
            temperature=args.temperature,
            max_tokens=args.rewrite_max_tokens,
            seed=args.seed,
        ),
        filter=FilterConfig(args.min_similarity, args.chrf_band[0], args.chrf_band[1], args.max_length_ratio),
        selector=args.selector,
        run_dir=args.run_dir or _default_run_dir(args.benchmark),
        out=args.out,
        cache=None if args.no_cache else args.cache,
        use_cache=not args.no_cache,
        max_connections=args.max_connections,
        timeout=args.timeout,
    )
    return run_build(request)


def _report(args: argparse.Namespace) -> int:
    from harness.clean_eval.contamination import report_from_runs, write_report

    report = report_from_runs(
        args.original, args.clean, resamples=args.resamples, confidence=args.confidence, seed=args.seed
    )
    if args.out is not None:
        write_report(report, args.out)
    return _print_report(report, args.format)


def _print_report(report: ContaminationReport, fmt: str) -> int:
    """The report on stdout (Markdown or one JSON document); exit 1 when a significant drop is flagged
    or the difference is unavailable."""
    import json
    import sys

    from harness.clean_eval.contamination import render_markdown

    if fmt == "json":
        print(json.dumps(report.model_dump(mode="json"), indent=2))
    else:
        print(render_markdown(report))
    if report.significant_drop:
        print("harness: significant drop on the clean variant (possible contamination)", file=sys.stderr)
        return 1
    if report.unavailable is not None:
        print(
            f"harness: contamination: the difference is unavailable ({report.unavailable})", file=sys.stderr
        )
        return 1
    return 0
