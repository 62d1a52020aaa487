"""Data quantities of Theorem 3.12 = Theorem B.1 (FORMULAS.md section 4): the separation delta,
p0 = Q(B), the pair matrix P, p_min, and the region R = {a : a^T Qm a >= 0} of Definition 3.11.

The region matrix Qm_ij = p_ij - p_min (i != j), Qm_ii = 0, has entries below
``REGION_RTOL * p0`` set to 0 (round-off: orthonormal data give 1e-16 p0 instead of 0).
P comes from :func:`bounds.ntk.pair_matrix` (the stable quadrature or its checked interpolant,
never an Owen's T difference).
"""

from __future__ import annotations

import math

import numpy as np

from .. import validate as v
from ..ntk import Q, Q_mp, pair_matrix, pair_probability
from ..ntk import _rho as _gram

__all__ = [
    "separation", "difference_separation", "p0", "p0_mp", "pair_matrix", "p_min", "p_separation",
    "p_separation_wide", "region_matrix", "in_region", "h_inf_from_pairs"
]

REGION_RTOL = 1e-12  # |Qm_ij| <= REGION_RTOL * p0 is set to 0 (float noise is ~2e-16 p0)
SQRT2 = math.sqrt(2.0)


def separation(X) -> float:
    """delta = min_{i != j} min(||x_i - x_j||, ||x_i + x_j||) (Theorem 3.12's hypothesis, FORMULAS.md
    section 4), computed from the differences themselves (no 1 - rho cancellation).

    It lies in [0, sqrt 2]; 0 for exact duplicates or antipodal pairs. With n = 1 there is no
    pair and we return sqrt 2 (the largest possible value, the orthonormal case)."""
    X = v.unit_rows("X", X)
    n = X.shape[0]
    if n == 1:
        return SQRT2
    best = math.inf
    rows = max(1, int(2e6 // max(1, n * X.shape[1])))
    for s in range(0, n, rows):
        blk = X[s:s + rows]
        minus = np.linalg.norm(blk[:, None, :] - X[None, :, :], axis=2)
        plus = np.linalg.norm(blk[:, None, :] + X[None, :, :], axis=2)
        dist = np.minimum(minus, plus)
        idx = np.arange(s, s + blk.shape[0])
        dist[np.arange(blk.shape[0]), idx] = np.inf
        best = min(best, float(dist.min()))
    return float(min(best, SQRT2))


def difference_separation(X) -> float:
    """delta_- = min_{i != j} ||x_i - x_j||: the separation from the differences alone (the
    statement stronger than Theorem 3.12's, FORMULAS.md section 4). Since p(rho, B) increases
    with rho, p_min = p(rho_min, B) <= p(rho_max, B) = p(1 - delta_-^2/2, B), so link 3 holds
    without the ||x_i + x_j|| part. It lies in [0, 2] (2 for an exactly antipodal pair) and is
    >= :func:`separation` whenever that is below sqrt 2. With n = 1 (no pair) we return 2."""
    X = v.unit_rows("X", X)
    n = X.shape[0]
    if n == 1:
        return 2.0
    best = math.inf
    rows = max(1, int(2e6 // max(1, n * X.shape[1])))
    for s in range(0, n, rows):
        blk = X[s:s + rows]
        dist = np.linalg.norm(blk[:, None, :] - X[None, :, :], axis=2)
        dist[np.arange(blk.shape[0]), np.arange(s, s + blk.shape[0])] = np.inf
        best = min(best, float(dist.min()))
    return float(min(best, 2.0))


def check_difference_separation(separation_) -> float:
    """0 <= separation <= 2 (the range of min ||x_i - x_j||; a round-off excess is clamped)."""
    d = v.nonneg("separation_", separation_)
    if d > 2.0 * (1 + 1e-12):
        v.fail("separation_", separation_, "0 <= separation_ <= 2")
    return min(d, 2.0)


def p0(B: float) -> float:
    """p0 = Q(B) = P[<w, x> >= B], the diagonal of P (FORMULAS.md section 4)."""
    return float(Q(v.bias(B)))


def p0_mp(B: float, dps: int = 30):
    """mpmath twin of :func:`p0`."""
    dps = v.dps(dps)
    return Q_mp(v.bias(B), dps)


def _p_min_from(P: np.ndarray, B: float) -> float:
    n = P.shape[0]
    if n == 1:
        return float(pair_probability(0.0, B))  # the convention delta = sqrt 2
    off = P[~np.eye(n, dtype=bool)]
    return float(off.min())


def p_min(X, B: float) -> float:
    """p_min = min_{i != j} p_ij. For n = 1 (no pair) we use the convention of
    :func:`separation` (delta = sqrt 2), i.e. p_min = p(0, B) = Q(B)^2."""
    X = v.unit_rows("X", X)
    return _p_min_from(pair_matrix(X, B), v.bias(B))


def p_separation(separation_: float, B: float) -> float:
    """p(1 - delta^2/2, B): the largest pair probability data with separation delta can have
    (link 3)."""
    d = check_separation(separation_)
    return float(pair_probability(1.0 - d * d / 2.0, v.bias(B)))


def p_separation_wide(separation_: float, B: float) -> float:
    """p(1 - delta^2/2, B) for delta in [0, 2] (the difference-only separation's range)."""
    d = check_difference_separation(separation_)
    return float(pair_probability(max(-1.0, 1.0 - d * d / 2.0), v.bias(B)))


def _region_from(P: np.ndarray, p0_: float, rtol: float) -> np.ndarray:
    n = P.shape[0]
    if n <= 2:
        return np.zeros((n, n))  # one pair: p_12 = p_min, Qm = 0, R = R^n
    Qm = P - _p_min_from(P, 0.0)
    np.fill_diagonal(Qm, 0.0)
    Qm[np.abs(Qm) <= rtol * p0_] = 0.0
    return Qm


def region_matrix(X, B: float, rtol: float = REGION_RTOL) -> np.ndarray:
    """Qm with Qm_ij = p_ij - p_min (i != j), Qm_ii = 0, entries <= rtol * p0 set to 0
    (Definition 3.11: R = {a : a^T Qm a >= 0})."""
    X = v.unit_rows("X", X)
    B = v.bias(B)
    rtol = v.nonneg("rtol", rtol)
    return _region_from(pair_matrix(X, B), p0(B), rtol)


def check_square(name: str, M, n: int | None = None) -> np.ndarray:
    """A finite symmetric (..., n, n) array (relative asymmetry <= 1e-12: H_inf may be ~1e-9),
    symmetrized: :func:`bounds.validate.symmetric_matrix`."""
    return v.symmetric_matrix(name, M, n)


def in_region(a, Qm, tol: float = 0.0):
    """Membership a in R: a^T Qm a >= -tol * ||a||^2 * max|Qm| (a of shape (n,) or (k, n))."""
    a = v.array("a", a, min_size=0, finite_=False)
    Qm = check_square("Qm", Qm)
    if Qm.ndim != 2:
        v.fail("Qm.shape", Qm.shape, "(n, n)")
    arr = np.asarray(a, dtype=float)
    if arr.ndim not in (1, 2) or arr.shape[-1] != Qm.shape[0]:
        v.fail("a.shape", arr.shape, f"(n,) or (k, n) with n = {Qm.shape[0]}")
    v.finite("a", arr)
    tol = v.nonneg("tol", tol)
    q = np.einsum("...i,ij,...j->...", arr, Qm, arr)
    out = q >= -tol * np.einsum("...i,...i->...", arr, arr) * float(np.abs(Qm).max(initial=0.0))
    return bool(out) if arr.ndim == 1 else out


def h_inf_from_pairs(X, P: np.ndarray) -> np.ndarray:
    """H_inf = P + (X X^T) o P (FORMULAS.md section 4); equals bounds.ntk.h_inf(X, B)."""
    X = v.unit_rows("X", X)
    P = v.array("P", P, ndim=2, shape=(X.shape[0], X.shape[0]))
    return (_gram(X) + 1.0) * P


def check_separation(separation_) -> float:
    """0 <= separation <= sqrt 2 (a round-off excess over sqrt 2 is clamped)."""
    d = v.nonneg("separation_", separation_)
    if d > SQRT2 * (1 + 1e-12):
        v.fail("separation_", separation_, "0 <= separation_ <= sqrt 2")
    return min(d, SQRT2)
