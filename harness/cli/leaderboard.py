"""`harness leaderboard BENCHMARK --from PATH...`: rebuild results/BENCHMARK/leaderboard.{csv,md,html,png}."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from harness.cli._command import command
from harness.cli.score import max_unscored_argument, max_unscored_of


def _arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "benchmark", metavar="BENCHMARK", help="alpaca_eval, arena_hard, mt_bench, wildbench or demo"
    )
    p.add_argument(
        "--from", dest="inputs", nargs="+", type=Path, required=True, metavar="PATH",
        help="run directories or upstream judgment files (annotations.json, arena-hard JSONL, FastChat JSONL, "
        "WildBench eval_results)",
    )  # fmt: skip
    p.add_argument("--out", type=Path, default=Path("."), help="writes OUT/results/BENCHMARK/ (default: .)")
    p.add_argument("--baseline", help="baseline model (default: the benchmark's)")
    p.add_argument("--version", help="benchmark version (arena_hard: v0.1 or v2.0)")
    p.add_argument("--style-control", action="store_true", help="arena_hard: style-controlled Bradley-Terry")
    p.add_argument(
        "--answers", nargs="*", type=Path, default=[], help="answer files (arena_hard style metadata)"
    )
    p.add_argument("--questions", type=Path, help="question file (mt_bench categories)")
    p.add_argument("--difficulty", type=Path, help="alpaca_eval instruction difficulty CSV (for LC)")
    p.add_argument("--seed", type=int, default=42, help="bootstrap seed")
    p.add_argument(
        "--upstream-compatible", action="store_true",
        help="arena_hard: draw bootstrap rounds exactly as upstream (global numpy seed 42) for equal intervals",
    )  # fmt: skip
    p.add_argument("--format", choices=("text", "json"), default="text")
    max_unscored_argument(p)


@command("leaderboard", "Rebuild a leaderboard table from stored judgments", _arguments)
def run(args: argparse.Namespace) -> int:
    """Exit 1 when a row's headline is unavailable or more than ``--max-unscored`` of it is unscored."""
    from harness.leaderboard.builders import Options, build
    from harness.leaderboard.render import to_markdown, write_leaderboard
    from harness.pipeline.guard import check_rows

    max_unscored = max_unscored_of(args)

    opts = Options(
        baseline=args.baseline,
        version=args.version,
        style_control=args.style_control,
        answers=tuple(args.answers),
        questions=args.questions,
        difficulty=args.difficulty,
        seed=args.seed,
        upstream_compatible=args.upstream_compatible,
    )
    board = build(args.benchmark, args.inputs, opts)
    files = write_leaderboard(board, args.out)
    if args.format == "json":
        doc = {"benchmark": board.benchmark, "metric": board.metric, "interval": board.interval,
               "rows": board.records(), "files": {k: str(v) for k, v in files.items()}}  # fmt: skip
        print(json.dumps(doc, indent=2))
    else:
        print(to_markdown(board), end="")
        print(f"wrote {', '.join(str(p) for p in files.values())}", file=sys.stderr)
    failures = check_rows(board.rows, board.metric, max_unscored)
    if failures:
        rows = "; ".join(f"{f.model}: {f.why}" for f in failures)
        print(f"harness: headline check failed for {len(failures)} row(s): {rows}", file=sys.stderr)
        return 1
    return 0
