"""From stored judgments to a :class:`Leaderboard`, one builder per benchmark.

Each builder reads every path (our run directories or the upstream judgment layout of that benchmark,
see ``formats``) and calls the same pure statistics that ``harness score`` uses (``harness.stats``), so a
leaderboard row and a score report can never disagree.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from benchmarks import BENCHMARKS
from benchmarks.alpaca_eval.difficulty import resolve_difficulty
from benchmarks.alpaca_eval.upstream import load_annotations, load_difficulty
from benchmarks.arena_hard.upstream import load_answer_metadata, load_judgments
from benchmarks.mt_bench import upstream as mt_upstream
from benchmarks.wildbench.reward import is_wb_reward_judge
from benchmarks.wildbench.upstream import load_score_judgments
from harness.errors import BadInput
from harness.leaderboard.formats import Format, detect_format, expand_answer_files, expand_inputs
from harness.leaderboard.table import Leaderboard, Row
from harness.records import Score
from harness.registry import Registry
from harness.scoring.evaluate import score_run
from harness.stats import mt_bench as mt
from harness.stats.arena_judgments import V01_BASELINE
from harness.stats.arena_scores import Bootstrap, score_v01, score_v2
from harness.stats.lc_glm import alpaca_eval_metrics, bootstrap_lc_interval, raw_metrics
from harness.stats.wildbench import wb_score
from harness.store import RunStore


@dataclass(frozen=True)
class Options:
    baseline: str | None = None
    version: str | None = None
    style_control: bool = False
    answers: tuple[Path, ...] = ()
    questions: Path | None = None
    difficulty: Path | None = None
    seed: int = 42
    upstream_compatible: bool = False


Builder = Callable[[Sequence[Path], Options], Leaderboard]
LEADERBOARDS: Registry[Builder] = Registry("leaderboard")
ACCEPTED: dict[str, tuple[Format, ...]] = {
    "alpaca_eval": ("alpaca_annotations", "run_dir"),
    "arena_hard": ("arena_judgments", "run_dir"),
    "mt_bench": ("fastchat_single", "fastchat_pair", "run_dir"),
    "wildbench": ("wildbench_eval", "run_dir"),
    "demo": ("run_dir",),
}


def _split(benchmark: str, paths: Sequence[Path]) -> dict[Format, list[Path]]:
    if benchmark not in ACCEPTED:
        raise BadInput("BENCHMARK", f"no leaderboard for {benchmark!r}; known: {', '.join(sorted(ACCEPTED))}")
    groups: dict[Format, list[Path]] = {}
    for path in paths:
        fmt = detect_format(path)
        if fmt not in ACCEPTED[benchmark]:
            raise BadInput(
                str(path), f"is {fmt}, which is not a {benchmark} input; expected {ACCEPTED[benchmark]}"
            )
        groups.setdefault(fmt, []).append(path)
    return groups


def _row_from_score(score: Score, extras: dict[str, float | int | str | None] | None = None) -> Row:
    return Row(
        model=score.model,
        score=score.value,
        ci_lower=score.ci_lower,
        ci_upper=score.ci_upper,
        n_scored=score.n_scored,
        n_unscored=score.n_unscored,
        extra=extras or {},
    )


def _run_dir_rows(
    paths: Sequence[Path], headline_extras: tuple[str, ...] = ()
) -> tuple[str | None, list[Row]]:
    """Rows from our own run directories: each run's own headline Score (the one its report stars, whatever
    the judge: MT-Bench single grading or pairwise, WB-Score or WB-Reward), with the other Scores' values,
    and ``headline_extras`` taken from the headline's ``extra``, as extra columns. Returns the headline
    metric too (None without runs); runs whose headlines are different statistics are refused."""
    if not paths:
        return None, []

    rows = []
    metrics: dict[str, Path] = {}
    for path in paths:
        scores = score_run(path)
        chosen = [s for s in scores if s.extra.get("headline")]
        if not chosen:
            have = sorted({s.metric for s in scores})
            raise BadInput(str(path), f"run has no headline score (has {have})")
        head = chosen[0]
        metrics.setdefault(head.metric, path)
        extras: dict[str, float | int | str | None] = {
            s.metric: s.value for s in scores if s.metric != head.metric and s.model == head.model
        }
        extras |= {key: head.extra.get(key) for key in headline_extras}
        rows.append(_row_from_score(head, extras))
    if len(metrics) > 1:
        shown = ", ".join(f"{m} ({p})" for m, p in metrics.items())
        raise BadInput("--from", f"runs with different headline statistics: {shown}; build them separately")
    return next(iter(metrics)), rows


def _check_unique(rows: list[Row]) -> None:
    seen: set[str] = set()
    for row in rows:
        if row.model in seen:
            raise BadInput("--from", f"model {row.model!r} appears in more than one input")
        seen.add(row.model)


# ----------------------------------------------------------------------------------------- AlpacaEval

NO_GAMED_NOTE = (
    "LC fitted without the gamed-baseline regulariser rows (HF df_gamed.csv, not available offline): within "
    "about 1.2 points of the official LC for normal outputs, inflated for adversarially short ones"
)
ALPACA_EXTRAS = ("win_rate", "standard_error", "lc_standard_error", "discrete_win_rate", "n_wins", "n_wins_base",
                 "n_draws", "avg_length")  # fmt: skip


def _alpaca_difficulty(opts: Options) -> tuple[object | None, str]:
    """γ from ``--difficulty``, else the pinned upstream file (``benchmarks.alpaca_eval.difficulty``);
    without it LC cannot be computed (say why)."""
    found = resolve_difficulty(opts.difficulty)
    if found.path is None:
        return None, f"length-controlled win rate not computed: no instruction difficulty ({found.reason})"
    return load_difficulty(found.path), ""


@LEADERBOARDS.register("alpaca_eval")
def alpaca_eval(paths: Sequence[Path], opts: Options) -> Leaderboard:
    """Headline: LC win rate with a bootstrap interval that refits the GLM (wider than upstream's
    ``lc_standard_error``, which ignores coefficient uncertainty; docs/statistics.md)."""
    groups = _split("alpaca_eval", paths)
    difficulty, note = _alpaca_difficulty(opts) if groups.get("alpaca_annotations") else (None, "")
    rows: list[Row] = []
    for path in groups.get("alpaca_annotations", []):
        ann = load_annotations(path)
        if difficulty is None:
            raw = raw_metrics(ann)
            model = str(ann["generator_2"].iloc[0])
            row = {"win_rate": raw.win_rate, "standard_error": raw.standard_error}
            rows.append(Row(model, float("nan"), None, None, raw.n_total, raw.n_unscored, dict(row)))
            continue
        res = alpaca_eval_metrics(ann, difficulty)  # type: ignore[arg-type]
        lo, hi = bootstrap_lc_interval(ann, difficulty, n_boot=200, seed=opts.seed)  # type: ignore[arg-type]
        lb = res.leaderboard_row()
        extra: dict[str, float | int | str | None] = {k: lb[k] for k in ALPACA_EXTRAS}
        rows.append(
            Row(
                res.model,
                res.lc.length_controlled_winrate,
                lo,
                hi,
                res.raw.n_total,
                res.raw.n_unscored,
                extra,
            )
        )
    run_metric, run_rows = _run_dir_rows(groups.get("run_dir", []))
    metric = run_metric if run_metric and not rows else "length_controlled_winrate"
    rows += run_rows
    _check_unique(rows)
    return Leaderboard(
        "alpaca_eval", metric, tuple(rows), ALPACA_EXTRAS,
        "95% bootstrap percentile over instructions, GLM refit (200 rounds)",
        (note,) if note else (NO_GAMED_NOTE,),
    )  # fmt: skip


# ------------------------------------------------------------------------------------------ arena-hard


@LEADERBOARDS.register("arena_hard")
def arena_hard(paths: Sequence[Path], opts: Options) -> Leaderboard:
    groups = _split("arena_hard", paths)
    version = opts.version or "v0.1"
    rows: list[Row] = []
    notes: tuple[str, ...] = ()
    if groups.get("arena_judgments"):
        baseline = opts.baseline or V01_BASELINE
        judgments = load_judgments(groups["arena_judgments"], baseline=baseline)
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
    run_metric, run_rows = _run_dir_rows(groups.get("run_dir", []))
    metric = run_metric if run_metric and not rows else "score"
    rows += run_rows
    _check_unique(rows)
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


# ------------------------------------------------------------------------------------------- MT-Bench


@LEADERBOARDS.register("mt_bench")
def mt_bench(paths: Sequence[Path], opts: Options) -> Leaderboard:
    groups = _split("mt_bench", paths)
    rows: list[Row] = []
    metric, interval = "score", "95% question-level bootstrap percentile"
    cols: tuple[str, ...] = ()
    if groups.get("fastchat_single"):
        frame = pd.concat(
            [mt_upstream.load_single_judgments(p) for p in groups["fastchat_single"]], ignore_index=True
        )
        if opts.questions is not None:
            frame = mt.attach_categories(frame, mt_upstream.load_questions(opts.questions))
        for model, res in mt.single_scores(frame, seed=opts.seed).items():
            o = res.overall
            extra = {f"turn_{t}": e.value for t, e in sorted(res.turns.items())}
            rows.append(Row(model, o.value, o.ci_lower, o.ci_upper, o.n_scored, o.n_unscored, dict(extra)))
        cols = ("turn_1", "turn_2")
    if groups.get("fastchat_pair"):
        if rows:
            raise BadInput("--from", "mix of single and pairwise MT-Bench judgments; build them separately")
        frame = pd.concat(
            [mt_upstream.load_pair_judgments(p) for p in groups["fastchat_pair"]], ignore_index=True
        )
        for model, pr in mt.pairwise_win_rates(frame, baseline=opts.baseline).items():
            rows.append(
                Row(model, 100 * pr.win_rate_adjusted, None, None, pr.n_scored, pr.n_unscored,
                    {"win": pr.win, "loss": pr.loss, "tie": pr.tie})
            )  # fmt: skip
        metric, cols, interval = "win_rate_adjusted", ("win", "loss", "tie"), ""
    run_metric, run_rows = _run_dir_rows(groups.get("run_dir", []))
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
    _check_unique(rows)
    return Leaderboard("mt_bench", metric, tuple(rows), cols, interval)


# ------------------------------------------------------------------------------------------ WildBench


WB_REWARD_COLUMNS = ("wb_reward_gpt4t", "wb_reward_haiku", "wb_reward_llama", "K")


def _judged_for_wb_reward(run_dir: Path) -> bool:
    info = RunStore(run_dir).read_run_json()
    return info is not None and is_wb_reward_judge(str(info.config.get("judge_config", "")))


def _wb_reward_leaderboard(run_dirs: Sequence[Path]) -> Leaderboard:
    """Runs judged pairwise (``wildbench_pairwise``): headline WB-Reward-Mix (or the single baseline's
    reward), the per-baseline rewards x100 and the length margin K as columns."""
    _, rows = _run_dir_rows(run_dirs, headline_extras=("K",))
    _check_unique(rows)
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


@LEADERBOARDS.register("wildbench")
def wildbench(paths: Sequence[Path], opts: Options) -> Leaderboard:
    """WB-Score from upstream eval files and score runs; WB-Reward from runs judged pairwise (never mixed)."""
    groups = _split("wildbench", paths)
    run_dirs = groups.get("run_dir", [])
    reward_runs = [p for p in run_dirs if _judged_for_wb_reward(p)]
    if reward_runs:
        if len(reward_runs) != len(run_dirs) or groups.get("wildbench_eval"):
            raise BadInput("--from", "mix of WB-Score and WB-Reward (pairwise) inputs; build them separately")
        return _wb_reward_leaderboard(reward_runs)
    rows: list[Row] = []
    for path in groups.get("wildbench_eval", []):
        res = wb_score(load_score_judgments(path), seed=opts.seed)
        a = res.wb_score
        rows.append(
            Row(res.model, a.value, a.ci_lower, a.ci_upper, a.n_scored, a.n_unscored,
                {"score": res.score.value, "avg_len": res.avg_len, "n_empty": res.n_empty, "n_truncated": res.n_truncated})
        )  # fmt: skip
    rows += _run_dir_rows(run_dirs)[1]
    _check_unique(rows)
    return Leaderboard(
        "wildbench", "wb_score", tuple(rows), ("score", "avg_len", "n_empty", "n_truncated"),
        "95% item-level bootstrap percentile of (mean-5)x2x10 (the official WB_score scale, -80..100)",
    )  # fmt: skip


@LEADERBOARDS.register("demo")
def demo(paths: Sequence[Path], opts: Options) -> Leaderboard:
    """The built-in demo benchmark exists only as our own runs (``harness score --benchmark demo``)."""
    groups = _split("demo", paths)
    metric, rows = _run_dir_rows(groups.get("run_dir", []))
    _check_unique(rows)
    return Leaderboard(
        "demo",
        metric or "win_rate",
        tuple(rows),
        ("discrete_win_rate",),
        "95% item-level bootstrap percentile",
    )


def from_runs(benchmark: str, paths: Sequence[Path]) -> Leaderboard:
    """Any registered benchmark from our own run directories: each run's headline Score (the first its
    statistic marks ``extra["headline"]``, recomputed by ``score_run`` exactly as ``harness score`` did),
    the run's other figures as extra columns. This is how a benchmark without upstream judgment files of
    its own (a plugin's, say) gets a leaderboard."""
    for path in paths:
        fmt = detect_format(path)
        if fmt != "run_dir":
            raise BadInput(
                str(path), f"is {fmt}; a {benchmark} leaderboard is built from harness run directories"
            )
    rows: list[Row] = []
    heads: list[Score] = []
    metric = ""
    extra_columns: list[str] = []
    for path in paths:
        scores = score_run(path)
        head = next((s for s in scores if s.extra.get("headline")), None)
        if head is None or head.benchmark != benchmark:
            raise BadInput(str(path), f"not a {benchmark} run with a headline score")
        if metric and head.metric != metric:
            raise BadInput(str(path), f"headline {head.metric!r} differs from the other runs' {metric!r}")
        metric = head.metric
        heads.append(head)
        others = [s for s in scores if s is not head and s.model == head.model]
        extra_columns += [s.metric for s in others if s.metric not in extra_columns]
        rows.append(_row_from_score(head, {s.metric: s.value for s in others}))
    _check_unique(rows)
    levels = {head.extra.get("level") for head in heads}
    level = levels.pop() if len(levels) == 1 else None
    interval = f"{100 * float(level):.0f}% interval of the benchmark's statistic" if level else ""
    return Leaderboard(benchmark, metric, tuple(rows), tuple(extra_columns), interval)


def build(benchmark: str, paths: Sequence[Path], opts: Options) -> Leaderboard:
    if not paths:
        raise BadInput("--from", "give at least one input path")
    if benchmark not in LEADERBOARDS and benchmark in BENCHMARKS:
        return from_runs(benchmark, expand_inputs(paths))
    builder = LEADERBOARDS.get(benchmark)
    opts = dataclasses.replace(opts, answers=tuple(expand_answer_files(opts.answers)))
    return builder(expand_inputs(paths), opts)
