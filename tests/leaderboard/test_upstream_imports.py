"""Reading upstream files imports only what it uses: a benchmark's upstream readers and board, and
``harness leaderboard BENCHMARK --from FILE`` on upstream judgments, load neither the scoring and
pipeline layers nor the judges, the HTTP stack or the statistics libraries they do not call (each costs
a fraction of a second to seconds on a loaded machine, more than the statistic itself)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests._shared import shared_path

# What reading upstream judgments never needs: the run layer beyond its registry, scoring, the judging and
# generation stages, the judges, the HTTP clients and the heavy statistics libraries.
NOT_USED = (
    "harness.run.data",
    "harness.run.config",
    "harness.run.statistic",
    "harness.scoring",
    "harness.pipeline.runner",
    "harness.pipeline.judging",
    "harness.store",
    "harness.client._client",
    "judges.config",
    "judges.protocol",
    "aiohttp",
    "httpx",
    "sklearn",
    "statsmodels",
    "torch",
    "datasets",
)

PROBE = """
import sys
{setup}
loaded = set(sys.modules)
print("loaded:", *sorted(m for m in {names!r} if m in loaded))
"""


def loaded(setup: str, names: tuple[str, ...]) -> list[str]:
    code = PROBE.format(setup=setup, names=names)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.splitlines()[-1].split()[1:]


@pytest.mark.parametrize(
    ("benchmark", "uses"),
    [
        ("arena_hard", ()),
        ("mt_bench", ()),
        ("alpaca_eval", ("scipy",)),  # the LC GLM's logistic link (scipy.special)
    ],
)
@pytest.mark.parametrize("module", ["upstream", "board"])
def test_a_benchmarks_upstream_readers_import_only_what_they_use(
    benchmark: str, uses: tuple[str, ...], module: str
) -> None:
    names = tuple(n for n in (*NOT_USED, "scipy") if n not in uses)
    assert loaded(f"import benchmarks.{benchmark}.{module}", names) == []


def test_a_leaderboard_of_upstream_judgments_loads_no_scoring_judge_or_other_benchmark(
    tmp_path: Path,
) -> None:
    """The arena-hard board of an upstream judgment file: its format is found among arena_hard's own
    layouts first, so the other benchmark packages (scipy for AlpacaEval's LC, the judges for WildBench's
    WB-Reward) are not imported, nor the scoring layer that only run directories need."""
    judgments = shared_path(
        "arena_hard", "v0.1", "peer_check", "model_judgment", "gpt-4-1106-preview", "gpt-4-0613.jsonl.gz"
    )
    argv = ["leaderboard", "arena_hard", "--from", str(judgments), "--out", str(tmp_path)]
    setup = f"from harness.cli import main\nassert main({argv!r}) == 0"
    others = ("benchmarks.alpaca_eval", "benchmarks.wildbench", "benchmarks.mt_bench", "scipy")
    assert loaded(setup, (*NOT_USED, *others)) == []
    assert (tmp_path / "results" / "arena_hard" / "leaderboard.csv").exists()
