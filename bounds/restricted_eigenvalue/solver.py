"""lambda_R(M) = min {a^T M a : ||a|| = 1, a in R} (Definition 3.11), computed exactly by strong
duality (homogeneous S-lemma): max_{mu >= 0} lambda_min(M - mu Qm), with a primal certificate
(BOUNDS.md section 4).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .. import validate as v
from .region import REGION_RTOL, _region_from, check_square, h_inf_from_pairs, p0, pair_matrix

__all__ = ["RestrictedEigenvalue", "restricted_eigenvalue", "lambda_R", "lambda_R_h_inf"]

_EPS = np.finfo(float).eps
_GRID = np.concatenate([[0.0], np.logspace(-12.0, math.log10(4.0), 60)])
_GOLDEN = (math.sqrt(5.0) - 1.0) / 2.0


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


def _eigmin(A: np.ndarray) -> np.ndarray:
    return np.linalg.eigvalsh(A)[..., 0]


def _dual_batch(Mn: np.ndarray, Qn: np.ndarray):
    """max_{mu >= 0} lambda_min(Mn - mu Qn) for a stack (K, n, n) of normalized problems
    (||Mn||_2 <= 1, max|Qn| = 1, zero diagonal; then mu* <= 2 since g(0) >= -1 and
    g(mu) <= 1 - mu lambda_max(Qn) <= 1 - mu). A log-spaced scan of mu in {0} U [1e-12, 4]
    brackets the maximum of the concave g; golden-section refines it."""
    K = Mn.shape[0]
    grid = _GRID
    G = _eigmin(Mn[:, None, :, :] - grid[None, :, None, None] * Qn[:, None, :, :])  # (K, len)
    j = np.argmax(G, axis=1)
    rows = np.arange(K)
    best_g, best_mu = G[rows, j].copy(), grid[j].copy()
    lo = grid[np.maximum(j - 1, 0)]
    hi = grid[np.minimum(j + 1, grid.size - 1)]

    def g(mu):
        return _eigmin(Mn - mu[:, None, None] * Qn)

    x1 = hi - _GOLDEN * (hi - lo)
    x2 = lo + _GOLDEN * (hi - lo)
    f1, f2 = g(x1), g(x2)
    for x, f in ((x1, f1), (x2, f2)):
        better = f > best_g
        best_g, best_mu = np.where(better, f, best_g), np.where(better, x, best_mu)
    for _ in range(90):
        left = f1 > f2  # maximum in [lo, x2]
        hi = np.where(left, x2, hi)
        lo = np.where(left, lo, x1)
        new = np.where(left, hi - _GOLDEN * (hi - lo), lo + _GOLDEN * (hi - lo))
        fn = g(new)
        x2, f2, x1, f1 = (np.where(left, x1, new), np.where(left, f1, fn),
                          np.where(left, new, x2), np.where(left, fn, f2))
        better = fn > best_g
        best_g = np.where(better, fn, best_g)
        best_mu = np.where(better, new, best_mu)
        if np.all(hi - lo <= 4 * _EPS * np.maximum(hi, 1e-3)):  # |g error| <= n (hi - lo)
            break
    return best_g, best_mu, lo, hi


def _normalize(M: np.ndarray, Qm: np.ndarray):
    """Scale factors: spectral norm of M (eigenvalues), max |Qm|."""
    ev = np.linalg.eigvalsh(M)
    sM = np.maximum(np.abs(ev[..., 0]), np.abs(ev[..., -1]))
    sQ = np.abs(Qm).max(axis=(-1, -2))
    return ev[..., 0], sM, sQ


def lambda_R(M, Qm):
    """lambda_R(M) = min{a^T M a : ||a|| = 1, a^T Qm a >= 0} (Definition 3.11), by strong
    duality max_{mu >= 0} lambda_min(M - mu Qm) (BOUNDS.md section 4). Vectorized: M and Qm of
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
    Mf, Qf = M.reshape(-1, n, n), Qm.reshape(-1, n, n)
    lmin, sM, sQ = _normalize(Mf, Qf)
    out = lmin.copy()
    act = (sQ > 0) & (sM > 0)
    if np.any(act):
        Mn = Mf[act] / sM[act, None, None]
        Qn = Qf[act] / sQ[act, None, None]
        g, _, _, _ = _dual_batch(Mn, Qn)
        out[act] = np.maximum(g * sM[act], lmin[act])
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


def _certificate(Mn, Qn, mu, lo, hi, n, g):
    """A feasible unit vector whose Rayleigh quotient reaches the dual value g: from the bottom
    eigenvectors of Mn - mu' Qn at mu' = mu and the bracket ends (then, if that is not within
    round-off of g, also at mu (1 -/+ eps)), mixed pairwise so that a^T Qn a = 0 (or taken alone
    when already inside R)."""
    U = np.linalg.eigh(Mn - mu * Qn)[1]
    pool = [U[:, 0], U[:, 1]] + [np.linalg.eigh(Mn - m_ * Qn)[1][:, 0] for m_ in {lo, hi} if m_ >= 0]
    best = _best_in_pool(pool, Mn, Qn, n)
    if best[1] - g <= 64 * n * _EPS * (1 + n * mu):
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
    w, U = np.linalg.eigh(M)
    sM = max(abs(w[0]), abs(w[-1]))
    sQ = float(np.abs(Qm).max())
    if n == 1 or sQ == 0 or sM == 0:
        a = U[:, 0] if n > 1 else np.ones(1)
        err = 32 * n * _EPS * sM
        return RestrictedEigenvalue(float(w[0]), 0.0, a, float(a @ M @ a), float(a @ Qm @ a),
                                    err, float(w[0]), {"region": "R^n"})
    Mn, Qn = M / sM, Qm / sQ
    g, mu, lo, hi = _dual_batch(Mn[None], Qn[None])
    g, mu, lo, hi = float(g[0]), float(mu[0]), float(lo[0]), float(hi[0])
    if g < w[0] / sM:
        g, mu = float(w[0] / sM), 0.0
    a, val, q = _certificate(Mn, Qn, mu, lo, hi, n, g)
    err = 32 * n * _EPS * sM * (1.0 + n * mu)
    return RestrictedEigenvalue(g * sM, mu * sM / sQ, a, val * sM, q * sQ, err, float(w[0]),
                                {"mu_normalized": mu, "bracket": (lo, hi)})


def lambda_R_h_inf(X, B: float) -> float:
    """lambda_R(H_inf) for the data set X at bias B."""
    P = pair_matrix(X, B)
    return lambda_R(h_inf_from_pairs(X, P), _region_from(P, p0(B), REGION_RTOL))
