"""WildBench's leaderboard: WB-Score from upstream ``eval_results`` files and score runs, WB-Reward from
runs judged pairwise (never mixed in one board).

WB-Score is shown on the official scale (``(mean - 5) x 2 x 10``, -80..100, ``_merge_results.py``);
WB-Reward runs show the headline WB-Reward-Mix (or the single baseline's reward), the per-baseline
rewards x100 and the length margin K.
"""

from __future__ import annotations

from pathlib import Path

from benchmarks._board import BoardInputs, BoardOptions, UpstreamFormat
from benchmarks.wildbench.reward import is_wb_reward_judge
from benchmarks.wildbench.upstream import load_score_judgments
from harness.errors import BadInput
from harness.stats.wildbench import wb_score
from harness.store import RunStore
from harness.table import Leaderboard, Row

SCORES = UpstreamFormat(
    "wildbench_eval",
    "WildBench eval_results JSON",
    lambda record: "session_id" in record and ("parsed_result" in record or "score" in record),
)
FORMATS = (SCORES,)
WB_REWARD_COLUMNS = ("wb_reward_gpt4t", "wb_reward_haiku", "wb_reward_llama", "K")


def _judged_for_wb_reward(run_dir: Path) -> bool:
    info = RunStore(run_dir).read_run_json()
    return info is not None and is_wb_reward_judge(str(info.config.get("judge_config", "")))


def _wb_reward_leaderboard(inputs: BoardInputs) -> Leaderboard:
    """Runs judged pairwise (``wildbench_pairwise``): headline WB-Reward-Mix (or the single baseline's
    reward), the per-baseline rewards x100 and the length margin K as columns."""
    _, rows = inputs.run_rows(inputs.run_dirs, headline_extras=("K",))
    margins = sorted({str(r.extra.get("K")) for r in rows})
    notes = (
        (f"rows scored at different length margins K ({', '.join(margins)}): not comparable",)
        if len(margins) > 1
        else ()
    )
    return Leaderboard(
        "wildbench", "wb_reward", tuple(rows), WB_REWARD_COLUMNS,
        "95% bootstrap percentile over sessions (the mix resamples the three baselines' pairs together); x100",
        notes,
    )  # fmt: skip


def leaderboard(inputs: BoardInputs, opts: BoardOptions) -> Leaderboard:
    reward_runs = [p for p in inputs.run_dirs if _judged_for_wb_reward(p)]
    if reward_runs:
        if len(reward_runs) != len(inputs.run_dirs) or inputs.files(SCORES.name):
            raise BadInput("--from", "mix of WB-Score and WB-Reward (pairwise) inputs; build them separately")
        return _wb_reward_leaderboard(inputs)
    rows: list[Row] = []
    for path in inputs.files(SCORES.name):
        res = wb_score(load_score_judgments(path), seed=opts.seed)
        a = res.wb_score
        rows.append(
            Row(res.model, a.value, a.ci_lower, a.ci_upper, a.n_scored, a.n_unscored,
                {"score": res.score.value, "avg_len": res.avg_len, "n_empty": res.n_empty, "n_truncated": res.n_truncated})
        )  # fmt: skip
    rows += inputs.run_rows(inputs.run_dirs)[1]
    return Leaderboard(
        "wildbench", "wb_score", tuple(rows), ("score", "avg_len", "n_empty", "n_truncated"),
        "95% item-level bootstrap percentile of (mean-5)x2x10 (the official WB_score scale, -80..100)",
    )  # fmt: skip
