"""Arena-Hard outcomes and Bradley-Terry fits (plain, and with L2 / style covariates), batched over rounds.

Sources (lmarena/arena-hard-auto): ``v0.1:show_result.py get_battles_from_row`` (two games, game 2 mirrored,
``>>`` counts ``weight`` times, a null or unknown label gets weight 0), ``v0.1:utils_math.py compute_mle_elo``
(duplicated battles, a tie = one win + one loss, design ``+ln 10 / -ln 10``, Elo ``400*coef + 1000``
anchored at the baseline), ``HEAD:show_result.py load_judgments`` (v2: label -> model-perspective outcomes
1 / 0.5 / 0, ``>>`` repeated ``weight`` times, a pair with any null game dropped whole).

Every fit here is a weighted logistic regression solved by Newton's method on *aggregated* rows (a row
type with its total weight ``n`` and its success mass ``s``): the duplicated-battle likelihood of v0.1 is
exactly ``sum(n * softplus(eta) - s * eta)`` with ``n = 2`` per battle and ``s = 2 * y`` (a tie gives
``s = 1``), so nothing is lost by aggregating, and all bootstrap rounds are solved together as one batch
of small ``D x D`` systems.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from harness.errors import BadInput
from harness.stats.arena_judgments import validate_judgments

NullPolicy = Literal["v0.1", "v2"]
LN10 = float(np.log(10.0))

# label -> (outcome for the assistant in position A, strong verdict). The first five are the v0.1
# vocabulary (``get_battles_from_row``); the other five exist only in v2's ``label_to_score``.
VERDICTS: dict[str, tuple[float, bool]] = {
    "A>>B": (1.0, True),
    "A>B": (1.0, False),
    "A=B": (0.5, False),
    "B>A": (0.0, False),
    "B>>A": (0.0, True),
    "A<<B": (0.0, True),
    "A<B": (0.0, False),
    "B=A": (0.5, False),
    "B<A": (1.0, False),
    "B<<A": (1.0, True),
}
V01_LABELS = frozenset(["A>>B", "A>B", "A=B", "B>A", "B>>A"])
REASON_NULL = "null verdict"
REASON_OUTSIDE_V01 = "label outside the v0.1 vocabulary (upstream weight 0)"
REASON_PAIR = "other game of the pair unscored (v2 drops the pair)"
REASON_INCOMPLETE = "pair incomplete: only one game present (v2 drops the pair)"


@dataclass(frozen=True)
class ExpandedOutcomes:
    """Model-perspective outcome rows plus every game that was left out and why.

    ``rows``: question_id, model, baseline, game, outcome (1 win / 0.5 tie / 0 loss for ``model``), one row
    per unit of weight, in the order of the judgment frame (upstream's battle order). ``unscored``:
    question_id, model, baseline, game, reason.
    """

    rows: pd.DataFrame
    unscored: pd.DataFrame

    def counts(self) -> pd.DataFrame:
        """Per model: scored games, unscored games, and unscored games by reason."""
        scored = self.rows.drop_duplicates(["question_id", "model", "baseline", "game"])
        table = pd.DataFrame({"n_scored": scored.groupby("model").size()})
        table["n_unscored"] = self.unscored.groupby("model").size()
        models = sorted(set(table.index) | set(self.unscored["model"]))
        return table.reindex(models).fillna(0).astype(int)


def expand_outcomes(
    judgments: pd.DataFrame, weight: int = 3, null_policy: NullPolicy = "v0.1"
) -> ExpandedOutcomes:
    """Turn per-game labels into weighted model-perspective outcomes (docs/statistics.md, "Arena-Hard").

    Game 1 shows the baseline as A, so the model's outcome is ``1 - outcome(A)``; game 2 shows the model as
    A. A strong verdict (``>>``/``<<``) is repeated ``weight`` times. ``null_policy="v0.1"`` drops only a
    game without a usable label (labels outside the v0.1 five also get weight 0, as upstream);
    ``"v2"`` drops both games of a (question, model) when either is null or missing. A label that is in
    neither vocabulary is bad input, as in v2 (KeyError there).
    """
    if weight < 1:
        raise BadInput("weight", f"expected a positive integer, got {weight}")
    if null_policy not in ("v0.1", "v2"):
        raise BadInput("null_policy", f"unknown policy {null_policy!r}; expected 'v0.1' or 'v2'")
    frame = validate_judgments(judgments).reset_index(drop=True)
    labels = frame["label"].astype(object)
    is_null = labels.map(lambda x: x is None or (isinstance(x, float) and np.isnan(x))).astype(bool)
    unknown = ~is_null & ~labels.isin(list(VERDICTS))
    if unknown.any():
        index = int(np.flatnonzero(unknown.to_numpy())[0])
        raise BadInput(
            f"judgments[{index}].label",
            f"unknown verdict {labels.iloc[index]!r}; expected one of {sorted(VERDICTS)} or null",
        )
    reason = pd.Series([None] * len(frame), index=frame.index, dtype=object)
    reason[is_null] = REASON_NULL
    if null_policy == "v0.1":
        reason[~is_null & ~labels.isin(list(V01_LABELS))] = REASON_OUTSIDE_V01
    else:
        keys = ["question_id", "model", "baseline"]
        pair_size = frame.groupby(keys, sort=False)["game"].transform("size")
        pair_null = is_null.groupby([frame[k] for k in keys], sort=False).transform("any")
        reason[reason.isna() & pair_null] = REASON_PAIR
        reason[reason.isna() & (pair_size < 2)] = REASON_INCOMPLETE
    scored = reason.isna().to_numpy()
    kept = frame[scored]
    verdict = kept["label"].map(VERDICTS)
    outcome_a = verdict.map(lambda v: v[0]).to_numpy(dtype=float)
    repeats = np.where(verdict.map(lambda v: v[1]).to_numpy(dtype=bool), weight, 1)
    outcome = np.where(kept["game"].to_numpy() == 1, 1.0 - outcome_a, outcome_a)
    rows = kept[["question_id", "model", "baseline", "game"]].loc[kept.index.repeat(repeats)]
    rows = rows.reset_index(drop=True)
    rows["outcome"] = np.repeat(outcome, repeats)
    unscored = frame.loc[~scored, ["question_id", "model", "baseline", "game"]].reset_index(drop=True)
    unscored["reason"] = reason[~scored].to_numpy()
    return ExpandedOutcomes(rows=rows, unscored=unscored)


# ---------------------------------------------------------------------------------------------------
# Weighted logistic regression by Newton's method, batched over rounds


def expit(x: np.ndarray) -> np.ndarray:
    """The logistic function ``1 / (1 + exp(-x))`` without overflow (numpy only: no scipy import)."""
    x = np.asarray(x, dtype=float)
    e = np.exp(-np.abs(x))
    return np.asarray(np.where(x >= 0.0, 1.0 / (1.0 + e), e / (1.0 + e)))


def log_expit(x: np.ndarray) -> np.ndarray:
    """``log(expit(x)) = -softplus(-x)``, stable for large ``|x|``."""
    x = np.asarray(x, dtype=float)
    return np.asarray(np.minimum(x, 0.0) - np.log1p(np.exp(-np.abs(x))))


def group_sums(values: np.ndarray, groups: np.ndarray, n_groups: int) -> np.ndarray:
    """(R, G) sums of the columns of ``values`` (R, N) by ``groups`` (N,) codes in ``[0, G)``.

    A sort and ``np.add.reduceat``: no sparse matrix (and no scipy import); groups without a member sum to 0.
    """
    values = np.atleast_2d(values)
    order = np.argsort(groups, kind="stable")
    sorted_groups = groups[order]
    present, starts = np.unique(sorted_groups, return_index=True)
    out = np.zeros((values.shape[0], n_groups))
    if present.size:
        out[:, present] = np.add.reduceat(values[:, order], starts, axis=1)
    return out


def fit_logistic(
    design: np.ndarray,
    total: np.ndarray,
    success: np.ndarray,
    l2: float = 0.0,
    tol: float = 1e-10,
    start: np.ndarray | None = None,
) -> np.ndarray:
    """Minimise ``0.5 * l2 * |w|^2 + sum_u n_u softplus(x_u w) - s_u x_u w`` for each round.

    ``design``: (U, D) row types; ``total``/``success``: (R, U) or (U,) weights and success masses
    (soft labels allowed). Returns (R, D) or (D,). ``l2 = 1 / C`` reproduces sklearn's
    ``LogisticRegression(C=C, fit_intercept=False)`` objective (``0.5 |w|^2 + C * sum loss``); ``l2 = 0``
    is the plain maximum-likelihood fit. Newton on a concave likelihood, from 0 or from ``start`` (D,) (the
    full-data optimum for bootstrap rounds: fewer steps, the same optimum); stops when the largest step is
    below ``tol``. The R Hessians are one batched matrix product. No solution (separable outcomes, a
    parameter without data) is bad input.
    """
    single = total.ndim == 1
    n = np.atleast_2d(np.asarray(total, dtype=float))
    s = np.atleast_2d(np.asarray(success, dtype=float))
    x = np.asarray(design, dtype=float)
    xt = np.ascontiguousarray(x.T)
    rounds, dim = n.shape[0], x.shape[1]
    coef = np.zeros((rounds, dim)) if start is None else np.tile(np.asarray(start, dtype=float), (rounds, 1))
    ridge = l2 * np.eye(dim)
    for _ in range(200):
        prob = expit(coef @ xt)
        grad = (n * prob - s) @ x + l2 * coef
        hess = (xt[None, :, :] * (n * prob * (1.0 - prob))[:, None, :]) @ x + ridge
        try:
            step = np.linalg.solve(hess, grad[:, :, None])[:, :, 0]
        except np.linalg.LinAlgError as error:
            raise BadInput(
                "outcomes", "singular fit: a rating has no data (disconnected comparisons)"
            ) from error
        step = np.clip(step, -5.0, 5.0)
        coef -= step
        if not np.all(np.isfinite(coef)):
            break
        if np.max(np.abs(step)) < tol:
            return coef[0] if single else coef
    raise BadInput(
        "outcomes",
        "Bradley-Terry fit did not converge: some model wins or loses all its comparisons (no finite MLE)",
    )


def logistic_loss(design: np.ndarray, total: np.ndarray, success: np.ndarray, coef: np.ndarray) -> float:
    """The unpenalised negative log-likelihood of :func:`fit_logistic` at ``coef`` (one round)."""
    eta = design @ coef
    return float(np.sum(-(success * log_expit(eta) + (total - success) * log_expit(-eta))))


# ---------------------------------------------------------------------------------------------------
# Plain Bradley-Terry on pair counts


@dataclass(frozen=True)
class PairDesign:
    """Aggregation of outcome rows into unordered model pairs, shared by the full fit and the bootstrap.

    ``first``/``second``: model indices of each pair; ``row_pair``: the pair of each outcome row;
    ``row_win``: the first model's win mass of each row (1 / 0.5 / 0).
    """

    models: tuple[str, ...]
    first: np.ndarray
    second: np.ndarray
    row_pair: np.ndarray
    row_win: np.ndarray

    @property
    def n_pairs(self) -> int:
        return int(self.first.shape[0])

    def incidence(self, anchor: int) -> np.ndarray:
        """Design of the pairs with the anchor's column removed (its strength is 0)."""
        matrix = np.zeros((self.n_pairs, len(self.models)))
        matrix[np.arange(self.n_pairs), self.first] = 1.0
        matrix[np.arange(self.n_pairs), self.second] = -1.0
        return np.delete(matrix, anchor, axis=1)

    def pair_sums(self, row_counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(R, P) total weight and first-model win mass for (R, rows) resampling counts."""
        counts = np.atleast_2d(row_counts)
        total = group_sums(counts, self.row_pair, self.n_pairs)
        wins = group_sums(counts * self.row_win, self.row_pair, self.n_pairs)
        return total, wins


def pair_design(rows: pd.DataFrame, models: list[str] | None = None) -> PairDesign:
    """Index outcome rows (``model`` vs ``baseline`` with ``outcome`` for ``model``) by unordered pair."""
    names = models or sorted(set(rows["model"]) | set(rows["baseline"]))
    index = {name: i for i, name in enumerate(names)}
    mapped_a, mapped_b = rows["model"].map(index), rows["baseline"].map(index)
    if mapped_a.isna().any() or mapped_b.isna().any():
        raise BadInput("outcomes.model", "a row names a model outside the given model list")
    a, b = mapped_a.to_numpy(dtype=int), mapped_b.to_numpy(dtype=int)
    low, high = np.minimum(a, b), np.maximum(a, b)
    keys, row_pair = np.unique(low * len(names) + high, return_inverse=True)
    outcome = rows["outcome"].to_numpy(dtype=float)
    row_win = np.where(a == low, outcome, 1.0 - outcome)
    return PairDesign(
        models=tuple(names),
        first=(keys // len(names)).astype(int),
        second=(keys % len(names)).astype(int),
        row_pair=row_pair.astype(int),
        row_win=row_win,
    )


def fit_bradley_terry(design: PairDesign, anchor: str, row_counts: np.ndarray | None = None) -> np.ndarray:
    """Natural-log strengths (anchor = 0) of the BT MLE; (M,) for the data or (R, M) for resample counts.

    This is the maximiser of v0.1's duplicated-battle likelihood (``compute_mle_elo``): duplicating every
    battle and splitting ties into a win and a loss only doubles the aggregated pair counts.
    """
    anchor_index = design.models.index(anchor)
    counts = np.ones(design.row_pair.shape[0]) if row_counts is None else row_counts
    total, wins = design.pair_sums(counts)
    coef = fit_logistic(design.incidence(anchor_index), total, wins)
    theta = np.insert(coef, anchor_index, 0.0, axis=1)
    return theta[0] if row_counts is None or np.ndim(row_counts) == 1 else theta


def elo_ratings(
    theta: np.ndarray, scale: float = 400.0, base: float = 10.0, init: float = 1000.0
) -> np.ndarray:
    """Elo from natural-log strengths relative to the anchor: ``init + scale * theta / ln(base)``."""
    return init + scale * np.asarray(theta) / np.log(base)


def win_rate(theta_model: np.ndarray | float, theta_baseline: np.ndarray | float = 0.0) -> np.ndarray:
    """``predict_win_rate``: ``1 / (1 + 10**((R_base - R_m)/400))`` = logistic of the strength gap."""
    return np.asarray(expit(np.asarray(theta_model) - np.asarray(theta_baseline)))


# ---------------------------------------------------------------------------------------------------
# v0.1 battle formulation with sklearn (kept to show the direct fit above is the same model)


def v01_battles(outcomes: ExpandedOutcomes) -> pd.DataFrame:
    """Upstream battle rows (``model_a`` = baseline, ``model_b`` = model, ``winner``) of the outcome rows."""
    rows = outcomes.rows
    winner = np.select(
        [rows["outcome"] == 1.0, rows["outcome"] == 0.0], ["model_b", "model_a"], default="tie"
    )
    return pd.DataFrame(
        {
            "question_id": rows["question_id"].to_numpy(),
            "model_a": rows["baseline"].to_numpy(),
            "model_b": rows["model"].to_numpy(),
            "winner": winner,
        }
    )


def v01_elo_sklearn(
    battles: pd.DataFrame, baseline: str, scale: float = 400.0, base: float = 10.0, init: float = 1000.0
) -> pd.Series:
    """``compute_mle_elo`` as upstream writes it: duplicated battles, ties split, unpenalised lbfgs, tol 1e-8.

    sklearn >= 1.8 spells ``penalty=None`` as ``C=np.inf`` (the objective is the same).
    """
    from sklearn.linear_model import LogisticRegression

    names = pd.concat([battles["model_a"], battles["model_b"]]).unique()
    index = pd.Series(np.arange(len(names)), index=names)
    doubled = pd.concat([battles, battles], ignore_index=True)
    n = doubled.shape[0]
    x = np.zeros((n, len(names)))
    x[np.arange(n), index[doubled["model_a"]].to_numpy()] = +np.log(base)
    x[np.arange(n), index[doubled["model_b"]].to_numpy()] = -np.log(base)
    y = (doubled["winner"] == "model_a").to_numpy(dtype=float).copy()
    tie = (doubled["winner"] == "tie").to_numpy().copy()
    tie[n // 2 :] = False
    y[tie] = 1.0
    fit = LogisticRegression(fit_intercept=False, C=np.inf, tol=1e-8).fit(x, y)
    elo = scale * fit.coef_[0] + init
    elo += init - elo[index[baseline]]
    return pd.Series(elo, index=names)


def v01_style_coef_sklearn(
    battle_design: np.ndarray, baseline_wins: np.ndarray, c: float = 1.0, indices: np.ndarray | None = None
) -> np.ndarray:
    """``fit_bt`` of ``v0.1:utils_math.py`` (sklearn lbfgs, L2 with ``C = c``, tol 1e-4) as upstream runs it.

    ``battle_design``: one row per battle (``+ln10`` baseline column, ``-ln10`` model column, z-scored
    style columns); it is duplicated with a tie as Y = 1 then Y = 0 (``construct_style_matrices``).
    ``indices``: one bootstrap round's battle draws; the rows are then stacked in upstream's order (non-ties
    twice, then both copies of the ties; ``get_bootstrap_result_style_control``), which matters because
    lbfgs stops at tol 1e-4 short of the optimum. Upstream also drops the columns of models missing from a
    round (misaligning the rest); with every model in every round, as here, that never triggers.
    """
    from sklearn.linear_model import LogisticRegression

    k = battle_design.shape[0]
    x = np.vstack([battle_design, battle_design])
    y = np.concatenate([(baseline_wins >= 0.5), (baseline_wins == 1.0)]).astype(float)
    if indices is not None:
        tie = baseline_wins == 0.5
        plain = indices[~tie[indices]]
        ties = np.concatenate([indices[tie[indices]], indices[tie[indices]] + k])
        x = np.concatenate([x[plain], x[plain], x[ties]])
        y = np.concatenate([y[plain], y[plain], y[ties]])
    return np.asarray(LogisticRegression(fit_intercept=False, C=c).fit(x, y).coef_[0])
