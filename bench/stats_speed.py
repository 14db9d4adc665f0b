"""Timing of the statistics against the upstream implementations, on the same inputs in one run.

Not a test: run ``PYTHONPATH=$PWD python bench/stats_speed.py [--sections lc ...] [--repeats N]``.
Each section is a function ``(repeats) -> None`` that prints its own lines; add new ones to ``SECTIONS``.

Arena-Hard against arena-hard-auto's own ``show_result.py`` (v0.1 and v2.0, whole processes): see
``bench/arena_show_result.py``; section ``bt`` here times the harness alone on a larger synthetic job.

Section ``lc``: AlpacaEval 2.0 length-controlled win rate for the 7 shared models
(``harness.stats.lc_glm.alpaca_eval_metrics``) against alpaca_eval 0.6.6's
``get_length_controlled_winrate``. Upstream downloads γ and ``df_gamed.csv`` from the Hugging Face hub;
here both sides get the recovered γ from ``../shared/data`` and no regulariser rows (the
``length_controlled_noreg`` GLM), so the inputs and the work are the same. Each side runs as its leaderboard
does: the harness counts the shared baseline's characters once for the 7 models (``output_lengths``).
"""

from __future__ import annotations

import argparse
import importlib.metadata
import logging
import os
import statistics
import sys
import tempfile
import time
import types
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("HARNESS_SHARED_DIR", REPO.parent / "shared")) / "data"
SHARED_MODELS = (
    "gpt4_1106_preview",
    "FuseChat-Gemma-2-9B-Instruct",
    "claude-2.1",
    "gpt-3.5-turbo-1106",
    "falcon-7b-instruct",
    "gpt4_gamed",
    "vicuna-7b-v1.5",
)


def _import_upstream_glm() -> Any:
    """alpaca_eval.metrics.glm_winrate; alpaca-eval 0.6.6 imports pkg_resources, gone from setuptools ≥ 81."""
    try:
        import pkg_resources  # noqa: F401
    except ImportError:
        from packaging.version import parse

        shim = types.ModuleType("pkg_resources")
        shim.parse_version = parse  # type: ignore[attr-defined]
        shim.get_distribution = lambda name: types.SimpleNamespace(version=importlib.metadata.version(name))  # type: ignore[attr-defined]
        sys.modules["pkg_resources"] = shim
    warnings.filterwarnings("ignore", category=FutureWarning)
    import alpaca_eval.metrics.glm_winrate as glm_winrate

    logging.disable(logging.WARNING)  # importing alpaca_eval sets root logging to INFO
    return glm_winrate


def _annotation_file(model: str) -> Path:
    folder = DATA / "alpaca_eval" / "results" / model
    return sorted(folder.glob("annotations_*.json"))[0]


def _timed_pair(
    a: Callable[[], Any], b: Callable[[], Any], repeats: int
) -> tuple[tuple[float, float], Any, tuple[float, float], Any]:
    """Median (wall, CPU) seconds of ``a`` and ``b`` over ``repeats`` alternating runs, after one warm-up each.

    Alternating keeps the two under the same machine load (the CPUs here are shared); the CPU time of the
    process is the steadier of the two on a busy machine."""
    result_a, result_b = a(), b()
    times: dict[str, list[tuple[float, float]]] = {"a": [], "b": []}
    for _ in range(repeats):
        for key, fn in (("a", a), ("b", b)):
            wall, cpu = time.perf_counter(), time.process_time()
            result = fn()
            times[key].append((time.perf_counter() - wall, time.process_time() - cpu))
            if key == "a":
                result_a = result
            else:
                result_b = result

    def medians(pairs: list[tuple[float, float]]) -> tuple[float, float]:
        return statistics.median(w for w, _ in pairs), statistics.median(c for _, c in pairs)

    return medians(times["a"]), result_a, medians(times["b"]), result_b


def bench_lc(repeats: int) -> None:
    from benchmarks.alpaca_eval.upstream import load_annotations, load_difficulty
    from harness.stats.lc_glm import alpaca_eval_metrics, output_lengths

    glm_winrate = _import_upstream_glm()
    difficulty = load_difficulty(DATA / "alpaca_eval" / "glm" / "instruction_difficulty_recovered.csv")
    frames = {m: load_annotations(_annotation_file(m)) for m in SHARED_MODELS}
    upstream_frames = {
        m: f.drop(columns=["unscored_reason"]).assign(annotator="weighted_alpaca_eval_gpt4_turbo")
        for m, f in frames.items()
    }
    with tempfile.TemporaryDirectory() as tmp:
        df_gamed = Path(tmp) / "df_gamed.csv"
        pd.DataFrame(
            {
                "model": "placeholder",
                "index": np.arange(difficulty.gamma.size),
                "preference": 0.5,
                "std_delta_len": 0.0,
                "instruction_difficulty": difficulty.gamma,
                "not_gamed_baseline": False,
            }
        ).to_csv(df_gamed, index=False)
        glm_winrate.hf_hub_download = lambda **_: str(df_gamed)

        def ours() -> dict[str, float]:
            # as the leaderboard does: the shared baseline's characters counted once for all models
            out, baseline = {}, None
            for m, f in frames.items():
                lengths = output_lengths(f, baseline)
                baseline = (f["output_1"], lengths[0])
                out[m] = alpaca_eval_metrics(f, difficulty, lengths=lengths).lc.length_controlled_winrate
            return out

        def theirs() -> dict[str, float]:
            return {
                m: float(
                    glm_winrate.get_length_controlled_winrate(
                        f.copy(),
                        glm_name="length_controlled_noreg",
                        save_weights_dir=None,
                        is_warn_extreme_changes=False,
                    )["length_controlled_winrate"]
                )
                for m, f in upstream_frames.items()
            }

        t_ours, lc_ours, t_theirs, lc_theirs = _timed_pair(ours, theirs, repeats)
    print(
        f"LC (length_controlled_noreg), {len(SHARED_MODELS)} shared models, median of {repeats} alternating runs"
    )
    print(f"{'model':32s} {'harness':>12s} {'alpaca_eval':>12s} {'|diff|':>9s}")
    for m in SHARED_MODELS:
        print(f"{m:32s} {lc_ours[m]:12.6f} {lc_theirs[m]:12.6f} {abs(lc_ours[m] - lc_theirs[m]):9.2e}")
    print(f"{'':12s} {'wall':>9s} {'CPU':>9s}   (load average {os.getloadavg()[0]:.2f})")
    print(f"harness     {t_ours[0] * 1e3:6.1f} ms {t_ours[1] * 1e3:6.1f} ms")
    print(f"alpaca_eval {t_theirs[0] * 1e3:6.1f} ms {t_theirs[1] * 1e3:6.1f} ms")
    print(
        f"speed-up    {t_theirs[0] / t_ours[0]:8.1f}x {t_theirs[1] / t_ours[1]:8.1f}x   "
        f"max |ΔLC| = {max(abs(lc_ours[m] - lc_theirs[m]) for m in SHARED_MODELS):.2e}"
    )


def bench_bt(repeats: int) -> None:
    """Arena-Hard v0.1 bootstrap (100 rounds) for 30 synthetic models x 500 questions x 2 games."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bt_bootstrap_speed import run

    r = run()
    print(f"Arena-Hard bootstrap: {r['n_models']} models x {r['n_questions']} questions x {r['games']} games, "
          f"{r['rounds']} rounds (best of 3)")  # fmt: skip
    for mode in ("rows", "questions", "upstream_compatible"):
        print(f"  {mode:20s} {r[mode + '_seconds']:7.3f} s  {r[mode + '_rounds_per_s']:7.1f} rounds/s")
    print(f"  target >= {r['target_rounds_per_s']} rounds/s: {'met' if r['meets_target'] else 'NOT met'}")


SECTIONS: dict[str, Callable[[int], None]] = {"lc": bench_lc, "bt": bench_bt}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sections", nargs="+", choices=sorted(SECTIONS), default=list(SECTIONS))
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    for name in args.sections:
        print(f"== {name} ==")
        SECTIONS[name](args.repeats)


if __name__ == "__main__":
    main()
