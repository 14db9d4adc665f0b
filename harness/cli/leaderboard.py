"""`harness leaderboard BENCHMARK --from PATH...`: rebuild results/BENCHMARK/leaderboard.{csv,md,html,png}.

`harness leaderboard --regenerate | --check`: the official boards committed under results/ (pinned upstream
judgments, harness/leaderboard/official.py), rebuilt, or recomputed and compared (exit 1 when stale).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from harness.cli._command import command
from harness.cli.score import max_unscored_argument, max_unscored_of
from harness.errors import BadInput


def _arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "benchmark", metavar="BENCHMARK", nargs="?",
        help="alpaca_eval, arena_hard, mt_bench, wildbench or demo (with --check/--regenerate: only its boards)",
    )  # fmt: skip
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--regenerate", action="store_true",
                      help="rebuild the official boards under --results from their pinned upstream judgments")  # fmt: skip
    mode.add_argument("--check", action="store_true",
                      help="recompute the committed official boards; exit 1 when one is stale")  # fmt: skip
    p.add_argument("--results", type=Path, default=Path("results"), metavar="DIR",
                   help="--check/--regenerate: the results folder (default: ./results)")  # fmt: skip
    p.add_argument("--data-root", type=Path, metavar="DIR",
                   help="--check/--regenerate: a folder holding copies of the upstream files (found by content)")  # fmt: skip
    p.add_argument("--online", action="store_true",
                   help="--check/--regenerate: download unreachable upstream files at their pinned commits")  # fmt: skip
    p.add_argument("--only", action="append", default=[], metavar="BOARD[,BOARD]",
                   help="--check/--regenerate: these boards (or benchmarks) only")  # fmt: skip
    p.add_argument(
        "--from", dest="inputs", nargs="+", type=Path, metavar="PATH",
        help="run directories or upstream judgment files (annotations.json, arena-hard JSONL, FastChat JSONL, "
        "WildBench eval_results), or folders holding them (an alpaca_eval results/ tree, model_judgment/JUDGE/, "
        "a sweep directory)",
    )  # fmt: skip
    p.add_argument("--out", type=Path, default=Path("."), help="writes OUT/results/BENCHMARK/ (default: .)")
    p.add_argument("--baseline", help="baseline model (default: the benchmark's)")
    p.add_argument("--version", help="benchmark version (arena_hard: v0.1 or v2.0)")
    p.add_argument("--style-control", action="store_true", help="arena_hard: style-controlled Bradley-Terry")
    p.add_argument(
        "--answers",
        nargs="*",
        type=Path,
        default=[],
        help="answer files or model_answer/ folders (arena_hard style metadata)",
    )
    p.add_argument("--questions", type=Path, help="question file (mt_bench categories)")
    p.add_argument(
        "--difficulty",
        type=Path,
        help="alpaca_eval instruction difficulty CSV (for LC; default: the pinned upstream file, not with HARNESS_OFFLINE=1)",
    )
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
    if args.check or args.regenerate:
        return _official(args)
    for flag in ("data_root", "online", "only"):
        if getattr(args, flag):
            raise BadInput("--" + flag.replace("_", "-"), "applies to --check and --regenerate only")
    if args.benchmark is None or not args.inputs:
        raise BadInput("leaderboard", "give BENCHMARK and --from PATH..., or --check / --regenerate")
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


def _official(args: argparse.Namespace) -> int:
    from harness.leaderboard.official import boards
    from harness.leaderboard.results import check, regenerate
    from harness.leaderboard.sources import SourceIndex

    if args.inputs:
        raise BadInput("--from", "not with --check/--regenerate (their inputs are pinned)")
    only = [name for value in args.only for name in value.split(",") if name]
    selected = boards(only + ([args.benchmark] if args.benchmark else []))
    index = SourceIndex(args.data_root)
    if args.regenerate:
        findings = regenerate(args.results, selected, index, args.online)
    else:
        findings = check(args.results, selected, index, args.online)
    for f in findings:
        print(f"{f.status:8} {f.board:24} {f.detail}")
    if any(f.status == "stale" for f in findings):
        print("harness: stale results; rebuild with `harness leaderboard --regenerate`", file=sys.stderr)
        return 1
    if args.regenerate and only and any(f.status == "skipped" for f in findings):
        raise BadInput("--only", "inputs of a named board are unreachable; pass --data-root DIR or --online")
    return 0
