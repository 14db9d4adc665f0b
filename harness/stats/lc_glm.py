"""AlpacaEval 2.0 statistics: raw win rate and the length-controlled (LC) win rate.

Reproduces ``alpaca_eval/metrics/winrate.py::get_winrate`` and ``alpaca_eval/metrics/glm_winrate.py``
(GLM ``length_controlled_v1``; Dubois et al., "Length-Controlled AlpacaEval", COLM 2024, arXiv:2404.04475,
§3). Notation of docs/statistics.md ("AlpacaEval 2.0"), for one model m against the baseline b:

    P(m wins row i) = σ(θ·tanh(s_i) + φ·γ_k(i) + β·g_i),   s_i = Δlen_i / sd(Δlen),   no intercept,

with Δlen = len(baseline) − len(model) in characters (sd with ddof 1 over all of the model's rows),
γ the fixed instruction difficulty, g_i = 1 on the model's rows and 0 on the gamed-baseline regulariser
rows (weight λ/2 each, λ = 0.2). Labels are soft (y = preference − 1), the penalty is L1 with C chosen
by 5-fold GroupKFold CV (see :mod:`harness.stats._l1_logistic`). LC = 100·mean_i σ(β + φ·γ_k(i)), the
prediction at zero length difference, averaged over all rows (unscored rows too: the prediction needs
no preference, as upstream).

γ lookup (``difficulty_by``): ``"position"`` (default) uses γ[i] for the i-th annotation row, exactly as
upstream (``df["index"]`` after ``reset_index``); the leaderboard values of models with fewer than 805
rows carry the resulting shift, so this is the only way to reproduce them. ``"instruction"`` looks γ up
by instruction text, which is what the method intends and is robust to reordering or missing rows
(upstream issue #316), and refuses instructions γ does not know.

Re-fitting offline is not the leaderboard. The leaderboard's fits include 1,610 regulariser rows
(``df_gamed.csv``: the baseline prompted to be verbose / concise) that exist only on the Hugging Face
hub; without them (``gamed=None``, upstream's ``length_controlled_noreg``) the refit of the shared models
lands 0.1–1.2 LC points below the leaderboard, and 13.6 points above it for the adversarially short
``gpt4_gamed``, whose LC those rows hold down (tests/stats/test_lc_glm_refit.py). Given the same inputs
we match alpaca_eval's own code (same C; LC within 0.03 points, the remainder being liblinear's
``tol=1e-4`` early stop), and the committed coefficients reproduce the leaderboard to 1e-6.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from harness.errors import BadInput
from harness.stats._l1_logistic import DEFAULT_CS, fit_batch, fit_cv
from harness.stats.alpaca_annotations import Difficulty, check_instructions, validate_gamed
from harness.stats.logistic import expit

FloatArray = npt.NDArray[np.float64]
DifficultyBy = Literal["position", "instruction"]
REGULARIZE_LAMBDA = 0.2  # GLM_INFO["length_controlled_v1"]["regularize_to_baseline_lambda"]


@dataclass(frozen=True)
class GLMCoefficients:
    """θ (tanh length term), φ (instruction difficulty), β (model bias) of one model's LC GLM."""

    theta: float
    phi: float
    beta: float

    @classmethod
    def from_weights(cls, weights: pd.DataFrame, model: str) -> GLMCoefficients:
        """One row of :func:`~harness.stats.alpaca_annotations.glm_weights_frame`."""
        if model not in weights.index:
            raise BadInput("weights", f"no GLM coefficients for model {model!r}")
        theta, phi, beta = weights.loc[[model], ["theta", "phi", "beta"]].to_numpy(dtype=float)[0]
        return cls(theta=float(theta), phi=float(phi), beta=float(beta))


@dataclass(frozen=True)
class RawMetrics:
    """The non-length-controlled leaderboard columns (upstream ``get_winrate``) plus unscored counts."""

    win_rate: float
    standard_error: float
    n_wins: int
    n_wins_base: int
    n_draws: int
    n_total: int
    discrete_win_rate: float
    avg_length: int
    n_unscored: int
    unscored_reasons: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class LCFit:
    """A fitted LC GLM: coefficients, chosen C, CV trace, per-row predictions at Δlen = 0, LC and its SE."""

    coefficients: GLMCoefficients
    C: float | None
    cv_scores: FloatArray | None
    probabilities: FloatArray
    length_controlled_winrate: float
    lc_standard_error: float


@dataclass(frozen=True)
class AlpacaEvalResult:
    """Every AlpacaEval 2.0 leaderboard column for one model, plus the GLM and the unscored counts."""

    model: str
    baseline: str
    raw: RawMetrics
    lc: LCFit

    def leaderboard_row(self) -> dict[str, float | int | str]:
        """The upstream leaderboard CSV columns (``mode`` excepted) plus ``n_unscored``."""
        r = self.raw
        return {
            "model": self.model,
            "win_rate": r.win_rate,
            "standard_error": r.standard_error,
            "n_wins": r.n_wins,
            "n_wins_base": r.n_wins_base,
            "n_draws": r.n_draws,
            "n_total": r.n_total,
            "discrete_win_rate": r.discrete_win_rate,
            "avg_length": r.avg_length,
            "length_controlled_winrate": self.lc.length_controlled_winrate,
            "lc_standard_error": self.lc.lc_standard_error,
            "n_unscored": r.n_unscored,
        }


def _sem(values: FloatArray) -> float:
    """pandas ``Series.sem()``: sd with ddof 1 over √n; NaN below two values, as upstream."""
    n = values.size
    return float(np.std(values, ddof=1) / np.sqrt(n)) if n > 1 else float("nan")


def _generators(annotations: pd.DataFrame) -> tuple[str, str]:
    """The (model, baseline) of a frame, which must hold exactly one of each."""
    for col in ("generator_1", "generator_2"):
        names = annotations[col].unique()
        if len(names) != 1:
            raise BadInput(
                col, f"expected one generator per annotations frame, got {sorted(map(str, names))}"
            )
    return str(annotations["generator_2"].iloc[0]), str(annotations["generator_1"].iloc[0])


Lengths = tuple[FloatArray, FloatArray]
"""Characters of ``output_1`` (baseline) and ``output_2`` (model) per row, NaN where missing."""


BaselineLengths = tuple[pd.Series, FloatArray]
"""A frame's ``output_1`` column (the baseline's outputs) and their characters, for :func:`output_lengths`."""


def output_lengths(annotations: pd.DataFrame, same_baseline: BaselineLengths | None = None) -> Lengths:
    """:data:`Lengths` of a frame; counting characters is most of the non-fitting work, so do it once.

    ``same_baseline``: the ``output_1`` column of another frame and its counts; when this frame's baseline
    outputs are the same texts (one baseline for every model of a leaderboard), its counts are reused:
    comparing the texts costs about a third of counting them."""
    first = annotations["output_1"]
    if same_baseline is not None and first.equals(same_baseline[0]):
        counts = same_baseline[1]
    else:
        counts = np.asarray(first.str.len().to_numpy(dtype=float), dtype=float)
    return counts, np.asarray(annotations["output_2"].str.len().to_numpy(dtype=float), dtype=float)


def raw_metrics(annotations: pd.DataFrame, *, lengths: Lengths | None = None) -> RawMetrics:
    """Raw win rate etc. (``alpaca_eval/metrics/helpers.py::describe_head2head``), over scored rows.

    win_rate = 100·mean(y), y = preference − 1 (probability-weighted, so ≠ n_wins/n: issue #427);
    standard_error = 100·sd(y, ddof 1)/√n; n_wins = #(y > .5); n_wins_base = #(y < .5); n_draws =
    #(preference = 1.5); discrete_win_rate rounds each preference to 1 or 2 (1.5 stays a half win);
    avg_length = int(mean characters of the model's outputs). NaN preferences are not in n_total: they
    are counted in n_unscored with their reasons.
    """
    pref = annotations["preference"].to_numpy(dtype=float)
    scored = ~np.isnan(pref)
    y = pref[scored] - 1.0
    discrete = np.where(pref[scored] == 1.5, 0.5, np.round(pref[scored]) - 1.0)
    reasons: Counter[str] = Counter()
    if not scored.all():
        reasons.update(
            str(r) for r in annotations.loc[~scored, "unscored_reason"].fillna("missing_preference")
        )
    model_lengths = (
        np.asarray(annotations["output_2"].str.len().to_numpy(dtype=float), dtype=float)
        if lengths is None
        else lengths[1]
    )
    return RawMetrics(
        win_rate=float(np.mean(y) * 100) if y.size else float("nan"),
        standard_error=_sem(y) * 100,
        n_wins=int((y > 0.5).sum()),
        n_wins_base=int((y < 0.5).sum()),
        n_draws=int((pref == 1.5).sum()),
        n_total=int(y.size),
        discrete_win_rate=float(np.mean(discrete) * 100) if y.size else float("nan"),
        avg_length=int(model_lengths.mean()),
        n_unscored=int((~scored).sum()),
        unscored_reasons=dict(reasons),
    )


def align_difficulty(
    annotations: pd.DataFrame, difficulty: Difficulty, difficulty_by: DifficultyBy = "position"
) -> FloatArray:
    """γ for each annotation row: by row position (legacy, upstream) or by instruction text."""
    n = len(annotations)
    if difficulty_by == "position":
        if n > difficulty.gamma.size:
            raise BadInput("annotations", f"{n} rows but only {difficulty.gamma.size} difficulty values")
        return difficulty.gamma[:n]
    if difficulty_by == "instruction":
        lookup = dict(zip(difficulty.instructions, difficulty.gamma, strict=True))
        if len(lookup) != len(difficulty.instructions):
            raise BadInput("difficulty", "duplicate instructions; cannot look γ up by instruction")
        instructions = annotations["instruction"].tolist()
        unknown = [s for s in instructions if s not in lookup]
        if unknown:
            check_instructions(instructions, difficulty.instructions, what="annotation instructions")
        return np.array([lookup[s] for s in instructions], dtype=float)
    raise BadInput("difficulty_by", f"unknown value {difficulty_by!r}; expected 'position' or 'instruction'")


def standardized_length_difference(
    annotations: pd.DataFrame, *, lengths: Lengths | None = None
) -> FloatArray:
    """s_i = (len(output_1) − len(output_2)) / sd, sd with ddof 1 over all rows (upstream
    ``_get_featurized_data``). Identical lengths everywhere (sd = 0) give s = 0: no length signal."""
    first, second = output_lengths(annotations) if lengths is None else lengths
    delta = first - second
    sd = float(np.std(delta, ddof=1)) if delta.size > 1 else 0.0
    return delta / sd if sd > 0 else np.zeros_like(delta)


def gamed_rows(
    annotations: pd.DataFrame, difficulty: Difficulty, difficulty_by: DifficultyBy = "position"
) -> pd.DataFrame:
    """Regulariser rows (HF ``df_gamed.csv`` layout) from one gamed baseline's annotations, e.g. the
    verbose or concise prompting of the baseline judged against the baseline. Unscored rows are dropped
    here because they carry no label; concatenate the frames of several gamed baselines."""
    scored = annotations["preference"].notna().to_numpy()
    return pd.DataFrame(
        {
            "index": np.arange(len(annotations))[scored],
            "preference": annotations["preference"].to_numpy(dtype=float)[scored] - 1.0,
            "std_delta_len": standardized_length_difference(annotations)[scored],
            "instruction_difficulty": align_difficulty(annotations, difficulty, difficulty_by)[scored],
        }
    )


def predict_lc(coefficients: GLMCoefficients, gamma: FloatArray) -> tuple[float, float, FloatArray]:
    """LC prediction step alone: p_i = σ(β + φ·γ_i); returns (100·mean p, 100·sem p, p).

    ``lc_standard_error`` is upstream's: the spread of fitted per-instruction probabilities, which
    ignores coefficient uncertainty (see :func:`bootstrap_lc_interval` for an honest interval).
    """
    p = expit(coefficients.beta + coefficients.phi * np.asarray(gamma, dtype=float))
    return float(np.mean(p) * 100), _sem(p) * 100, p


def lc_from_coefficients(
    coefficients: GLMCoefficients,
    difficulty: Difficulty,
    *,
    annotations: pd.DataFrame | None = None,
    n_rows: int | None = None,
    difficulty_by: DifficultyBy = "position",
) -> tuple[float, float]:
    """(LC, lc_standard_error) from given coefficients, γ aligned to ``annotations`` (or, positionally,
    to the first ``n_rows`` rows; neither given: all of γ). Reproduces the leaderboard from the committed
    weights file, including models with fewer than 805 rows, whose γ is shifted upstream."""
    if annotations is not None:
        gamma = align_difficulty(annotations, difficulty, difficulty_by)
    elif difficulty_by != "position":
        raise BadInput("difficulty_by", "looking γ up by instruction needs the annotations")
    else:
        n = difficulty.gamma.size if n_rows is None else n_rows
        if not 0 < n <= difficulty.gamma.size:
            raise BadInput("n_rows", f"{n} is outside 1..{difficulty.gamma.size}")
        gamma = difficulty.gamma[:n]
    lc, se, _ = predict_lc(coefficients, gamma)
    return lc, se


def lc_against(model: GLMCoefficients, other_baseline: GLMCoefficients, gamma: FloatArray) -> float:
    """LC of ``model`` against another baseline b′ (upstream ``predict_winrate``):
    100·mean σ((β_m − β_b′) + (φ_m − φ_b′)·γ). It satisfies LC(m, b′) = 100 − LC(b′, m)."""
    delta = (model.beta - other_baseline.beta) + (model.phi - other_baseline.phi) * np.asarray(
        gamma, dtype=float
    )
    return float(np.mean(expit(delta)) * 100)


def lc_matrix(coefficients: Mapping[str, GLMCoefficients], gamma: FloatArray) -> pd.DataFrame:
    """LC of every model (rows) against every other as baseline (columns)."""
    names = list(coefficients)
    values = [[lc_against(coefficients[m], coefficients[b], gamma) for b in names] for m in names]
    return pd.DataFrame(values, index=names, columns=names)


def _design(
    annotations: pd.DataFrame,
    gamma: FloatArray,
    gamed: pd.DataFrame | None,
    regularize_lambda: float,
    lengths: Lengths | None = None,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Training rows (gamed first, then the model's scored rows, as upstream's concat) → X, y, ω."""
    pref = annotations["preference"].to_numpy(dtype=float)
    scored = ~np.isnan(pref)
    s = standardized_length_difference(annotations, lengths=lengths)
    X = np.column_stack([np.tanh(s), gamma, np.ones_like(s)])[scored]
    y = pref[scored] - 1.0
    w = np.ones(y.size)
    if gamed is not None:
        g = validate_gamed(gamed)
        Xg = np.column_stack(
            [np.tanh(g["std_delta_len"]), g["instruction_difficulty"], np.zeros(len(g))]
        ).astype(float)
        X = np.vstack([Xg, X])
        y = np.concatenate([g["preference"].to_numpy(dtype=float), y])
        # upstream divides λ by 2 "because there are two gamed baselines" (verbose and concise)
        w = np.concatenate([np.full(len(g), regularize_lambda / 2), w])
    return X, y, w


def fit_lc_glm(
    annotations: pd.DataFrame,
    difficulty: Difficulty,
    *,
    gamed: pd.DataFrame | None = None,
    regularize_lambda: float = REGULARIZE_LAMBDA,
    difficulty_by: DifficultyBy = "position",
    Cs: tuple[float, ...] = DEFAULT_CS,
    n_splits: int = 5,
    lengths: Lengths | None = None,
) -> LCFit:
    """Fit the LC GLM of one model and predict at zero length difference.

    ``gamed``: regulariser rows (``df_gamed.csv`` layout, see :func:`gamed_rows`); None fits the
    ``length_controlled_noreg`` variant, which is all that can be done offline since upstream's
    ``df_gamed.csv`` exists only on the Hugging Face hub. The baseline against itself is not fitted:
    all coefficients 0 and LC exactly 50, as upstream. ``lengths``: :func:`output_lengths` of ``annotations``
    when the caller already has them.
    """
    model, baseline = _generators(annotations)
    gamma = align_difficulty(annotations, difficulty, difficulty_by)
    if model == baseline:
        zero = GLMCoefficients(0.0, 0.0, 0.0)
        p = np.full(len(annotations), 0.5)
        return LCFit(zero, None, None, p, 50.0, 0.0)
    X, y, w = _design(annotations, gamma, gamed, regularize_lambda, lengths)
    if y.size - (0 if gamed is None else len(gamed)) < n_splits:
        raise BadInput("annotations", f"{model}: fewer scored rows than the {n_splits} CV folds")
    cv = fit_cv(X, y, w, Cs=Cs, n_splits=n_splits)
    coefs = GLMCoefficients(theta=float(cv.coef[0]), phi=float(cv.coef[1]), beta=float(cv.coef[2]))
    lc, se, p = predict_lc(coefs, gamma)
    return LCFit(coefs, cv.C, cv.cv_scores, p, lc, se)


def alpaca_eval_metrics(
    annotations: pd.DataFrame,
    difficulty: Difficulty,
    *,
    gamed: pd.DataFrame | None = None,
    regularize_lambda: float = REGULARIZE_LAMBDA,
    difficulty_by: DifficultyBy = "position",
    eval_instructions: list[str] | None = None,
    lengths: Lengths | None = None,
) -> AlpacaEvalResult:
    """Every leaderboard column for one model (upstream ``get_length_controlled_winrate``).

    ``eval_instructions`` (e.g. the baseline's instructions, in order), when given, must equal the
    annotations' instructions; the error gives the counts and the first differing instruction.
    ``lengths``: :func:`output_lengths` of ``annotations`` when the caller already has them.
    """
    if eval_instructions is not None:
        check_instructions(
            annotations["instruction"].tolist(), eval_instructions, what="annotation instructions"
        )
    model, baseline = _generators(annotations)
    lengths = output_lengths(annotations) if lengths is None else lengths
    lc = fit_lc_glm(
        annotations,
        difficulty,
        gamed=gamed,
        regularize_lambda=regularize_lambda,
        difficulty_by=difficulty_by,
        lengths=lengths,
    )
    raw = raw_metrics(annotations, lengths=lengths)
    return AlpacaEvalResult(model=model, baseline=baseline, raw=raw, lc=lc)


def bootstrap_lc_interval(
    annotations: pd.DataFrame,
    difficulty: Difficulty,
    *,
    n_boot: int = 1000,
    level: float = 0.95,
    seed: int = 0,
    gamed: pd.DataFrame | None = None,
    regularize_lambda: float = REGULARIZE_LAMBDA,
    difficulty_by: DifficultyBy = "position",
    fit: LCFit | None = None,
    lengths: Lengths | None = None,
) -> tuple[float, float]:
    """Percentile interval of LC over instructions resampled with replacement, refitting the GLM.

    Unlike upstream's ``lc_standard_error`` (spread of fitted probabilities at fixed coefficients) this
    carries the coefficient uncertainty, so it is wider and more honest (docs/statistics.md,
    "AlpacaEval 2.0"). Each replicate is the weighted fit with multinomial counts as row weights, at the C chosen on
    the full sample and with the full-sample length standardisation; all replicates are solved as one batch.
    ``fit`` (the :func:`fit_lc_glm` of these same arguments) and ``lengths`` (:func:`output_lengths`), when the
    caller has them already, are not computed again: the full-sample fit is a whole cross-validation.
    """
    if fit is None:
        fit = fit_lc_glm(
            annotations,
            difficulty,
            gamed=gamed,
            regularize_lambda=regularize_lambda,
            difficulty_by=difficulty_by,
            lengths=lengths,
        )
    if fit.C is None:
        return 50.0, 50.0
    gamma = align_difficulty(annotations, difficulty, difficulty_by)
    X, y, w = _design(annotations, gamma, gamed, regularize_lambda, lengths)
    n_gamed = 0 if gamed is None else len(gamed)
    n = len(annotations)
    rng = np.random.default_rng(seed)
    counts = rng.multinomial(n, np.full(n, 1.0 / n), size=n_boot).astype(float)  # (B, n) over all rows
    scored = annotations["preference"].notna().to_numpy()
    W = np.tile(w, (n_boot, 1))
    W[:, n_gamed:] *= counts[:, scored]
    start = np.tile([fit.coefficients.theta, fit.coefficients.phi, fit.coefficients.beta], (n_boot, 1))
    coef, _ = fit_batch(X, y, W, np.full(n_boot, 1.0 / fit.C), coef0=start)
    p = expit(coef[:, 2:3] + coef[:, 1:2] * gamma[None, :])
    lcs = 100 * (counts * p).sum(axis=1) / n
    alpha = (1.0 - level) / 2
    lo, hi = np.quantile(lcs, [alpha, 1.0 - alpha])
    return float(lo), float(hi)
