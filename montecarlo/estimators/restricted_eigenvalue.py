"""Monte Carlo side of the restricted least eigenvalue (Definition 3.11, Theorem 3.12, Lemma A.1;
FORMULAS.md sections 0 and 4).

(a) :func:`pair_probability_limits`: the counts C_ij = #{r : <w_r, x_i> >= B, <w_r, x_j> >= B} of
    a width-m initialization are Binomial(m, p_ij) exactly (Binomial(m/2, p_ij) for the
    distinct neurons of a symmetric one), so Clopper-Pearson limits bracket p_ij; and since
    H(0)_ij = (rho_ij + 1) C_ij / m, the same limits bracket H_inf entrywise
    (:func:`ntk_entry_limits`).
(b) :func:`chernoff_check`: Lemma A.1's matrix Chernoff statement
    P[lambda_min(H(0)) <= (3/4) lambda] <= n exp(-lambda m / (64 n)) by repeated draws and the
    exact binomial test.
(c) :func:`lambda_R_convergence`: lambda_R(H(0)) against lambda_R(H_inf) as m grows (a report; a
    fixed region makes |lambda_R(H(0)) - lambda_R(H_inf)| <= ||H(0) - H_inf||_2 a sure check).
(d) :func:`primal_search`: random and projected-gradient points on the unit sphere inside R;
    each feasible value is an upper estimate of lambda_R, the independent check of the duality
    solve in :mod:`bounds.restricted_eigenvalue`.
All randomness is seeded; work over draws and neurons is vectorized in chunks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from bounds import validate as v
from bounds import restricted_eigenvalue as re_

from ..sim import seeding, stats
from .conjecture import ConjectureResult, arc, grid_patch, lattice_patch, search_unrestricted_conjecture
from ..sim.network import empirical_ntk, initialize

__all__ = [
    "PairLimits", "pair_probability_limits", "ntk_entry_limits", "empirical_ntk_draws", "ChernoffResult",
    "chernoff_check", "chernoff_width", "lambda_R_convergence", "PrimalResult", "primal_search"
]

CHUNK_ELEMS = 1 << 21  # draws * n * neurons per block of the batched activation counts


# ------------------------------------------------------------------- pair probabilities
@dataclass(frozen=True)
class PairLimits:
    """Counts of both-active neurons and simultaneous Clopper-Pearson limits for p_ij."""

    counts: np.ndarray  # (n, n), diagonal = #active on x_i
    trials: int  # independent neurons (m, or m/2 under symmetric initialization)
    lower: np.ndarray
    upper: np.ndarray
    exact: np.ndarray  # the pair matrix P of bounds (P_ii = p0)
    alpha: float

    @property
    def inside(self) -> np.ndarray:
        return (self.lower <= self.exact) & (self.exact <= self.upper)


def _cp_matrix(counts: np.ndarray, trials: int, alpha: float):
    from scipy import stats as sst

    k = counts.astype(float)
    a = alpha / 2
    lo = np.where(k > 0, sst.beta.ppf(a, np.maximum(k, 1), trials - k + 1), 0.0)
    hi = np.where(k < trials, sst.beta.isf(a, k + 1, np.maximum(trials - k, 1)), 1.0)
    return lo, hi


def pair_probability_limits(X, B: float, m: int, seed: int, symmetric: bool = False,
                            alpha: float = stats.ALPHA) -> PairLimits:
    """Sample one width-m initialization; C_ij ~ Binomial(trials, p_ij). Two-sided limits with a
    Bonferroni split of ``alpha`` over the n(n+1)/2 distinct entries (simultaneous)."""
    symmetric = v.boolean("symmetric", symmetric)
    X = v.unit_rows("X", X)
    B = v.bias(B)
    alpha = v.probability("alpha", alpha)
    net = initialize(m, X.shape[1], B, seed, symmetric)
    trials = net.m // 2 if symmetric else net.m
    W = net.W[:trials]
    A = ((X @ W.T) >= B).astype(float)  # (n, trials)
    counts = np.rint(A @ A.T).astype(np.int64)
    n = X.shape[0]
    lo, hi = _cp_matrix(counts, trials, alpha / (n * (n + 1) / 2))
    return PairLimits(counts, trials, lo, hi, re_.pair_matrix(X, B), alpha)


def ntk_entry_limits(X, B: float, m: int, seed: int, symmetric: bool = False,
                     alpha: float = stats.ALPHA):
    """(H0, lower, upper, H_inf): the empirical NTK at width m (network.empirical_ntk) and
    simultaneous limits for H_inf entrywise from the same draw, (rho + 1) x CP limits of p_ij."""
    symmetric = v.boolean("symmetric", symmetric)
    X = v.unit_rows("X", X)
    lim = pair_probability_limits(X, B, m, seed, symmetric, alpha)
    net = initialize(m, X.shape[1], B, seed, symmetric)
    H0 = empirical_ntk(X, net)
    scale = np.clip(X @ X.T, -1.0, 1.0) + 1.0
    np.fill_diagonal(scale, 2.0)
    return H0, scale * lim.lower, scale * lim.upper, re_.h_inf_from_pairs(X, lim.exact)


def empirical_ntk_draws(X, B: float, m: int, draws: int, seed: int,
                        symmetric: bool = False) -> np.ndarray:
    """``draws`` independent empirical NTKs H(0) at width m, shape (draws, n, n); vectorized over
    draws and neurons in blocks. Under symmetric initialization the m/2 distinct neurons count
    twice, so H(0) is the standard-initialization kernel of width m/2."""
    symmetric = v.boolean("symmetric", symmetric)
    X = v.unit_rows("X", X)
    B = v.bias(B)
    m = v.even_int("m", m) if symmetric else v.positive_int("m", m)
    draws = v.positive_int("draws", draws)
    n, d = X.shape
    distinct = m // 2 if symmetric else m
    v.work("m" if m >= draws else "draws", max(m, draws), float(distinct) * draws * n * (d + n))
    v.memory("draws", draws, 8.0 * draws * n * n)
    rng = seeding.rng(seed)
    counts = np.zeros((draws, n, n))
    per = max(1, CHUNK_ELEMS // (n * max(d, 1)))
    kblk = max(1, min(draws, per // max(1, min(distinct, per))))
    mblk = max(1, per // kblk)
    for k0 in range(0, draws, kblk):
        k1 = min(draws, k0 + kblk)
        for s in range(0, distinct, mblk):
            c = min(mblk, distinct - s)
            W = rng.standard_normal((k1 - k0, c, d))
            A = (np.einsum("kcd,nd->knc", W, X) >= B).astype(float)
            counts[k0:k1] += A @ np.swapaxes(A, 1, 2)
    G = np.clip(X @ X.T, -1.0, 1.0)
    np.fill_diagonal(G, 1.0)
    return (G + 1.0)[None] * counts / distinct


# ---------------------------------------------------------------------- Lemma A.1
@dataclass(frozen=True)
class ChernoffResult:
    """Repeated draws against P[lambda_min(H(0)) <= 3/4 lambda] <= delta_bound."""

    lam: float  # lambda_min(H_inf)
    threshold: float  # factor * lambda, factor = 3/4 in Lemma A.1
    failures: int
    draws: int
    delta_bound: float  # min(1, n exp(-lambda m_eff / (64 n)))
    pvalue: float  # P[Binomial(draws, delta_bound) >= failures]
    lower: float  # Clopper-Pearson one-sided limits of the failure probability
    upper: float
    lambda_min_draws: np.ndarray

    @property
    def refuted(self) -> bool:
        return self.pvalue < stats.ALPHA


def chernoff_bound(lam: float, n: int, m: int, symmetric: bool = False) -> float:
    """Lemma A.1: n exp(-lambda m / (64 n)) (m/2 in the exponent under symmetric init), capped at 1."""
    lam, n = v.nonneg("lambda", lam), v.positive_int("n", n)
    m = v.even_int("m", m) if symmetric else v.positive_int("m", m)
    m_eff = m / 2 if symmetric else m
    return min(1.0, n * math.exp(-lam * m_eff / (64 * n)))


def chernoff_width(lam: float, n: int, level: float, symmetric: bool = False, cap: int = 200_000) -> int:
    """The even width m at which Lemma A.1's bound equals ``level`` (capped at ``cap``)."""
    cap = v.positive_int("cap", cap)
    symmetric = v.boolean("symmetric", symmetric)
    lam, n = v.positive("lam", lam), v.positive_int("n", n)
    level = v.probability("level", level)
    m = 64 * n / lam * math.log(n / level) * (2 if symmetric else 1)
    m = int(min(cap, max(2, math.ceil(m))))
    return m + (m % 2)


def chernoff_check(X, B: float, m: int, draws: int, seed: int, symmetric: bool = False,
                   factor: float = 0.75) -> ChernoffResult:
    """Count draws with lambda_min(H(0)) <= factor * lambda_min(H_inf) (Lemma A.1: factor 3/4);
    exact binomial test against n exp(-lambda m / (64 n)). Another ``factor`` tests a variant
    (factor >= 1 is false for large m: the machinery must refute it)."""
    symmetric = v.boolean("symmetric", symmetric)
    X = v.unit_rows("X", X)
    factor = v.positive("factor", factor)
    n = X.shape[0]
    lam = re_.lambda_min_h_inf(X, B)
    H0 = empirical_ntk_draws(X, B, m, draws, seed, symmetric)
    lmin = np.linalg.eigvalsh(H0)[:, 0]
    thr = factor * lam
    k = int(np.count_nonzero(lmin <= thr))
    dlt = chernoff_bound(lam, n, m, symmetric)
    pv = 1.0 if dlt >= 1.0 else stats.binomial_exceedance_pvalue(k, draws, dlt)
    lo = stats.clopper_pearson(k, draws, side="lower")[0]
    hi = stats.clopper_pearson(k, draws, side="upper")[1]
    return ChernoffResult(lam, thr, k, draws, dlt, pv, lo, hi, lmin)


# --------------------------------------------------------- lambda_R(H(0)) vs lambda_R(H_inf)
def lambda_R_convergence(X, B: float, widths, seed: int, reps: int = 3) -> list[dict]:
    """For each width m: lambda_R(H(0)) over ``reps`` draws (the region of the exact p_ij),
    lambda_R(H_inf), the largest |difference| and the largest ||H(0) - H_inf||_2 (Weyl-type
    bound: a fixed region moves every Rayleigh quotient by at most that norm)."""
    widths = v.int_list("widths", widths)
    reps = v.positive_int("reps", reps)
    X = v.unit_rows("X", X)
    v.work("widths" if max(widths) >= reps else "reps", max(max(widths), reps),
           float(max(widths)) * reps * len(widths) * X.shape[0] * (X.size + X.shape[0]))
    B = v.bias(B)
    reps = v.positive_int("reps", reps)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        v.fail("seed", seed, "an int (each width uses seed + 7919 j)")
    P = re_.pair_matrix(X, B)
    H = re_.h_inf_from_pairs(X, P)
    Qm = re_.region_matrix(X, B)
    target = re_.lambda_R(H, Qm)
    rows = []
    for j, m in enumerate(widths):
        H0 = empirical_ntk_draws(X, B, int(m), reps, seed + 7919 * j)
        lr = re_.lambda_R(H0, np.broadcast_to(Qm, H0.shape))
        dev = np.linalg.norm(H0 - H[None], ord=2, axis=(1, 2))
        rows.append({"m": int(m), "lambda_R_H0": lr, "lambda_R_Hinf": target,
                     "max_abs_diff": float(np.max(np.abs(lr - target))),
                     "max_norm_diff": float(dev.max()), "within_norm": bool(np.all(np.abs(lr - target) <= dev + 1e-12))})
    return rows


# ------------------------------------------------------------------------ primal search
@dataclass(frozen=True)
class PrimalResult:
    """Best feasible Rayleigh quotient found (an upper estimate of lambda_R)."""

    value: float
    a: np.ndarray
    feasible: int  # feasible points evaluated
    evaluated: int


def _rows(A, Mn):
    return np.einsum("ki,ij,kj->k", A, Mn, A)


def _restore(A, Qn):
    """Move infeasible rows along Qa until a^T Qn a >= 0 (smallest step; overshoot 1e-9)."""
    q = _rows(A, Qn)
    bad = q < 0
    if not np.any(bad):
        return A, np.ones(len(A), bool)
    U = A[bad] @ Qn
    b1 = np.einsum("ki,ki->k", U, U)
    c2 = _rows(U, Qn)
    disc = b1 * b1 - c2 * q[bad]
    ok = (disc >= 0) & (b1 > 0)
    s = np.where(ok, -q[bad] / (b1 + np.sqrt(np.maximum(disc, 0.0))), 0.0) * (1 + 1e-9) + 1e-15
    new = A[bad] + s[:, None] * U
    new /= np.linalg.norm(new, axis=1, keepdims=True)
    A = A.copy()
    A[bad] = new
    feas = _rows(A, Qn) >= 0
    return A, feas


def primal_search(M, Qm, seed: int, starts: int = 48, iters: int = 150, cloud: int = 2048) -> PrimalResult:
    """Upper estimate of lambda_R(M) = min{a^T M a : ||a|| = 1, a^T Qm a >= 0} from (1) ``cloud``
    random unit vectors (half of them folded into the nonnegative orthant, which lies in R) and
    (2) ``starts`` projected-gradient runs on the sphere: a step along the negative Riemannian
    gradient, with the component that leaves R removed on the boundary, then a restoration
    along Qm a. Only points with a^T Qm a >= 0 in floating point count. Never uses the dual."""
    starts, iters, cloud = v.positive_int("starts", starts), v.positive_int("iters", iters), v.positive_int("cloud", cloud)
    v.work("cloud" if cloud >= max(starts, iters) else ("starts" if starts >= iters else "iters"), max(starts, iters, cloud), float(starts) * iters * cloud * 64)
    v.memory("cloud" if cloud >= starts else "starts", max(cloud, starts), 8.0 * (cloud + starts) * 64 * 4)
    M = v.symmetric_matrix("M", M)
    Qm = v.symmetric_matrix("Qm", Qm, M.shape[-1])
    if M.ndim != 2:
        v.fail("M.shape", M.shape, "(n, n)")
    starts = v.positive_int("starts", starts)
    iters = v.positive_int("iters", iters)
    cloud = v.positive_int("cloud", cloud)
    rng = seeding.rng(seed)
    n = M.shape[0]
    ev = np.linalg.eigvalsh(M)
    sM = max(abs(ev[0]), abs(ev[-1]))
    if sM == 0:
        return PrimalResult(0.0, np.eye(n)[0], 1, 1)
    sQ = float(np.abs(Qm).max())
    Mn = M / sM
    Qn = Qm / sQ if sQ > 0 else np.zeros_like(Qm)
    C = rng.standard_normal((cloud, n))
    C[: cloud // 2] = np.abs(C[: cloud // 2])
    C /= np.linalg.norm(C, axis=1, keepdims=True)
    feas = _rows(C, Qn) >= 0
    vals = np.where(feas, _rows(C, Mn), np.inf)
    best_i = int(np.argmin(vals))
    best, best_a = float(vals[best_i]), C[best_i].copy()
    n_feas, n_eval = int(feas.sum()), cloud
    # projected gradient from the best feasible cloud points and fresh random starts
    order = np.argsort(vals)
    A = C[order[: starts // 2]].copy()
    R0 = rng.standard_normal((starts - len(A), n))
    R0 /= np.linalg.norm(R0, axis=1, keepdims=True)
    R0, ok0 = _restore(R0, Qn)
    A = np.concatenate([A, np.where(ok0[:, None], R0, np.abs(R0) / np.linalg.norm(R0, axis=1, keepdims=True))])
    A = A[_rows(A, Qn) >= 0]
    if len(A) == 0:
        A = np.full((1, n), 1.0 / math.sqrt(n))
    f = _rows(A, Mn)
    eta = np.full(len(A), 0.5)
    for _ in range(iters):
        MA = A @ Mn
        G = 2.0 * (MA - f[:, None] * A)
        QA = A @ Qn
        q = np.einsum("ki,ki->k", QA, A)
        c = QA - q[:, None] * A
        D = -G
        gc = np.einsum("ki,ki->k", D, c)
        cc = np.einsum("ki,ki->k", c, c)
        proj = (q <= 1e-9) & (gc < 0) & (cc > 0)
        D = D - np.where(proj, gc / np.where(cc > 0, cc, 1.0), 0.0)[:, None] * c
        T = A + eta[:, None] * D
        T /= np.linalg.norm(T, axis=1, keepdims=True)
        T, ok = _restore(T, Qn)
        ft = _rows(T, Mn)
        n_eval += len(T)
        n_feas += int(ok.sum())
        acc = ok & (ft < f)
        A[acc], f[acc] = T[acc], ft[acc]
        eta = np.clip(np.where(acc, eta * 1.5, eta * 0.5), 1e-12, 1.0)
        i = int(np.argmin(np.where(ok, ft, np.inf)))
        if ok[i] and ft[i] < best:
            best, best_a = float(ft[i]), T[i].copy()
    return PrimalResult(best * sM, best_a, n_feas, n_eval)
