"""Monte Carlo side of the Rademacher-radius module (FORMULAS.md section 5; Lemmas 3.10, A.7,
A.8, C.6; Theorems C.7, 3.9), symmetric initialization throughout (f(0) = 0).

- :func:`setup` draws a data set, labels and a symmetric initialization from one seed and
  fixes eta = eta_frac / lambda_max(H(0)).
- Along real gradient-descent runs (:func:`montecarlo.sim.trainer.train`):
  :func:`gradient_check` (Lemma A.7 at every step) and :func:`movement_check` (Lemma A.8:
  the linear-rate hypothesis checked step by step, then the movement of every neuron under D
  on the prefix where it holds).
- :func:`linearized_run` simulates the dynamics linearized at initialization in parameter
  space, theta_{k+1} = theta_k - eta Z (Z^T (theta_k - theta_0) - y), with Z from
  :func:`montecarlo.sim.network.jacobian`; the closed form of :mod:`bounds.rademacher_radius`
  uses H(0) from :func:`montecarlo.sim.network.empirical_ntk` (another route, no Z).
- :func:`rademacher_linear` samples sigma and averages the exact supremum
  R_F ||Z(0) sigma|| / n (bounded by R_F ||Z||_op sqrt(n) / n, so the exact bounded-mean
  limits apply); :func:`rademacher_linear_exact` enumerates all 2^n sign vectors.
- :func:`nonlinear_lower` is a lower estimate of Rad_S(F) for the nonlinear class within the
  per-neuron ball (||dw_r|| <= R, |db_r| <= R) and the Frobenius ball R_F: for every sigma,
  projected gradient ascent on a softplus-smoothed objective, scored by the true network.
The report-only experiments (the width ladder of the excess distance, the generalization
term over B, the tightness of the sparsity bound) are in :mod:`reports.figures.rademacher_radius`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from bounds import validate as v
from montecarlo.sim.data import FAMILIES, LABELS
from bounds import flip_probability as fp
from bounds import rademacher_radius as rr
from bounds.ntk import h_inf

from ..sim import seeding, stats
from ..sim.data import problem
from ..sim.network import Network, activation, empirical_ntk, forward, init_symmetric, jacobian
from ..sim.trainer import Trajectory

__all__ = [
    "Problem", "setup", "gradient_check", "MovementCheck", "movement_check", "linearized_run",
    "sign_vectors", "RademacherEstimate", "rademacher_linear", "rademacher_linear_exact",
    "NonlinearEstimate", "nonlinear_lower", "per_sigma_ratio_symmetric"
]

FLOOR = 1e-10  # round-off floor on ||f(s) - y|| for the hypothesis of Lemma A.8


def _bias_of(net0: Network, B) -> float:
    """B, checked against the biases of net0 (the event thresholds and R <= 1/B use it)."""
    B = v.bias(B)
    if not np.all(net0.b == B):
        v.fail("B", B, f"equal to every initial bias b_r of net0 (found {float(np.min(net0.b)):.6g} to "
                       f"{float(np.max(net0.b)):.6g})")
    return B


@dataclass(frozen=True)
class Problem:
    """One draw: data X (n x d, unit rows), labels y, symmetric init net0 with bias B, the
    empirical NTK H0 = H(0), eta = eta_frac / lambda_max(H0) (eta_frac when H0 = 0: nothing
    then moves), H_inf and lam = lambda_min(H_inf)."""

    X: np.ndarray
    y: np.ndarray
    net0: Network
    B: float
    H0: np.ndarray = field(repr=False)
    lam_max0: float
    eta: float
    H_inf: np.ndarray = field(repr=False)
    lam: float

    @property
    def n(self) -> int:
        return self.X.shape[0]

    @property
    def m(self) -> int:
        return self.net0.m


def setup(n: int, d: int, m: int, B: float, family: str = "random", labels: str = "random",
          seed: int = 0, eta_frac: float = 0.5, spread: float = 0.05) -> Problem:
    """(X, y) of :func:`montecarlo.sim.data.problem` (d raised to the family's
    :func:`~montecarlo.sim.data.admissible_d`) and a symmetric initialization from
    ``spawn(seed, "weights")``; eta = eta_frac / lambda_max(H(0)), 0 < eta_frac <= 1."""
    v.choice("labels", labels, LABELS)
    v.choice("family", family, FAMILIES)
    n, d, m, B = v.positive_int("n", n), v.positive_int("d", d), v.even_int("m", m), v.bias(B)
    eta_frac = v.positive("eta_frac", eta_frac)
    if eta_frac > 1:
        v.fail("eta_frac", eta_frac, "0 < eta_frac <= 1 (eta <= 1/lambda_max(H(0)))")
    X, y = problem(n, d, family, labels, seed, spread)
    net0 = init_symmetric(m, X.shape[1], B, seeding.spawn(seed, "weights"))
    H0 = empirical_ntk(X, net0)
    lam_max0 = float(np.linalg.eigvalsh(H0)[-1])
    eta = eta_frac / lam_max0 if lam_max0 > 0 else eta_frac
    Hi = h_inf(X, B)
    lam = float(np.linalg.eigvalsh(Hi)[0])
    return Problem(X, y, net0, B, H0, lam_max0, eta, Hi, lam)


# ------------------------------------------------------------------------ Lemma A.7
def gradient_check(traj: Trajectory, n: int) -> dict:
    """Lemma A.7 along a run, every step t:
    ``ratio_middle`` = max_t grad_ratio[t] (per neuron, gradient / m^{-1/2} sum_i |f_i - y_i| 1_{r,i});
    ``ratio_full`` = max_t max(max_r ||dL/dw_r||, max_r |dL/db_r|) / (sqrt(n/m) ||f(t) - y||);
    ``ratio_outer`` = max_t max_r m^{-1/2} sum_i |f_i - y_i| 1_{r,i} / (sqrt(n/m) ||f(t) - y||).
    Each is <= 1 by the lemma (0/0 counts as 0)."""
    if not isinstance(traj, Trajectory):
        v.fail("traj", traj, "a montecarlo.sim.trainer.Trajectory (train(...))")
    n = v.positive_int("n", n)
    if n != traj.active.shape[1]:
        v.fail("n", n, f"the run's number of inputs {traj.active.shape[1]}")
    m = traj.net0.m
    bound = rr.gradient_bound(n, m, 1.0) * np.asarray(traj.residual, dtype=float)  # linear in ||f - y||
    grad = np.maximum(traj.max_grad_w, traj.max_grad_b)

    def worst(num):
        with np.errstate(divide="ignore", invalid="ignore"):
            r = np.where(bound > 0, num / bound, np.where(num > 0, np.inf, 0.0))
        return float(r.max())

    return {"ratio_middle": float(traj.grad_ratio.max()), "ratio_full": worst(grad),
            "ratio_outer": worst(traj.grad_bound), "steps": traj.steps}


# ------------------------------------------------------------------------ Lemma A.8
@dataclass(frozen=True)
class MovementCheck:
    """Lemma A.8 on a run. ``through`` = the largest t such that the linear-rate hypothesis
    holds for every s <= t (-1 when it cannot be stated: lam <= 0 or eta lam > 4); the lemma
    then bounds the movement up to step t + 1, whose maximum over neurons and over the
    covered steps is ``movement``. ``applicable`` is False when nothing is covered;
    ``full_run`` is True when the hypothesis holds along the whole run (then
    ``final_w``/``final_b`` are the per-neuron maxima of w_move, b_move at the end)."""

    applicable: bool
    through: int
    steps: int
    movement: float
    D: float
    full_run: bool
    final_w: float
    final_b: float
    reason: str = ""

    @property
    def ratio(self) -> float:
        return self.movement / self.D if self.D > 0 else (0.0 if self.movement == 0 else math.inf)


def movement_check(traj: Trajectory, lam: float, floor: float = FLOOR) -> MovementCheck:
    """Check the hypothesis of Lemma A.8 step by step (with a round-off floor on the error)
    and measure every neuron's movement where it holds, against D (:func:`bounds.rademacher_radius.movement_radius`)."""
    if not isinstance(traj, Trajectory):
        v.fail("traj", traj, "a montecarlo.sim.trainer.Trajectory (train(...))")
    lam = float(v.real("lam", lam))  # lam <= 0 is allowed: then the lemma is not applicable
    if lam < -1e-9:  # a PSD kernel's lambda_min: only round-off may make it negative
        v.fail("lam", lam, "lam >= 0 (lambda_min of a PSD kernel; |round-off| <= 1e-9)")
    floor = v.nonneg("floor", floor)
    T = traj.steps
    n = traj.active.shape[1]
    m = traj.net0.m
    e0 = float(traj.residual[0])
    fw, fb = float(traj.w_move.max()), float(traj.b_move.max())
    if not lam > 0 or not 0 < traj.eta * lam <= 4:
        return MovementCheck(False, -1, T, 0.0, math.inf, False, fw, fb,
                             f"hypothesis not stated: lam={lam:.3g}, eta*lam={traj.eta * lam:.3g}")
    D = rr.movement_radius(n, m, e0, lam)
    env = rr.linear_rate_envelope(e0, traj.eta, lam, T)
    ok = (traj.residual <= env * (1 + 1e-12)) | (traj.residual <= floor)
    bad = np.flatnonzero(~ok)
    through = T if bad.size == 0 else int(bad[0]) - 1
    upto = min(through + 1, T)
    move = float(max(traj.max_w_move[:upto + 1].max(), traj.max_b_move[:upto + 1].max()))
    return MovementCheck(through >= 0, through, T, move, D, bad.size == 0, fw, fb,
                         "" if bad.size == 0 else f"linear rate fails at step {int(bad[0])}")


# ---------------------------------------------------------- Theorem C.7 (linearized)
def linearized_run(X, y, net0: Network, eta: float, K: int) -> float:
    """||theta_K - theta_0|| for the dynamics linearized at net0, simulated in parameter
    space: delta <- delta - eta Z (f(0) + Z^T delta - y), Z = jacobian(X, net0)."""
    K = v.nonneg_int("K", K)
    v.work("K", K, float(K) * np.size(getattr(net0, "W", 0)) * max(np.shape(X)[0] if np.ndim(X) == 2 else 1, 1) * 4)
    if not isinstance(net0, Network):
        v.fail("net0", net0, "a montecarlo.sim.network.Network")
    Z = jacobian(X, net0)
    y = v.labels("y", y, Z.shape[1])
    eta = v.positive("eta", eta)
    K = v.nonneg_int("K", K)
    f0 = forward(X, net0)
    delta = np.zeros(Z.shape[0])
    for _ in range(K):
        delta -= eta * (Z @ (f0 + Z.T @ delta - y))
    return float(np.linalg.norm(delta))


# ----------------------------------------------------------------- Lemma C.6
def sign_vectors(n: int, draws: int, seed) -> tuple[np.ndarray, bool]:
    """Rademacher vectors sigma (rows): all 2^n of them when 2^n <= draws (exact average),
    else ``draws`` samples. Returns (sigmas, enumerated)."""
    seed = v.seed("seed", seed) if not isinstance(seed, (list, tuple, np.random.Generator)) else seed
    n, draws = v.positive_int("n", n), v.positive_int("draws", draws)
    v.memory("n" if n >= draws else "draws", max(n, draws), 8.0 * n * (min(draws, 2.0 ** min(n, 60))))
    if n <= 20 and 2**n <= draws:
        idx = np.arange(2**n)[:, None] >> np.arange(n)[None, :]
        return np.where(idx & 1, 1.0, -1.0), True
    rng = seeding.rng(seed)
    return rng.choice(np.array([-1.0, 1.0]), size=(draws, n)), False


@dataclass(frozen=True)
class RademacherEstimate:
    """Mean over sigma of the exact supremum R_F ||Z sigma|| / n, its limits (each one-sided at
    ``alpha``), the Jensen bound R_F ||Z||_F / n, the sparsity bound R_F sqrt(2 e^{-B^2/2}/n),
    and whether the section-3 event max_i |S_on(i,0)| <= m e^{-B^2/2} holds."""

    value: float
    lower: float
    upper: float
    draws: int
    jensen: float
    sparsity: float
    on_event: bool
    max_active: int
    active_threshold: float


def _linear_parts(X, net0: Network):
    Z = jacobian(X, net0)
    G = Z.T @ Z  # ||Z sigma||^2 = sigma^T G sigma
    n = X.shape[0]
    act = activation(X, net0).sum(axis=1)
    return Z, G, n, act


def rademacher_linear(X, net0: Network, B: float, R_F: float, draws: int, seed,
                      alpha: float = stats.ALPHA) -> RademacherEstimate:
    """Empirical Rademacher complexity of F_lin = {x -> <grad f(x; theta0), Delta>, ||Delta|| <= R_F}
    by sampling ``draws`` sign vectors (draws >= 2)."""
    draws = v.positive_int("draws", draws)
    v.memory("draws", draws, 8.0 * draws * max(np.shape(X)[0] if np.ndim(X) else 1, 1) * 4)
    if not isinstance(net0, Network):
        v.fail("net0", net0, "a montecarlo.sim.network.Network")
    B, R_F = _bias_of(net0, B), v.positive("R_F", R_F)
    draws = v.check_int_range("draws", draws, 2)
    rng = seeding.rng(seed)
    Z, G, n, act = _linear_parts(X, net0)
    S = rng.choice(np.array([-1.0, 1.0]), size=(draws, n))
    sup = R_F * np.sqrt(np.maximum(np.einsum("ki,ij,kj->k", S, G, S), 0.0)) / n
    op = math.sqrt(max(float(np.linalg.eigvalsh(G)[-1]), 0.0))
    hi = R_F * op * math.sqrt(n) / n
    if hi > 0:
        lo, up = stats.bounded_mean_limits(sup, 0.0, hi * (1 + 1e-12), alpha)
    else:
        lo = up = 0.0
    thr = net0.m * math.exp(-B * B / 2)
    return RademacherEstimate(float(sup.mean()), lo, up, draws,
                              rr.jensen_bound(float(np.linalg.norm(Z)), n, R_F),
                              rr.rademacher_bound(n, B, R_F), bool(act.max() <= thr),
                              int(act.max()), thr)


def rademacher_linear_exact(X, net0: Network, R_F: float) -> float:
    """(R_F / n) E_sigma ||Z(0) sigma|| by enumerating all 2^n sign vectors (n <= 20)."""
    if not isinstance(net0, Network):
        v.fail("net0", net0, "a montecarlo.sim.network.Network")
    R_F = v.positive("R_F", R_F)
    Z = jacobian(X, net0)
    n = Z.shape[1]
    if n > 20:
        v.fail("n", n, "n <= 20 for exact enumeration")
    S, _ = sign_vectors(n, 2**n, 0)
    return float((R_F * np.linalg.norm(S @ Z.T, axis=1) / n).mean())


@dataclass(frozen=True)
class NonlinearEstimate:
    """Lower estimate of Rad_S(F) for the nonlinear class, with the pieces of its bound.

    ``value`` = mean over sigma of the best (1/n) sum_i sigma_i f(x_i; theta) found (>= 0:
    theta0 is feasible); exact average when every sign vector was used (``enumerated``), else
    bounded-mean limits. ``rad_lin`` is the exact (enumerated) linear complexity,
    ``flip_sizes`` the |S_i| at initialization, ``on_event`` whether max_i |S_i| <= 2 m q."""

    value: float
    lower: float
    upper: float
    enumerated: bool
    rad_lin: float
    per_sigma_excess: float  # max over sigma of best - R_F ||Z sigma|| / n
    per_sigma_ratio: float  # max over sigma of best / (R_F ||Z sigma|| / n + (1/n) sum_i 2 R |S_i| / sqrt m)
    flip_sizes: np.ndarray
    on_event: bool
    max_norm: float  # largest ||Delta||_F used (<= R_F)
    max_neuron: float  # largest per-neuron max(||dw_r||, |db_r|) used (<= R)
    best_values: np.ndarray | None = None  # per sigma: the best (1/n) sum_i sigma_i f(x_i; theta) found
    linear_values: np.ndarray | None = None  # per sigma: R_F ||Z sigma|| / n
    R: float = math.nan
    m: int = 0


def _objective(X, W, b, a, S, dW, db):
    """(1/n) sum_i sigma_i f(x_i; W + dW, b + db) for a batch: dW (G, m, d), db (G, m)."""
    n, m = X.shape[0], W.shape[0]
    pre = np.einsum("id,gmd->gim", X, W[None] + dW) - (b[None] + db)[:, None, :]
    out = np.einsum("gim,m,gi->g", np.maximum(pre, 0.0), a, S)
    return out / (n * math.sqrt(m)), pre


def _retract(dW, db, R, R_F):
    """A feasible point near (dW, db): per neuron ||dw_r|| <= R, |db_r| <= R, then the whole
    scaled into the Frobenius ball R_F (scaling keeps the per-neuron constraints)."""
    nw = np.linalg.norm(dW, axis=2)
    dW = dW * np.minimum(1.0, R / np.maximum(nw, 1e-300))[..., None]
    db = np.clip(db, -R, R)
    tot = np.sqrt((dW**2).sum(axis=(1, 2)) + (db**2).sum(axis=1))
    s = np.minimum(1.0, R_F / np.maximum(tot, 1e-300))
    return dW * s[:, None, None], db * s[:, None]


def nonlinear_lower(X, net0: Network, B: float, R: float, R_F: float, draws: int = 256,
                    seed=0, iters: int = 30, alpha: float = stats.ALPHA, batch: int = 64) -> NonlinearEstimate:
    """Lower estimate of Rad_S(F), F = networks with ||w_r - w_r(0)|| <= R, |b_r - B| <= R
    (R <= 1/B) and ||theta - theta0|| <= R_F. For each sign vector: start at the linear
    optimum R_F Z sigma / ||Z sigma|| (retracted into F) and at theta0, run ``iters`` steps of
    normalized gradient ascent on softplus-smoothed ReLUs (temperature annealed from R to
    R/100, so neurons just off can be switched on), and keep the best true objective seen."""
    alpha = v.probability("alpha", alpha)
    draws, iters, batch = v.positive_int("draws", draws), v.positive_int("iters", iters), v.positive_int("batch", batch)
    v.work("iters" if iters >= draws else "draws", max(iters, draws), float(draws) * iters * 64.0 * np.shape(getattr(net0, "W", np.zeros((1, 1))))[0])
    if not isinstance(net0, Network):
        v.fail("net0", net0, "a montecarlo.sim.network.Network")
    X = v.unit_rows("X", X)
    B = _bias_of(net0, B)
    R = v.radius(B, R)
    R_F = v.positive("R_F", R_F)
    if seed is None:
        seeding.rng(seed)
    iters = v.nonneg_int("iters", iters)
    batch = v.positive_int("batch", batch)
    f0 = forward(X, net0)
    if np.any(f0 != 0):
        # theta0's objective is taken as 0 and |f(theta)| bounded by the movement alone
        v.fail("f(X; net0)", f0, "= 0 (a symmetric initialization, Definition 3.7)")
    n, d, m = X.shape[0], net0.d, net0.m
    W, b, a = net0.W, net0.b, net0.a
    S_all, enumerated = sign_vectors(n, draws, seed)
    Z = jacobian(X, net0)
    lin = R_F * np.linalg.norm(S_all @ Z.T, axis=1) / n
    pre0 = X @ W.T - b  # (n, m)
    flips = ((pre0 >= -2 * R) & (pre0 < 2 * R)).sum(axis=1)
    reach = (pre0 >= -2 * R).sum(axis=1)  # neurons that can be active at x_i within F
    q = fp.flip_q(B, R)
    best_all = np.zeros(len(S_all))
    max_norm = max_neuron = 0.0
    for s in range(0, len(S_all), batch):
        S = S_all[s:s + batch]
        G = len(S)
        u = S @ Z.T  # (G, m(d+1)) linear optimum direction
        nu = np.linalg.norm(u, axis=1, keepdims=True)
        u = np.where(nu > 0, u / np.maximum(nu, 1e-300), 0.0) * R_F
        dW, db = _retract(u[:, :m * d].reshape(G, m, d), u[:, m * d:], R, R_F)
        best, _ = _objective(X, W, b, a, S, dW, db)
        best = np.maximum(best, 0.0)
        step = 0.5 * min(R_F, R * math.sqrt(m))
        for k in range(iters):
            val, pre = _objective(X, W, b, a, S, dW, db)
            best = np.maximum(best, val)
            temp = R * 10 ** (-2 * k / max(1, iters - 1))
            slope = 0.5 * (1 + np.tanh(pre / (2 * temp)))  # sigmoid(pre / temp), softplus'
            coef = slope * S[:, :, None] * (a / (n * math.sqrt(m)))[None, None, :]  # (G, n, m)
            gW = np.einsum("gim,id->gmd", coef, X)
            gb = -coef.sum(axis=1)
            gn = np.sqrt((gW**2).sum(axis=(1, 2)) + (gb**2).sum(axis=1))
            scale = np.where(gn > 0, step * 0.97**k / np.maximum(gn, 1e-300), 0.0)
            dW, db = _retract(dW + scale[:, None, None] * gW, db + scale[:, None] * gb, R, R_F)
        val, _ = _objective(X, W, b, a, S, dW, db)
        best_all[s:s + G] = np.maximum(best, val)
        max_norm = max(max_norm, float(np.sqrt((dW**2).sum(axis=(1, 2)) + (db**2).sum(axis=1)).max()))
        max_neuron = max(max_neuron, float(max(np.linalg.norm(dW, axis=2).max(), np.abs(db).max())))
    mean = float(best_all.mean())
    ratio = _per_sigma_ratios(best_all, lin, flips, 2 * R, m)
    if enumerated:
        lo = up = mean
    else:
        hi = float(np.max(np.minimum(np.sqrt(2 * reach / m) * R_F, 2 * R * reach / math.sqrt(m))))
        if hi > 0:
            lo, up = stats.bounded_mean_limits(best_all, 0.0, hi * (1 + 1e-9), alpha)
        else:
            lo = up = 0.0
    return NonlinearEstimate(mean, lo, up, enumerated, rademacher_linear_exact(X, net0, R_F),
                             float((best_all - lin).max()), float(ratio.max()), flips,
                             bool(flips.max() <= 2 * m * q), max_norm, max_neuron, best_all, lin, R, m)


def _per_sigma_ratios(best, lin, flips, per_flip: float, m: int) -> np.ndarray:
    """The per-sigma inequality divided by its right side, R_F ||Z sigma|| / n + (1/n) sum_i
    per_flip |S_i| / sqrt(m).

    A right side of 0 (Z(0) sigma = 0, e.g. two equal inputs with opposite signs, and no
    flipped neuron) makes the class's correlation with sigma exactly 0 as well; the ascent then
    finds round-off (2.7e-17 at n = 2, d = 1, B = 0.28, m = 26), which is no violation: such a
    sigma counts 0 unless its best value exceeds 1e-12 of the largest value in play, and only
    then is it inf (a real counterexample)."""
    best, lin = np.asarray(best, dtype=float), np.asarray(lin, dtype=float)
    den = lin + float(np.mean(per_flip * np.asarray(flips) / math.sqrt(m)))
    tol = 1e-12 * max(float(np.abs(best).max(initial=0.0)), float(np.abs(den).max(initial=0.0)))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, best / den, np.where(best > tol, np.inf, 0.0))


def per_sigma_ratio_symmetric(e: NonlinearEstimate, share: float = 1.0) -> float:
    """Largest ratio over sigma of the best value found to the symmetric-init right side
    R_F ||Z sigma|| / n + (1/n) sum_i share R |S_i| / sqrt(m) (FORMULAS.md section 5): the ReLU is
    convex, so each copy of a symmetric pair (same w_r, b_r at theta0, a = +1 / -1) deviates from
    its linearization by an amount in [0, 2R]; the pair's signed sum is within 2R, i.e. R per
    flipped neuron (|S_i| counts both copies). ``share`` = 1 is that statement; ``share`` = 1/2
    its false quarter-of-the-general-allowance variant."""
    if not isinstance(e, NonlinearEstimate):
        v.fail("e", e, "a NonlinearEstimate (the result of nonlinear_lower)")
    if e.best_values is None:
        v.fail("e", e, "an estimate carrying the per-sigma values of nonlinear_lower")
    share = v.positive("share", share)
    return float(_per_sigma_ratios(e.best_values, e.linear_values, e.flip_sizes, share * e.R, e.m).max())
