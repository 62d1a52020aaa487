"""Estimators of the generalization module (FORMULAS.md section 8): the quantities of
Remark 3.13 on one data set, and the end-to-end check of Theorem 3.9 on a known distribution.

Remark 3.13 (:func:`remark_point`): for labels y (shifted into the region R when they are not
in it), y^T H_inf^{-1} y against ||y||^2 / lambda_R(H_inf) (the remark's inference) and
against ||y||^2 / lambda_min(H_inf) (always true), and whether u = H_inf^{-1} y lies in R: a
sufficient condition for the remark's inequality (u in R gives u^T H u >= lambda_R ||u||^2,
and u^T H u = u^T y <= ||u|| ||y||, so ||u|| <= ||y|| / lambda_R and
y^T H^{-1} y = u^T y <= ||y||^2 / lambda_R).

Theorem 3.9 (:func:`theorem_draw`): x uniform on the sphere S^{d-1}, labels from a fixed
teacher y = clip(<v, x> + s (<v, x>^2 - 1/d), -1, 1) (a smooth function of small RKHS norm),
loss min(1, |f - y|) (1-Lipschitz, in [0, 1]); a symmetric initialization trained by gradient
descent on n points; the population loss from ``fresh`` new points with a one-sided Hoeffding /
empirical-Bernstein lower limit; the right-hand side of Theorem 3.9 with the grid's radii
(:func:`bounds.generalization.grid_theorem_bound`) from the radii read off the run.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from bounds import generalization as g
from bounds import ntk
from bounds import restricted_eigenvalue as re_
from bounds import validate as v

from ..sim import network as nw
from ..sim.seeding import rng, spawn
from ..sim.stats import ALPHA, bounded_mean_limits
from ..sim.trainer import train

__all__ = [
    "RemarkPoint", "remark_point", "teacher", "sphere", "TheoremDraw", "theorem_draw", "KernelDeviations",
    "kernel_deviations"
]


@dataclass(frozen=True)
class RemarkPoint:
    """Remark 3.13 at one (X, B, y): y is shifted by ``shift`` into R when it was not in it."""

    y: np.ndarray
    shift: float
    yHy: float
    norm2: float
    lambda_R: float
    lambda_min: float
    in_R: float  # (y + c 1)^T Qm (y + c 1) / ||y + c 1||^2 after the shift (>= 0: in R)
    u_in_R: bool  # H_inf^{-1} y in R (the sufficient condition)
    condition: float  # lambda_max / lambda_min of H_inf (the point is meaningful below COND_MAX)

    @property
    def remark_ratio(self) -> float:
        """y^T H^{-1} y lambda_R / ||y||^2 (Remark 3.13 claims <= 1)."""
        return self.yHy * self.lambda_R / self.norm2

    @property
    def lambda_min_ratio(self) -> float:
        """y^T H^{-1} y lambda_min / ||y||^2 (<= 1 always)."""
        return self.yHy * self.lambda_min / self.norm2


COND_MAX = 1e8  # beyond it y^T H^{-1} y carries round-off of order cond * eps relative


def remark_point(X, B: float, y, shift_into_region: bool = True) -> RemarkPoint:
    """The quantities of Remark 3.13 for data X, bias B and labels y (see module docstring)."""
    ing = re_.Ingredients(X, B)
    y = v.labels("y", y, ing.n)
    shift_into_region = v.boolean("shift_into_region", shift_into_region)
    H, Qm = ing.H, ing.Qm
    c = g.label_shift(y, Qm) if shift_into_region else 0.0
    ys = y + c
    norm2 = float(ys @ ys)
    if not norm2 > 0:
        v.fail("y", y, "y + c 1 != 0 (a nonzero label vector)")
    l, U = np.linalg.eigh(H)
    cond = float(l[-1] / l[0]) if l[0] > 0 else math.inf
    if not cond < COND_MAX:
        return RemarkPoint(ys, c, math.inf, norm2, math.nan, float(l[0]), float(ys @ Qm @ ys) / norm2, False, cond)
    u = U @ ((U.T @ ys) / l)
    return RemarkPoint(ys, c, float(ys @ u), norm2, ing.lambda_R_H.value, float(l[0]),
                       float(ys @ Qm @ ys) / norm2, bool(u @ Qm @ u >= 0), cond)


# ------------------------------------------------------------------ Theorem 3.9 end to end
def sphere(N: int, d: int, seed) -> np.ndarray:
    """N points uniform on the unit sphere S^{d-1}."""
    N, d = v.positive_int("N", N), v.positive_int("d", d)
    v.memory("N", N, 8.0 * N * d)
    Z = rng(seed).standard_normal((N, d))
    return Z / np.linalg.norm(Z, axis=1, keepdims=True)


def teacher(X, scale: float = 1.0, curvature: float = 0.5) -> np.ndarray:
    """The fixed teacher's labels clip(scale (x_1 + curvature (x_2^2 - 1/d) d), -1, 1): a
    linear plus a quadratic zonal part in fixed coordinates (a known, smooth target)."""
    X = v.unit_rows("X", X)
    scale, curvature = v.positive("scale", scale), v.real("curvature", curvature)
    d = X.shape[1]
    q = (X[:, 1] ** 2 - 1.0 / d) * d if d >= 2 else np.zeros(X.shape[0])
    return np.clip(scale * (X[:, 0] + curvature * q), -1.0, 1.0)


def _loss(f: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.minimum(1.0, np.abs(f - y))


@dataclass(frozen=True)
class TheoremDraw:
    """One draw of the end-to-end check (one training set, one initialization, one run)."""

    n: int
    m: int
    B: float
    train_loss: float  # L_S(f_T), the bounded loss
    population: float  # mean loss over the fresh points
    population_lower: float  # its lower confidence limit
    population_upper: float
    bound: float  # Theorem 3.9's right-hand side (grid radii, explicit constants)
    R_F: float  # ||theta(T) - theta(0)||_F
    R: float  # largest per-neuron movement max_r max(||w_r(T) - w_r(0)||, |b_r(T) - B|)
    Z_fro: float
    flip_total: int  # sum_i |S_i| at the grid radius
    rademacher: float  # Lemma C.6 data-dependent bound at the grid radii
    yHy: float  # y^T H_inf^{-1} y on the training set
    leading: float  # sqrt(2 e^{-B^2/2} yHy / n)
    steps: int

    @property
    def ratio(self) -> float:
        """population_lower / bound: > 1 is a violation of the theorem at this draw."""
        return self.population_lower / self.bound

    @property
    def violated(self) -> bool:
        return self.population_lower > self.bound


def theorem_draw(n: int, m: int, B: float, d: int, steps: int, eta_frac: float, delta: float, fresh: int,
                 seed: int, alpha: float = ALPHA, scale: float = 1.0) -> TheoremDraw:
    """One draw of Theorem 3.9 end to end (module docstring); eta = eta_frac / lambda_max(H(0))."""
    n, m, d = v.positive_int("n", n), v.even_int("m", m), v.positive_int("d", d)
    B, steps = v.bias(B), v.positive_int("steps", steps)
    eta_frac, delta = v.positive("eta_frac", eta_frac), v.probability("delta", delta)
    fresh, seed = v.positive_int("fresh", fresh), v.seed("seed", seed)
    alpha = v.probability("alpha", alpha)
    v.work("m", m, float(n) * m * d * steps)
    X = sphere(n, d, spawn(seed, "train"))
    y = teacher(X, scale)
    net0 = nw.initialize(m, d, B, spawn(seed, "init"), True)
    H0 = nw.empirical_ntk(X, net0)
    eta = eta_frac / float(np.linalg.eigvalsh(H0)[-1])
    tr = train(X, y, net0, eta, steps)
    net = tr.net
    f = nw.forward(X, net)
    L_S = float(np.mean(_loss(f, y)))
    dW, db = net.W - net0.W, net.b - net0.b
    R_F = float(math.sqrt(np.sum(dW ** 2) + np.sum(db ** 2)))
    R = float(max(np.max(np.linalg.norm(dW, axis=1)), np.max(np.abs(db))))
    R = max(R, 1e-300)
    Z_fro = float(math.sqrt(np.trace(H0) * 1.0))  # ||Z(0)||_F^2 = tr H(0)
    if R <= 1.0:
        l = g.radius_grid_index(R)
        Rg = 2.0 ** (1 - l)
        u = X @ net0.W.T - net0.b  # pre-activations at initialization, (n, m)
        flip_total = int(np.count_nonzero((u >= -2 * Rg) & (u < 2 * Rg)))  # Lemma 3.3's flip event
        bound = g.grid_theorem_bound(L_S, Z_fro, flip_total, n, m, R_F, R, delta)
        rad = g.rademacher_data_bound(Z_fro, flip_total, n, m, float(g.frobenius_grid_index(R_F)), Rg)
    else:  # outside the grid: the theorem's class does not contain the network, no bound
        flip_total, bound, rad = -1, math.inf, math.inf
    Xf = sphere(fresh, d, spawn(seed, "fresh"))
    lf = _loss(nw.forward(Xf, net), teacher(Xf, scale))
    lo, hi = bounded_mean_limits(lf, 0.0, 1.0, alpha)
    yHy = g.quadratic_form_inverse(ntk.h_inf(X, B), y)
    return TheoremDraw(n, m, B, L_S, float(lf.mean()), lo, hi, bound, R_F, R, Z_fro, flip_total, rad, yHy,
                       g.leading_term(n, B, yHy) if math.isfinite(yHy) else math.inf, steps)


# ------------------------------------------------------------------------------- Lemma A.2
@dataclass(frozen=True)
class KernelDeviations:
    """Over ``draws`` symmetric initializations of one data set: the ratios of
    max_ij |H_ij(0) - H_inf_ij| to Lemma A.2's Hoeffding bound and of
    max_ij |H_ij(0) - H_inf_ij| / (Bernstein bound of entry ij)."""

    hoeffding: np.ndarray
    bernstein: np.ndarray
    independent: int  # m' = m/2 independent terms per entry


def kernel_deviations(X, m: int, B: float, delta: float, draws: int, seed,
                      scale_p=None) -> KernelDeviations:
    """Lemma A.2's two ratios per draw (symmetric init: m/2 independent neurons). ``scale_p``
    (a function of the pair matrix p_ij) replaces p_ij in the Bernstein bound (for mutants)."""
    X = v.unit_rows("X", X)
    m, B, delta = v.even_int("m", m), v.bias(B), v.probability("delta", delta)
    draws = v.check_int_range("draws", draws, 2)
    n, d = X.shape
    v.work("draws", draws, float(draws) * n * n * m)
    Hi = ntk.h_inf(X, B)
    P = ntk.pair_matrix(X, B)
    mp_ = m // 2
    hb = g.hoeffding_deviation(n, mp_, delta)
    bb = np.asarray(g.bernstein_deviation(P if scale_p is None else scale_p(P), n, mp_, delta))
    gen = rng(seed)
    hoef, bern = np.empty(draws), np.empty(draws)
    for k in range(draws):
        net0 = nw.init_symmetric(m, d, B, gen)
        dev = np.abs(nw.empirical_ntk(X, net0) - Hi)
        hoef[k] = dev.max() / hb
        bern[k] = float(np.max(dev / bb))
    return KernelDeviations(hoef, bern, mp_)
