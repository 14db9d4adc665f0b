"""Arena-Hard's leaderboard from upstream judgment files (``model_judgment/<judge>/``) and our run directories.

Bradley-Terry scores against one baseline (v0.1: ``score_v01``, v2.0: ``score_v2``), optionally
style-controlled with the answers' markdown and length metadata (``--answers``), with a bootstrap
interval (95% in v0.1, 90% in v2.0, as upstream prints them).
"""

from __future__ import annotations

from benchmarks._board import BoardInputs, BoardOptions, UpstreamFormat
from benchmarks.arena_hard.upstream import load_answer_metadata, load_judgments
from harness.errors import BadInput
from harness.stats.arena_judgments import V01_BASELINE
from harness.stats.arena_scores import Bootstrap, score_v01, score_v2
from harness.table import Leaderboard, Row

JUDGMENTS = UpstreamFormat(
    "arena_judgments", "arena-hard judgment JSONL(.gz)", lambda record: "games" in record
)
FORMATS = (JUDGMENTS,)


def leaderboard(inputs: BoardInputs, opts: BoardOptions) -> Leaderboard:
    version = opts.version or "v0.1"
    rows: list[Row] = []
    notes: tuple[str, ...] = ()
    if inputs.files(JUDGMENTS.name):
        baseline = opts.baseline or V01_BASELINE
        judgments = load_judgments(inputs.files(JUDGMENTS.name), baseline=baseline)
        others = sorted(set(judgments["baseline"]) - {baseline})
        if others:  # v2.0 files judge each category against its own baseline; upstream scores one category
            dropped = int((judgments["baseline"] != baseline).sum())
            judgments = judgments[judgments["baseline"] == baseline].reset_index(drop=True)
            notes = (
                f"{dropped} games against other baselines ({', '.join(others)}) left out: one board per baseline",
            )
        metadata = load_answer_metadata(list(opts.answers)) if opts.answers else None
        if opts.style_control and metadata is None:
            raise BadInput(
                "--style-control", "needs --answers FILE... (the answer files with their metadata)"
            )
        style = "style" if opts.style_control else None
        fit = score_v01 if version == "v0.1" else score_v2
        for s in fit(
            judgments,
            baseline=baseline,
            bootstrap=Bootstrap(seed=opts.seed, upstream_compatible=opts.upstream_compatible),
            style=style,
            metadata=metadata,
        ):
            rows.append(
                Row(
                    s.model,
                    s.score,
                    s.ci_lower,
                    s.ci_upper,
                    s.n_scored,
                    s.n_unscored,
                    {"avg_tokens": s.avg_tokens},
                )
            )
    run_metric, run_rows = inputs.run_rows(inputs.run_dirs)
    metric = run_metric if run_metric and not rows else "score"
    rows += run_rows
    level = "95%" if version == "v0.1" else "90%"
    return Leaderboard(
        benchmark="arena_hard",
        metric=metric,
        rows=tuple(rows),
        extra_columns=("avg_tokens",),
        interval=f"{level} bootstrap percentile, 100 rounds"
        + (", style-controlled" if opts.style_control else ""),
        notes=notes,
    )
