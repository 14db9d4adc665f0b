"""``harness judge --outputs RUN_DIR --judge SPEC [...]``: re-judge a run's stored outputs, no regeneration.

The new judgments go to a new run directory (``--run-dir``, default ``runs/<benchmark>-<model>-judge-...``)
holding a copy of the model's outputs, so each run directory has one judge and one report, and the
source run is never modified. Benchmark, version, data and limit come from the source run's run.json;
judge, judge config, template and position strategy are this command's options. Resumable like
``harness score``: re-running the same command makes no request for what is already judged.
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

from harness.cli._command import command
from harness.cli.score import emit, judge_arguments, judge_fields, options_from
from harness.errors import BadInput


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--outputs", required=True, type=Path, metavar="RUN_DIR",
                        help="a `harness score` run directory whose outputs are re-judged")  # fmt: skip
    parser.add_argument("--subset", action="store_true", help="accept data with fewer items than upstream")
    judge_arguments(parser)


@command("judge", "re-judge a run's stored outputs with another judge or strategy (resumable)", _arguments)
def run(args: argparse.Namespace) -> int:
    from harness.pipeline.runner import default_run_dir, execute, load_items
    from harness.run.config import RunConfig
    from harness.store import RunStore

    source = RunStore(args.outputs)
    info = source.read_run_json()
    if info is None:
        raise BadInput(str(args.outputs), "no run.json: not a harness run directory")
    base = RunConfig.from_json(info.config, str(source.run_json))
    config = dataclasses.replace(
        base,
        source_run=str(args.outputs.resolve()),
        baselines=tuple(args.baseline) if args.baseline else base.baselines,
        **judge_fields(args, base.benchmark, base.version),
    )
    options = options_from(args)
    items = load_items(config, options)
    run_dir: Path = args.run_dir or default_run_dir(
        config.benchmark, config.model_name, f"-judge-{config.judge_config}-{config.judge_model}"
    )
    if run_dir.resolve() == args.outputs.resolve():
        raise BadInput("--run-dir", "must differ from --outputs (the source run is never modified)")
    outcome = execute("judge", config, items, run_dir, options, copy_outputs_from=args.outputs)
    return emit(outcome, run_dir, args.format)
