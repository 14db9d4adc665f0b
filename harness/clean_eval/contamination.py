"""The contamination report: the same model, the same judge, the original and the clean variant, paired.

A model that memorised a benchmark scores high on its exact wording and drops on a rewrite that keeps the
meaning (Clean-Eval, Zhu et al. 2024, arXiv:2311.09154). The difference is measured item by item: the
clean variant keeps the item ids, so each item's score on the clean variant is paired with its score on
the original, and the interval comes from a paired bootstrap (resample items with replacement, the same
items in both variants; percentile interval; seeded, so a report is reproducible). A drop is flagged as
significant when the whole interval of (clean - original) lies below 0. With fewer than two items scored in
both runs (a weak judge leaving most verdicts unreadable) the difference is reported unavailable with that
reason, never invented, and the two runs' reports stand as computed.

Per-item score: the mean of the item's scored judgments (over turns, orders) in the judge's own scale,
recorded in the report. Unscored judgments are never zeros: they are counted, and an item with no scored
judgment in either run is left out of the pairing and counted as unpaired.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from harness import atomic
from harness.errors import BadInput
from harness.records import Judgment
from harness.store import RunStore, is_final


class VariantScore(BaseModel):
    model_config = ConfigDict(extra="forbid")
    run_dir: str
    variant: str  # "original" or the clean variant's id
    mean: float | None  # over the paired items (None: no item paired)
    n_items_scored: int
    n_judgments_unscored: int
    unscored_reasons: dict[str, int] = Field(default_factory=dict)


class ContaminationReport(BaseModel):
    model_config = ConfigDict(extra="forbid")
    benchmark: str
    model: str
    judge: str
    scale: str
    original: VariantScore
    clean: VariantScore
    n_paired: int
    n_unpaired: int
    n_rewritten: int | None = None  # paired items whose clean turns differ from the original
    difference: float | None  # mean(clean - original) over paired items (None: unavailable)
    ci_lower: float | None
    ci_upper: float | None
    confidence: float
    resamples: int
    seed: int
    significant_drop: bool
    unavailable: str | None = None  # why there is no difference (too few items scored in both runs)


def item_scores(judgments: Iterable[Judgment]) -> tuple[dict[str, float], Counter[str]]:
    """Mean score per item over its scored judgments, and the count of unscored judgments by reason."""
    sums: dict[str, list[float]] = {}
    unscored: Counter[str] = Counter()
    for j in judgments:
        if j.status == "scored" and j.score is not None:
            sums.setdefault(j.item_id, []).append(float(j.score))
        else:
            unscored[j.reason or "unknown"] += 1
    return {k: sum(v) / len(v) for k, v in sums.items()}, unscored


MIN_PAIRED = 2


def paired_ids(original: Mapping[str, float], clean: Mapping[str, float]) -> list[str]:
    return sorted(original.keys() & clean.keys())


def too_few_paired(n: int) -> str:
    return f"need at least {MIN_PAIRED} items scored in both runs, found {n}"


def paired_bootstrap(
    original: Mapping[str, float],
    clean: Mapping[str, float],
    *,
    resamples: int = 2000,
    confidence: float = 0.95,
    seed: int = 0,
) -> tuple[float, float, float, list[str]]:
    """(mean difference clean - original, interval low, high, paired ids) by a seeded paired bootstrap."""
    if resamples < 100:
        raise BadInput("--resamples", f"need at least 100 resamples, got {resamples}")
    if not 0.5 <= confidence < 1.0:
        raise BadInput("--confidence", f"must be in [0.5, 1), got {confidence}")
    ids = paired_ids(original, clean)
    if len(ids) < MIN_PAIRED:
        raise BadInput("contamination", too_few_paired(len(ids)))
    diffs = np.array([clean[i] - original[i] for i in ids], dtype=float)
    rng = np.random.default_rng(seed)
    means = diffs[rng.integers(0, len(ids), size=(resamples, len(ids)))].mean(axis=1)
    alpha = (1.0 - confidence) / 2
    low, high = np.quantile(means, [alpha, 1.0 - alpha])
    return float(diffs.mean()), float(low), float(high), ids


def _judgments(run_dir: Path) -> tuple[list[Judgment], dict[str, object]]:
    store = RunStore(run_dir)
    info = store.read_run_json()
    if info is None:
        raise BadInput(str(run_dir), "not a run directory (no run.json)")
    judgments = [j for j in store.load("judgments", Judgment) if is_final(j)]
    if not judgments:
        raise BadInput(str(run_dir), "no judgments in this run")
    return judgments, info.config


def _one(judgments: list[Judgment], what: str, where: Path) -> str:
    values = {str(getattr(j, what)) for j in judgments}
    if len(values) != 1:
        raise BadInput(
            str(where), f"judgments of several {what}s ({', '.join(sorted(values))}); give one run per model"
        )
    return values.pop()


def report_from_runs(
    original_dir: Path,
    clean_dir: Path,
    *,
    resamples: int = 2000,
    confidence: float = 0.95,
    seed: int = 0,
    n_rewritten: int | None = None,
    clean_label: str | None = None,
) -> ContaminationReport:
    """Compare two stored runs of one model: the original and the clean variant, judged alike."""
    orig_j, orig_config = _judgments(original_dir)
    clean_j, clean_config = _judgments(clean_dir)
    model = _one(orig_j, "model", original_dir)
    if _one(clean_j, "model", clean_dir) != model:
        raise BadInput(str(clean_dir), f"scores another model than {original_dir} ({model!r})")
    judge_of = {(j.judge, j.template_hash, j.parser_version) for j in orig_j}
    if {(j.judge, j.template_hash, j.parser_version) for j in clean_j} != judge_of:
        raise BadInput(str(clean_dir), f"was judged differently from {original_dir}; use the same judge")
    orig_scores, orig_unscored = item_scores(orig_j)
    clean_scores, clean_unscored = item_scores(clean_j)
    ids = paired_ids(orig_scores, clean_scores)
    diff: float | None = None
    low: float | None = None
    high: float | None = None
    unavailable = too_few_paired(len(ids)) if len(ids) < MIN_PAIRED else None
    if unavailable is None:
        diff, low, high, ids = paired_bootstrap(
            orig_scores, clean_scores, resamples=resamples, confidence=confidence, seed=seed
        )
    unpaired = len(orig_scores.keys() | clean_scores.keys()) - len(ids)

    def side(run_dir: Path, label: str, scores: dict[str, float], bad: Counter[str]) -> VariantScore:
        return VariantScore(
            run_dir=str(run_dir),
            variant=label,
            mean=float(np.mean([scores[i] for i in ids])) if ids else None,
            n_items_scored=len(scores),
            n_judgments_unscored=sum(bad.values()),
            unscored_reasons=dict(sorted(bad.items())),
        )

    scale = str(orig_j[0].metadata.get("scale", "rating" if orig_j[0].protocol == "single" else "?"))
    return ContaminationReport(
        benchmark=str(orig_config.get("benchmark", "?")).partition("@clean:")[0],
        model=model,
        judge=next(iter(judge_of))[0],
        scale=scale,
        original=side(original_dir, "original", orig_scores, orig_unscored),
        clean=side(
            clean_dir, clean_label or str(clean_config.get("variant", "clean")), clean_scores, clean_unscored
        ),
        n_paired=len(ids),
        n_unpaired=unpaired,
        n_rewritten=n_rewritten,
        difference=diff,
        ci_lower=low,
        ci_upper=high,
        confidence=confidence,
        resamples=resamples,
        seed=seed,
        significant_drop=high is not None and high < 0.0,
        unavailable=unavailable,
    )


def _mean(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def render_markdown(report: ContaminationReport) -> str:
    pct = f"{report.confidence:.0%}"
    o, c = report.original, report.clean
    if report.difference is None or report.ci_lower is None or report.ci_upper is None:
        difference = f"difference clean - original: unavailable ({report.unavailable})"
    else:
        difference = (
            f"difference clean - original: {report.difference:+.3f} "
            f"({pct} paired bootstrap interval {report.ci_lower:+.3f} .. {report.ci_upper:+.3f}, "
            f"{report.resamples} resamples, seed {report.seed})"
        )
    lines = [
        f"# Contamination report: {report.model} on {report.benchmark}",
        "",
        f"judge `{report.judge}` (scale: {report.scale}); paired items {report.n_paired}, unpaired {report.n_unpaired}"
        + (f", rewritten {report.n_rewritten}" if report.n_rewritten is not None else ""),
        "",
        "| variant | mean score | items scored | unscored judgments |",
        "|---|---|---|---|",
        f"| original | {_mean(o.mean)} | {o.n_items_scored} | {o.n_judgments_unscored} |",
        f"| clean ({c.variant}) | {_mean(c.mean)} | {c.n_items_scored} | {c.n_judgments_unscored} |",
        "",
        difference,
        "",
        "**significant drop: the model may have memorised the original wording**"
        if report.significant_drop
        else "no significant drop",
    ]
    return "\n".join(lines) + "\n"


def write_report(report: ContaminationReport, out_dir: Path) -> tuple[Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path, md_path = out_dir / "contamination.json", out_dir / "contamination.md"
    atomic.write_text(json_path, report.model_dump_json(indent=2) + "\n")
    atomic.write_text(md_path, render_markdown(report))
    return json_path, md_path
