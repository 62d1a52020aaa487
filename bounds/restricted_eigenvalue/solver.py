"""lambda_R(M) = min {a^T M a : ||a|| = 1, a in R} (Definition 3.11), computed exactly by strong
duality (homogeneous S-lemma): max_{mu >= 0} g(mu), g(mu) = lambda_min(M - mu Qm), with a primal
certificate (FORMULAS.md section 4).

g is concave (a minimum of linear functions of mu) and -v^T Qm v is a supergradient at mu (v a
unit bottom eigenvector of M - mu Qm). The maximum is bracketed by [lo, hi] with supergradients
s_lo > 0 > s_hi; the two tangents meet above the maximum, so the tangent intersection is an upper
bound U and max(g(lo), g(hi)) a lower bound L. It stops when U - L <= 1e-12 |L| plus the
round-off of one eigen-solve.

Steps. For a batch of small problems: the tangent intersection (a secant step on the
supergradient), safeguarded by bisection when the bracket does not halve in two steps (some
15-30 batched eigen-solves). For one problem, a subspace step: every eigenvector computed so far
spans W, and the projected dual h(mu) = lambda_min(W^T (M - mu Qm) W) >= g(mu) (Rayleigh-Ritz)
is maximized on [lo, hi] at the cost of a few k x k eigen-solves; max h is a second upper bound
U on max g, and its maximizer the next mu. Since M - mu Qm is linear in mu, h is exact on the
span of the crossing eigenvectors, and the step converges quadratically: 4-7 eigen-solves of
size n to 1e-12 (the tangent rule needed 17-22). Below ``SUBSPACE_LIMIT`` an n x n eigen-solve
costs less than a subspace step, and one problem takes the tangent steps of a batch.

Eigen-solves: a stack of small problems in one batched ``numpy.linalg.eigh``; for n >=
``DENSE_LIMIT`` the first two (no shift known yet) by ``scipy.linalg.eigh(subset_by_index=[0,
1])``, the others by shift-invert Lanczos (``scipy.sparse.linalg.eigsh`` on a Cholesky factor of
M - mu Qm - s I, warm-started from the previous eigenvector). The shift s is tried just below the
projected value h(mu) >= g(mu); if the Cholesky factorization fails (s above lambda_min), it falls
back to the chord of the concave g between the bracket ends, a certified lower bound, so that a
successful factorization itself certifies s < lambda_min. Lanczos finds an eigenvalue, not
provably the smallest (a warm start inside an invariant subspace of block-diagonal M and Qm
misses the others), so a fixed direction is mixed into every start and, at the end, a Cholesky
factorization of M - mu Qm - (g - margin) I certifies the dual value; if it fails, or a Lanczos
solve stalls on a tight cluster, the problem is solved densely.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from .. import validate as v
from .eigensolve import _dense_solver, _LanczosSolver
from .region import REGION_RTOL, _region_from, check_square, h_inf_from_pairs, p0, pair_matrix

__all__ = ["RestrictedEigenvalue", "restricted_eigenvalue", "lambda_R", "lambda_R_h_inf"]

# ------------------------------------------------------------------------ the dual ascent

_EPS = np.finfo(float).eps
DENSE_LIMIT = 1000  # n at which one problem switches from dense eigh to shift-invert Lanczos
SUBSPACE_LIMIT = 64  # n from which one problem takes subspace steps (below, an eigh is cheaper than a step)
DUAL_RTOL = 1e-12  # relative width of the final dual bracket [L, U]
_MAX_SOLVES = 80


@dataclass(frozen=True)
class RestrictedEigenvalue:
    """lambda_R(M) with its evidence.

    ``value`` is the dual value lambda_min(M - mu Qm) at the best ``mu`` found (a lower bound on
    lambda_R by weak duality, equal to it by strong duality); ``certificate`` is a unit vector in
    R (up to ``q_certificate`` ~ 1e-16 round-off) whose Rayleigh quotient
    ``certificate_value`` is an upper bound; ``error`` bounds the float round-off of both.
    """

    value: float
    mu: float
    certificate: np.ndarray
    certificate_value: float
    q_certificate: float
    error: float
    unrestricted: float  # lambda_min(M)
    detail: dict = field(default_factory=dict)

    @property
    def gap(self) -> float:
        """certificate_value - value (>= 0 up to round-off; ~1e-16 * ||M|| when solved)."""
        return self.certificate_value - self.value


class _Subspace:
    """Rayleigh-Ritz model of one problem's dual: W (orthonormal) spans every eigenvector
    computed so far, and h(mu) = lambda_min(W^T (Mn - mu Qn) W) >= g(mu) for every mu."""

    def __init__(self, Mn: np.ndarray, Qn: np.ndarray):
        self.Mn, self.Qn = Mn, Qn
        n = Mn.shape[0]
        self.W, self.MW, self.QW = np.zeros((n, 0)), np.zeros((n, 0)), np.zeros((n, 0))
        self.last: tuple[np.ndarray, dict] | None = None  # (W, projected result) of the last proposal

    def add(self, V: np.ndarray) -> None:
        """Append the part of the columns of V (n, j) orthogonal to W (twice Gram-Schmidt)."""
        W = self.W
        for j in range(V.shape[1]):
            x = V[:, j].copy()
            for _ in range(2):
                x -= W @ (W.T @ x)
            nx = np.linalg.norm(x)
            if nx <= 1e-8 * np.linalg.norm(V[:, j]):
                continue
            x /= nx
            W = np.column_stack([W, x])
            self.MW = np.column_stack([self.MW, self.Mn @ x])
            self.QW = np.column_stack([self.QW, self.Qn @ x])
        self.W = W

    def propose(self, lo: float, hi: float):
        """(mu, h(mu), an upper bound on max_{[lo, hi]} h >= max g): the projected dual maximized
        on [lo, hi] by the tangent ascent on k x k problems."""
        W = self.W
        Mw, Qw = W.T @ self.MW, W.T @ self.QW
        Mw, Qw = 0.5 * (Mw + Mw.T), 0.5 * (Qw + Qw.T)
        res = _maximize(_dense_solver(Mw[None], Qw[None]), Qw[None], 1, rtol=0.1 * DUAL_RTOL,
                        bracket=(np.array([lo]), np.array([hi])))
        self.last = (W, res)
        return float(res["mu"][0]), float(res["g"][0]), float(res["upper"][0])

    def vectors(self) -> list[np.ndarray]:
        """The projected bottom eigenvectors of the last proposal, lifted to R^n."""
        if self.last is None:
            return []
        W, res = self.last
        out = [W @ res["Vbest"][0][:, j] for j in range(res["Vbest"].shape[2])]
        return out + [W @ res["Vlo"][0][:, 0], W @ res["Vhi"][0][:, 0]]


# ------------------------------------------------------------------------ the dual ascent
def _maximize(solve, Qn: np.ndarray, K: int, on_bracket=None, w_ones=None, rtol: float = DUAL_RTOL,
              bracket=None, model: _Subspace | None = None):
    """max_{lo <= mu <= hi} g(mu) for K problems. By default [lo, hi] = [0, 2], which holds the
    maximum of a normalized problem (||Mn||_2 <= 1, max|Qn| = 1, zero diagonal, so
    g(0) >= -1 and g(mu) <= 1 - mu lambda_max(Qn) <= 1 - mu); ``bracket`` gives another.
    ``model`` (one problem only) takes the subspace step; ``on_bracket(lower, guess)`` is told
    a certified lower bound and an upper estimate of g at the next mu (None before the bracket).
    Returns dict of arrays: g (the best dual value), upper (an upper bound on the maximum), mu,
    lo, hi, vectors at lo, hi, best, and the number of eigen-solves."""
    qn = np.sqrt(np.einsum("kij,kij->k", Qn, Qn)) if Qn.ndim == 3 else np.full(K, np.linalg.norm(Qn))
    Qk = (lambda idx: Qn[idx]) if Qn.ndim == 3 else (lambda idx: np.broadcast_to(Qn, (len(idx),) + Qn.shape))

    def evaluate(mu, idx):
        g, V = solve(mu, idx)
        x = V[:, :, 0]
        sg = -np.einsum("ki,kij,kj->k", x, Qk(idx), x)
        if model is not None:
            model.add(V[0])
        return g, V, sg

    all_ = np.arange(K)
    if bracket is None:
        lo, hi = np.zeros(K), np.full(K, 2.0)
    else:
        lo, hi = (np.array(x, dtype=float).copy() for x in bracket)
    if on_bracket is not None:
        on_bracket(None, None)
    glo, Vlo, slo = evaluate(lo, all_)
    # A tighter start for hi: for a unit w in R with q = w^T Qn w > 0, g(mu) <= w^T Mn w - mu q
    # and g(mu*) >= g(0), so mu* <= (w^T Mn w - g(0)) / q; w = the normalized all-ones vector.
    if w_ones is not None:
        u, q = w_ones
        ok = q > 0
        hi[ok] = np.minimum(hi[ok], np.maximum((u[ok] - glo[ok]) / q[ok], 0.0) * (1 + 1e-9) + 1e-300)
    lam_min = glo.copy()
    ghi, shi = np.full(K, -np.inf), np.full(K, -np.inf)
    Vhi = Vlo.copy()
    best_g, best_mu, Vbest = glo.copy(), lo.copy(), Vlo.copy()
    upper = glo.copy()  # s(lo) <= 0 certifies the maximum at lo
    solves = np.ones(K, dtype=int)
    act = np.flatnonzero(slo > 0)
    if act.size:
        g2, V2, s2 = evaluate(hi[act], act)
        solves[act] += 1
        ghi[act], Vhi[act], shi[act] = g2, V2, s2
        better = g2 > best_g[act]
        best_g[act[better]], best_mu[act[better]], Vbest[act[better]] = g2[better], hi[act][better], V2[better]
        top = act[s2 >= 0]  # s(hi) >= 0: the maximum at hi (not for [0, 2], by the bound mu* <= 2)
        lo[top], glo[top], upper[top] = hi[top], ghi[top], ghi[top]
        act = act[s2 < 0]
    width = [np.full(K, np.inf), np.full(K, np.inf)]
    gaps = [math.inf, math.inf]
    for _ in range(_MAX_SOLVES):
        if not act.size:
            break
        a_, b_ = lo[act], hi[act]
        mux = (ghi[act] - glo[act] + slo[act] * a_ - shi[act] * b_) / (slo[act] - shi[act])
        mux = np.clip(mux, a_, b_)
        U = glo[act] + slo[act] * (mux - a_)
        L = np.maximum(glo[act], ghi[act])
        guess = None
        if model is not None:
            mu_m, h_m, U_m = model.propose(float(a_[0]), float(b_[0]))
            U = np.minimum(U, U_m)
        floor = 8 * _EPS * (1.0 + b_ * qn[act])
        done = U - L <= rtol * np.abs(L) + floor
        upper[act[done]] = U[done]
        act, mux, a_, b_ = act[~done], mux[~done], a_[~done], b_[~done]
        gap, floor = (U - L)[~done], floor[~done]
        if not act.size:
            break
        slow = (b_ - a_) > 0.5 * width[0][act]
        mu = np.where(slow, 0.5 * (a_ + b_), mux)
        if model is not None:  # the subspace step while it at least halves the gap in two steps
            if a_[0] < mu_m < b_[0] and not gap[0] > 0.5 * gaps[0]:
                mu, guess = np.array([mu_m]), h_m
            gaps = [gaps[1], float(gap[0])]
        mu = np.where((mu <= a_) | (mu >= b_), 0.5 * (a_ + b_), mu)
        if on_bracket is not None:  # a lower bound on g(mu): the chord (g concave)
            t = (mu - a_) / (b_ - a_)
            on_bracket(float(((1 - t) * glo[act] + t * ghi[act])[0] - floor[0] - 1e-9 * gap[0]), guess)
        g, V, sg = evaluate(mu, act)
        solves[act] += 1
        width = [width[1], hi - lo]
        better = g > best_g[act]
        best_g[act[better]], best_mu[act[better]], Vbest[act[better]] = g[better], mu[better], V[better]
        up = sg > 0
        lo[act[up]], glo[act[up]], slo[act[up]], Vlo[act[up]] = mu[up], g[up], sg[up], V[up]
        dn = sg < 0
        hi[act[dn]], ghi[act[dn]], shi[act[dn]], Vhi[act[dn]] = mu[dn], g[dn], sg[dn], V[dn]
        exact = ~(up | dn)
        upper[act[exact]] = g[exact]
        act = act[~exact]
    upper[act] = np.inf  # (not reached within _MAX_SOLVES)
    return {"g": best_g, "upper": upper, "mu": best_mu, "lo": lo, "hi": hi, "Vlo": Vlo, "Vhi": Vhi,
            "Vbest": Vbest, "solves": solves, "lam_min": lam_min}


def _ones_bound(Mn: np.ndarray, Qn: np.ndarray):
    """(w^T Mn w, w^T Qn w) for w = (1, ..., 1)/sqrt(n), per problem of a stack."""
    n = Mn.shape[-1]
    return Mn.sum(axis=(-1, -2)) / n, Qn.sum(axis=(-1, -2)) / n


def _norm_bound(M: np.ndarray) -> np.ndarray:
    """An upper bound on ||M||_2 without an eigen-solve: min(Frobenius, max row sum), the
    Frobenius norm scaled by max|M| first (squares of entries below 1e-154 underflow to 0)."""
    top = np.abs(M).max(axis=(-1, -2))
    unit = M / np.where(top > 0, top, 1.0)[..., None, None]
    fro = top * np.sqrt(np.einsum("...ij,...ij->...", unit, unit))
    return np.minimum(fro, np.abs(M).sum(axis=-1).max(axis=-1))


def lambda_R(M, Qm):
    """lambda_R(M) = min{a^T M a : ||a|| = 1, a^T Qm a >= 0} (Definition 3.11), by strong
    duality max_{mu >= 0} lambda_min(M - mu Qm) (FORMULAS.md section 4). Vectorized: M and Qm of
    shape (..., n, n) give an array of shape (...); (n, n) gives a float. Qm = 0 (always for
    n <= 2) gives lambda_min(M)."""
    M = check_square("M", M)
    Qm = check_square("Qm", Qm, M.shape[-1])
    if Qm.shape != M.shape:
        Qm = np.broadcast_to(Qm, M.shape)
    if np.any(np.abs(np.diagonal(Qm, axis1=-2, axis2=-1)) > 0):
        v.fail("diag(Qm)", np.diagonal(Qm, axis1=-2, axis2=-1), "= 0 (Definition 3.11)")
    shape = M.shape[:-2]
    n = M.shape[-1]
    if not shape and n >= DENSE_LIMIT:
        return restricted_eigenvalue(M, Qm).value
    Mf, Qf = M.reshape(-1, n, n), Qm.reshape(-1, n, n)
    sM, sQ = _norm_bound(Mf), np.abs(Qf).max(axis=(-1, -2))
    out = np.empty(Mf.shape[0])
    flat = (sQ == 0) | (sM == 0)
    if np.any(flat):
        out[flat] = np.linalg.eigvalsh(Mf[flat])[:, 0]
    act = ~flat
    if np.any(act):
        Mn = Mf[act] / sM[act, None, None]
        Qn = Qf[act] / sQ[act, None, None]
        K = Mn.shape[0]
        model = _Subspace(Mn[0], Qn[0]) if K == 1 and n >= SUBSPACE_LIMIT else None
        res = _maximize(_dense_solver(Mn, Qn), Qn, K, w_ones=_ones_bound(Mn, Qn), model=model)
        out[act] = res["g"] * sM[act]
    return float(out[0]) if not shape else out.reshape(shape)


def _zero_combos(x: np.ndarray, y: np.ndarray, Qn: np.ndarray):
    """Unit vectors in span{x, y} (x, y orthonormal) with a^T Qn a = 0, if any."""
    qxx, qyy, qxy = x @ Qn @ x, y @ Qn @ y, x @ Qn @ y
    A, Bc, C = 0.5 * (qxx + qyy), 0.5 * (qxx - qyy), qxy
    R = math.hypot(Bc, C)
    if R == 0 or abs(A) > R:
        return []
    ph, dt = math.atan2(C, Bc), math.acos(max(-1.0, min(1.0, -A / R)))
    return [math.cos(t) * x + math.sin(t) * y for t in (0.5 * (ph + dt), 0.5 * (ph - dt))]


def _best_in_pool(pool, Mn, Qn, n):
    """The smallest Rayleigh quotient over pool vectors inside R and Q-null pairwise mixtures."""
    tol = 8 * n * _EPS
    cands = [p for p in pool if p @ Qn @ p >= -tol]
    for i in range(len(pool)):
        for j in range(i + 1, len(pool)):
            x = pool[i]
            y = pool[j] - (pool[j] @ x) * x
            ny = np.linalg.norm(y)
            if ny < 1e-8:
                continue
            cands += _zero_combos(x, y / ny, Qn)
    cands = [c / np.linalg.norm(c) for c in cands]
    cands = [c for c in cands if c @ Qn @ c >= -tol]
    if not cands:
        return None, math.inf, 0.0
    vals = [c @ Mn @ c for c in cands]
    k = int(np.argmin(vals))
    return cands[k], float(vals[k]), float(cands[k] @ Qn @ cands[k])


def _certificate(Mn, Qn, res, n, dense: bool, extra=()):
    """A feasible unit vector whose Rayleigh quotient reaches the dual value: the bottom
    eigenvectors at the bracket ends and at the best mu, mixed pairwise so that a^T Qn a = 0
    (or taken alone when already inside R); for dense problems, if that is not within round-off
    of g, also the bottom eigenvectors at mu (1 -/+ eps). ``extra``: more candidates (the
    subspace model's projected eigenvectors, lifted)."""
    g, mu = float(res["g"][0]), float(res["mu"][0])
    pool = [res["Vbest"][0][:, j] for j in range(res["Vbest"].shape[2])]
    pool += [res["Vlo"][0][:, 0], res["Vhi"][0][:, 0]] + list(extra)
    best = _best_in_pool(pool, Mn, Qn, n)
    if best[1] - g <= 64 * n * _EPS * (1 + n * mu) or not dense:
        if best[0] is None:
            a = np.full(n, 1.0 / math.sqrt(n))  # the orthant lies in R for Qm >= 0
            return a, float(a @ Mn @ a), float(a @ Qn @ a)
        return best
    more = [mu * (1 + s * e) for e in (1e-10, 1e-8, 1e-6) for s in (-1, 1)]
    if mu == 0.0:
        more += [1e-12, 1e-9, 1e-6]
    pool += [np.linalg.eigh(Mn - m_ * Qn)[1][:, 0] for m_ in more if m_ >= 0]
    wider = _best_in_pool(pool, Mn, Qn, n)
    best = wider if wider[1] < best[1] else best
    if best[0] is None:  # cannot happen for a concave maximum; the orthant lies in R
        a = np.full(n, 1.0 / math.sqrt(n))
        return a, float(a @ Mn @ a), float(a @ Qn @ a)
    return best


def restricted_eigenvalue(M, Qm) -> RestrictedEigenvalue:
    """lambda_R(M) with dual multiplier, primal certificate and round-off bound (single
    problem; see :func:`lambda_R` for the vectorized value)."""
    M = check_square("M", M)
    Qm = check_square("Qm", Qm, M.shape[-1])
    if M.ndim != 2 or Qm.ndim != 2:
        v.fail("M.shape", M.shape, "(n, n) (use lambda_R for batches)")
    if np.any(np.diag(Qm) != 0):
        v.fail("diag(Qm)", np.diag(Qm), "= 0 (Definition 3.11)")
    n = M.shape[0]
    sM = float(_norm_bound(M))
    sQ = float(np.abs(Qm).max())
    if n == 1 or sQ == 0 or sM == 0:
        w, U = np.linalg.eigh(M)
        a = U[:, 0] if n > 1 else np.ones(1)
        err = 32 * n * _EPS * sM
        return RestrictedEigenvalue(float(w[0]), 0.0, a, float(a @ M @ a), float(a @ Qm @ a),
                                    err, float(w[0]), {"region": "R^n", "eigen_solves": 1, "method": "eigh", "subspace": 0})
    Mn, Qn = M / sM, Qm / sQ
    dense = n < DENSE_LIMIT
    model = _Subspace(Mn, Qn) if n >= SUBSPACE_LIMIT else None
    if dense:
        res = _maximize(_dense_solver(Mn[None], Qn[None]), Qn[None], 1, w_ones=_ones_bound(Mn[None], Qn[None]),
                        model=model)
        resid = 0.0
    else:
        lz = _LanczosSolver(Mn, Qn)

        def on_bracket(lower, guess):
            lz.lower, lz.guess = lower, guess

        res = _maximize(lz.solve, Qn, 1, on_bracket=on_bracket, w_ones=_ones_bound(Mn[None], Qn[None]), model=model)
        resid = lz.residual
        # Lanczos gives the eigenvalue it found, not provably the smallest: a Cholesky factorization
        # of Mn - mu Qn - (g - margin) I certifies g - margin <= lambda_min (weak duality holds);
        # if it fails, an eigenvalue was missed and the problem is solved again densely
        mu_b, g_b = float(res["mu"][0]), float(res["g"][0])
        if lz.try_factor(Mn - mu_b * Qn, g_b - 32 * n * _EPS * (1.0 + n * mu_b)) is None:
            dense, resid = True, 0.0
            model = _Subspace(Mn, Qn)
            res = _maximize(_dense_solver(Mn[None], Qn[None]), Qn[None], 1, w_ones=_ones_bound(Mn[None], Qn[None]),
                            model=model)
    g, mu = float(res["g"][0]), float(res["mu"][0])
    a, val, q = _certificate(Mn, Qn, res, n, dense, extra=model.vectors() if model else ())
    err = 32 * n * _EPS * sM * (1.0 + n * mu) + resid * sM
    return RestrictedEigenvalue(g * sM, mu * sM / sQ, a, val * sM, q * sQ, err, float(res["lam_min"][0]) * sM,
                                {"mu_normalized": mu, "bracket": (float(res["lo"][0]), float(res["hi"][0])),
                                 "eigen_solves": int(res["solves"][0]),
                                 "method": ("eigh" if n < DENSE_LIMIT else "eigh (Lanczos missed an eigenvalue)")
                                 if dense else "lanczos",
                                 "subspace": int(model.W.shape[1]) if model else 0,
                                 "dense_fallbacks": 0 if dense else lz.fallbacks})


def lambda_R_h_inf(X, B: float) -> float:
    """lambda_R(H_inf) for the data set X at bias B."""
    P = pair_matrix(X, B)
    return lambda_R(h_inf_from_pairs(X, P), _region_from(P, p0(B), REGION_RTOL))
