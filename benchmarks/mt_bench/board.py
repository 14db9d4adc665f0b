"""MT-Bench's leaderboard from FastChat judgment files (single or pairwise) and our run directories.

Single grading: the mean 1-10 rating with a question-level bootstrap and the per-turn means; pairwise:
FastChat's adjusted win rate ``(win + 0.5 tie) / n`` x100 with the win/loss/tie counts. The two kinds are
never mixed in one board.
"""

from __future__ import annotations

import pandas as pd

from benchmarks._board import BoardInputs, BoardOptions, UpstreamFormat
from benchmarks.mt_bench.upstream import load_pair_judgments, load_questions, load_single_judgments
from harness.errors import BadInput
from harness.stats.mt_bench import attach_categories, pairwise_win_rates, single_scores
from harness.table import Leaderboard, Row

PAIR = UpstreamFormat(
    "fastchat_pair", "FastChat pair judgment JSONL", lambda record: {"g1_winner", "g2_winner"} <= set(record)
)
SINGLE = UpstreamFormat(
    "fastchat_single",
    "FastChat single judgment JSONL",
    lambda record: {"question_id", "score", "turn"} <= set(record),
)
FORMATS = (PAIR, SINGLE)
NOT_BUILT: dict[str, str] = {  # no published board is rebuilt: why (harness leaderboard --check lists it)
    "mt_bench": (
        "the GPT-4 judgments (gpt-4_single.jsonl, gpt-4_pair.jsonl) are published only in the Hugging Face "
        "space lmsys/mt-bench, with no pinned revision to rebuild from. Build a board from a copy with "
        "`harness leaderboard mt_bench --from gpt-4_single.jsonl --questions question.jsonl`"
    ),
}


def leaderboard(inputs: BoardInputs, opts: BoardOptions) -> Leaderboard:
    rows: list[Row] = []
    metric, interval = "score", "95% question-level bootstrap percentile"
    cols: tuple[str, ...] = ()
    if inputs.files(SINGLE.name):
        frame = pd.concat([load_single_judgments(p) for p in inputs.files(SINGLE.name)], ignore_index=True)
        if opts.questions is not None:
            frame = attach_categories(frame, load_questions(opts.questions))
        for model, res in single_scores(frame, seed=opts.seed).items():
            o = res.overall
            extra = {f"turn_{t}": e.value for t, e in sorted(res.turns.items())}
            rows.append(Row(model, o.value, o.ci_lower, o.ci_upper, o.n_scored, o.n_unscored, dict(extra)))
        cols = ("turn_1", "turn_2")
    if inputs.files(PAIR.name):
        if rows:
            raise BadInput("--from", "mix of single and pairwise MT-Bench judgments; build them separately")
        frame = pd.concat([load_pair_judgments(p) for p in inputs.files(PAIR.name)], ignore_index=True)
        for model, pr in pairwise_win_rates(frame, baseline=opts.baseline).items():
            rows.append(
                Row(model, 100 * pr.win_rate_adjusted, None, None, pr.n_scored, pr.n_unscored,
                    {"win": pr.win, "loss": pr.loss, "tie": pr.tie})
            )  # fmt: skip
        metric, cols, interval = "win_rate_adjusted", ("win", "loss", "tie"), ""
    run_metric, run_rows = inputs.run_rows(inputs.run_dirs)
    if run_metric is not None and not rows:
        metric = run_metric
        single = run_metric == "mt_bench_score"
        cols, interval = (
            (("turn_1", "turn_2"), interval) if single else ((), "95% item-level bootstrap percentile")
        )
    elif run_metric is not None and (metric, run_metric) != ("score", "mt_bench_score"):
        raise BadInput(
            "--from", f"mix of {metric} judgment files and {run_metric} runs; build them separately"
        )
    rows += run_rows
    return Leaderboard("mt_bench", metric, tuple(rows), cols, interval)
