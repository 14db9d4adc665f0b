"""Several checkpoints, one benchmark, one judge: ``harness score --model A --model B ...``.

Why a sweep is more than a loop over ``harness score``: the runs share what is expensive. The judge's
server starts once for all of them; with ``--backend ray`` every checkpoint's generation requests go
into one Ray Data execution per round (one processor per endpoint, their datasets unioned so the
cluster serves the checkpoints side by side), and every checkpoint's judge requests into another, so
the judge's engines see one long stream instead of N short ones (:func:`harness.backends.open.prefetch`).

Each checkpoint still gets its own ordinary run directory (``SWEEP_DIR/<model name>/``): the same
run.json, records and report as a single ``harness score``, resumable on its own or by re-running the
sweep; the sweep adds the leaderboard of its runs (``SWEEP_DIR/results/<benchmark>/leaderboard.*``),
built by the same code as ``harness leaderboard BENCH --from SWEEP_DIR/*``.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from benchmarks import get_benchmark
from harness.client import reset_usage
from harness.errors import BadInput
from harness.leaderboard.builders import Options, build
from harness.leaderboard.render import write_leaderboard
from harness.pipeline.runner import RunOptions, RunOutcome, open_run
from harness.pipeline.stages import finish, run_stages
from harness.records import Item
from harness.run.config import RunConfig
from harness.table import Leaderboard


@dataclass
class SweepOutcome:
    runs: dict[str, tuple[Path, RunOutcome]]  # model name -> (run directory, outcome)
    leaderboard: Leaderboard
    files: dict[str, Path]

    @property
    def exit_code(self) -> int:
        return max(outcome.exit_code for _, outcome in self.runs.values())


def run_dir_name(model_name: str) -> str:
    """A run's directory inside the sweep directory: its model name, made safe for a path."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", model_name).strip("_") or "model"


def sweep_configs(base: RunConfig, models: list[tuple[str, str]]) -> list[RunConfig]:
    """One run config per (spec, name), identical to ``base`` but for the model; names must differ
    (they name the runs, the Outputs and the leaderboard rows)."""
    configs = [dataclasses.replace(base, model=spec, model_name=name) for spec, name in models]
    for name, n in Counter(run_dir_name(c.model_name) for c in configs).items():
        if n > 1:
            raise BadInput("--model", f"two models are named {name!r}; give each a --name (in --model order)")
    return configs


def sweep(
    command: str, configs: list[RunConfig], items: list[Item], sweep_dir: Path, options: RunOptions
) -> SweepOutcome:
    """Run (or resume) every config's run under ``sweep_dir``, then write the sweep's leaderboard."""

    reset_usage()
    runs = [
        open_run(command, c, items, sweep_dir / run_dir_name(c.model_name), role_prefix=f"{c.model_name}/")
        for c in configs
    ]  # every run.json is checked (and a mismatched resume refused) before anything starts
    run_stages(runs, options)
    outcomes = {run.config.model_name: (run.store.dir, finish(run, options)) for run in runs}
    benchmark = get_benchmark(configs[0].benchmark).spec.name
    board = build(benchmark, [d for d, _ in outcomes.values()], Options(version=configs[0].version))
    files = write_leaderboard(board, sweep_dir)
    return SweepOutcome(outcomes, board, files)
