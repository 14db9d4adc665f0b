"""The AlpacaEval 2.0 board from upstream's committed GLM coefficients, plus annotations where they exist.

Upstream's LC for a model is 100·mean_i σ(β + φ·γ_i) over the instructions of its fit
(``alpaca_eval/metrics/glm_winrate.py``, length_controlled_v1), and its ``lc_standard_error`` is the
standard error of those per-instruction predictions. The weights file in the alpaca_eval repository
holds (θ, φ, β) for every model of the leaderboard, so LC and its standard error follow for all of them
without refitting (a refit would need the gamed-baseline regulariser rows, which exist only on the hub).

Inputs, all upstream files at one commit:

- the weights CSV (θ, φ, β per model);
- γ: recovered from one model's annotations that store ``glm_preference`` (see
  :func:`~benchmarks.alpaca_eval.upstream.difficulty_from_glm_preference`);
- the row count each fit used (``n_total`` of upstream's leaderboard CSV): upstream looks γ up by row
  position, so a model with fewer than 805 annotations uses the first ``n_total`` values of γ. That column
  is an input here; no published score is copied, and rows whose LC differs from the published one are
  named in the notes;
- annotation files: win rate, its standard error and the counts (``get_winrate``), for those models.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

from benchmarks.alpaca_eval.upstream import (
    difficulty_from_glm_preference,
    load_annotations,
    load_glm_weights,
    load_leaderboard_csv,
)
from harness.stats.lc_glm import GLMCoefficients, lc_from_coefficients, raw_metrics
from harness.table import Leaderboard, Row

Z95 = 1.959963984540054  # two-sided 95% normal quantile
PUBLISHED_TOLERANCE = 1e-4  # LC points; the recovered γ agrees with the hub's to ~1e-8
COLUMNS = ("lc_standard_error", "win_rate", "win_rate_ci_lower", "win_rate_ci_upper", "standard_error",
           "n_wins", "n_wins_base", "n_draws", "discrete_win_rate", "avg_length")  # fmt: skip
INTERVAL = (
    "95% normal interval LC ± 1.96·lc_standard_error (upstream's standard error: the spread of the "
    "per-instruction predictions, which ignores the coefficients' own uncertainty); win_rate likewise "
    "from standard_error"
)


def _raw_columns(paths: Sequence[Path]) -> dict[str, dict[str, float | int | str | None]]:
    """Win-rate columns per model from annotation files (model = the file's ``generator_2``)."""
    out: dict[str, dict[str, float | int | str | None]] = {}
    for path in paths:
        ann = load_annotations(path)
        model = str(ann["generator_2"].iloc[0])
        raw = raw_metrics(ann)
        half = Z95 * raw.standard_error
        out[model] = {
            "win_rate": raw.win_rate,
            "win_rate_ci_lower": raw.win_rate - half,
            "win_rate_ci_upper": raw.win_rate + half,
            "standard_error": raw.standard_error,
            "n_wins": raw.n_wins,
            "n_wins_base": raw.n_wins_base,
            "n_draws": raw.n_draws,
            "discrete_win_rate": raw.discrete_win_rate,
            "avg_length": raw.avg_length,
            "n_total": raw.n_total,
            "n_unscored": raw.n_unscored,
        }
    return out


def coefficient_board(
    *,
    weights: Path,
    leaderboard: Path,
    gamma_annotations: Path,
    gamma_model: str,
    annotations: Sequence[Path],
) -> Leaderboard:
    coefs = load_glm_weights(weights)
    published = load_leaderboard_csv(leaderboard)
    anchor = GLMCoefficients.from_weights(coefs, gamma_model)
    difficulty = difficulty_from_glm_preference(gamma_annotations, anchor.beta, anchor.phi)
    raw = _raw_columns(annotations)
    rows: list[Row] = []
    skipped: list[str] = []
    differ: list[str] = []
    n_total = {str(k): int(v) for k, v in published["n_total"].items()}
    published_lc = {str(k): float(v) for k, v in published["length_controlled_winrate"].items()}
    for model in coefs.index:
        name = str(model)
        if name not in n_total:
            skipped.append(name)
            continue
        n_rows = n_total[name]
        lc, se = lc_from_coefficients(GLMCoefficients.from_weights(coefs, name), difficulty, n_rows=n_rows)
        extra: dict[str, float | int | str | None] = {"lc_standard_error": se}
        extra |= {k: v for k, v in raw.get(name, {}).items() if k in COLUMNS}
        n_unscored = int(raw[name]["n_unscored"] or 0) if name in raw else 0
        rows.append(Row(name, lc, lc - Z95 * se, lc + Z95 * se, n_rows, n_unscored, extra))
        reference = published_lc[name]
        if not math.isnan(reference) and abs(reference - lc) > PUBLISHED_TOLERANCE:
            differ.append(f"{name} ({lc:.4f} here, {reference:.4f} published)")
    notes = [
        f"LC from upstream's committed GLM coefficients for {len(rows)} models; γ recovered from "
        f"{gamma_model}'s stored GLM predictions; each fit's row count from upstream's leaderboard CSV.",
        f"Win rate and counts for the {len(raw)} models whose annotation files are inputs; empty elsewhere.",
    ]
    if skipped:
        notes.append(
            f"Weights rows without a leaderboard row (no row count), left out: {', '.join(skipped)}."
        )
    if differ:
        notes.append(
            f"LC differs from the published leaderboard value by more than {PUBLISHED_TOLERANCE:g} (a published "
            "row newer than its coefficients, or a fit over fewer rows whose γ positions are not known here): "
            + "; ".join(differ)
            + "."
        )
    return Leaderboard(
        "alpaca_eval", "length_controlled_winrate", tuple(rows), COLUMNS, INTERVAL, tuple(notes)
    )
