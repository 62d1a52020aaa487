"""Generalization: Theorem 3.9 (= Theorems C.4 + C.5), Corollary 3.9.1 (B = 0), Theorem C.2
with a fixed grid of radii, Lemma C.6 (event and data-dependent forms), Lemma A.2, and the
quantities of Remark 3.13 (FORMULAS.md section 8). Pure formulas.

- Theorem C.2 (loss in [0, 1], rho-Lipschitz in f): with probability >= 1 - delta over S of
  size n, for every f in a class F fixed before S is seen,
  L_D(f) <= L_S(f) + 2 rho Rad_S(F) + 3 sqrt(log(2/delta) / (2n)).
- The radii of the class are read off the trained network, so they are not fixed in advance:
  they are rounded up to a fixed grid, R_F in {1, 2, 3, ...} (index k = ceil(R_F)) and the
  per-neuron radius R in {2^(1-l) : l = 1, 2, ...} (index l, R <= 1), and the class (k, l)
  gets delta_{k,l} = delta / (k (k+1) l (l+1)); the delta_{k,l} sum to delta (union bound).
- Lemma C.6, event form: Rad_S(F_{R,R_F}) <= R_F sqrt(2 e^{-B^2/2} / n) + 4 c R^2 sqrt(m)
  e^{-B^2/2}; data-dependent form (known at initialization, before training):
  Rad_S <= R_F ||Z(0)||_F / n + (2R / (n sqrt m)) sum_i |S_i|, with S_i the neurons whose
  pre-activation at x_i lies within 2R of its threshold (the only ones that can flip).
- Theorem C.5's leading term: sqrt(2 e^{-B^2/2} y^T H_inf^{-1} y / n) (the sparsity factor
  belongs to it).
- Lemma A.2: H_ij(0) is a mean of m' independent terms in [0, 2] (m' = m, or m/2 under the
  symmetric initialization) with mean H_inf_ij and variance <= 4 p_ij; with a union over the
  n^2 entries and L = log(2 n^2 / delta): Hoeffding 2 sqrt(L / (2 m')), Bernstein
  sqrt(8 p_ij L / m') + 4 L / (3 m').
- Lemma C.8's residual path: ||r(t) - (I - eta H_inf)^t r(0)|| <= t eta (1 - eta lam/4)^{(t-1)/2}
  eps ||y||, eps = eps_2 + eps_5 + 8 n q the kernel deviation along the run.
- Remark 3.13: the label shift c of smallest |c| with y + c 1 in R (a quadratic in c with
  leading coefficient 1^T Qm 1 >= 0), and y^T H^{-1} y (Cholesky solve).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import linalg

from . import validate as v
from .flip_probability import C_PAPER

__all__ = [
    "confidence_term", "frobenius_grid_index", "radius_grid_index", "grid_delta",
    "rademacher_event_bound", "rademacher_data_bound", "leading_term", "theorem_bound",
    "grid_theorem_bound", "hoeffding_deviation", "bernstein_deviation", "residual_path_bound",
    "label_shift", "quadratic_form_inverse",
]


# ------------------------------------------------------------------ Theorem C.2 and its grid
def confidence_term(n: int, delta: float) -> float:
    """Theorem C.2's confidence term 3 sqrt(log(2/delta) / (2n)) (loss in [0, 1])."""
    n, delta = v.positive_int("n", n), v.probability("delta", delta)
    return 3.0 * math.sqrt(math.log(2.0 / delta) / (2.0 * n))


def frobenius_grid_index(R_F: float) -> int:
    """The grid point of the Frobenius radius: the smallest k >= 1 with R_F <= k."""
    R_F = v.positive("R_F", R_F)
    return max(1, int(math.ceil(R_F - 1e-12 * max(R_F, 1.0))))


def radius_grid_index(R: float) -> int:
    """The grid point of the per-neuron radius: the largest l >= 1 with R <= 2^(1-l)
    (radii above 1 are outside the grid: ValueError)."""
    R = v.positive("R", R)
    if R > 1.0:
        v.fail("R", R, "R <= 1 (the grid of per-neuron radii is {2^(1-l) : l >= 1})")
    return max(1, int(math.floor(1.0 - math.log2(R) + 1e-12)))


def grid_delta(delta: float, k: int, l: int) -> float:
    """delta_{k,l} = delta / (k (k+1) l (l+1)): the share of the failure probability of the
    grid class (k, l); summed over k, l >= 1 it is delta."""
    delta = v.probability("delta", delta)
    k, l = v.positive_int("k", k), v.positive_int("l", l)
    return delta / (k * (k + 1.0) * l * (l + 1.0))


# ------------------------------------------------------------------------------- Lemma C.6
def rademacher_event_bound(n: int, m: int, B: float, R_F: float, R: float, c: float = C_PAPER) -> float:
    """Lemma C.6 on the events of sections 1 and 3: R_F sqrt(2 e^{-B^2/2}/n) + 4 c R^2 sqrt(m) e^{-B^2/2}."""
    n, m, B = v.positive_int("n", n), v.positive_int("m", m), v.bias(B)
    R_F, R, c = v.positive("R_F", R_F), v.positive("R", R), v.positive("c", c)
    s = math.exp(-B * B / 2)
    return R_F * math.sqrt(2 * s / n) + 4 * c * R * R * math.sqrt(m) * s


def rademacher_data_bound(Z_fro: float, flip_total: float, n: int, m: int, R_F: float, R: float) -> float:
    """Lemma C.6, data-dependent: R_F ||Z(0)||_F / n + 2 R sum_i |S_i| / (n sqrt m), with
    ``flip_total`` = sum_i |S_i| (neurons within 2R of their threshold at x_i)."""
    Z_fro, flip_total = v.nonneg("Z_fro", Z_fro), v.nonneg("flip_total", flip_total)
    n, m = v.positive_int("n", n), v.positive_int("m", m)
    R_F, R = v.positive("R_F", R_F), v.positive("R", R)
    return R_F * Z_fro / n + 2 * R * flip_total / (n * math.sqrt(m))


def leading_term(n: int, B: float, yHy: float) -> float:
    """Theorem C.5's leading term sqrt(2 e^{-B^2/2} y^T H_inf^{-1} y / n)."""
    n, B, yHy = v.positive_int("n", n), v.bias(B), v.nonneg("yHy", yHy)
    return math.sqrt(2 * math.exp(-B * B / 2) * yHy / n)


# ------------------------------------------------------------------ Theorem 3.9 = C.4 + C.5
def theorem_bound(train_loss: float, rademacher: float, n: int, delta: float, rho: float = 1.0) -> float:
    """Theorem C.2 / C.4 for one class fixed in advance: L_S + 2 rho Rad + 3 sqrt(log(2/delta)/(2n))."""
    train_loss, rademacher = v.nonneg("train_loss", train_loss), v.nonneg("rademacher", rademacher)
    rho = v.positive("rho", rho)
    return train_loss + 2 * rho * rademacher + confidence_term(n, delta)


def grid_theorem_bound(train_loss: float, Z_fro: float, flip_total: float, n: int, m: int, R_F: float,
                       R: float, delta: float, rho: float = 1.0) -> float:
    """Theorem 3.9's right-hand side with explicit constants for a trained network whose radii
    (R_F = ||theta(T) - theta(0)||_F, R = the largest per-neuron movement) were read off the run:
    both rounded up to the grid (k, l), the data-dependent Rademacher bound of Lemma C.6 at the
    grid radii (``flip_total`` counted at the grid's R = 2^(1-l)), and delta_{k,l}
    (0 < R <= 1)."""
    k, l = frobenius_grid_index(R_F), radius_grid_index(R)
    rad = rademacher_data_bound(Z_fro, flip_total, n, m, float(k), 2.0 ** (1 - l))
    return theorem_bound(train_loss, rad, n, grid_delta(delta, k, l), rho)


# ------------------------------------------------------------------------------- Lemma A.2
def _log_union(n: int, delta: float) -> float:
    return math.log(2.0 * n * n / delta)


def hoeffding_deviation(n: int, m: int, delta: float) -> float:
    """Lemma A.2, Hoeffding: max_ij |H_ij(0) - H_inf_ij| <= 2 sqrt(log(2 n^2/delta) / (2m))
    with probability >= 1 - delta (m independent terms in [0, 2] per entry)."""
    n, m, delta = v.positive_int("n", n), v.positive_int("m", m), v.probability("delta", delta)
    return 2.0 * math.sqrt(_log_union(n, delta) / (2.0 * m))


def bernstein_deviation(p, n: int, m: int, delta: float):
    """Lemma A.2, Bernstein (sparsity-aware): |H_ij(0) - H_inf_ij| <= sqrt(8 p_ij L / m) + 4 L / (3m),
    L = log(2 n^2/delta), for all entries at once with probability >= 1 - delta. ``p`` is p_ij
    (scalar or array, in [0, 1])."""
    p = v.values("p", p)
    if np.any((p < 0) | (p > 1)):
        v.fail("p", p, "0 <= p <= 1 (a probability p(rho_ij, B))")
    n, m, delta = v.positive_int("n", n), v.positive_int("m", m), v.probability("delta", delta)
    L = _log_union(n, delta)
    out = np.sqrt(8.0 * p * L / m) + 4.0 * L / (3.0 * m)
    return float(out) if out.ndim == 0 else out


# ------------------------------------------------------------------------------- Lemma C.8
def residual_path_bound(t: int, eta: float, lam: float, eps: float, norm_y: float) -> float:
    """Lemma C.8: ||r(t) - (I - eta H_inf)^t r(0)|| <= t eta (1 - eta lam/4)^{(t-1)/2} eps ||y||
    (0 < eta lam <= 4; eps bounds ||H_inf - H(s)|| plus the flip term along the run)."""
    t = v.nonneg_int("t", t)
    eta, lam = v.positive("eta", eta), v.positive("lam", lam)
    eps, norm_y = v.nonneg("eps", eps), v.nonneg("norm_y", norm_y)
    x = eta * lam / 4
    if x > 1:
        v.fail("eta", eta, f"eta lam <= 4 (lam = {lam:g})")
    if t == 0:
        return 0.0
    return t * eta * (1.0 - x) ** ((t - 1) / 2.0) * eps * norm_y


# ---------------------------------------------------------------------------- Remark 3.13
def label_shift(y, Qm) -> float:
    """The c of smallest |c| with (y + c 1)^T Qm (y + c 1) >= 0 (Remark 3.13's shift):
    f(c) = a c^2 + 2 b c + f0 with a = 1^T Qm 1, b = 1^T Qm y, f0 = y^T Qm y; 0 when f0 >= 0.
    The shift always exists: Qm has zero diagonal and entries p_ij - p_min >= 0, so a >= 0,
    and a = 0 means Qm = 0, R = R^n and f0 = 0."""
    Qm = v.symmetric_matrix("Qm", Qm)
    if Qm.ndim != 2:
        v.fail("Qm.shape", Qm.shape, "an n x n matrix")
    y = v.labels("y", y, Qm.shape[0])
    one = np.ones_like(y)
    a, b, f0 = float(one @ Qm @ one), float(one @ Qm @ y), float(y @ Qm @ y)
    if f0 >= 0:
        return 0.0
    if a <= 0:
        v.fail("Qm", Qm, "1^T Qm 1 > 0 when y^T Qm y < 0 (a region matrix: entries >= 0)")
    root = math.sqrt(max(b * b - a * f0, 0.0))
    c1, c2 = (-b + root) / a, (-b - root) / a
    return c1 if abs(c1) <= abs(c2) else c2


def quadratic_form_inverse(H, y) -> float:
    """y^T H^{-1} y for a symmetric positive definite H by a Cholesky solve (+inf when the
    factorization fails: H singular in float). y is any real vector (a shifted label vector
    leaves [-1, 1])."""
    H = v.symmetric_matrix("H", H)
    if H.ndim != 2:
        v.fail("H.shape", H.shape, "an n x n matrix")
    y = v.array("y", y, ndim=1, shape=(H.shape[0],))
    try:
        cf = linalg.cho_factor((H + H.T) / 2, lower=True, check_finite=False)
    except linalg.LinAlgError:
        return math.inf
    return float(y @ linalg.cho_solve(cf, y, check_finite=False))
