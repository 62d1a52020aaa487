"""Rademacher radius: movement and distance travelled under gradient descent, and the
localized Rademacher complexity (Lemmas 3.10, A.7, A.8, C.6; Theorems C.7, 3.9).

FORMULAS.md section 5, symmetric initialization (f(0) = 0). Pure formulas:

- Lemma A.7: ||dL/dw_r||, |dL/db_r| <= m^{-1/2} sum_i |f_i - y_i| 1_{r,i} <= sqrt(n/m) ||f - y||.
- Lemma A.8: D = 8 sqrt(n) ||f(0) - y|| / (sqrt(m) lambda), under the linear rate
  ||f(s) - y||^2 <= (1 - eta lambda/4)^s ||f(0) - y||^2, 0 < eta lambda <= 4.
- Lemma 3.10 / Theorem C.7: the leading distance sqrt(y^T H_inf^{-1} y); for the dynamics
  linearized at initialization, ||Z H^{-1} (I - (I - eta H)^K) y||, which by H = Z^T Z = U L U^T
  has square sum_k (1 - (1 - eta l_k)^K)^2 (u_k^T y)^2 / l_k (only H and y are needed).
- Lemma C.6: Rad_S(F_lin) <= R_F ||Z(0)||_F / n <= R_F sqrt(2 exp(-B^2/2) / n) on the event
  of section 3; the nonlinear class adds at most 4 c R^2 sqrt(m) exp(-B^2/2).
- Theorem 3.9: the generalization leading term sqrt(2 y^T H_inf^{-1} y / n).
"""

from __future__ import annotations

import math

import mpmath as mp
import numpy as np
from scipy import linalg

from . import validate as v
from .flip_probability import C_PAPER
from .ntk import h_inf

__all__ = [
    "gradient_bound",
    "gradient_bound_mp",
    "movement_radius",
    "movement_radius_mp",
    "linear_rate_envelope",
    "kernel_distance",
    "leading_distance",
    "linearized_distance",
    "linearized_distance_mp",
    "rademacher_bound",
    "rademacher_bound_mp",
    "log_rademacher_bound",
    "jensen_bound",
    "nonlinear_correction",
    "nonlinear_correction_mp",
    "log_nonlinear_correction",
    "nonlinear_bound",
    "generalization_term",
]


# ------------------------------------------------------------------------ validation
def _psd(name: str, H, y=None) -> tuple[np.ndarray, np.ndarray | None]:
    """A symmetric positive semi-definite n x n matrix (and labels of length n)."""
    H = v.array(name, H, min_size=0, finite_=False)
    if H.ndim != 2 or H.shape[0] != H.shape[1] or H.shape[0] < 1:
        v.fail(f"{name}.shape", H.shape, "a square n x n matrix, n >= 1")
    v.finite(name, H)
    scale = float(np.max(np.abs(H))) if H.size else 0.0
    if np.max(np.abs(H - H.T)) > 1e-10 * max(scale, 1e-300):
        v.fail(name, H, "symmetric")
    if y is not None:
        y = v.labels("y", y, H.shape[0])
    return (H + H.T) / 2, y


def _eig_psd(name: str, H) -> tuple[np.ndarray, np.ndarray]:
    l, U = np.linalg.eigh(H)
    top = max(float(l[-1]), 0.0)
    if l[0] < -1e-10 * max(top, 1e-300):
        v.fail(f"lambda_min({name})", float(l[0]), "lambda_min >= 0 (positive semi-definite)")
    return np.clip(l, 0.0, None), U


# ----------------------------------------------------------------- Lemmas A.7, A.8
def gradient_bound(n: int, m: int, error: float) -> float:
    """Lemma A.7: every ||dL/dw_r|| and |dL/db_r| is at most sqrt(n/m) ||f - y||,
    ``error`` = ||f - y|| at the current step."""
    n, m = v.positive_int("n", n), v.positive_int("m", m)
    return math.sqrt(n / m) * v.nonneg("error", error)


def gradient_bound_mp(n: int, m: int, error: float, dps: int = 50):
    """mpmath twin of :func:`gradient_bound`."""
    dps = v.dps(dps)
    n, m = v.positive_int("n", n), v.positive_int("m", m)
    with mp.workdps(dps):
        return mp.sqrt(mp.mpf(n) / m) * mp.mpf(v.nonneg("error", error))


def movement_radius(n: int, m: int, error0: float, lam: float) -> float:
    """Lemma A.8: D = 8 sqrt(n) ||f(0) - y|| / (sqrt(m) lambda), lambda = lambda_min(H_inf) > 0;
    ``error0`` = ||f(0) - y|| (= ||y|| under symmetric initialization)."""
    n, m = v.positive_int("n", n), v.positive_int("m", m)
    error0, lam = v.nonneg("error0", error0), v.positive("lam", lam)
    return 8 * math.sqrt(n) * error0 / (math.sqrt(m) * lam)


def movement_radius_mp(n: int, m: int, error0: float, lam: float, dps: int = 50):
    """mpmath twin of :func:`movement_radius`."""
    dps = v.dps(dps)
    n, m = v.positive_int("n", n), v.positive_int("m", m)
    error0, lam = v.nonneg("error0", error0), v.positive("lam", lam)
    with mp.workdps(dps):
        return 8 * mp.sqrt(n) * mp.mpf(error0) / (mp.sqrt(m) * mp.mpf(lam))


def linear_rate_envelope(error0: float, eta: float, lam: float, steps: int) -> np.ndarray:
    """The hypothesis of Lemma A.8 as an envelope on the error: for s = 0..steps,
    sqrt((1 - eta lambda/4)^s) ||f(0) - y||, needing 0 < eta lambda <= 4."""
    error0 = v.nonneg("error0", error0)
    eta, lam = v.positive("eta", eta), v.positive("lam", lam)
    steps = v.nonneg_int("steps", steps)
    v.memory("steps", steps, 8.0 * (steps + 1))
    x = eta * lam / 4
    if x > 1:
        v.fail("eta * lam", eta * lam, "0 < eta * lam <= 4 (Lemma A.8)")
    s = np.arange(steps + 1, dtype=float)
    with np.errstate(divide="ignore"):
        return error0 * np.exp(0.5 * s * np.log1p(-x)) if x < 1 else np.where(s == 0, error0, 0.0)


# ------------------------------------------------------ Lemma 3.10, Theorem C.7
def kernel_distance(H, y) -> float:
    """sqrt(y^T H^{-1} y) for a symmetric positive semi-definite H, by a Cholesky solve
    (no inverse). A singular H (Cholesky fails) gives +inf, the value of y^T H^{-1} y in
    the limit H + eps I, eps -> 0, unless y lies in the range of H: a bound that is then
    vacuous but never wrong."""
    y = v.labels("y", y)
    H, y = _psd("H", H, y)
    try:
        c = linalg.cho_factor(H, lower=True, check_finite=False)
    except linalg.LinAlgError:
        _eig_psd("H", H)  # an indefinite H is an error, not a singular one
        return math.inf
    if not np.all(np.diag(c[0]) > 0):
        return math.inf
    q = float(y @ linalg.cho_solve(c, y, check_finite=False))
    return math.sqrt(max(q, 0.0))


def leading_distance(X, y, B: float) -> float:
    """Lemma 3.10 / Theorem C.7: sqrt(y^T H_inf^{-1} y), the limit of ||theta(T) - theta(0)||
    as m grows (H_inf of :func:`bounds.ntk.h_inf`, solved, not inverted)."""
    X = v.unit_rows("X", X)
    out = kernel_distance(h_inf(X, B), v.labels("y", y, X.shape[0]))
    if not math.isfinite(out):  # H_inf's entries underflow (B >~ 38): singular in float
        v.fail("B", B, "H_inf(X, B) invertible in float (its entries underflow for this B)")
    return out


def _gain(l: np.ndarray, eta: float, K: int) -> np.ndarray:
    """g(l) = 1 - (1 - eta l)^K, stably: -expm1(K log1p(-eta l)) for 0 <= eta l < 1."""
    x = eta * l
    out = np.empty_like(x)
    small = x < 1
    out[small] = -np.expm1(K * np.log1p(-x[small]))
    out[~small] = 1.0 - np.power(1.0 - x[~small], K)
    return out


def linearized_distance(H, y, eta: float, K: int) -> float:
    """Theorem C.7, linearized dynamics: ||Z H^{-1} (I - (I - eta H)^K) y|| after K steps from
    f(0) = 0, computed from H = Z^T Z alone:
    distance^2 = sum_k (1 - (1 - eta l_k)^K)^2 (u_k^T y)^2 / l_k over the eigenpairs (l_k, u_k)
    of H (a term with l_k = 0 is 0, its limit: H^{-1}(I - (I - eta H)^K) is a polynomial in H).
    Bounded by sqrt(y^T H^{-1} y) when eta <= 1/lambda_max(H) (FORMULAS.md 5(a)); any eta > 0 here."""
    y = v.labels("y", y)
    H, y = _psd("H", H, y)
    eta, K = v.positive("eta", eta), v.nonneg_int("K", K)
    l, U = _eig_psd("H", H)
    c = U.T @ y
    # Numerical rank: eigh returns the null space of H with eigenvalues of order n eps ||H||, and
    # g(l)^2 / l ~ K^2 eta^2 l there, so such a "positive" round-off eigenvalue with an O(1)
    # component of y gave distance 7e-6 for an exactly rank-2 H with Z y = 0 (K = 3000). Values
    # below n eps lambda_max(H) are indistinguishable from 0 and count as 0 (the limit term).
    pos = l > H.shape[0] * np.finfo(float).eps * l[-1]
    g = _gain(l[pos], eta, K)
    return math.sqrt(float(np.sum(g * g * c[pos] ** 2 / l[pos])))


def linearized_distance_mp(H, y, eta: float, K: int, dps: int = 50):
    """mpmath twin of :func:`linearized_distance` by another route: with
    P = eta sum_{j<K} (I - eta H)^j = H^{-1} (I - (I - eta H)^K), distance^2 = (P y)^T H (P y)
    (no eigen-decomposition, no inverse). Cost O(K n^2) at ``dps`` digits: small K only."""
    y = v.labels("y", y)
    dps = v.dps(dps)
    H, y = _psd("H", H, y)
    eta, K = v.positive("eta", eta), v.nonneg_int("K", K)
    n = H.shape[0]
    v.work("K", K, float(K) * n * n * dps)
    with mp.workdps(dps):
        Hm = mp.matrix(H.tolist())
        ym = mp.matrix(y.tolist())
        e = mp.mpf(eta)
        term = ym.copy()  # (I - eta H)^j y
        acc = mp.matrix(n, 1)
        for _ in range(K):
            acc += term
            term = term - e * (Hm * term)
        p = e * acc
        return mp.sqrt(max(mp.mpf(0), (p.T * Hm * p)[0]))


# ---------------------------------------------------------------- Lemma C.6
def rademacher_bound(n: int, B: float, R_F: float) -> float:
    """Lemma C.6: Rad_S(F_lin) <= R_F sqrt(2 exp(-B^2/2) / n) on the event of section 3
    (||Z(0)||_F^2 <= 2 n exp(-B^2/2))."""
    n, B, R_F = v.positive_int("n", n), v.bias(B), v.positive("R_F", R_F)
    return R_F * math.sqrt(2 * math.exp(-B * B / 2) / n)


def rademacher_bound_mp(n: int, B: float, R_F: float, dps: int = 50):
    """mpmath twin of :func:`rademacher_bound`."""
    dps = v.dps(dps)
    n, B, R_F = v.positive_int("n", n), v.bias(B), v.positive("R_F", R_F)
    with mp.workdps(dps):
        return mp.mpf(R_F) * mp.sqrt(2 * mp.exp(-mp.mpf(B) ** 2 / 2) / n)


def log_rademacher_bound(n: int, B: float, R_F: float) -> float:
    """log of :func:`rademacher_bound`: log R_F + (log 2 - B^2/2 - log n) / 2."""
    n, B, R_F = v.positive_int("n", n), v.bias(B), v.positive("R_F", R_F)
    return math.log(R_F) + 0.5 * (math.log(2.0) - B * B / 2 - math.log(n))


def jensen_bound(Z_fro: float, n: int, R_F: float) -> float:
    """Lemma C.6, Jensen step: (R_F/n) E||Z sigma|| <= (R_F/n) sqrt(E||Z sigma||^2) = R_F ||Z||_F / n."""
    n, R_F = v.positive_int("n", n), v.positive("R_F", R_F)
    return R_F * v.nonneg("Z_fro", Z_fro) / n


def nonlinear_correction(m: int, B: float, R: float, c: float = C_PAPER) -> float:
    """4 c R^2 sqrt(m) exp(-B^2/2): the nonlinear class within per-neuron radius R (R <= 1/B)
    exceeds its linearization by at most this, on the event of Corollary A.4.1."""
    m, B = v.positive_int("m", m), v.bias(B)
    R = v.radius(B, R)
    return 4 * v.positive("c", c) * R * R * math.sqrt(m) * math.exp(-B * B / 2)


def nonlinear_correction_mp(m: int, B: float, R: float, dps: int = 50):
    """mpmath twin of :func:`nonlinear_correction` with c = 4 e^2 / sqrt(2 pi)."""
    dps = v.dps(dps)
    m, B = v.positive_int("m", m), v.bias(B)
    R = v.radius(B, R)
    with mp.workdps(dps):
        c = 4 * mp.e**2 / mp.sqrt(2 * mp.pi)
        return 4 * c * mp.mpf(R) ** 2 * mp.sqrt(m) * mp.exp(-mp.mpf(B) ** 2 / 2)


def log_nonlinear_correction(m: int, B: float, R: float, c: float = C_PAPER) -> float:
    """log of :func:`nonlinear_correction`: log(4c) + 2 log R + log(m)/2 - B^2/2."""
    m, B = v.positive_int("m", m), v.bias(B)
    R = v.radius(B, R)
    return math.log(4 * v.positive("c", c)) + 2 * math.log(R) + 0.5 * math.log(m) - B * B / 2


def nonlinear_bound(rad_lin: float, m: int, B: float, R: float, c: float = C_PAPER) -> float:
    """Rad_S(F) <= Rad_S(F_lin) + 4 c R^2 sqrt(m) exp(-B^2/2) (FORMULAS.md section 5)."""
    return v.nonneg("rad_lin", rad_lin) + nonlinear_correction(m, B, R, c)


# ---------------------------------------------------------------- Theorem 3.9
def generalization_term(X, y, B: float) -> float:
    """Theorem 3.9's leading term sqrt(2 y^T H_inf^{-1} y / n) (report only)."""
    X = v.unit_rows("X", X)
    return math.sqrt(2.0 / X.shape[0]) * leading_distance(X, y, B)
