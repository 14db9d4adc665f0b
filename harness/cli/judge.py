"""``harness judge --outputs RUN_DIR|FILE --judge SPEC [...]``: judge stored outputs, no regeneration.

``--outputs`` is a ``harness score`` run directory, or a model's answers as upstream publishes them (an
alpaca_eval ``model_outputs.json``, an Arena-Hard or MT-Bench ``model_answer/<model>.jsonl``, or a folder
holding ``model_outputs.json``) with ``--benchmark`` (and ``--data``/``--version``/``--limit`` as for
``harness score``); the model's name comes from the file (``--name`` overrides it).

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
    parser.add_argument("--outputs", required=True, type=Path, metavar="RUN_DIR|FILE",
                        help="a `harness score` run directory whose outputs are re-judged, or an answer file "
                        "(model_outputs.json, model_answer/MODEL.jsonl) with --benchmark")  # fmt: skip
    parser.add_argument("--benchmark", metavar="NAME", help="with an answer file: its benchmark")
    parser.add_argument(
        "--version", metavar="V", help="with an answer file: benchmark version (default: latest)"
    )
    parser.add_argument("--data", metavar="PATH", help="with an answer file: local benchmark data")
    parser.add_argument("--limit", type=int, metavar="N", help="with an answer file: only the first N items")
    parser.add_argument(
        "--name", metavar="NAME", help="with an answer file: the model's name (default: the file's)"
    )
    parser.add_argument("--subset", action="store_true", help="accept data with fewer items than upstream")
    judge_arguments(parser)


@command("judge", "judge stored outputs (a run directory or an answer file) with any judge or strategy (resumable)",
         _arguments)  # fmt: skip
def run(args: argparse.Namespace) -> int:
    from harness.pipeline.runner import default_run_dir, execute, load_items
    from harness.run.config import RunConfig
    from harness.store import RunStore

    if not (args.outputs / "run.json").is_file():
        return _judge_answer_file(args)
    for flag in ("benchmark", "version", "data", "limit", "name"):
        if getattr(args, flag) is not None:
            raise BadInput("--" + flag, "goes with an answer file; a run directory has its own")
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


def _judge_answer_file(args: argparse.Namespace) -> int:
    """Judge a model's answers read from an upstream answer file, paired with the benchmark's items."""
    from benchmarks import get_benchmark
    from harness.pipeline.runner import default_run_dir, execute, load_items
    from harness.run.config import RunConfig

    path: Path = args.outputs
    if path.is_dir() and (path / "model_outputs.json").is_file():
        path = path / "model_outputs.json"
    if not path.is_file():
        raise BadInput(str(args.outputs), "neither a run directory (run.json) nor an answer file")
    if args.benchmark is None:
        raise BadInput("--benchmark", f"{path} is an answer file: name its benchmark")
    bench = get_benchmark(args.benchmark)
    version = bench.spec.version(args.version).name
    probe = RunConfig(benchmark=bench.spec.name, version=version, model="local", model_name="-", judge="local",
                      judge_model="-", judge_config="-", data=args.data, limit=args.limit)  # fmt: skip
    options = options_from(args)
    every = load_items(dataclasses.replace(probe, limit=None), options)  # answers pair with the whole set
    items = load_items(probe, options) if args.limit is not None else every
    outputs = bench.load_outputs(path, every)
    known = {item.item_id for item in items}
    outputs = [o for o in outputs if o.item_id in known]  # a --limit run judges the first N items
    names = sorted({o.model for o in outputs})
    if not outputs:
        raise BadInput(str(path), "no answer to any of the benchmark's items")
    if args.name is None and len(names) != 1:
        raise BadInput(
            str(path), f"answers of {len(names)} models ({', '.join(names[:3])}); pick one with --name"
        )
    name = args.name or names[0]
    outputs = [o.model_copy(update={"model": name}) for o in outputs if args.name or o.model == name]
    config = dataclasses.replace(
        probe,
        model=f"openai:{name}",  # never called: the outputs come from the file
        model_name=name,
        source_run=str(path.resolve()),
        baselines=tuple(args.baseline or ()),
        **judge_fields(args, bench.spec.name, version),
    )
    run_dir: Path = args.run_dir or default_run_dir(
        config.benchmark, name, f"-judge-{config.judge_config}-{config.judge_model}"
    )
    outcome = execute("judge", config, items, run_dir, options, copy_outputs_from=outputs)
    return emit(outcome, run_dir, args.format)
