"""Weighted, soft-label, L1-penalised logistic regression for a handful of features, solved in batches.

AlpacaEval's length-controlled GLM (``alpaca_eval/metrics/glm_winrate.py::fit_LogisticRegressionCV``) fits
sklearn ``LogisticRegressionCV(penalty="l1", solver="liblinear", fit_intercept=False)`` on a table where
each row is duplicated, once with label 1 and weight ``ω·y`` and once with label 0 and weight ``ω·(1-y)``.
The objective liblinear minimises on that table is, without any duplication,

    ‖w‖₁ + C · Σ_i ω_i · CE(y_i, σ(x_i·w)),     CE(y, p) = −[y log p + (1−y) log(1−p)],

which is what :func:`fit_batch` solves (divided by C, i.e. with ``λ = 1/C``). The model has three
coefficients, so each proximal-Newton step needs only a 3×3 Hessian; all the problems of a
cross-validation (every fold × every C, plus the full-data fit for every C) are solved at once as one
batch of weight vectors, with no row duplication and no patsy design matrices.

The C selection reproduces sklearn's: ``Cs = logspace(-4, 4, 10)``, 5-fold ``GroupKFold`` with one
group per original row, fold score = −mean over the fold's rows of ``ω_i·CE(y_i, clip(p_i, 1e-15))``
(upstream ``logloss_continuous``), best C = first argmax of the fold-summed scores, then a refit on all rows.
We solve to ~1e-10 where liblinear stops at ``tol=1e-4``; the coefficient differences are of that order.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from harness.stats.logistic import expit

FloatArray = npt.NDArray[np.float64]

DEFAULT_CS: tuple[float, ...] = tuple(float(c) for c in np.logspace(-4, 4, 10))
"""sklearn ``LogisticRegressionCV(Cs=10)``: ``np.logspace(-4, 4, 10)``."""

_CLIP = 1e-15  # upstream logloss() clips predictions to [1e-15, 1 - 1e-15]


@dataclass(frozen=True)
class CVFit:
    """The selected fit: coefficients on all rows at the chosen C, and the cross-validation trace."""

    coef: FloatArray
    C: float
    Cs: tuple[float, ...]
    cv_scores: FloatArray  # shape (n_splits, len(Cs)); higher is better
    n_iter: int


def group_kfold_folds(n_rows: int, n_splits: int) -> npt.NDArray[np.int64]:
    """Fold index of each row under sklearn's ``GroupKFold(n_splits)`` with one group per row.

    sklearn (``model_selection/_split.py::GroupKFold._iter_test_indices``) visits groups in reverse
    order of a stable argsort of group sizes; all sizes are equal here (2 duplicates per row upstream),
    so group ``g`` is the ``(n-1-g)``-th visited and goes to the lightest fold, i.e. fold ``(n-1-g) % k``.
    The test suite checks this against sklearn itself.
    """
    if n_rows < n_splits:
        raise ValueError(f"cannot split {n_rows} rows into {n_splits} folds")
    return (n_rows - 1 - np.arange(n_rows)) % n_splits


def _loss(z: FloatArray, y: FloatArray) -> FloatArray:
    """Soft-label cross-entropy CE(y, σ(z)) = log(1 + e^z) − y·z, computed stably.

    ``max(z, 0) + log1p(e^{−|z|})`` equals ``np.logaddexp(0, z)`` to 1 ulp and is ~3x faster."""
    return np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z))) - y * z


def _softplus_exp(z: FloatArray) -> tuple[FloatArray, FloatArray]:
    """``log(1 + e^z)`` and ``exp(−|z|)``, which the next Newton step reuses for σ(z) (one ``exp`` per row).

    The ``−y·z`` part of the loss is linear in the coefficients: ``Σ_i W_i y_i z_i = w · ((W ∘ y) X)``."""
    e = np.exp(-np.abs(z))
    return np.maximum(z, 0.0) + np.log1p(e), e


def _objective(coef: FloatArray, X: FloatArray, y: FloatArray, W: FloatArray, lam: FloatArray) -> FloatArray:
    z = coef @ X.T
    return np.einsum("kn,kn->k", W, _loss(z, y)) + lam * np.abs(coef).sum(axis=1)


_PATTERNS = np.array(np.meshgrid(*([[-1.0, 0.0, 1.0]] * 3), indexing="ij")).reshape(3, -1).T  # (27, 3)


def _prox_newton_point(coef: FloatArray, grad: FloatArray, hess: FloatArray, lam: FloatArray) -> FloatArray:
    """Exact minimiser over u of q(u) = gᵀ(u−w) + ½(u−w)ᵀH(u−w) + λ‖u‖₁, for 3 coefficients.

    The minimiser has some sign pattern σ ∈ {−1, 0, +1}³; on that pattern q is a smooth quadratic whose
    stationary point solves ``H_SS u_S = (H w − g)_S − λ σ_S`` with ``u_j = 0`` off the support. First the
    pattern of ``w`` itself is tried (near the optimum it no longer changes): its stationary point is the
    minimiser if it satisfies the optimality conditions of the strictly convex q (signs as assumed on the
    support, ``|(H u − H w + g)_j| ≤ λ`` off it). The problems where it does not fall back to solving all 27
    patterns at once (one batched 3×3 solve) and keeping the candidate with the smallest true q: the true
    minimiser is one of the candidates and no candidate can have a smaller q, so either way this is exact.
    """
    n_prob, n_feat = coef.shape
    if n_feat != 3:
        raise ValueError("the pattern enumeration is written for 3 coefficients")
    ridge = 1e-12 * (1.0 + np.einsum("kjj->k", hess))
    H = hess + ridge[:, None, None] * np.eye(n_feat)
    rhs_full = np.einsum("kij,kj->ki", H, coef) - grad  # (m, 3)
    sign = np.sign(coef)
    on = sign != 0.0
    guess = _pattern_point(H, rhs_full, lam, sign[:, None, :])[:, 0]
    residual = np.einsum("kij,kj->ki", H, guess) - rhs_full  # gradient of q's smooth part at the guess
    holds = np.where(on, guess * sign > 0.0, np.abs(residual) <= lam[:, None]).all(axis=1)
    if holds.all():
        return guess
    rest = np.flatnonzero(~holds)
    cand = _pattern_point(H[rest], rhs_full[rest], lam[rest], _PATTERNS[None])  # (r, 27, 3)
    d = cand - coef[rest, None, :]
    q = (
        np.einsum("kj,kpj->kp", grad[rest], d)
        + 0.5 * np.einsum("kpi,kij,kpj->kp", d, H[rest], d)
        + lam[rest, None] * np.abs(cand).sum(axis=2)
    )
    out = guess.copy()
    out[rest] = cand[np.arange(rest.size), np.argmin(q, axis=1)]
    return out


def _pattern_point(H: FloatArray, rhs_full: FloatArray, lam: FloatArray, patterns: FloatArray) -> FloatArray:
    """Stationary points of q on sign ``patterns`` (m or 1, p, 3): shape (m, p, 3), exact zeros off the support."""
    n_feat = H.shape[1]
    support = patterns != 0.0
    # rows off the support become the identity row with right-hand side 0
    A = np.where(support[:, :, :, None], H[:, None, :, :], np.eye(n_feat)[None, None, :, :])
    b = np.where(support, rhs_full[:, None, :] - lam[:, None, None] * patterns, 0.0)
    cand = np.linalg.solve(A, b[..., None])[..., 0]
    return np.where(support, cand, 0.0)  # exact zeros off the support (LU pivoting leaves ~1e-16)


def fit_batch(
    X: FloatArray,
    y: FloatArray,
    W: FloatArray,
    lam: FloatArray,
    coef0: FloatArray | None = None,
    tol: float = 1e-11,
    max_iter: int = 100,
) -> tuple[FloatArray, int]:
    """Solve ``min_w Σ_i W[k,i]·CE(y_i, σ(x_i·w)) + lam[k]·‖w‖₁`` for every row k of ``W`` at once.

    Proximal Newton (Lee, Sun & Saunders 2014, SIAM J. Optim. 24(3)) with an exact subproblem solve and
    Armijo backtracking; each problem stops when its step is below ``tol`` (relative to the coefficients)
    and converged problems leave the batch. Returns the coefficients, shape ``(len(W), X.shape[1])``,
    and the number of outer iterations.
    """
    n_prob = W.shape[0]
    n_feat = X.shape[1]
    coef = np.zeros((n_prob, n_feat)) if coef0 is None else np.array(coef0, dtype=float)
    outer_flat = (X[:, :, None] * X[:, None, :]).reshape(X.shape[0], n_feat * n_feat)
    active = np.arange(n_prob)
    W_a, lam_a = W, np.asarray(lam, dtype=float)
    c_a = (W * y) @ X  # (m, p): the label term of the loss and of its gradient, per problem
    z = coef @ X.T
    soft, e = _softplus_exp(z)
    f_now = (
        np.einsum("kn,kn->k", W, soft) - np.einsum("kj,kj->k", coef, c_a) + lam_a * np.abs(coef).sum(axis=1)
    )
    iteration = 0
    for iteration in range(1, max_iter + 1):  # noqa: B007 (reported to the caller)
        w_a = coef[active]
        r = 1.0 / (1.0 + e)
        p = np.where(z >= 0.0, r, e * r)  # σ(z) from e = exp(−|z|), without overflow
        grad = (W_a * p) @ X - c_a
        hess = ((W_a * (e * r * r)) @ outer_flat).reshape(-1, n_feat, n_feat)  # σ(1 − σ) = e / (1 + e)²
        step = _prox_newton_point(w_a, grad, hess, lam_a) - w_a
        l1_now = np.abs(w_a).sum(axis=1)
        decrease = np.einsum("kj,kj->k", grad, step) + lam_a * (np.abs(w_a + step).sum(axis=1) - l1_now)
        t = np.ones(len(active))
        w_new = w_a + step
        z_new = w_new @ X.T
        soft, e_new = _softplus_exp(z_new)
        f_new = (
            np.einsum("kn,kn->k", W_a, soft)
            - np.einsum("kj,kj->k", w_new, c_a)
            + lam_a * np.abs(w_new).sum(axis=1)
        )
        # a predicted decrease below rounding of f means we are at the optimum: take the step, no search
        flat = decrease >= -1e-13 * (1.0 + np.abs(f_now))
        bad = (f_new > f_now + 1e-4 * decrease) & ~flat
        for _ in range(60):
            if not bad.any():
                break
            idx = np.flatnonzero(bad)
            t[idx] *= 0.5
            trial = w_a[idx] + t[idx, None] * step[idx]
            z_new[idx] = trial @ X.T
            soft, e_new[idx] = _softplus_exp(z_new[idx])
            f_new[idx] = (
                np.einsum("kn,kn->k", W_a[idx], soft)
                - np.einsum("kj,kj->k", trial, c_a[idx])
                + lam_a[idx] * np.abs(trial).sum(axis=1)
            )
            bad[idx] = f_new[idx] > f_now[idx] + 1e-4 * t[idx] * decrease[idx]
        coef[active] = w_a + t[:, None] * step
        size = np.max(np.abs(t[:, None] * step), axis=1)
        done = (size <= tol * (1.0 + np.max(np.abs(coef[active]), axis=1))) | flat
        if done.all():
            break
        if done.any():
            keep = ~done
            active, W_a, lam_a, c_a = active[keep], W_a[keep], lam_a[keep], c_a[keep]
            z, e, f_now = z_new[keep], e_new[keep], f_new[keep]
        else:
            z, e, f_now = z_new, e_new, f_new
    return coef, iteration


def fold_scores(
    coef: FloatArray, X: FloatArray, y: FloatArray, weight: FloatArray, folds: npt.NDArray[np.int64]
) -> FloatArray:
    """Upstream ``logloss_continuous`` as a score: −mean over the test rows of ``ω·CE(y, clip(p))``.

    ``coef`` has shape ``(n_splits, n_Cs, p)``; the result has shape ``(n_splits, n_Cs)``.
    """
    n_splits, n_cs, _ = coef.shape
    scores = np.empty((n_splits, n_cs))
    for f in range(n_splits):
        test = folds == f
        p = np.clip(expit(coef[f] @ X[test].T), _CLIP, 1.0 - _CLIP)
        yt, wt = y[test], weight[test]
        ce = -(yt * np.log(p) + (1.0 - yt) * np.log(1.0 - p))
        scores[f] = -np.mean(ce * wt, axis=1)
    return scores


def fit_cv(
    X: FloatArray,
    y: FloatArray,
    weight: FloatArray,
    Cs: tuple[float, ...] = DEFAULT_CS,
    n_splits: int = 5,
) -> CVFit:
    """Pick C by GroupKFold CV on the weighted soft-label log-loss and refit on all rows (see module doc)."""
    n_rows = X.shape[0]
    folds = group_kfold_folds(n_rows, n_splits)
    cs = np.asarray(Cs, dtype=float)
    n_cs = len(cs)
    # the full-data fit for every C first, then one problem per (fold, C) with the fold's rows weighted
    # 0, warm-started from the full-data solution at the same C (the optimum does not depend on the start)
    full_coef, n_full = fit_batch(X, y, np.tile(weight, (n_cs, 1)), 1.0 / cs)
    train_w = np.where(folds[None, :] == np.arange(n_splits)[:, None], 0.0, weight[None, :])
    W = np.repeat(train_w, n_cs, axis=0)
    coef, n_folds = fit_batch(X, y, W, np.tile(1.0 / cs, n_splits), coef0=np.tile(full_coef, (n_splits, 1)))
    scores = fold_scores(coef.reshape(n_splits, n_cs, -1), X, y, weight, folds)
    best = int(np.argmax(scores.sum(axis=0)))
    return CVFit(
        coef=full_coef[best], C=float(cs[best]), Cs=tuple(Cs), cv_scores=scores, n_iter=n_full + n_folds
    )
